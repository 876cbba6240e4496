"""Killed workers lose nothing and duplicate nothing: late acks plus idempotent inserts."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from producers import IntakeClient, usage_capture
from tests import factories
from tests.integration.conftest import start_worker, stop_worker
from worker.models import IntakeOutcome, SkillFeedback

# Short redelivery for the test; production keeps the visibility timeout well above a task's
# worst case (see the README).
FAST_REDELIVERY = {
    "INTAKE_VISIBILITY_TIMEOUT": "4",
    "INTAKE_UNACKED_RESTORE_INTERVAL": "1",
    "INTAKE_CONSUMER_LIVENESS_TTL": "3",
}
# Workers killed one after another (main process and pool), each by a fresh one taking over.
MAIN_PROCESS_KILLS = 3


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(child) for child in path.read_text().split()]
    except FileNotFoundError:
        return []


def counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    rows = session.scalar(select(func.count()).select_from(SkillFeedback)) or 0
    outcomes = session.scalar(select(func.count()).select_from(IntakeOutcome)) or 0
    accepted = (
        session.scalar(
            select(func.count())
            .select_from(IntakeOutcome)
            .where(IntakeOutcome.outcome == "accepted")
        )
        or 0
    )
    return rows, outcomes, accepted


def wait_until_done(session: Session, total: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while counts(session)[1] < total:
        assert time.monotonic() < deadline, f"only {counts(session)} of {total} after {timeout}s"
        time.sleep(0.2)


def by_reason(session: Session) -> dict[tuple[str, str | None], int]:
    session.expire_all()
    query = select(IntakeOutcome.outcome, IntakeOutcome.reason, func.count()).group_by(
        IntakeOutcome.outcome, IntakeOutcome.reason
    )
    return {(outcome, reason): count for outcome, reason, count in session.execute(query)}


def enqueue(client: IntakeClient, world: factories.World, total: int) -> list[str]:
    """A quarter as single messages, the rest in bulk messages."""
    captures = [
        usage_capture(
            tenant_id=world.tenant.id,
            user_id=world.author.id,
            skill_id=world.skill.id,
            usage_event_id=f"evt-{n}",
            example_input=f"input {n} " * 30,
            example_output=f"output {n} " * 60,
        )
        for n in range(total)
    ]
    singles = total // 4
    for capture in captures[:singles]:
        client.submit(capture)
    client.capture_usage_many(captures[singles:])
    return [capture["submission_id"] for capture in captures]


def test_killing_pool_processes_mid_batch_loses_and_duplicates_nothing(
    broker_url: str, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    total = 8000
    with IntakeClient(broker_url) as client:
        ids = enqueue(client, world, total)
    worker = start_worker(broker_url, extra_env=FAST_REDELIVERY)
    kills = 0
    try:
        deadline = time.monotonic() + 20
        while kills < 6 and time.monotonic() < deadline:
            pool = children(worker.process.pid)
            if pool:
                os.kill(pool[kills % len(pool)], signal.SIGKILL)
                kills += 1
            time.sleep(0.1)
        wait_until_done(session, total, timeout=90)
    finally:
        stop_worker(worker)
    assert kills == 6
    rows, outcomes, accepted = counts(session)
    assert (rows, outcomes, accepted) == (total, total, total)
    stored = set(session.scalars(select(SkillFeedback.id)))
    assert stored == set(ids)


def test_killed_worker_main_processes_hand_their_messages_to_fresh_workers(
    broker_url: str, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    total = 6000
    # Small chunks and batches keep each worker busy long enough to be killed mid-work.
    with IntakeClient(broker_url, chunk_size=20) as client:
        enqueue(client, world, total)
    slow = {**FAST_REDELIVERY, "INTAKE_BATCH_SIZE": "5"}
    done_before_kill = []
    for _ in range(MAIN_PROCESS_KILLS):
        worker = start_worker(broker_url, extra_env=slow)
        try:
            started_at = counts(session)[1]
            while counts(session)[1] == started_at:
                time.sleep(0.02)
            for pid in [worker.process.pid, *children(worker.process.pid)]:
                os.kill(pid, signal.SIGKILL)
            worker.process.wait()
        finally:
            stop_worker(worker)
        done_before_kill.append(counts(session)[1])
    last = start_worker(broker_url, extra_env=FAST_REDELIVERY)
    try:
        wait_until_done(session, total, timeout=90)
    finally:
        stop_worker(last)
    # Every killed worker had work in flight: none of them finished the queue.
    assert done_before_kill[-1] < total
    assert counts(session) == (total, total, total), by_reason(session)


def test_a_restore_lock_left_by_a_killed_worker_holds_up_redelivery_only_briefly(
    broker_url: str, session: Session, session_factory: sessionmaker[Session]
) -> None:
    # A worker killed while it restored expired messages leaves kombu's restore lock behind, to
    # expire by itself; with kombu's default (300 s) every redelivery then waited five minutes:
    # a kill test once ended with a few hundred messages missing after 90 s. The lock a killed
    # worker leaves is simulated here with the expiry the workers configure.
    import redis

    world = factories.world(session)
    total = 2000
    with IntakeClient(broker_url, chunk_size=20) as client:
        enqueue(client, world, total)
    worker = start_worker(broker_url, extra_env={**FAST_REDELIVERY, "INTAKE_BATCH_SIZE": "5"})
    try:
        while counts(session)[1] == 0:
            time.sleep(0.02)
        for pid in [worker.process.pid, *children(worker.process.pid)]:
            os.kill(pid, signal.SIGKILL)
        worker.process.wait()
    finally:
        stop_worker(worker)
    lock_expiry = max(5, 3 * int(FAST_REDELIVERY["INTAKE_UNACKED_RESTORE_INTERVAL"]))
    with redis.Redis.from_url(broker_url) as client:
        assert client.hlen("unacked") > 0, "the killed worker had nothing in flight"
        client.set("unacked_mutex", "a killed worker's lock", ex=lock_expiry)
    started = time.monotonic()
    last = start_worker(broker_url, extra_env=FAST_REDELIVERY)
    try:
        wait_until_done(session, total, timeout=90)
    finally:
        stop_worker(last)
    assert counts(session) == (total, total, total), by_reason(session)
    assert time.monotonic() - started < 60


def test_the_restore_lock_expires_within_a_few_restore_intervals() -> None:
    import celeryconfig

    options = celeryconfig.broker_transport_options
    assert options["unacked_mutex_expire"] <= max(5, 3 * options["unacked_restore_interval"])
