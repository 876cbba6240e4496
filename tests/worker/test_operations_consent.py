"""Consent: other preferences kept, captured examples removed, and revocation always wins."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from worker.models import SettingsAudit, SkillFeedback, UserPreferences
from worker.operations import consent
from worker.operations.errors import UnknownUser
from worker.queries import create_training_example, get_user_preferences


def _example(session: Session, world: factories.World, user_id: str, **fields: str) -> str:
    row = create_training_example(
        session,
        id=str(uuid.uuid4()),
        tenant_id=world.tenant.id,
        skill_id=world.skill.id,
        user_id=user_id,
        example_input="in",
        example_output="out",
        **fields,  # type: ignore[arg-type]
    )
    return row.id


def _usage(session: Session, world: factories.World, user_id: str) -> str:
    return _example(
        session,
        world,
        user_id,
        source="usage_capture",
        status="pending",
        usage_event_id=uuid.uuid4().hex,
    )


def test_granting_consent_creates_the_missing_preferences_row(session: Session) -> None:
    world = factories.world(session)
    user = factories.user(session, world.tenant)
    session.commit()
    change = consent.grant_consent(session, user.id, changed_by="ops")
    session.commit()
    assert (change.had_consent, change.has_consent) == (False, True)
    assert get_user_preferences(session, user.id)["trainingDataConsent"] is True


def test_granting_consent_keeps_the_users_other_preferences(session: Session) -> None:
    world = factories.world(session)
    user = factories.user(session, world.tenant)
    session.add(
        UserPreferences(
            id=uuid.uuid4().hex,
            tenant_id=world.tenant.id,
            user_id=user.id,
            preferences={"theme": "dark", "trainingDataConsent": False},
        )
    )
    session.commit()
    consent.grant_consent(session, user.id, changed_by="ops")
    session.commit()
    stored = session.scalar(
        select(UserPreferences.preferences).where(UserPreferences.user_id == user.id)
    )
    assert stored == {"theme": "dark", "trainingDataConsent": True}


def test_revoking_consent_removes_only_that_users_usage_captured_examples(
    session: Session,
) -> None:
    world = factories.world(session)
    other = factories.user(session, world.tenant, consent=True)
    session.commit()
    revoked_usage = [_usage(session, world, world.author.id) for _ in range(3)]
    golden = _example(session, world, world.author.id)
    others_usage = _usage(session, world, other.id)
    thumbs = SkillFeedback(
        id=uuid.uuid4().hex,
        tenant_id=world.tenant.id,
        skill_id=world.skill.id,
        user_id=world.author.id,
        feedback_type="thumbs",
        source="usage_capture",
        rating=1,
    )
    session.add(thumbs)
    session.commit()

    change = consent.revoke_consent(session, world.author.id, changed_by="ops-carol")
    session.commit()

    assert (change.had_consent, change.has_consent, change.examples_removed) == (True, False, 3)
    remaining = set(session.scalars(select(SkillFeedback.id)))
    assert remaining == {golden, others_usage, thumbs.id}
    assert not remaining & set(revoked_usage)
    assert get_user_preferences(session, world.author.id)["trainingDataConsent"] is False
    entry = session.scalars(
        select(SettingsAudit).where(SettingsAudit.user_id == world.author.id)
    ).one()
    assert (entry.setting, entry.old_value, entry.new_value, entry.changed_by) == (
        "trainingDataConsent",
        True,
        False,
        "ops-carol",
    )
    assert entry.detail == {"examples_removed": 3}


def test_revoking_consent_of_a_user_without_preferences_stores_an_explicit_no(
    session: Session,
) -> None:
    world = factories.world(session)
    user = factories.user(session, world.tenant)
    session.commit()
    change = consent.revoke_consent(session, user.id, changed_by="ops")
    session.commit()
    assert (change.had_consent, change.examples_removed) == (False, 0)
    stored = session.scalar(
        select(UserPreferences.preferences).where(UserPreferences.user_id == user.id)
    )
    assert stored == {"trainingDataConsent": False}


def test_an_unknown_user_is_refused(session: Session) -> None:
    with pytest.raises(UnknownUser):
        consent.grant_consent(session, "no-such-user", changed_by="ops")


def test_a_revocation_waits_for_an_in_flight_insert_and_then_removes_it(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as setup:
        world = factories.world(setup)
        author_id, tenant_id, skill_id = world.author.id, world.tenant.id, world.skill.id

    # The worker's transaction: preferences read FOR SHARE, then the row inserted, not committed.
    worker = session_factory()
    worker.begin()
    worker.execute(
        select(UserPreferences.preferences)
        .where(UserPreferences.user_id == author_id)
        .with_for_update(read=True)
    )
    in_flight = create_training_example(
        worker,
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        skill_id=skill_id,
        user_id=author_id,
        example_input="in flight",
        example_output="out",
        source="usage_capture",
        status="pending",
        usage_event_id="evt-in-flight",
    ).id

    outcome: dict[str, consent.ConsentChange] = {}

    def revoke() -> None:
        with session_factory() as operator, operator.begin():
            outcome["change"] = consent.revoke_consent(operator, author_id, changed_by="ops")

    revoker = threading.Thread(target=revoke)
    revoker.start()
    revoker.join(timeout=1.0)
    assert revoker.is_alive(), "the revocation must wait for the worker's share lock"
    worker.commit()
    worker.close()
    revoker.join(timeout=10)
    assert not revoker.is_alive()

    assert outcome["change"].examples_removed == 1
    with session_factory() as check:
        assert check.get(SkillFeedback, in_flight) is None
        count = check.scalar(select(func.count()).select_from(SkillFeedback))
        assert count == 0
        # And a later worker transaction reads the revocation.
        prefs = check.execute(
            text("SELECT preferences FROM user_preferences WHERE user_id = :u FOR SHARE"),
            {"u": author_id},
        ).scalar_one()
        assert prefs["trainingDataConsent"] is False
