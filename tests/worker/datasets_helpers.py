"""Helpers of the dataset tests: examples, versions taken and exports run against the database."""

from __future__ import annotations

import io
import uuid
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from worker.datasets import export, versions
from worker.datasets.export import ExportRequest
from worker.datasets.models import DatasetVersion
from worker.datasets.selection import Selection
from worker.datasets.writing import ExportSummary
from worker.queries import create_training_example


def example(session: Session, world: factories.World, **fields: Any) -> str:
    """An approved golden example of the world's skill (committed), unless told otherwise."""
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "tenant_id": world.tenant.id,
        "skill_id": world.skill.id,
        "user_id": world.author.id,
        "example_input": f"question {uuid.uuid4().hex}",
        "example_output": f"answer {uuid.uuid4().hex}",
    }
    values.update(fields)
    example_id = create_training_example(session, **values).id
    session.commit()
    return example_id


def take_version(
    factory: sessionmaker[Session], selection: Selection, name: str, **options: Any
) -> DatasetVersion:
    """Take a version in its own REPEATABLE READ transaction, as the CLI does."""
    with factory() as session, session.begin():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return versions.create_version(
            session,
            selection,
            name=name,
            created_by=options.pop("by", "ds@example.test"),
            **options,
        )


def export_bytes(
    factory: sessionmaker[Session], request: ExportRequest
) -> tuple[dict[str, bytes], ExportSummary]:
    """Run an export into memory: {output key: bytes} and its summary."""
    with factory() as session, session.begin():
        prepared = export.prepare(session, request)
        buffers = {key: io.BytesIO() for key in prepared.keys}
        summary = export.write(
            session, prepared, {key: (key or "out", buffer) for key, buffer in buffers.items()}
        )
    return {key: buffer.getvalue() for key, buffer in buffers.items()}, summary
