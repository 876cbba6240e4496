"""Writes of the pipeline: training-example rows and outcomes, idempotent and batch-sized."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from worker.models import IntakeOutcome, SkillFeedback
from worker.outcomes import Outcome, Reason, Result

# A foreign key that fails at insert time means the referenced row vanished after authorization.
_FOREIGN_KEY_REASONS = {
    "fk_skill_feedback_skill_id_skills": Reason.UNKNOWN_SKILL,
    "fk_skill_feedback_user_id_users": Reason.UNKNOWN_USER,
    "fk_skill_feedback_tenant_id_tenants": Reason.UNKNOWN_TENANT,
}


def already_decided(session: Session, submission_ids: Iterable[str]) -> set[str]:
    """Ids that already have a final outcome (a `failed` one may be replayed)."""
    ids = list(submission_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(IntakeOutcome.submission_id).where(
                IntakeOutcome.submission_id.in_(ids), IntakeOutcome.outcome != Outcome.FAILED
            )
        )
    )


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> tuple[set[str], dict[str, Reason]]:
    """Insert training examples, skipping conflicts; returns (inserted ids, rejected id -> reason).

    One multi-row statement in the common case. If it fails on a constraint other than the
    idempotency keys, each row is retried under its own savepoint so one bad row cannot fail
    the others.
    """
    if not rows:
        return set(), {}
    try:
        with session.begin_nested():
            return _insert(session, rows), {}
    except IntegrityError:
        pass
    inserted: set[str] = set()
    rejected: dict[str, Reason] = {}
    for row in rows:
        try:
            with session.begin_nested():
                inserted |= _insert(session, [row])
        except IntegrityError as exc:
            constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
            rejected[row["id"]] = _FOREIGN_KEY_REASONS.get(constraint or "", Reason.INVALID)
    return inserted, rejected


def _insert(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    statement = insert(SkillFeedback).on_conflict_do_nothing().returning(SkillFeedback.id)
    return set(session.scalars(statement, list(rows)))


def existing_row_ids(session: Session, ids: Iterable[str]) -> set[str]:
    wanted = list(ids)
    if not wanted:
        return set()
    return set(session.scalars(select(SkillFeedback.id).where(SkillFeedback.id.in_(wanted))))


def record_outcomes(session: Session, results: Iterable[Result]) -> set[str]:
    """Record each result as its submission's outcome; an existing one wins unless it was `failed`.

    Returns the ids whose outcome this call wrote.
    """
    # One row per id: a statement may not upsert the same row twice (first result wins).
    unique: dict[str, Result] = {}
    for result in results:
        if result.submission_id is not None:
            unique.setdefault(result.submission_id, result)
    rows = [
        {
            "submission_id": result.submission_id,
            "tenant_id": result.tenant_id,
            "kind": result.kind,
            "outcome": result.outcome.value,
            "reason": None if result.reason is None else result.reason.value,
            "detail": result.detail,
        }
        for result in unique.values()
    ]
    if not rows:
        return set()
    statement = insert(IntakeOutcome)
    statement = statement.on_conflict_do_update(
        index_elements=[IntakeOutcome.submission_id],
        set_={
            "tenant_id": statement.excluded.tenant_id,
            "kind": statement.excluded.kind,
            "outcome": statement.excluded.outcome,
            "reason": statement.excluded.reason,
            "detail": statement.excluded.detail,
            "attempts": IntakeOutcome.attempts + 1,
            "recorded_at": func.now(),
        },
        where=IntakeOutcome.outcome == Outcome.FAILED.value,
    ).returning(IntakeOutcome.submission_id)
    return set(session.scalars(statement, rows))
