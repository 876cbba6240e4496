"""Review by filter: every pending example of a skill or tenant, reviewed in batches.

The caller owns the transactions: it counts and checks with `plan_review`, streams the ids with
`pending_batches` from a read-only session, and reviews each batch with `review_batch` in a
transaction of its own, so neither memory nor a transaction grows with the selection.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from worker.db import in_array
from worker.models import TRAINING_EXAMPLE, Skill, SkillFeedback, Tenant
from worker.operations.errors import (
    InvalidValue,
    NotAllowed,
    NotFound,
    UnknownTenant,
    shown_id,
)
from worker.operations.review import (
    ReviewStatus,
    may_review,
    reviewable_by,
    reviewer_of,
    set_status,
)
from worker.operations.stats import parse_window


@dataclass(frozen=True, slots=True)
class Selection:
    """The pending training examples a review by filter takes: of a skill and/or a tenant."""

    skill_id: str | None = None
    tenant_id: str | None = None
    source: str | None = None
    # Only examples created strictly before this moment.
    before: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions = [
            SkillFeedback.feedback_type == TRAINING_EXAMPLE,
            SkillFeedback.status == ReviewStatus.PENDING.value,
        ]
        if self.skill_id is not None:
            conditions.append(SkillFeedback.skill_id == self.skill_id)
        if self.tenant_id is not None:
            conditions.append(SkillFeedback.tenant_id == self.tenant_id)
        if self.source is not None:
            conditions.append(SkillFeedback.source == self.source)
        if self.before is not None:
            conditions.append(SkillFeedback.created_at < self.before)
        return conditions


@dataclass(frozen=True, slots=True)
class ReviewPlan:
    """What a review by filter would change: how many pending examples, of how many skills."""

    count: int
    skills: int


def parse_before(text: str) -> datetime | timedelta:
    """`--before` read without the database: a moment (UTC unless it says), or an age."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            return parse_window(text)
        except InvalidValue:
            raise InvalidValue(
                f"give a date or time (2026-11-30, 2026-11-30T12:00+01:00) or an age "
                f"(24h, 7d), not {text[:40]!r}"
            ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def resolve_before(session: Session, text: str) -> datetime:
    """`--before`: an ISO 8601 date or time (UTC unless it says), or an age such as `7d`."""
    parsed = parse_before(text)
    if isinstance(parsed, datetime):
        return parsed
    now: datetime = session.execute(select(func.now())).scalar_one()
    return now - parsed


def plan_review(
    session: Session, selection: Selection, *, reviewer_id: str, limit: int | None = None
) -> ReviewPlan:
    """Count what a review by filter takes; NotAllowed, changing nothing, if the reviewer may
    not review some of it (the rule of `review_examples`, checked per skill).
    """
    reviewer = reviewer_of(session, reviewer_id)
    skill = _check_selection(session, selection)
    if skill is not None and not may_review(
        reviewer, skill_author_id=skill.author_id, example_tenant_id=skill.tenant_id
    ):
        # Refused whether or not anything is pending: the answer must not depend on that.
        raise NotAllowed(
            f"user {shown_id(reviewer_id)} may not review the examples of skill {skill.id}: "
            "only the skill's author or an admin of its tenant may review its examples"
        )
    groups = session.execute(
        select(SkillFeedback.skill_id, Skill.author_id, SkillFeedback.tenant_id, func.count())
        .join(Skill, Skill.id == SkillFeedback.skill_id)
        .where(*selection.conditions())
        .group_by(SkillFeedback.skill_id, Skill.author_id, SkillFeedback.tenant_id)
    ).all()
    refused = sorted(
        (skill_id, count)
        for skill_id, author_id, tenant_id, count in groups
        if not may_review(reviewer, skill_author_id=author_id, example_tenant_id=tenant_id)
    )
    if refused:
        shown = ", ".join(f"{skill_id} ({count})" for skill_id, count in refused[:5])
        more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
        raise NotAllowed(
            f"user {shown_id(reviewer_id)} may not review the pending examples of skill(s) "
            f"{shown}{more}: "
            "only the skill's author or an admin of its tenant may review its examples"
        )
    total = sum(count for *_, count in groups)
    return ReviewPlan(total if limit is None else min(total, limit), len(groups))


def pending_batches(
    session: Session,
    selection: Selection,
    *,
    reviewer_id: str,
    batch_size: int = 1000,
    limit: int | None = None,
) -> Iterator[list[str]]:
    """The ids a review by filter takes, oldest first, `batch_size` at a time.

    Streamed from a server-side cursor of the caller's (read-only) session, so memory holds one
    batch however many match; the caller reviews each batch in a transaction of its own.
    """
    reviewer = reviewer_of(session, reviewer_id)
    query = (
        select(SkillFeedback.id)
        .join(Skill, Skill.id == SkillFeedback.skill_id)
        .where(*selection.conditions(), reviewable_by(reviewer))
        .order_by(SkillFeedback.created_at, SkillFeedback.id)
        .execution_options(yield_per=batch_size)
    )
    if limit is not None:
        query = query.limit(limit)
    for partition in session.scalars(query).partitions(batch_size):
        yield list(partition)


def review_batch(
    session: Session,
    example_ids: Sequence[str],
    status: ReviewStatus,
    *,
    reviewer_id: str,
    notes: str | None = None,
) -> int:
    """Review those of `example_ids` still pending and reviewable by the reviewer; how many.

    An example decided meanwhile (by someone else) is left as it is. Rows are found by their
    ids alone and the rule is `may_review` itself, so each batch costs its own rows whatever
    the planner knows of the table.
    """
    if status is ReviewStatus.PENDING:
        raise InvalidValue("a review approves or dismisses; it does not set an example pending")
    reviewer = reviewer_of(session, reviewer_id)
    rows = session.execute(
        select(SkillFeedback.id, SkillFeedback.skill_id, SkillFeedback.tenant_id)
        .where(
            in_array(SkillFeedback.id, example_ids),
            SkillFeedback.feedback_type == TRAINING_EXAMPLE,
            SkillFeedback.status == ReviewStatus.PENDING.value,
        )
        .with_for_update()
    ).all()
    authors = dict(
        session.execute(
            select(Skill.id, Skill.author_id).where(in_array(Skill.id, {r.skill_id for r in rows}))
        ).all()
    )
    allowed = [
        row.id
        for row in rows
        if row.skill_id in authors
        and may_review(
            reviewer, skill_author_id=authors[row.skill_id], example_tenant_id=row.tenant_id
        )
    ]
    if not allowed:
        return 0
    set_status(session, allowed, status, reviewer_id=reviewer_id, notes=notes)
    return len(allowed)


def _check_selection(session: Session, selection: Selection) -> Skill | None:
    """The selection's skill (None without one); refuses selections that name nothing real."""
    if selection.skill_id is None and selection.tenant_id is None:
        raise InvalidValue("a review by filter names a skill or a tenant (or both)")
    if selection.tenant_id is not None and session.get(Tenant, selection.tenant_id) is None:
        raise UnknownTenant(selection.tenant_id)
    if selection.skill_id is not None:
        skill = session.get(Skill, selection.skill_id)
        if skill is None:
            raise NotFound("skill", [selection.skill_id])
        if selection.tenant_id is not None and skill.tenant_id != selection.tenant_id:
            raise InvalidValue(
                f"skill {skill.id} belongs to tenant {skill.tenant_id}, "
                f"not {shown_id(selection.tenant_id)}"
            )
        return skill
    return None
