"""Dead letters: messages that could not be decoded and submissions that failed after retries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.models import DeadLetter

log = logging.getLogger("worker.deadletters")


@dataclass(frozen=True, slots=True)
class Letter:
    """One dead letter; `payload` is set only for a valid submission kept for replay."""

    reason: str
    task_name: str | None = None
    submission_id: str | None = None
    error: str | None = None
    payload: dict[str, Any] | None = None
    message_info: dict[str, Any] | None = None


def add(session: Session, letters: Sequence[Letter]) -> None:
    """Add dead letters to the caller's transaction."""
    from worker import metrics

    for letter in letters:
        metrics.count_dead_letter(letter.reason)
    session.add_all(
        DeadLetter(
            reason=letter.reason,
            task_name=letter.task_name,
            submission_id=letter.submission_id,
            error=letter.error,
            payload=letter.payload,
            message_info=letter.message_info or {},
        )
        for letter in letters
    )


def list_recent(session: Session, *, limit: int = 50) -> list[DeadLetter]:
    return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)))


def record_safely(letters: Sequence[Letter]) -> None:
    """Commit dead letters in their own transaction; if the database is down, log and go on.

    Used where there is no message to keep alive (it could not be decoded), so losing the record
    costs only the record: the log line keeps the ids and reasons.
    """
    from worker.db import session_factory

    try:
        with session_factory()() as session, session.begin():
            add(session, letters)
    except Exception as exc:  # noqa: BLE001 - a dead-letter write must never take the worker down
        for letter in letters:
            log.error(
                "dead letter not stored (%s): reason=%s task=%s submission=%s",
                type(exc).__name__,
                letter.reason,
                letter.task_name,
                letter.submission_id,
            )
