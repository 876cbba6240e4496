"""Review: the skill's author or an admin of its tenant approves or dismisses, all or nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from worker.models import SkillFeedback
from worker.operations import review
from worker.operations.errors import InvalidValue, NotAllowed, UnknownExample, UnknownUser
from worker.queries import create_training_example


def _pending(session: Session, world: factories.World) -> str:
    return create_training_example(
        session,
        id=str(uuid.uuid4()),
        tenant_id=world.tenant.id,
        skill_id=world.skill.id,
        user_id=world.author.id,
        example_input="in",
        example_output="out",
        source="usage_capture",
        status="pending",
        usage_event_id=uuid.uuid4().hex,
    ).id


def _state(session: Session, example_id: str) -> tuple[object, ...]:
    session.expire_all()
    row = session.get(SkillFeedback, example_id)
    assert row is not None
    return row.status, row.reviewed_by, row.review_notes, row.reviewed_at is not None


def test_the_skills_author_approves_with_notes(session: Session) -> None:
    world = factories.world(session)
    ids = [_pending(session, world), _pending(session, world)]
    session.commit()
    done = review.approve_examples(session, ids, reviewer_id=world.author.id, notes="good")
    session.commit()
    assert done.status is review.ReviewStatus.APPROVED
    assert sorted(done.example_ids) == sorted(ids)
    for example_id in ids:
        assert _state(session, example_id) == ("approved", world.author.id, "good", True)


def test_an_admin_of_the_tenant_may_dismiss_someone_elses_examples(session: Session) -> None:
    world = factories.world(session)
    admin = factories.user(session, world.tenant)
    admin.role = "admin"
    example_id = _pending(session, world)
    session.commit()
    review.dismiss_examples(session, [example_id], reviewer_id=admin.id)
    session.commit()
    assert _state(session, example_id) == ("dismissed", admin.id, None, True)


@pytest.mark.parametrize("who", ["member of the tenant", "admin of another tenant"])
def test_anyone_else_is_refused_and_nothing_changes(session: Session, who: str) -> None:
    world = factories.world(session)
    if who == "member of the tenant":
        reviewer = factories.user(session, world.tenant)
    else:
        reviewer = factories.user(session, factories.tenant(session))
        reviewer.role = "admin"
    example_id = _pending(session, world)
    session.commit()
    with pytest.raises(NotAllowed) as refused:
        review.approve_examples(session, [example_id], reviewer_id=reviewer.id)
    assert refused.value.reason == "not_allowed"
    assert "author" in str(refused.value)
    session.rollback()
    assert _state(session, example_id) == ("pending", None, None, False)


def test_one_refused_example_leaves_the_allowed_ones_unchanged_too(session: Session) -> None:
    mine = factories.world(session)
    theirs = factories.world(session)
    allowed, refused = _pending(session, mine), _pending(session, theirs)
    session.commit()
    with pytest.raises(NotAllowed):
        review.approve_examples(session, [allowed, refused], reviewer_id=mine.author.id)
    session.rollback()
    assert _state(session, allowed)[0] == "pending"


def test_unknown_examples_and_other_feedback_kinds_are_named_in_the_error(
    session: Session,
) -> None:
    world = factories.world(session)
    thumbs = SkillFeedback(
        id=uuid.uuid4().hex,
        tenant_id=world.tenant.id,
        skill_id=world.skill.id,
        user_id=world.author.id,
        feedback_type="thumbs",
    )
    session.add(thumbs)
    known = _pending(session, world)
    session.commit()
    with pytest.raises(UnknownExample) as unknown:
        review.approve_examples(
            session, [known, thumbs.id, "no-such-id"], reviewer_id=world.author.id
        )
    assert unknown.value.ids == sorted([thumbs.id, "no-such-id"])


def test_an_unknown_reviewer_is_refused(session: Session) -> None:
    world = factories.world(session)
    example_id = _pending(session, world)
    session.commit()
    with pytest.raises(UnknownUser):
        review.approve_examples(session, [example_id], reviewer_id="nobody")


def test_a_review_cannot_set_an_example_back_to_pending(session: Session) -> None:
    world = factories.world(session)
    example_id = _pending(session, world)
    session.commit()
    with pytest.raises(InvalidValue):
        review.review_examples(
            session, [example_id], review.ReviewStatus.PENDING, reviewer_id=world.author.id
        )


def test_reviewed_examples_are_read_back_with_their_new_status(session: Session) -> None:
    world = factories.world(session)
    example_id = _pending(session, world)
    session.commit()
    review.approve_examples(session, [example_id], reviewer_id=world.author.id)
    session.commit()
    statuses = session.scalars(
        select(SkillFeedback.status).where(SkillFeedback.skill_id == world.skill.id)
    ).all()
    assert statuses == ["approved"]
