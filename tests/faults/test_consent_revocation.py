"""Consent revocation wins: after it commits, no usage capture of the user exists or appears."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from producers import IntakeClient
from tests import factories
from tests.integration.conftest import start_worker, stop_worker
from worker.models import IntakeOutcome, SkillFeedback
from worker.operations.consent import revoke_consent


def captured_rows(session: Session, user_id: str) -> int:
    session.expire_all()
    return (
        session.scalar(
            select(func.count())
            .select_from(SkillFeedback)
            .where(SkillFeedback.user_id == user_id, SkillFeedback.source == "usage_capture")
        )
        or 0
    )


PLATFORM_ROLE = "intake_test_platform_app"


def revoke_with_the_cli_operation(revoker: Session, world: factories.World) -> None:
    revoke_consent(revoker, world.author.id, changed_by="test")


def revoke_with_plain_sql(revoker: Session, world: factories.World) -> None:
    # What a SQL console, or any code that is not this service, does.
    revoker.execute(
        text(
            "UPDATE user_preferences SET preferences = preferences || "
            "'{\"trainingDataConsent\": false}'::jsonb, updated_at = now() WHERE user_id = :user"
        ),
        {"user": world.author.id},
    )


def revoke_as_the_platform(revoker: Session, world: factories.World) -> None:
    # The platform's settings page: its own role (not a table owner, bound by row-level
    # security, no right to delete examples), scoped to the tenant, removing the key.
    revoker.execute(text(f"SET LOCAL ROLE {PLATFORM_ROLE}"))
    revoker.execute(
        text("SELECT set_config('app.current_tenant_id', :tenant, true)"),
        {"tenant": world.tenant.id},
    )
    updated = revoker.execute(
        text(
            "UPDATE user_preferences SET preferences = preferences - 'trainingDataConsent'"
            " WHERE user_id = :user"
        ),
        {"user": world.author.id},
    )
    assert updated.rowcount == 1


@pytest.fixture
def platform_role(engine: Engine) -> Iterator[None]:
    with engine.begin() as connection:
        connection.execute(
            text(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :role) THEN "
                f"CREATE ROLE {PLATFORM_ROLE} NOLOGIN; END IF; END $$".replace(
                    ":role", f"'{PLATFORM_ROLE}'"
                )
            )
        )
        connection.execute(text(f"GRANT SELECT, UPDATE ON user_preferences TO {PLATFORM_ROLE}"))
    yield
    with engine.begin() as connection:
        connection.execute(text(f"REVOKE ALL ON user_preferences FROM {PLATFORM_ROLE}"))


@pytest.mark.parametrize(
    "revoke",
    [revoke_with_the_cli_operation, revoke_with_plain_sql, revoke_as_the_platform],
    ids=["intake consent revoke", "plain SQL", "the platform's own role"],
)
def test_a_revocation_with_submissions_in_flight_leaves_no_captured_row_behind(
    broker_url: str,
    session: Session,
    session_factory: sessionmaker[Session],
    platform_role: None,
    revoke: Callable[[Session, factories.World], None],
) -> None:
    world = factories.world(session)
    total = 3000
    captures = factories.usage_captures(world, total)
    revoked = threading.Event()

    def send(client: IntakeClient) -> None:
        # Half before the revocation, the rest after it: on a fast machine the worker could
        # otherwise store all of them before the test gets to revoke.
        client.capture_usage_many(captures[: total // 2])
        revoked.wait(timeout=120)
        client.capture_usage_many(captures[total // 2 :])

    worker = start_worker(broker_url)
    try:
        with IntakeClient(broker_url, chunk_size=50) as client:
            sender = threading.Thread(target=send, args=(client,))
            sender.start()
            # Revoke while the worker is busy inserting this user's captures.
            while captured_rows(session, world.author.id) < 1200:
                time.sleep(0.01)
            with session_factory() as revoker, revoker.begin():
                revoke(revoker, world)
            revoked.set()
            assert captured_rows(session, world.author.id) == 0
            sender.join()
        deadline = time.monotonic() + 90
        while True:
            session.expire_all()
            decided = session.scalar(select(func.count()).select_from(IntakeOutcome)) or 0
            if decided >= total:
                break
            assert time.monotonic() < deadline, f"{decided} of {total}"
            # Whatever was in flight: nothing of this user may (re)appear.
            assert captured_rows(session, world.author.id) == 0
            time.sleep(0.05)
    finally:
        stop_worker(worker)
    assert captured_rows(session, world.author.id) == 0
    outcomes = dict(
        session.execute(
            select(IntakeOutcome.reason, func.count()).group_by(IntakeOutcome.reason)
        ).all()
    )
    # Some were accepted before the revocation (and removed by it); the rest were skipped.
    assert outcomes.get("no_consent", 0) > 0
    assert sum(outcomes.values()) == total
