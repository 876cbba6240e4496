"""Dead letters for operators: listed without payloads, replayed with their original ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy.orm import Session

from producers.contract import new_submission_id
from worker import deadletters
from worker.models import DeadLetter, DeadLetterReason
from worker.operations import dead_letters
from worker.operations.errors import UnknownDeadLetter


def _payload(submission_id: str) -> dict[str, Any]:
    return {
        "submission_id": submission_id,
        "kind": "golden_example",
        "tenant_id": "t",
        "user_id": "u",
        "skill_id": "s",
        "example_input": "secret example text",
        "example_output": "out",
    }


def _letters(session: Session) -> tuple[int, int, str]:
    submission_id = new_submission_id()
    deadletters.add(
        session,
        [
            deadletters.of_message(
                DeadLetterReason.UNDECODABLE,
                b"bad body",
                task_name="intake.submit",
                error="bad body",
            ),
            deadletters.of_submission(
                DeadLetterReason.RETRIES_EXHAUSTED,
                submission_id,
                task_name="intake.submit",
                payload=_payload(submission_id),
            ),
        ],
    )
    session.commit()
    undecodable, failed = sorted(row.id for row in session.query(DeadLetter))
    return undecodable, failed, submission_id


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Mapping[str, Any]] = []

    def __call__(self, submission: Mapping[str, Any]) -> str:
        self.sent.append(submission)
        return str(submission["submission_id"])


def test_letters_are_listed_newest_first_with_whether_they_can_be_replayed(
    session: Session,
) -> None:
    undecodable, failed, submission_id = _letters(session)
    listed = dead_letters.list_letters(session)
    assert [(letter.id, letter.replayable) for letter in listed] == [
        (failed, True),
        (undecodable, False),
    ]
    assert listed[0].submission_id == submission_id
    assert not hasattr(listed[0], "payload")
    assert [letter.id for letter in dead_letters.list_letters(session, reason="undecodable")] == [
        undecodable
    ]


def test_replay_sends_the_kept_submission_with_its_id_and_marks_the_letter(
    session: Session,
) -> None:
    _, failed, submission_id = _letters(session)
    send = Recorder()
    report = dead_letters.replay(session, [failed], send)
    session.commit()
    assert report.replayed == [(failed, submission_id)]
    assert send.sent == [_payload(submission_id)]
    session.expire_all()
    assert session.get(DeadLetter, failed).replayed_at is not None  # type: ignore[union-attr]
    assert [letter.id for letter in dead_letters.list_letters(session, unreplayed_only=True)] == [
        failed - 1
    ]


def test_a_letter_without_a_payload_cannot_be_replayed_and_says_why(session: Session) -> None:
    undecodable, _, _ = _letters(session)
    send = Recorder()
    report = dead_letters.replay(session, [undecodable], send)
    assert send.sent == []
    assert "could not be decoded" in report.refused[undecodable]


def test_replaying_all_sends_every_unreplayed_kept_submission_once(session: Session) -> None:
    _, failed, _ = _letters(session)
    send = Recorder()
    first = dead_letters.replay(session, None, send)
    session.commit()
    second = dead_letters.replay(session, None, send)
    session.commit()
    assert [letter_id for letter_id, _ in first.replayed] == [failed]
    assert (second.replayed, second.refused) == ([], {})
    assert len(send.sent) == 1


def test_unknown_letters_are_refused_before_anything_is_sent(session: Session) -> None:
    _, failed, _ = _letters(session)
    send = Recorder()
    with pytest.raises(UnknownDeadLetter):
        dead_letters.replay(session, [failed, 999_999], send)
    assert send.sent == []
