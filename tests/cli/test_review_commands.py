"""`intake review`: the author or a tenant admin approves or dismisses; others change nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import factories
from tests.cli.conftest import Invoke, usage_example
from worker.models import SkillFeedback


def _row(session: Session, example_id: str) -> SkillFeedback:
    session.expire_all()
    row = session.get(SkillFeedback, example_id)
    assert row is not None
    return row


def test_the_author_approves_several_examples_with_notes(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    ids = [usage_example(session, world), usage_example(session, world)]
    result = intake("review", "approve", *ids, "--by", world.author.id, "--notes", "clean")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"approved 2 example(s) as {world.author.id}"
    for example_id in ids:
        row = _row(session, example_id)
        assert (row.status, row.reviewed_by, row.review_notes) == (
            "approved",
            world.author.id,
            "clean",
        )
        assert row.reviewed_at is not None


def test_a_tenant_admin_dismisses(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    admin = factories.user(session, world.tenant)
    admin.role = "admin"
    session.commit()
    example_id = usage_example(session, world)
    result = intake("review", "dismiss", example_id, "--by", admin.id)
    assert result.exit_code == 0, result.output
    assert _row(session, example_id).status == "dismissed"


def test_another_user_gets_a_clear_error_and_nothing_changes(
    intake: Invoke, session: Session
) -> None:
    world = factories.world(session)
    stranger = factories.user(session, world.tenant)
    session.commit()
    example_id = usage_example(session, world)
    result = intake("review", "approve", example_id, "--by", stranger.id)
    assert result.exit_code == 1
    assert "only the skill's author or an admin of its tenant" in result.stderr
    row = _row(session, example_id)
    assert (row.status, row.reviewed_by, row.reviewed_at) == ("pending", None, None)


def test_review_needs_ids_and_a_reviewer(intake: Invoke) -> None:
    assert intake("review", "approve", "--by", "u").exit_code == 2
    assert intake("review", "approve", "some-id").exit_code == 2
