"""End to end: producers enqueue, a real prefork worker processes, rows and outcomes appear."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from producers import IntakeClient, Outcome
from tests import factories
from tests.integration import raw
from worker.cli import app as cli
from worker.models import DeadLetter, SkillFeedback


def count_rows(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(SkillFeedback)) or 0


def wait_for(predicate: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_a_golden_example_goes_from_producer_to_row(
    client: IntakeClient, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    submission_id = client.submit_golden_example(
        tenant_id=world.tenant.id,
        user_id=world.author.id,
        skill_id=world.skill.id,
        example_input="if (a < b && c > d) {}",
        example_output="fine",
        quality_score=9,
    )
    status = client.wait(submission_id, timeout=30)
    assert (status.outcome, status.reason) == (Outcome.ACCEPTED, None)
    row = session.get(SkillFeedback, submission_id)
    assert row is not None and row.example_input == "if (a < b && c > d) {}"


def test_every_outcome_reaches_the_producer(
    client: IntakeClient, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    stranger = factories.user(session, world.tenant)
    session.commit()
    common = {"tenant_id": world.tenant.id, "skill_id": world.skill.id}
    golden_ok = client.submit_golden_example(
        user_id=world.author.id, example_input="i", example_output="o", **common
    )
    not_author = client.submit_golden_example(
        user_id=stranger.id, example_input="i", example_output="o", **common
    )
    no_consent = client.capture_usage(
        user_id=stranger.id, usage_event_id="e1", example_input="i", example_output="o", **common
    )
    assert client.wait(golden_ok).outcome is Outcome.ACCEPTED
    assert client.wait(not_author).as_dict()["reason"] == "not_author"
    assert client.wait(no_consent).as_dict()["reason"] == "no_consent"


def test_capture_usage_many_sends_chunks_and_every_capture_lands(
    client: IntakeClient, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    captures = factories.usage_captures(world, 1200)
    ids = client.capture_usage_many(captures)
    assert len(set(ids)) == 1200
    wait_for(lambda: count_rows(session) == 1200, timeout=60)
    assert client.wait(ids[-1]).outcome is Outcome.ACCEPTED


def test_a_raw_protocol_message_from_a_non_python_producer_is_processed(
    client: IntakeClient,
    session: Session,
    session_factory: sessionmaker[Session],
    redis_client: redis.Redis,
) -> None:
    world = factories.world(session)
    submission_id = str(uuid.uuid4())
    submission = {
        "submission_id": submission_id,
        "kind": "usage_capture",
        "tenant_id": world.tenant.id,
        "user_id": world.author.id,
        "skill_id": world.skill.id,
        "usage_event_id": "raw-1",
        "example_input": "echo hi 2>&1",
        "example_output": "hi",
        "schema_version": 1,
    }
    redis_client.lpush("intake", raw.envelope(raw.task_body({"submission": submission})))
    assert client.wait(submission_id, timeout=30).outcome is Outcome.ACCEPTED


def test_undecodable_messages_are_dead_lettered_and_the_worker_goes_on(
    client: IntakeClient,
    session: Session,
    session_factory: sessionmaker[Session],
    redis_client: redis.Redis,
) -> None:
    world = factories.world(session)
    redis_client.lpush("intake", raw.envelope(b"{not json at all"))
    redis_client.lpush(
        "intake", raw.envelope(raw.task_body({"submission": {}}), task="no.such.task")
    )
    redis_client.lpush("intake", raw.envelope(raw.task_body({"wrong": 1})))
    redis_client.lpush(
        "intake", raw.envelope(raw.task_body({"submissions": "nope"}), task="intake.submit_many")
    )
    redis_client.lpush(
        "intake", raw.envelope(b"junk", content_type="application/x-python-serialize")
    )
    redis_client.lpush("intake", b"this is not even an envelope")
    after = client.submit_golden_example(
        tenant_id=world.tenant.id,
        user_id=world.author.id,
        skill_id=world.skill.id,
        example_input="still alive",
        example_output="yes",
    )
    assert client.wait(after, timeout=30).outcome is Outcome.ACCEPTED

    def letters() -> list[str]:
        session.expire_all()
        return sorted(session.scalars(select(DeadLetter.reason)))

    wait_for(lambda: len(letters()) >= 6)
    assert set(letters()) >= {"undecodable", "unknown_task", "malformed_envelope"}


def test_the_status_command_prints_the_outcome_as_json(
    client: IntakeClient, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session, capture=False)
    submission_id = client.capture_usage(
        tenant_id=world.tenant.id,
        user_id=world.author.id,
        skill_id=world.skill.id,
        usage_event_id="e",
        example_input="i",
        example_output="o",
    )
    client.wait(submission_id)
    runner = CliRunner()
    result = runner.invoke(cli, ["status", submission_id, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "submission_id": submission_id,
        "outcome": "skipped",
        "reason": "capture_disabled",
    }
    unknown = runner.invoke(cli, ["status", str(uuid.uuid4())])
    assert unknown.exit_code == 1
    assert "unknown" in unknown.stdout
