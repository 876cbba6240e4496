"""Flagging examples stored without a duplicate flag: skill by skill, oldest first, in pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.orm import Session

from worker.datasets.duplicates import flag_duplicates
from worker.datasets.models import ExampleDuplicate
from worker.models import TRAINING_EXAMPLE, Skill, SkillFeedback

_TENANT_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtextextended('intake_duplicates:' || :tenant, 0))"
)


@dataclass(frozen=True, slots=True)
class Backfilled:
    """One step of a backfill: how many examples it read and flagged, and where it stopped."""

    read: int
    flagged: int
    # Pass back as `after` to go on; None when the skill has no examples left.
    after: tuple[datetime, str] | None


def flag_unflagged(
    session: Session,
    tenant_id: str,
    skill_id: str,
    *,
    after: tuple[datetime, str] | None = None,
    limit: int = 500,
) -> Backfilled:
    """Flag the next `limit` examples of a skill, oldest first, that have no flag yet.

    For examples stored before duplicates were flagged at ingest, or written by another path.
    Call it again with the returned `after` until that is None, committing between calls: each
    call reads its page through the skill's (created_at, id) index, never the whole table.
    """
    row = SkillFeedback
    query = (
        select(row.id, row.tenant_id, row.skill_id, row.created_at, row.example_input,
               row.example_output, row.expected_output, ExampleDuplicate.example_id.label("flag"))
        .outerjoin(ExampleDuplicate, ExampleDuplicate.example_id == row.id)
        .where(row.skill_id == skill_id, row.tenant_id == tenant_id,
               row.feedback_type == TRAINING_EXAMPLE)
        .order_by(row.created_at, row.id)
        .limit(limit)
    )  # fmt: skip
    if after is not None:
        query = query.where(tuple_(row.created_at, row.id) > after)
    # The lock flagging takes anyway, taken before reading: two runs never flag a row twice.
    session.execute(_TENANT_LOCK, {"tenant": tenant_id})
    page = session.execute(query).all()
    rows = [dict(found._mapping) for found in page if found.flag is None]
    flag_duplicates(session, rows)
    last = (page[-1].created_at, page[-1].id) if len(page) == limit else None
    return Backfilled(len(page), len(rows), last)


def count_unflagged(session: Session, tenant_id: str, *, skill_id: str | None = None) -> int:
    """How many examples of a tenant (or skill) have no duplicate flag."""
    row = SkillFeedback
    query = (
        select(func.count())
        .select_from(row)
        .outerjoin(ExampleDuplicate, ExampleDuplicate.example_id == row.id)
        .where(row.tenant_id == tenant_id, row.feedback_type == TRAINING_EXAMPLE,
               ExampleDuplicate.example_id.is_(None))
    )  # fmt: skip
    if skill_id is not None:
        query = query.where(row.skill_id == skill_id)
    return int(session.scalar(query) or 0)


def skills_of(session: Session, tenant_id: str) -> list[str]:
    """The ids of a tenant's skills, sorted."""
    return list(
        session.scalars(select(Skill.id).where(Skill.tenant_id == tenant_id).order_by(Skill.id))
    )
