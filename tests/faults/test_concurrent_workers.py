"""Two and three workers on one queue, with producers retrying: each submission stored once."""

from __future__ import annotations

import random
import time
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from producers import IntakeClient, usage_capture
from tests import factories
from tests.integration.conftest import start_worker, stop_worker
from worker.models import IntakeOutcome, SkillFeedback


@pytest.mark.parametrize("workers", [2, 3])
def test_several_workers_store_every_submission_exactly_once(
    broker_url: str, session: Session, session_factory: sessionmaker[Session], workers: int
) -> None:
    world = factories.world(session)
    common = {"tenant_id": world.tenant.id, "user_id": world.author.id, "skill_id": world.skill.id}
    captures = [
        usage_capture(
            **common,
            usage_event_id=f"evt-{n}",
            example_input=f"in {n}",
            example_output=f"out {n}",
            submission_id=str(uuid.uuid4()),
        )
        for n in range(3000)
    ]
    running = [start_worker(broker_url, concurrency=1) for _ in range(workers)]
    try:
        with IntakeClient(broker_url) as client:
            # Singles and bulk mixed; a quarter sent twice (a producer retrying with the same id),
            # and some usage events captured again under a new id.
            for capture in captures[:1500]:
                client.submit(capture)
            client.capture_usage_many(captures[1500:])
            for capture in random.Random(3).sample(captures, 750):
                client.submit(capture)
            recaptured = [
                {**capture, "submission_id": str(uuid.uuid4())}
                for capture in random.Random(4).sample(captures, 300)
            ]
            client.capture_usage_many(recaptured)
        total = len(captures) + len(recaptured)
        deadline = time.monotonic() + 120
        while True:
            session.expire_all()
            outcomes = session.scalar(select(func.count()).select_from(IntakeOutcome)) or 0
            if outcomes >= total:
                break
            assert time.monotonic() < deadline, f"{outcomes} of {total} outcomes"
            time.sleep(0.2)
    finally:
        for worker in running:
            stop_worker(worker)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SkillFeedback)) == len(captures)
    by_outcome = dict(
        session.execute(
            select(IntakeOutcome.outcome, func.count()).group_by(IntakeOutcome.outcome)
        ).all()
    )
    assert by_outcome == {"accepted": len(captures), "duplicate": len(recaptured)}
