"""Any item on an intake queue ends in exactly one place, once: fuzzed down to the database.

The path below is the worker's own, function for function: the transport's envelope check
(`redis_payload`), the consumer's message check (`check_message`), the batcher's size limit, the
pool's decoding and pipeline (`process_messages`). Only kombu's and Celery's plumbing between
them is left out; tests/worker/transport/test_fuzz.py and tests/faults/test_wire_fuzz.py run
the same shapes through that plumbing and through a real worker.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from producers.contract import MAX_BATCH_SIZE, SUBMIT_MANY_TASK
from tests import factories
from tests.wire import checks, shapes
from worker import deadletters
from worker.envelope import check_message, redis_payload
from worker.errors import MessageRefused
from worker.ingest.decode import RawMessage
from worker.ingest.run import ACK, process_messages
from worker.models import DeadLetter, DeadLetterReason, IntakeOutcome, SkillFeedback
from worker.settings import get_settings

fuzz = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def deliver(item: bytes) -> None:
    """One Redis list item through the worker's checks and pipeline, as the worker runs them."""
    limits = get_settings()
    try:
        payload = redis_payload(item, "intake", max_bytes=limits.max_item_bytes())
        body = base64.b64decode(payload["body"])
        task, task_id = check_message(
            payload["headers"], body, max_bytes=limits.max_message_bytes(MAX_BATCH_SIZE)
        )
    except MessageRefused as exc:
        reason = DeadLetterReason(exc.reason)
        assert deadletters.refuse([deadletters.of_message(reason, item, error=str(exc))])
        return
    if len(body) > limits.max_message_bytes(MAX_BATCH_SIZE if task == SUBMIT_MANY_TASK else 1):
        letter = deadletters.of_message(DeadLetterReason.OVERSIZED, body)
        assert deadletters.refuse([letter])
        return
    message = RawMessage(task_id, task, body, payload["content-type"], payload["content-encoding"])
    assert process_messages([message]) == [ACK]


@pytest.fixture
def ids(session: Session) -> shapes.Ids:
    """A world for the test's examples (emptied after the test, with every table)."""
    world = factories.world(session)
    session.commit()
    return shapes.Ids(world.tenant.id, world.author.id, world.skill.id)


def _clear(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("TRUNCATE skill_feedback, intake_outcomes, intake_dead_letters CASCADE")
        )


def _state(session: Session) -> tuple[int, int, int, list[int]]:
    session.expire_all()
    letters = list(session.scalars(select(DeadLetter.seen)))
    outcomes = session.scalar(select(func.count()).select_from(IntakeOutcome)) or 0
    rows = session.scalar(select(func.count()).select_from(SkillFeedback)) or 0
    session.rollback()  # never hold a lock the next example's TRUNCATE would wait for
    return len(letters), int(outcomes), int(rows), letters


def _check_one_place(session: Session, item: bytes, items_in_message: int) -> None:
    """Delivered twice, the item leaves the same one dead letter or the same outcomes."""
    deliver(item)
    letters, outcomes, rows, _ = _state(session)
    assert letters + outcomes >= 1, "the item ended nowhere"
    if items_in_message == 1:
        assert letters + outcomes == 1, "one submission, one place"
    deliver(item)  # a redelivery, or the same bytes sent again
    again_letters, again_outcomes, again_rows, seen = _state(session)
    assert (again_letters, again_outcomes, again_rows) == (letters, outcomes, rows)
    assert all(count <= 2 for count in seen)
    checks.assert_no_example_text_outside_rows(session)
    checks.assert_every_row_has_an_accepted_outcome(session)


@fuzz
@given(data=st.data())
def test_every_mutated_message_ends_in_exactly_one_place_once(
    ids: shapes.Ids, engine: Engine, session: Session, data: st.DataObject
) -> None:
    _clear(engine)
    message = data.draw(shapes.messages(ids))
    _check_one_place(session, message.redis_item(), _submissions_in(message))


@fuzz
@given(item=shapes.raw_items())
def test_every_item_that_is_not_an_envelope_is_one_dead_letter(
    ids: shapes.Ids, engine: Engine, session: Session, item: bytes
) -> None:
    _clear(engine)
    deliver(item)
    deliver(item)
    letters, outcomes, rows, seen = _state(session)
    assert (letters, outcomes, rows) == (1, 0, 0)
    assert seen == [2]


def _submissions_in(message: shapes.Message) -> int:
    """How many submissions the message's body carries, as far as it can be read at all."""
    try:
        call = json.loads(message.body())
        submissions = call[1]["submissions"]
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        return 1
    return len(submissions) if isinstance(submissions, list) and submissions else 1


# -- shapes found by the fuzzers and by reviews, kept by name -----------------------------------


def _message(ids: shapes.Ids, **kwargs: object) -> shapes.Message:
    return shapes.Message("intake.submit", {"submission": shapes.submission(ids)}, False, **kwargs)


def _good(ids: shapes.Ids) -> bytes:
    return _message(ids).redis_item()


def _mutated(ids: shapes.Ids, target: tuple[str, str], mutation: str) -> bytes:
    message = _message(ids)
    shapes.apply(message, target, mutation)
    return message.redis_item()


REVIEW_CASES = {
    "a thousand brackets": lambda ids: b"[" * 1000 + b"]" * 1000,
    "a header nested a thousand lists deep": lambda ids: _mutated(ids, ("headers", "lang"), "deep"),
    "delivery_info a string": lambda ids: _mutated(ids, ("properties", "delivery_info"), "string"),
    "delivery_tag a list": lambda ids: _mutated(ids, ("properties", "delivery_tag"), "list"),
    "delivery_tag an object": lambda ids: _mutated(ids, ("properties", "delivery_tag"), "object"),
    "delivery_tag null": lambda ids: _mutated(ids, ("properties", "delivery_tag"), "null"),
    "delivery_info missing": lambda ids: _mutated(ids, ("properties", "delivery_info"), "drop"),
    "delivery_info empty": lambda ids: _mutated(ids, ("delivery_info", "exchange"), "drop"),
    "task header an object": lambda ids: _mutated(ids, ("headers", "task"), "object"),
    "celery.group": lambda ids: _mutated(ids, ("headers", "task"), "celery_group"),
    "celery.map": lambda ids: _mutated(ids, ("headers", "task"), "celery_map"),
    "celery.chord_unlock": lambda ids: _mutated(ids, ("headers", "task"), "chord_unlock"),
    "NUL in user_id": lambda ids: _mutated(ids, ("submission", "user_id"), "nul"),
    "NUL in tenant_id": lambda ids: _mutated(ids, ("submission", "tenant_id"), "nul"),
    "NUL in usage_event_id": lambda ids: _mutated(ids, ("submission", "usage_event_id"), "nul"),
    "lone surrogate in an id": lambda ids: _mutated(ids, ("submission", "skill_id"), "surrogate"),
    "lone surrogate as submission id": lambda ids: _mutated(
        ids, ("submission", "submission_id"), "surrogate"
    ),
    "lone surrogate as tenant id of an invalid one": lambda ids: _invalid_with_surrogate_tenant(
        ids
    ),
    "lone surrogate in a signature value": lambda ids: _signature_with_surrogate(ids),
    "NUL in the example text": lambda ids: _mutated(ids, ("submission", "example_input"), "nul"),
}


def _invalid_with_surrogate_tenant(ids: shapes.Ids) -> bytes:
    message = _message(ids)
    message.kwargs["submission"].update(tenant_id="\ud800", quality_score=99)
    return message.redis_item()


def _signature_with_surrogate(ids: shapes.Ids) -> bytes:
    message = _message(ids)
    message.kwargs["submission"]["signature"] = {"key_id": "k", "value": "\ud800"}
    return message.redis_item()


@pytest.mark.parametrize("case", sorted(REVIEW_CASES))
def test_a_review_shape_ends_in_one_place_and_good_messages_beside_it_land(
    ids: shapes.Ids, engine: Engine, session: Session, case: str
) -> None:
    _clear(engine)
    _check_one_place(session, REVIEW_CASES[case](ids), 1)
    good = _good(ids)
    deliver(good)
    submission_id = json.loads(base64.b64decode(json.loads(good)["body"]))[1]["submission"][
        "submission_id"
    ]
    session.expire_all()
    outcome = session.get(IntakeOutcome, submission_id)
    assert outcome is not None and outcome.outcome == "accepted"
    session.rollback()


def test_the_generator_mutates_whatever_an_earlier_mutation_left() -> None:
    # Found in CI: a mutation of the delivery info after one that made the properties a string
    # broke the generator itself. Every mutation of every place, then one of each other place.
    ids = shapes.Ids("tenant-a", "user-a", "skill-a")
    names = sorted(shapes.MUTATIONS)
    for first_target in shapes.TARGETS:
        for first in names:
            for index, second_target in enumerate(shapes.TARGETS):
                message = shapes.Message(
                    "intake.submit", {"submission": shapes.submission(ids)}, python_made=False
                )
                shapes.apply(message, first_target, first)
                shapes.apply(message, second_target, names[index % len(names)])
                assert isinstance(message.redis_item(), bytes)
