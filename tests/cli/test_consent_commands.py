"""`intake consent`: grant keeps other preferences; revoke removes the user's captured examples."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.cli.conftest import Invoke, add_example, usage_example
from worker.models import SkillFeedback
from worker.queries import get_user_preferences


def test_grant_sets_consent_for_a_user_without_preferences(
    intake: Invoke, session: Session
) -> None:
    world = factories.world(session)
    user = factories.user(session, world.tenant)
    session.commit()
    result = intake("consent", "grant", "--user", user.id)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"consent granted for user {user.id} (was: no consent)"
    assert get_user_preferences(session, user.id)["trainingDataConsent"] is True


def test_revoke_removes_the_users_usage_captures_and_reports_how_many(
    intake: Invoke, session: Session
) -> None:
    world = factories.world(session)
    other = factories.user(session, world.tenant, consent=True)
    session.commit()
    usage_example(session, world)
    usage_example(session, world)
    golden = add_example(session, world)
    kept = usage_example(session, world, other.id)

    result = intake("consent", "revoke", "--user", world.author.id, "--by", "dpo")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"consent revoked for user {world.author.id} (was: consented); "
        "removed 2 usage-captured example(s)"
    )
    session.expire_all()
    assert set(session.scalars(select(SkillFeedback.id))) == {golden, kept}
    assert get_user_preferences(session, world.author.id)["trainingDataConsent"] is False


def test_an_unknown_user_is_a_clear_error(intake: Invoke) -> None:
    result = intake("consent", "revoke", "--user", "nobody")
    assert result.exit_code == 1
    assert "unknown user: nobody" in result.stderr
