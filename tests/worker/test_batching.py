"""The pool side of micro-batching: decoding, retries with backoff, and giving up into `failed`."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.worker.test_pipeline import golden
from worker.batching.execute import ACK, RawMessage, process_messages
from worker.db import forget_engine
from worker.models import DeadLetter, IntakeOutcome
from worker.pipeline import process_batch
from worker.settings import reload_settings


def raw(
    task: str, kwargs: Any, *, body: bytes | None = None, content_type: str = "application/json"
) -> RawMessage:
    if body is None:
        body = json.dumps([[], kwargs, {}]).encode()
    return RawMessage(str(uuid.uuid4()), task, body, content_type, "utf-8")


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    # Its own URL, so the worker side gets its own engine with the short lock timeout.
    url = f"{database_url}?application_name=quick-retries"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("INTAKE_MAX_RETRIES", "2")
    monkeypatch.setenv("INTAKE_RETRY_BACKOFF", "0.01")
    monkeypatch.setenv("INTAKE_LOCK_TIMEOUT_MS", "200")
    reload_settings()
    yield
    forget_engine(url)
    monkeypatch.undo()
    reload_settings()


def test_messages_of_both_tasks_are_processed_as_one_batch(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    single = golden(world)
    many = [golden(world) for _ in range(3)]
    statuses = process_messages(
        [
            raw("intake.submit", {"submission": single}),
            raw("intake.submit_many", {"submissions": many}),
        ]
    )
    assert statuses == [ACK, ACK]
    recorded = set(session.scalars(select(IntakeOutcome.submission_id)))
    assert recorded == {single["submission_id"], *(m["submission_id"] for m in many)}


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (raw("intake.submit", None, body=b"{nope"), "does not decode"),
        (
            raw("intake.submit", None, body=b"junk", content_type="application/x-python-serialize"),
            "JSON only",
        ),
        (raw("intake.submit", None, body=b'{"a": 1}'), "triple"),
        (raw("intake.submit", {"submission": {}, "extra": 1}), "unexpected keyword"),
        (raw("intake.submit_many", {"submissions": {}}), "JSON array"),
        (raw("intake.submit_many", {"submissions": [{}] * 1001}), "at most 1000"),
    ],
)
def test_an_undecodable_message_is_dead_lettered_and_acked(
    session: Session, session_factory: sessionmaker[Session], message: RawMessage, error: str
) -> None:
    assert process_messages([message]) == [ACK]
    [letter] = session.scalars(select(DeadLetter)).all()
    assert letter.reason == "undecodable"
    assert error in (letter.error or "")
    assert letter.payload is None


def test_a_batch_that_keeps_failing_is_retried_then_recorded_failed_and_replayable(
    session: Session, session_factory: sessionmaker[Session], quick_retries: None
) -> None:
    world = factories.world(session)
    message = golden(world)
    locked = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        with session_factory() as locker, locker.begin():
            locker.execute(text("LOCK TABLE skill_feedback IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        assert process_messages([raw("intake.submit", {"submission": message})]) == [ACK]
    finally:
        release.set()
        holder.join()
    session.expire_all()
    outcome = session.get(IntakeOutcome, message["submission_id"])
    assert outcome is not None and (outcome.outcome, outcome.reason) == (
        "failed",
        "retries_exhausted",
    )
    [letter] = session.scalars(select(DeadLetter)).all()
    assert letter.payload == {k: v for k, v in message.items() if v is not None} | {
        "schema_version": 1
    }
    replay = process_batch(session_factory, [letter.payload])
    assert [r.outcome.value for r in replay.results] == ["accepted"]
