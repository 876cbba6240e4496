"""Review of training examples: the skill's author or a tenant admin approves or dismisses them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from worker.models import TRAINING_EXAMPLE, Skill, SkillFeedback, User
from worker.operations.errors import InvalidValue, NotAllowed, UnknownExample, UnknownUser
from worker.queries import in_array

ADMIN_ROLE = "admin"


class ReviewStatus(StrEnum):
    """The status of a training example."""

    PENDING = "pending"
    APPROVED = "approved"
    DISMISSED = "dismissed"


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
    reviewer = session.get(User, reviewer_id)
    if reviewer is None:
        raise UnknownUser(reviewer_id)
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
            f"user {reviewer_id} may not review {', '.join(refused)}: only the skill's author "
            "or an admin of its tenant may review its examples"
        )
    reviewed_at = session.execute(select(func.now())).scalar_one()
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
    return Review(ids, status, reviewer_id, reviewed_at, notes)


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
