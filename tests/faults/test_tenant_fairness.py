"""A flood from one tenant cannot starve the others: their submissions are not queued behind it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from producers import IntakeClient
from tests import factories
from tests.integration.conftest import start_worker, stop_worker
from worker.models import IntakeOutcome

FLOOD = 3000
QUIET = 20


def send_singly(client: IntakeClient, items: list[dict[str, object]]) -> None:
    for item in items:
        client.submit(item)


def send_in_bulk(client: IntakeClient, items: list[dict[str, object]]) -> None:
    client.capture_usage_many(items)


def decided(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(IntakeOutcome)) or 0


@pytest.mark.parametrize("send_flood", [send_singly, send_in_bulk], ids=["singles", "bulk"])
def test_a_quiet_tenant_is_served_while_another_tenants_flood_still_waits(
    broker_url: str,
    session: Session,
    session_factory: sessionmaker[Session],
    send_flood: Callable[[IntakeClient, list[dict[str, object]]], None],
) -> None:
    flooding, quiet = factories.world(session), factories.world(session)
    # Everything is queued before a worker starts: the flood first, the quiet tenant last.
    with IntakeClient(broker_url, tenant_rate=50) as client:
        send_flood(client, factories.usage_captures(flooding, FLOOD, prefix="flood"))
        send_singly(client, factories.usage_captures(quiet, QUIET, prefix="quiet"))
    worker = start_worker(broker_url)
    try:
        deadline = time.monotonic() + 120
        while decided(session) < FLOOD + QUIET:
            assert time.monotonic() < deadline, f"{decided(session)} of {FLOOD + QUIET} decided"
            time.sleep(0.1)
    finally:
        stop_worker(worker)
    # The order of processing, from the outcomes' transaction times: in one first-in-first-out
    # queue the quiet tenant would have waited for the whole flood.
    quiet_done = session.scalar(
        select(func.max(IntakeOutcome.recorded_at)).where(
            IntakeOutcome.tenant_id == quiet.tenant.id
        )
    )
    flood_before = session.scalar(
        select(func.count())
        .select_from(IntakeOutcome)
        .where(
            IntakeOutcome.tenant_id == flooding.tenant.id, IntakeOutcome.recorded_at < quiet_done
        )
    )
    assert flood_before is not None and flood_before < FLOOD // 2
    accepted = session.scalar(
        select(func.count()).select_from(IntakeOutcome).where(IntakeOutcome.outcome == "accepted")
    )
    assert accepted == FLOOD + QUIET
