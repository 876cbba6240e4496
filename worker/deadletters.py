"""Dead letters: one keyed record per message or submission set aside, however often it is seen."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from worker.models import DeadLetter, DeadLetterReason

log = logging.getLogger("worker.deadletters")

# Longest error text and message-info string kept: enough to say what was wrong, no more.
_ERROR_LIMIT = 500
_INFO_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Letter:
    """One dead letter; `payload` is set only for a valid submission kept for replay."""

    reason: DeadLetterReason
    key: str
    task_name: str | None = None
    submission_id: str | None = None
    tenant_id: str | None = None
    error: str | None = None
    payload: dict[str, Any] | None = None
    message_info: Mapping[str, Any] | None = None


def of_message(
    reason: DeadLetterReason,
    fingerprint: bytes,
    *,
    error: str | None = None,
    task_name: Any = None,
    info: Mapping[str, Any] | None = None,
) -> Letter:
    """A letter for a whole message, keyed by its reason and a digest of its bytes."""
    digest = hashlib.sha256(fingerprint).hexdigest()
    return Letter(
        reason=reason,
        key=f"{reason.value}:{digest}",
        task_name=printable(task_name),
        error=printable(error, _ERROR_LIMIT),
        message_info={"sha256": digest, **{k: _info_value(v) for k, v in (info or {}).items()}},
    )


def of_submission(
    reason: DeadLetterReason,
    submission_id: str,
    *,
    error: str | None = None,
    task_name: str | None = None,
    payload: dict[str, Any] | None = None,
    tenant_id: str | None = None,
) -> Letter:
    """A letter for one submission, keyed by its reason and submission id."""
    return Letter(
        reason=reason,
        key=f"{reason.value}:submission:{submission_id}",
        task_name=printable(task_name),
        submission_id=submission_id,
        tenant_id=tenant_id,
        error=printable(error, _ERROR_LIMIT),
        payload=payload,
    )


def printable(value: Any, limit: int = _INFO_LIMIT) -> str | None:
    """`value` as text PostgreSQL and UTF-8 accept (no NUL, no lone surrogates), cut to `limit`."""
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    text = text[:limit].encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\x00", "\\x00")


def _info_value(value: Any, depth: int = 0) -> Any:
    """A message-info value as JSON the database accepts: small, printable, shallow."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth < 2 and isinstance(value, Mapping):
        return {printable(str(k)): _info_value(v, depth + 1) for k, v in list(value.items())[:20]}
    if depth < 2 and isinstance(value, list | tuple):
        return [_info_value(v, depth + 1) for v in value[:20]]
    return printable(value)


def add(session: Session, letters: Sequence[Letter]) -> None:
    """Add dead letters to the caller's transaction; a letter seen before is counted again.

    A kept submission that failed again is kept afresh (new payload, replayable again).
    """
    from worker import metrics

    unique: dict[str, Letter] = {}
    sightings: Counter[str] = Counter()
    for letter in letters:
        metrics.count_dead_letter(letter.reason.value)
        unique.setdefault(letter.key, letter)
        sightings[letter.key] += 1
    if not unique:
        return
    statement = insert(DeadLetter).values(
        [
            {
                "key": letter.key,
                "seen": sightings[letter.key],
                "reason": letter.reason.value,
                "task_name": letter.task_name,
                "submission_id": letter.submission_id,
                "tenant_id": letter.tenant_id,
                "error": letter.error,
                "payload": letter.payload,
                "message_info": dict(letter.message_info or {}),
            }
            for letter in unique.values()
        ]
    )
    kept = statement.excluded.payload.is_not(None)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[DeadLetter.key],
            set_={
                "seen": DeadLetter.seen + statement.excluded.seen,
                "last_seen_at": func.now(),
                "payload": func.coalesce(statement.excluded.payload, DeadLetter.payload),
                "error": func.coalesce(statement.excluded.error, DeadLetter.error),
                "replayed_at": _unless(kept, DeadLetter.replayed_at),
            },
        )
    )


def _unless(condition: Any, value: Any) -> Any:
    from sqlalchemy import case, null

    return case((condition, null()), else_=value)


def refuse(letters: Sequence[Letter]) -> bool:
    """Commit dead letters in their own transaction; False (logged) when the database is down.

    Used where there is no batch transaction to join: a message refused before processing.
    """
    from worker.db import session_factory

    if not letters:
        return True
    try:
        with session_factory()() as session, session.begin():
            add(session, letters)
    except Exception as exc:  # noqa: BLE001 - a dead-letter write must never take the worker down
        for letter in letters:
            log.error(
                "dead letter not stored (%s): reason=%s task=%s submission=%s",
                type(exc).__name__,
                letter.reason.value,
                letter.task_name,
                letter.submission_id,
            )
        return False
    for letter in letters:
        log.info(
            "dead-lettered reason=%s task=%s submission=%s error=%s",
            letter.reason.value,
            letter.task_name,
            letter.submission_id,
            letter.error,
            extra={"reason": letter.reason.value, "submission_id": letter.submission_id},
        )
    return True


def list_recent(session: Session, *, limit: int = 50) -> list[DeadLetter]:
    return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)))
