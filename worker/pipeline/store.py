"""Writes of the pipeline: training-example rows and outcomes, idempotent and batch-sized."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from worker.models import IntakeOutcome, SkillFeedback
from worker.outcomes import Outcome, Reason, Result
from worker.queries import in_array

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
                in_array(IntakeOutcome.submission_id, ids), IntakeOutcome.outcome != Outcome.FAILED
            )
        )
    )


def insert_rows(
    session: Session, rows: Sequence[dict[str, Any]]
) -> tuple[set[str], dict[str, Reason]]:
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


# One statement with one array per column: its text never changes with the batch size, so the
# driver neither re-parses thousands of placeholders nor re-plans per batch (a multi-row VALUES
# list does both, and cost four times as much per row).
_INSERT_COLUMNS = (
    ("id", "text"),
    ("tenant_id", "text"),
    ("skill_id", "text"),
    ("user_id", "text"),
    ("usage_event_id", "text"),
    ("feedback_type", "text"),
    ("quality_score", "int"),
    ("source", "text"),
    ("status", "text"),
    ("example_input", "text"),
    ("example_output", "text"),
    ("expected_output", "text"),
)
_INSERT = text(
    f"INSERT INTO skill_feedback ({', '.join(name for name, _ in _INSERT_COLUMNS)}) "
    "SELECT * FROM unnest("
    + ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _INSERT_COLUMNS)
    + ") ON CONFLICT DO NOTHING RETURNING id"
)


def _insert(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    columns = {name: [row.get(name) for row in rows] for name, _ in _INSERT_COLUMNS}
    return set(session.scalars(_INSERT, columns))


def existing_row_ids(session: Session, ids: Iterable[str]) -> set[str]:
    wanted = list(ids)
    if not wanted:
        return set()
    return set(session.scalars(select(SkillFeedback.id).where(in_array(SkillFeedback.id, wanted))))


def record_outcomes(session: Session, results: Iterable[Result]) -> set[str]:
    """Record each result as its submission's outcome; an existing one wins unless it was `failed`.

    Returns the ids whose outcome this call wrote.
    """
    # One row per id: a statement may not upsert the same row twice (first result wins).
    unique: dict[str, Result] = {}
    for result in results:
        if result.submission_id is not None:
            unique.setdefault(result.submission_id, result)
    if not unique:
        return set()
    chosen = list(unique.values())
    columns = {
        "submission_ids": [r.submission_id for r in chosen],
        "tenant_ids": [r.tenant_id for r in chosen],
        "kinds": [r.kind for r in chosen],
        "outcomes": [r.outcome.value for r in chosen],
        "reasons": [None if r.reason is None else r.reason.value for r in chosen],
        "details": [json.dumps(r.detail) for r in chosen],
    }
    return set(session.scalars(_RECORD_OUTCOMES, columns))


_RECORD_OUTCOMES = text(
    "INSERT INTO intake_outcomes (submission_id, tenant_id, kind, outcome, reason, detail) "
    "SELECT s, t, k, o, r, d::jsonb FROM unnest("
    "CAST(:submission_ids AS text[]), CAST(:tenant_ids AS text[]), CAST(:kinds AS text[]), "
    "CAST(:outcomes AS text[]), CAST(:reasons AS text[]), CAST(:details AS text[])"
    ") AS u(s, t, k, o, r, d) "
    "ON CONFLICT (submission_id) DO UPDATE SET "
    "tenant_id = excluded.tenant_id, kind = excluded.kind, outcome = excluded.outcome, "
    "reason = excluded.reason, detail = excluded.detail, "
    "attempts = intake_outcomes.attempts + 1, recorded_at = now() "
    f"WHERE intake_outcomes.outcome = '{Outcome.FAILED.value}' "
    "RETURNING submission_id"
)
