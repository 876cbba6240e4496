"""The migrations build exactly the models' schema, and run both ways."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from tests import servers
from worker import migrate
from worker.db import sqlalchemy_url
from worker.models import Base


@pytest.fixture
def scratch_database(postgres_admin_url: str) -> Iterator[str]:
    with servers.own_database(postgres_admin_url, prefix="intake_migrations") as url:
        yield url


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_engine(sqlalchemy_url(database_url))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_head_then_downgrade_base_leaves_an_empty_schema(scratch_database: str) -> None:
    migrate.upgrade(scratch_database)
    engine = create_engine(sqlalchemy_url(scratch_database))
    tables = set(inspect(engine).get_table_names())
    assert {
        "tenants",
        "users",
        "skills",
        "site_settings",
        "user_preferences",
        "skill_feedback",
    } <= tables
    migrate.downgrade(scratch_database, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()


def test_a_platform_database_adopts_the_service_by_stamping_the_base(scratch_database: str) -> None:
    migrate.upgrade(scratch_database, "0001_platform_tables")
    engine = create_engine(sqlalchemy_url(scratch_database))
    columns = {c["name"] for c in inspect(engine).get_columns("site_settings")}
    assert "training_data_capture_enabled" not in columns
    migrate.upgrade(scratch_database)
    columns = {c["name"]: c for c in inspect(engine).get_columns("site_settings")}
    capture = columns["training_data_capture_enabled"]
    assert capture["nullable"] is False
    assert "false" in str(capture["default"])
    engine.dispose()
