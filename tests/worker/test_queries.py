"""The web app's read and write functions against a real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from tests import factories
from worker.models import SkillFeedback, UserPreferences
from worker.queries import (
    create_training_example,
    get_site_settings,
    get_training_example_count,
    get_training_examples_for_skill,
    get_user_preferences,
)


def _example(session: Session, world: factories.World, **overrides: object) -> SkillFeedback:
    fields: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "tenant_id": world.tenant.id,
        "skill_id": world.skill.id,
        "user_id": world.author.id,
        "example_input": "in",
        "example_output": "out",
    }
    fields.update(overrides)
    return create_training_example(session, **fields)  # type: ignore[arg-type]


def test_a_created_example_is_listed_with_the_users_name_and_image(session: Session) -> None:
    world = factories.world(session)
    world.author.image = "/a.png"
    row = _example(session, world, expected_output="exp", quality_score=7)
    session.commit()
    [listed] = get_training_examples_for_skill(session, world.skill.id)
    assert listed.id == row.id
    assert (listed.user_name, listed.user_image) == ("Ada", "/a.png")
    assert (listed.status, listed.source, listed.quality_score) == ("approved", "web", 7)
    assert listed.expected_output == "exp"


def test_examples_are_listed_newest_first_and_paged(session: Session) -> None:
    world = factories.world(session)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    ids = []
    for minute in range(5):
        row = _example(session, world)
        session.execute(
            update(SkillFeedback)
            .where(SkillFeedback.id == row.id)
            .values(created_at=base + timedelta(minutes=minute))
        )
        ids.append(row.id)
    session.commit()
    newest_first = list(reversed(ids))
    first = get_training_examples_for_skill(session, world.skill.id, limit=2)
    second = get_training_examples_for_skill(session, world.skill.id, limit=2, offset=2)
    assert [e.id for e in first + second] == newest_first[:4]


def test_count_and_list_see_only_their_skills_training_examples(session: Session) -> None:
    one = factories.world(session)
    other = factories.world(session)
    second_skill = factories.skill(session, one.tenant, one.author)
    for _ in range(3):
        _example(session, one)
    _example(session, factories.World(one.tenant, one.author, second_skill))
    _example(session, other)
    # Other feedback kinds share the table and must be left out.
    session.add(
        SkillFeedback(
            id=str(uuid.uuid4()),
            tenant_id=one.tenant.id,
            skill_id=one.skill.id,
            user_id=one.author.id,
            feedback_type="thumbs_up",
            rating=1,
        )
    )
    session.commit()
    assert get_training_example_count(session, one.skill.id) == 3
    assert get_training_example_count(session, second_skill.id) == 1
    assert get_training_example_count(session, other.skill.id) == 1
    assert get_training_example_count(session, "no-such-skill") == 0
    assert len(get_training_examples_for_skill(session, one.skill.id)) == 3
    assert get_training_example_count(session, one.skill.id, status="pending") == 0


def test_a_tenant_without_a_settings_row_has_capture_off(session: Session) -> None:
    tenant = factories.tenant(session)
    session.commit()
    assert get_site_settings(session, tenant.id).training_data_capture_enabled is False


def test_a_tenant_settings_row_is_read(session: Session) -> None:
    on = factories.tenant(session, capture=True)
    off = factories.tenant(session, capture=False)
    session.commit()
    assert get_site_settings(session, on.id).training_data_capture_enabled is True
    assert get_site_settings(session, off.id).training_data_capture_enabled is False


def test_a_user_without_preferences_has_not_consented(session: Session) -> None:
    tenant = factories.tenant(session)
    user = factories.user(session, tenant)
    session.commit()
    assert get_user_preferences(session, user.id) == {"trainingDataConsent": False}


def test_stored_preferences_are_merged_over_the_defaults(session: Session) -> None:
    tenant = factories.tenant(session)
    consenting = factories.user(session, tenant, consent=True)
    other_keys_only = factories.user(session, tenant)
    session.add(
        UserPreferences(
            id=str(uuid.uuid4()),
            tenant_id=tenant.id,
            user_id=other_keys_only.id,
            preferences={"theme": "dark"},
        )
    )
    session.commit()
    assert get_user_preferences(session, consenting.id)["trainingDataConsent"] is True
    assert get_user_preferences(session, other_keys_only.id) == {
        "trainingDataConsent": False,
        "theme": "dark",
    }
