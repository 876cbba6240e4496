"""Dead letters for operators: list and inspect them, replay the ones that kept their submission."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from producers.contract import SubmissionInvalid
from worker.models import DeadLetter
from worker.operations.errors import InvalidValue, UnknownDeadLetter

# Enqueues one kept submission (IntakeClient.submit) and returns its submission id.
Send = Callable[[Mapping[str, Any]], str]

# A letter without a submission holds SQL NULL or a JSON null (the ORM writes None as JSON null).
KEPT_SUBMISSION = func.coalesce(func.jsonb_typeof(DeadLetter.payload) == "object", False)


@dataclass(frozen=True, slots=True)
class LetterSummary:
    """A dead letter without its payload: safe to print anywhere."""

    id: int
    created_at: datetime
    reason: str
    task_name: str | None
    submission_id: str | None
    replayable: bool
    replayed_at: datetime | None


@dataclass(slots=True)
class ReplayReport:
    # (letter id, submission id) of each submission sent again.
    replayed: list[tuple[int, str]] = field(default_factory=list)
    # Letter id -> why it cannot be replayed.
    refused: dict[int, str] = field(default_factory=dict)


def list_letters(
    session: Session,
    *,
    limit: int = 50,
    reason: str | None = None,
    unreplayed_only: bool = False,
) -> list[LetterSummary]:
    """The newest dead letters, payloads left out."""
    query = (
        select(
            DeadLetter.id,
            DeadLetter.created_at,
            DeadLetter.reason,
            DeadLetter.task_name,
            DeadLetter.submission_id,
            KEPT_SUBMISSION,
            DeadLetter.replayed_at,
        )
        .order_by(DeadLetter.id.desc())
        .limit(max(1, limit))
    )
    if reason is not None:
        query = query.where(DeadLetter.reason == reason)
    if unreplayed_only:
        query = query.where(DeadLetter.replayed_at.is_(None))
    return [LetterSummary(*row) for row in session.execute(query)]


def get_letter(session: Session, letter_id: int) -> DeadLetter:
    letter = session.get(DeadLetter, letter_id)
    if letter is None:
        raise UnknownDeadLetter([letter_id])
    return letter


def replay(session: Session, letter_ids: Sequence[int] | None, send: Send) -> ReplayReport:
    """Send kept submissions again with their original submission ids and mark them replayed.

    `letter_ids=None` replays every letter that kept a submission and was not replayed yet.
    Sending before the caller commits is safe: the worker makes one row per submission id, so
    a replay whose commit fails can simply be run again.
    """
    # Replaying everything skips letters another operator is replaying right now.
    query = (
        select(DeadLetter).order_by(DeadLetter.id).with_for_update(skip_locked=letter_ids is None)
    )
    if letter_ids is None:
        query = query.where(KEPT_SUBMISSION, DeadLetter.replayed_at.is_(None))
    else:
        wanted = sorted(set(letter_ids))
        if not wanted:
            raise InvalidValue("name the dead letters to replay, or replay them all")
        query = query.where(DeadLetter.id.in_(wanted))
    letters = list(session.scalars(query))
    if letter_ids is not None and (missing := set(letter_ids) - {row.id for row in letters}):
        raise UnknownDeadLetter(missing)
    report = ReplayReport()
    now = session.execute(select(func.now())).scalar_one()
    for letter in letters:
        if not isinstance(letter.payload, dict):
            report.refused[letter.id] = (
                f"no submission kept ({letter.reason}): the message could not be decoded"
            )
            continue
        try:
            submission_id = send(letter.payload)
        except SubmissionInvalid as exc:
            report.refused[letter.id] = f"the kept submission is not valid any more: {exc}"
            continue
        letter.replayed_at = now
        report.replayed.append((letter.id, submission_id))
    session.flush()
    return report
