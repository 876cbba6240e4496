"""Consent revocation wins: after it commits, no usage capture of the user exists or appears."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
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


def test_a_revocation_with_submissions_in_flight_leaves_no_captured_row_behind(
    broker_url: str, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    total = 6000
    captures = factories.usage_captures(world, total)
    worker = start_worker(broker_url)
    revoked_at: list[float] = []
    try:
        with IntakeClient(broker_url, chunk_size=50) as client:
            sender = threading.Thread(target=client.capture_usage_many, args=(captures,))
            sender.start()
            # Revoke while the worker is busy inserting this user's captures.
            while captured_rows(session, world.author.id) < 500:
                time.sleep(0.01)
            with session_factory() as revoker, revoker.begin():
                change = revoke_consent(revoker, world.author.id, changed_by="test")
            revoked_at.append(time.monotonic())
            assert change is not None
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
    # Some were accepted before the revocation (and deleted by it); the rest were skipped.
    assert outcomes.get("no_consent", 0) > 0
    assert sum(outcomes.values()) == total
