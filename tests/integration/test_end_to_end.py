"""End to end on Redis and RabbitMQ: producers enqueue, a real worker stores rows and outcomes."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import amqp
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from producers import IntakeClient, Outcome
from tests import factories
from tests.integration import raw
from tests.integration.brokers import AMQP, REDIS, AmqpBroker, Broker, RedisBroker
from worker.cli import app as cli
from worker.models import DeadLetter, IntakeOutcome, SkillFeedback


def count_rows(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(SkillFeedback)) or 0


def count_outcomes(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(IntakeOutcome)) or 0


def dead_letter_reasons(session: Session) -> list[str]:
    session.expire_all()
    return sorted(session.scalars(select(DeadLetter.reason)))


def assert_still_processing(client: IntakeClient, world: factories.World) -> None:
    submission_id = client.submit_golden_example(
        tenant_id=world.tenant.id,
        user_id=world.author.id,
        skill_id=world.skill.id,
        example_input="still alive",
        example_output="yes",
    )
    assert client.wait(submission_id, timeout=30).outcome is Outcome.ACCEPTED


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


def test_singles_and_bulk_captures_are_stored_exactly_once_even_when_one_is_sent_twice(
    client: IntakeClient, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    captures = factories.usage_captures(world, 1200)
    for capture in captures[:300]:
        client.submit(capture)
    # A producer resending a capture it already sent rides in the last chunk: the outcome of
    # that chunk's last capture (same transaction) then says the resend was processed too.
    bulk = [*captures[300:-1], captures[0], captures[-1]]
    ids = client.capture_usage_many(bulk)
    assert ids == [capture["submission_id"] for capture in bulk]
    assert client.wait(ids[-1], timeout=60).outcome is Outcome.ACCEPTED
    wait_for(lambda: count_outcomes(session) == 1200, timeout=60)
    assert count_rows(session) == 1200


def test_a_raw_protocol_message_from_a_non_python_producer_is_processed(
    client: IntakeClient, broker: Broker, session: Session, session_factory: sessionmaker[Session]
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
    broker.send_raw(raw.task_body({"submission": submission}), task_id=submission_id)
    assert client.wait(submission_id, timeout=30).outcome is Outcome.ACCEPTED


# Calls any producer can get wrong, on either broker, and the dead letter each one must leave.
MALFORMED_CALLS: list[tuple[bytes, dict[str, Any], str]] = [
    (b"{not json at all", {}, "undecodable"),
    (b"\xff\xfe not utf-8", {}, "undecodable"),
    (b"junk", {"content_type": "application/x-python-serialize"}, "undecodable"),
    (raw.task_body({"wrong": 1}), {}, "undecodable"),
    (raw.task_body({"submissions": "nope"}), {"task": "intake.submit_many"}, "undecodable"),
    (raw.task_body({"submission": {}}), {"task": "no.such.task"}, "unknown_task"),
    (raw.task_body({"submission": {}}), {"task": None}, "malformed_envelope"),
    (b"[" + b" " * 300_000 + b"]", {}, "oversized"),
    # A `task` header that is a table once stopped the worker on RabbitMQ (unhashable type).
    (raw.task_body({"submission": {}}), {"task": {"a": 1}}, "malformed_envelope"),
    (raw.task_body({"submission": {}}), {"task": ["intake.submit"]}, "malformed_envelope"),
    (
        raw.task_body({"submission": {}}),
        {"headers": {"id": ["not", "a", "string"]}},
        "malformed_envelope",
    ),
    # Celery's built-in tasks do not run from the intake queues.
    (raw.task_body({"tasks": []}), {"task": "celery.group"}, "unknown_task"),
    (raw.task_body({"task": {}, "it": []}), {"task": "celery.map"}, "unknown_task"),
    (raw.task_body({}), {"task": "celery.chord_unlock"}, "unknown_task"),
]


def test_malformed_calls_are_dead_lettered_and_the_worker_goes_on(
    client: IntakeClient, broker: Broker, session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    for body, message, _reason in MALFORMED_CALLS:
        broker.send_raw(body, **message)
    assert_still_processing(client, world)
    expected = sorted(reason for _body, _message, reason in MALFORMED_CALLS)
    wait_for(lambda: len(dead_letter_reasons(session)) >= len(expected))
    assert dead_letter_reasons(session) == expected
    assert broker.waiting() == 0


@pytest.mark.parametrize("broker", [REDIS], indirect=True)
def test_redis_list_items_that_are_not_even_envelopes_are_dead_lettered(
    client: IntakeClient,
    broker: RedisBroker,
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    world = factories.world(session)
    broker.push_item(b"this is not even an envelope")
    broker.push_item(b'{"body": 1}')
    assert_still_processing(client, world)
    wait_for(lambda: len(dead_letter_reasons(session)) >= 2)
    assert dead_letter_reasons(session) == ["malformed_envelope"] * 2
    assert broker.waiting() == 0


@pytest.mark.parametrize("broker", [AMQP], indirect=True)
def test_amqp_messages_with_no_celery_headers_or_properties_are_dead_lettered(
    client: IntakeClient,
    broker: AmqpBroker,
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    world = factories.world(session)
    # What a producer that knows nothing of Celery publishes: the submission alone.
    submission = {"submission_id": str(uuid.uuid4()), "kind": "golden_example"}
    broker.publish(amqp.Message(json.dumps(submission).encode()))
    broker.publish(amqp.Message(raw.task_body({"submission": submission})))
    assert_still_processing(client, world)
    wait_for(lambda: len(dead_letter_reasons(session)) >= 2)
    assert dead_letter_reasons(session) == ["malformed_envelope"] * 2
    assert broker.waiting() == 0


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
