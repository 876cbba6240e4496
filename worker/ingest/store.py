"""Writes of the pipeline: training-example rows and outcomes, idempotent and batch-sized."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from worker.db import in_array, json_document
from worker.models import IntakeOutcome
from worker.outcomes import Outcome, Reason, Result
from worker.tenancy import by_tenant

# A foreign key that fails at insert time means the referenced row vanished after authorization.
_FOREIGN_KEY_REASONS = {
    "fk_skill_feedback_skill_id_skills": Reason.UNKNOWN_SKILL,
    "fk_skill_feedback_user_id_users": Reason.UNKNOWN_USER,
    "fk_skill_feedback_tenant_id_tenants": Reason.UNKNOWN_TENANT,
    # The skill or user is another tenant's (decided before the insert; the keys make sure).
    "fk_skill_feedback_tenant_skill": Reason.CROSS_TENANT,
    "fk_skill_feedback_tenant_user": Reason.CROSS_TENANT,
}


def already_decided(session: Session, submission_ids: Iterable[str]) -> set[str]:
    """Ids that already have a final outcome (a `failed` one may be replayed)."""
    ids = list(submission_ids)
    if not ids:
        return set()
    return set(session.scalars(decided_query(ids)))


def decided_query(ids: Iterable[str]) -> Select[str]:
    """The lookup of `already_decided`: by primary key (the transaction plans by key)."""
    return select(IntakeOutcome.submission_id).where(
        in_array(IntakeOutcome.submission_id, ids), IntakeOutcome.outcome != Outcome.FAILED
    )


@dataclass(frozen=True, slots=True)
class Inserted:
    """What became of the rows handed to `insert_rows`, by id."""

    inserted: set[str]
    # Not inserted because a row with the same id exists (a redelivery or a producer's retry);
    # the other rows not inserted conflicted on their usage event.
    existing: set[str]
    rejected: dict[str, Reason]


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> Inserted:
    """Insert training examples under row-level security, skipping conflicts.

    One statement in the common case: `intake_insert_examples` inserts each tenant's rows with
    that tenant set. If it fails on a constraint other than the idempotency keys, each row is
    retried under its own savepoint so one bad row cannot fail the others. A row of a tenant
    other than the one it is inserted under is refused by the database, not skipped: that is a
    bug, and the batch fails loudly.
    """
    if not rows:
        return Inserted(set(), set(), {})
    try:
        with session.begin_nested():
            inserted, existing = _insert(session, rows)
            return Inserted(inserted, existing, {})
    except IntegrityError:
        pass
    result = Inserted(set(), set(), {})
    for row in rows:
        try:
            with session.begin_nested():
                inserted, existing = _insert(session, [row])
        except IntegrityError as exc:
            constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
            result.rejected[row["id"]] = _FOREIGN_KEY_REASONS.get(constraint or "", Reason.INVALID)
            continue
        result.inserted.update(inserted)
        result.existing.update(existing)
    return result


# The whole batch travels as one JSON document, unpacked by the server: the statement text never
# changes with the batch size, and one document is far cheaper than adapting an array a column.
_INSERT_COLUMNS = (
    "id",
    "tenant_id",
    "skill_id",
    "user_id",
    "usage_event_id",
    "feedback_type",
    "quality_score",
    "source",
    "status",
    "example_input",
    "example_output",
    "expected_output",
)
_INSERT = text("SELECT id, state FROM intake_insert_examples(CAST(:groups AS json))")


def _insert(session: Session, rows: Sequence[dict[str, Any]]) -> tuple[set[str], set[str]]:
    groups = [
        {
            "tenant_id": tenant,
            "count": len(members),
            "rows": [{name: row.get(name) for name in _INSERT_COLUMNS} for row in members],
        }
        for tenant, members in by_tenant(rows, lambda row: str(row["tenant_id"])).items()
    ]
    inserted: set[str] = set()
    existing: set[str] = set()
    for row_id, state in session.execute(_INSERT, {"groups": json_document(groups)}):
        (inserted if state == "inserted" else existing).add(row_id)
    return inserted, existing


def record_outcomes(session: Session, results: Iterable[Result]) -> set[str]:
    """Record each result as its submission's outcome; an existing one wins unless it was `failed`.

    A `failed` outcome gives way only to a processed submission (a replay), never to an invalid
    one carrying the same id. Returns the ids whose outcome this call wrote.
    """
    # One row per id: a statement may not upsert the same row twice (first result wins).
    unique: dict[str, Result] = {}
    for result in results:
        if result.submission_id is not None:
            unique.setdefault(result.submission_id, result)
    if not unique:
        return set()
    document = json_document(
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
    f"AND excluded.reason IS DISTINCT FROM '{Reason.INVALID.value}' "
    "RETURNING submission_id"
)
