"""Dead letters for operators: list and inspect them, replay the ones that still need it.

A letter's state comes from the letter and its submission's current outcome:

| state | meaning | replay |
|---|---|---|
| `open` | kept submission, not replayed, and the submission has no outcome but `failed` | yes |
| `replayed` | sent again; the submission has no outcome since, or failed again | with `force` |
| `resolved` | the submission has an outcome other than `failed` now (accepted, ...) | no |
| `unreplayable` | nothing kept to send (a message that could not be decoded) | no |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from producers.contract import SubmissionInvalid
from worker.models import DeadLetter, IntakeOutcome
from worker.operations.errors import InvalidValue, UnknownDeadLetter
from worker.outcomes import Outcome

# Enqueues one kept submission (IntakeClient.submit) and returns its submission id.
Send = Callable[[Mapping[str, Any]], str]

# A letter without a submission holds SQL NULL or a JSON null (the ORM writes None as JSON null).
KEPT_SUBMISSION = func.coalesce(func.jsonb_typeof(DeadLetter.payload) == "object", False)


class LetterState(StrEnum):
    OPEN = "open"
    REPLAYED = "replayed"
    RESOLVED = "resolved"
    UNREPLAYABLE = "unreplayable"


def _state() -> ColumnElement[str]:
    """The state of a letter joined (outer) to its submission's outcome, in SQL."""
    decided = IntakeOutcome.outcome.is_not(None) & (IntakeOutcome.outcome != Outcome.FAILED.value)
    return case(
        (decided, LetterState.RESOLVED.value),
        (~KEPT_SUBMISSION, LetterState.UNREPLAYABLE.value),
        (DeadLetter.replayed_at.is_not(None), LetterState.REPLAYED.value),
        else_=LetterState.OPEN.value,
    )


@dataclass(frozen=True, slots=True)
class LetterSummary:
    """A dead letter without its payload: safe to print anywhere."""

    id: int
    created_at: datetime
    reason: str
    task_name: str | None
    submission_id: str | None
    state: LetterState
    # The submission's outcome now (None when it has none).
    outcome: str | None
    replayed_at: datetime | None
    # How often the same message or submission was set aside, and when last.
    seen: int = 1
    last_seen_at: datetime | None = None

    @property
    def replayable(self) -> bool:
        return self.state is LetterState.OPEN


@dataclass(slots=True)
class ReplayReport:
    # (letter id, submission id) of each submission sent again.
    replayed: list[tuple[int, str]] = field(default_factory=list)
    # Letter id -> why there was nothing to do (already replayed, already resolved).
    skipped: dict[int, str] = field(default_factory=dict)
    # Letter id -> why it cannot be replayed.
    refused: dict[int, str] = field(default_factory=dict)


def _summaries() -> Any:
    return select(
        DeadLetter.id,
        DeadLetter.created_at,
        DeadLetter.reason,
        DeadLetter.task_name,
        DeadLetter.submission_id,
        _state(),
        IntakeOutcome.outcome,
        DeadLetter.replayed_at,
        DeadLetter.seen,
        DeadLetter.last_seen_at,
    ).outerjoin(IntakeOutcome, IntakeOutcome.submission_id == DeadLetter.submission_id)


def list_letters(
    session: Session,
    *,
    limit: int = 50,
    reason: str | None = None,
    unreplayed_only: bool = False,
    state: LetterState | None = None,
) -> list[LetterSummary]:
    """The newest dead letters, payloads left out, each with its state."""
    query = _summaries().order_by(DeadLetter.id.desc()).limit(max(1, limit))
    if reason is not None:
        query = query.where(DeadLetter.reason == reason)
    if unreplayed_only:
        query = query.where(DeadLetter.replayed_at.is_(None))
    if state is not None:
        query = query.where(_state() == state.value)
    return [_summary(row) for row in session.execute(query)]


def _summary(row: Any) -> LetterSummary:
    (letter_id, created_at, reason, task_name, submission_id, state, outcome, replayed_at,
     seen, last_seen_at) = row  # fmt: skip
    return LetterSummary(
        letter_id,
        created_at,
        reason,
        task_name,
        submission_id,
        LetterState(state),
        outcome,
        replayed_at,
        seen,
        last_seen_at,
    )


def get_letter(session: Session, letter_id: int) -> DeadLetter:
    letter = session.get(DeadLetter, letter_id)
    if letter is None:
        raise UnknownDeadLetter([letter_id])
    return letter


def summarize(session: Session, letter_id: int) -> LetterSummary:
    """One letter's summary (with its state); UnknownDeadLetter if there is none."""
    row = session.execute(_summaries().where(DeadLetter.id == letter_id)).one_or_none()
    if row is None:
        raise UnknownDeadLetter([letter_id])
    return _summary(row)


def replay(
    session: Session, letter_ids: Sequence[int] | None, send: Send, *, force: bool = False
) -> ReplayReport:
    """Send kept submissions again with their original submission ids and mark them replayed.

    `letter_ids=None` replays every open letter. A named letter that was replayed already is
    skipped (and says so) unless `force`; one whose submission is decided now is skipped
    always. Sending before the caller commits is safe: the worker makes one row per
    submission id, so a replay whose commit fails can simply be run again.
    """
    # Replaying everything skips letters another operator is replaying right now.
    query = (
        select(DeadLetter, _state(), IntakeOutcome.outcome)
        .outerjoin(IntakeOutcome, IntakeOutcome.submission_id == DeadLetter.submission_id)
        .order_by(DeadLetter.id)
        .with_for_update(of=DeadLetter, skip_locked=letter_ids is None)
    )
    if letter_ids is None:
        query = query.where(_state() == LetterState.OPEN.value)
    else:
        wanted = sorted(set(letter_ids))
        if not wanted:
            raise InvalidValue("name the dead letters to replay, or replay them all")
        query = query.where(DeadLetter.id.in_(wanted))
    rows = session.execute(query).all()
    if letter_ids is not None and (missing := set(letter_ids) - {row[0].id for row in rows}):
        raise UnknownDeadLetter(missing)
    report = ReplayReport()
    now = session.execute(select(func.now())).scalar_one()
    for letter, state, outcome in rows:
        if state == LetterState.RESOLVED.value:
            report.skipped[letter.id] = (
                f"already resolved: submission {letter.submission_id} is {outcome} now"
            )
            continue
        if state == LetterState.UNREPLAYABLE.value or not isinstance(letter.payload, dict):
            report.refused[letter.id] = (
                f"no submission kept ({letter.reason}): the message could not be decoded"
            )
            continue
        if state == LetterState.REPLAYED.value and not force:
            report.skipped[letter.id] = (
                f"already replayed at {letter.replayed_at:%Y-%m-%d %H:%M:%S %Z}; its submission "
                f"{letter.submission_id} has {'failed again' if outcome else 'no outcome yet'} "
                "(--force sends it again)"
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
