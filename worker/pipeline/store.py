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


# The whole batch travels as one JSON document, unpacked by the server: the statement text never
# changes with the batch size (a multi-row VALUES list made the driver re-parse thousands of
# placeholders per batch), and json.dumps is far cheaper than adapting one array per column.
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
    f"SELECT {', '.join(name for name, _ in _INSERT_COLUMNS)} "
    "FROM json_to_recordset(CAST(:rows AS json)) AS r("
    + ", ".join(f"{name} {kind}" for name, kind in _INSERT_COLUMNS)
    + ") ON CONFLICT DO NOTHING RETURNING id"
)


def _insert(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    document = json.dumps([{name: row.get(name) for name, _ in _INSERT_COLUMNS} for row in rows])
    return set(session.scalars(_INSERT, {"rows": document}))


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
    document = json.dumps(
        [
            {
                "s": r.submission_id,
                "t": r.tenant_id,
                "k": r.kind,
                "o": r.outcome.value,
                "r": None if r.reason is None else r.reason.value,
                "d": r.detail,
            }
            for r in unique.values()
        ]
    )
    return set(session.scalars(_RECORD_OUTCOMES, {"rows": document}))


_RECORD_OUTCOMES = text(
    "INSERT INTO intake_outcomes (submission_id, tenant_id, kind, outcome, reason, detail) "
    "SELECT s, t, k, o, r, coalesce(d, '{}'::jsonb) "
    "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) "
    "AS u(s text, t text, k text, o text, r text, d jsonb) "
    "ON CONFLICT (submission_id) DO UPDATE SET "
    "tenant_id = excluded.tenant_id, kind = excluded.kind, outcome = excluded.outcome, "
    "reason = excluded.reason, detail = excluded.detail, "
    "attempts = intake_outcomes.attempts + 1, recorded_at = now() "
    f"WHERE intake_outcomes.outcome = '{Outcome.FAILED.value}' "
    "RETURNING submission_id"
)
