"""Rows for tests: tenants, users, skills, settings and preferences with sensible defaults."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from worker.models import SiteSettings, Skill, Tenant, User, UserPreferences


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class World:
    """A tenant with an author (consenting) and a skill of theirs; capture on."""

    tenant: Tenant
    author: User
    skill: Skill


def tenant(session: Session, *, active: bool = True, capture: bool | None = None) -> Tenant:
    row = Tenant(id=_id("tenant"), name="Tenant", slug=_id("slug"), is_active=active)
    session.add(row)
    session.flush()
    if capture is not None:
        session.add(
            SiteSettings(
                id=_id("settings"), tenant_id=row.id, training_data_capture_enabled=capture
            )
        )
    return row


def user(
    session: Session,
    tenant: Tenant,
    *,
    consent: Any = None,
    name: str = "Ada",
    image: str | None = None,
) -> User:
    row = User(
        id=_id("user"),
        tenant_id=tenant.id,
        email=f"{_id('u')}@example.test",
        name=name,
        image=image,
    )
    session.add(row)
    session.flush()
    if consent is not None:
        session.add(
            UserPreferences(
                id=_id("prefs"),
                tenant_id=tenant.id,
                user_id=row.id,
                preferences={"trainingDataConsent": consent},
            )
        )
    return row


def skill(session: Session, tenant: Tenant, author: User) -> Skill:
    row = Skill(
        id=_id("skill"), tenant_id=tenant.id, name="Skill", slug=_id("s"), author_id=author.id
    )
    session.add(row)
    session.flush()
    return row


def world(session: Session, *, capture: bool = True, consent: bool = True) -> World:
    t = tenant(session, capture=capture)
    author = user(session, t, consent=consent)
    s = skill(session, t, author)
    session.commit()
    return World(t, author, s)


def usage_captures(world: World, count: int, *, prefix: str = "evt") -> list[dict[str, Any]]:
    """`count` usage captures by the world's author, each with its own id and usage event."""
    from producers import usage_capture

    return [
        usage_capture(
            tenant_id=world.tenant.id,
            user_id=world.author.id,
            skill_id=world.skill.id,
            usage_event_id=f"{prefix}-{n}",
            example_input=f"in {n}",
            example_output=f"out {n}",
            submission_id=str(uuid.uuid4()),
        )
        for n in range(count)
    ]


def training_example_row(
    world: World, *, tenant_id: str | None = None, skill_id: str | None = None
) -> dict[str, Any]:
    """A golden example as the pipeline inserts it into skill_feedback (for the store's tests)."""
    return {
        "id": str(uuid.uuid4()),
        "tenant_id": tenant_id or world.tenant.id,
        "skill_id": skill_id or world.skill.id,
        "user_id": world.author.id,
        "feedback_type": "training_example",
        "source": "web",
        "status": "approved",
        "example_input": "i",
        "example_output": "o",
    }


def golden_submission(world: World, **overrides: Any) -> dict[str, Any]:
    """A golden example by the world's author, as a producer sends it."""
    message = {
        "submission_id": str(uuid.uuid4()),
        "kind": "golden_example",
        "tenant_id": world.tenant.id,
        "user_id": world.author.id,
        "skill_id": world.skill.id,
        "example_input": "What is 2+2?",
        "example_output": "4",
        "expected_output": "4",
        "quality_score": 8,
    }
    message.update(overrides)
    return message


def usage_submission(world: World, **overrides: Any) -> dict[str, Any]:
    """A usage capture of the world's author (capture on, consent given in `world()`)."""
    message = golden_submission(
        world, kind="usage_capture", usage_event_id=f"evt-{uuid.uuid4().hex}"
    )
    message.pop("expected_output")
    message.update(overrides)
    return message
