"""Database hardening: consent withdrawn anywhere, pinned search paths, this service's tables
behind row-level security, and tenant pairs a row cannot mix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from worker import deadletters
from worker.ingest.pipeline import process_batch
from worker.models import DeadLetterReason, SkillFeedback, User
from worker.queries import create_training_example

READER = "intake_test_platform_reader"


def _example(session: Session, world: factories.World, *, source: str) -> str:
    example_id = str(uuid.uuid4())
    create_training_example(
        session,
        id=example_id,
        tenant_id=world.tenant.id,
        skill_id=world.skill.id,
        user_id=world.author.id,
        example_input="i",
        example_output="o",
        source=source,
        status="pending" if source == "usage_capture" else "approved",
    )
    return example_id


def _remaining(session: Session, world: factories.World) -> set[str]:
    session.expire_all()
    query = select(SkillFeedback.source).where(SkillFeedback.user_id == world.author.id)
    return set(session.scalars(query))


@pytest.mark.parametrize(
    "withdrawal",
    [
        "UPDATE user_preferences SET preferences = '{\"trainingDataConsent\": false}'",
        "UPDATE user_preferences SET preferences = preferences - 'trainingDataConsent'",
        'UPDATE user_preferences SET preferences = \'{"trainingDataConsent": "true"}\'',
        "UPDATE user_preferences SET preferences = '[]'",
        "DELETE FROM user_preferences",
    ],
    ids=["false", "key removed", "a string", "not an object", "row deleted"],
)
def test_consent_withdrawn_by_any_statement_removes_the_users_captures_and_nothing_else(
    session: Session, withdrawal: str
) -> None:
    world = factories.world(session)
    _example(session, world, source="usage_capture")
    _example(session, world, source="web")
    session.commit()
    session.execute(text(f"{withdrawal} WHERE user_id = :user"), {"user": world.author.id})
    session.commit()
    # Golden examples are the author's own work, not captures: they stay.
    assert _remaining(session, world) == {"web"}


def test_an_update_that_keeps_consent_removes_nothing(session: Session) -> None:
    world = factories.world(session)
    _example(session, world, source="usage_capture")
    session.commit()
    session.execute(
        text(
            'UPDATE user_preferences SET preferences = preferences || \'{"theme": "dark"}\''
            " WHERE user_id = :user"
        ),
        {"user": world.author.id},
    )
    session.commit()
    assert _remaining(session, world) == {"usage_capture"}


def test_the_worker_functions_pin_their_search_path(session: Session) -> None:
    settings = dict(
        session.execute(
            text(
                "SELECT proname, array_to_string(proconfig, ',') FROM pg_proc"
                " WHERE proname LIKE 'intake\\_%'"
            )
        ).all()
    )
    for function in (
        "intake_tenant_facts",
        "intake_insert_examples",
        "intake_home_tenants",
        "intake_withdraw_consent",
        "intake_duplicate_candidates",
        "intake_insert_duplicates",
        "intake_forget_duplicate_keys",
    ):
        assert "search_path=" in (settings.get(function) or ""), function


@pytest.fixture
def platform_reader(engine: Engine) -> Iterator[str]:
    """A tenant-scoped role of the platform that was granted reads of this service's tables."""
    with engine.begin() as connection:
        connection.execute(
            text(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER}')"
                f" THEN CREATE ROLE {READER} NOLOGIN; END IF; END $$"
            )
        )
        connection.execute(
            text(f"GRANT SELECT ON intake_outcomes, intake_dead_letters TO {READER}")
        )
    yield READER
    with engine.begin() as connection:
        connection.execute(
            text(f"REVOKE ALL ON intake_outcomes, intake_dead_letters FROM {READER}")
        )


def test_a_tenant_scoped_role_sees_only_its_tenants_outcomes_and_dead_letters(
    session: Session, session_factory: sessionmaker[Session], platform_reader: str
) -> None:
    mine, theirs = factories.world(session), factories.world(session)
    session.commit()
    for world in (mine, theirs):
        item = factories.golden_submission(world)
        process_batch(session_factory, [item])
        deadletters.add(
            session,
            [
                deadletters.of_submission(
                    DeadLetterReason.RETRIES_EXHAUSTED,
                    item["submission_id"],
                    tenant_id=world.tenant.id,
                )
            ],
        )
    deadletters.add(session, [deadletters.of_message(DeadLetterReason.MALFORMED_ENVELOPE, b"x")])
    session.commit()
    with session_factory() as reader, reader.begin():
        reader.execute(text(f"SET LOCAL ROLE {platform_reader}"))
        reader.execute(
            text("SELECT set_config('app.current_tenant_id', :t, true)"), {"t": mine.tenant.id}
        )
        outcomes = set(reader.scalars(text("SELECT tenant_id FROM intake_outcomes")))
        letters = list(reader.scalars(text("SELECT tenant_id FROM intake_dead_letters")))
    assert outcomes == {mine.tenant.id}
    assert letters == [mine.tenant.id]


_INSERT = text(
    "INSERT INTO skill_feedback (id, tenant_id, skill_id, user_id, feedback_type)"
    " VALUES (:id, :tenant, :skill, :user, 'training_example')"
)


def test_a_row_cannot_pair_its_tenant_with_another_tenants_skill_or_user(session: Session) -> None:
    mine, theirs = factories.world(session), factories.world(session)
    session.commit()
    pairs = ((theirs.skill.id, mine.author.id), (mine.skill.id, theirs.author.id))
    for skill_id, user_id in pairs:
        values = {"id": str(uuid.uuid4()), "tenant": mine.tenant.id}
        with (
            pytest.raises(IntegrityError, match="fk_skill_feedback_tenant_"),
            session.begin_nested(),
        ):
            session.execute(_INSERT, {**values, "skill": skill_id, "user": user_id})
    session.rollback()


def test_deleting_a_user_keeps_their_feedback_without_its_user(session: Session) -> None:
    world = factories.world(session)
    other = factories.user(session, world.tenant)
    session.commit()
    other_id = other.id
    example_id = str(uuid.uuid4())
    create_training_example(
        session,
        id=example_id,
        tenant_id=world.tenant.id,
        skill_id=world.skill.id,
        user_id=other_id,
        example_input="i",
        example_output="o",
    )
    session.commit()
    session.execute(text("DELETE FROM users WHERE id = :id"), {"id": other_id})
    session.commit()
    session.expire_all()
    row = session.get(SkillFeedback, example_id)
    assert row is not None and row.user_id is None and row.tenant_id == world.tenant.id
    assert session.scalar(select(func.count()).select_from(User).where(User.id == other_id)) == 0
