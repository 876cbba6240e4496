"""Review of training examples: the skill's author or a tenant admin approves or dismisses them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from worker.db import in_array
from worker.models import TRAINING_EXAMPLE, Skill, SkillFeedback, Status, User
from worker.operations.errors import (
    InvalidValue,
    NotAllowed,
    UnknownExample,
    UnknownUser,
    shown_id,
)

ADMIN_ROLE = "admin"


# The review's vocabulary is the row's: worker.models.Status.
ReviewStatus = Status


@dataclass(frozen=True, slots=True)
class Review:
    """What one review call did."""

    example_ids: list[str]
    status: ReviewStatus
    reviewed_by: str
    reviewed_at: datetime
    notes: str | None


def may_review(reviewer: User, *, skill_author_id: str, example_tenant_id: str) -> bool:
    """The skill's author, or an admin of the example's tenant, may review an example."""
    if reviewer.id == skill_author_id:
        return True
    return reviewer.role == ADMIN_ROLE and reviewer.tenant_id == example_tenant_id


def reviewable_by(reviewer: User) -> ColumnElement[bool]:
    """`may_review` as a condition on skill_feedback joined to its skill (keep the two alike)."""
    own = Skill.author_id == reviewer.id
    if reviewer.role == ADMIN_ROLE:
        return or_(own, SkillFeedback.tenant_id == reviewer.tenant_id)
    return own


def review_examples(
    session: Session,
    example_ids: Sequence[str],
    status: ReviewStatus,
    *,
    reviewer_id: str,
    notes: str | None = None,
) -> Review:
    """Set the status of training examples, all or none: one refused id changes nothing."""
    if status is ReviewStatus.PENDING:
        raise InvalidValue("a review approves or dismisses; it does not set an example pending")
    ids = sorted(set(example_ids))
    if not ids:
        raise InvalidValue("name at least one training example to review")
    reviewer = reviewer_of(session, reviewer_id)
    rows = session.execute(
        select(SkillFeedback.id, SkillFeedback.tenant_id, Skill.author_id)
        .join(Skill, Skill.id == SkillFeedback.skill_id)
        .where(in_array(SkillFeedback.id, ids), SkillFeedback.feedback_type == TRAINING_EXAMPLE)
        .order_by(SkillFeedback.id)
        .with_for_update(of=SkillFeedback)
    ).all()
    found = {row.id for row in rows}
    if missing := set(ids) - found:
        raise UnknownExample(missing)
    refused = [
        row.id
        for row in rows
        if not may_review(reviewer, skill_author_id=row.author_id, example_tenant_id=row.tenant_id)
    ]
    if refused:
        raise NotAllowed(
            f"user {shown_id(reviewer_id)} may not review {', '.join(refused)}: only the skill's "
            "author or an admin of its tenant may review its examples"
        )
    reviewed_at = set_status(session, ids, status, reviewer_id=reviewer_id, notes=notes)
    return Review(ids, status, reviewer_id, reviewed_at, notes)


def set_status(
    session: Session,
    ids: list[str],
    status: Status,
    *,
    reviewer_id: str,
    notes: str | None,
) -> datetime:
    """Record the review of examples the caller checked may be reviewed; returns its time."""
    reviewed_at: datetime = session.execute(select(func.now())).scalar_one()
    session.execute(
        update(SkillFeedback)
        .where(in_array(SkillFeedback.id, ids))
        .values(
            status=status.value,
            reviewed_by=reviewer_id,
            reviewed_at=reviewed_at,
            review_notes=notes,
            updated_at=reviewed_at,
        )
        .execution_options(synchronize_session=False)
    )
    return reviewed_at


def approve_examples(
    session: Session, example_ids: Sequence[str], *, reviewer_id: str, notes: str | None = None
) -> Review:
    """Approve training examples (they join the golden dataset an export takes by default)."""
    return review_examples(
        session, example_ids, ReviewStatus.APPROVED, reviewer_id=reviewer_id, notes=notes
    )


def dismiss_examples(
    session: Session, example_ids: Sequence[str], *, reviewer_id: str, notes: str | None = None
) -> Review:
    """Dismiss training examples (kept, but left out of the golden dataset)."""
    return review_examples(
        session, example_ids, ReviewStatus.DISMISSED, reviewer_id=reviewer_id, notes=notes
    )


def reviewer_of(session: Session, reviewer_id: str) -> User:
    """The reviewing user; UnknownUser if there is none."""
    reviewer = session.get(User, reviewer_id)
    if reviewer is None:
        raise UnknownUser(reviewer_id)
    return reviewer
