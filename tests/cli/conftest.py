"""The `intake` command run in-process (typer's test runner) against this run's real servers."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tests import factories
from worker.cli import app
from worker.queries import create_training_example

Invoke = Callable[..., Result]


@pytest.fixture
def intake(database_url: str, broker_url: str, session_factory: object) -> Invoke:
    """Run `intake ARGS...`; every table is emptied after the test (through session_factory)."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args))

    return invoke


def add_example(session: Session, world: factories.World, **fields: object) -> str:
    """A training example of the world's skill (approved web example unless told otherwise)."""
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "tenant_id": world.tenant.id,
        "skill_id": world.skill.id,
        "user_id": world.author.id,
        "example_input": "in",
        "example_output": "out",
    }
    values.update(fields)
    example_id = create_training_example(session, **values).id  # type: ignore[arg-type]
    session.commit()
    return example_id


def usage_example(session: Session, world: factories.World, user_id: str | None = None) -> str:
    return add_example(
        session,
        world,
        user_id=user_id or world.author.id,
        source="usage_capture",
        status="pending",
        usage_event_id=uuid.uuid4().hex,
    )
