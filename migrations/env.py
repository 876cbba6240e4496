"""Alembic environment: runs migrations online against the configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from worker.db import database_url, sqlalchemy_url
from worker.models import Base

config = context.config
target_metadata = Base.metadata

# Fail fast instead of queueing behind a long lock on a busy platform database.
LOCK_TIMEOUT = "10s"


def _url() -> str:
    return sqlalchemy_url(config.attributes.get("database_url") or database_url())


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(_url(), poolclass=pool.NullPool)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    connection.execute(text(f"SET lock_timeout = '{LOCK_TIMEOUT}'"))
    # End the implicit transaction the SET began, so Alembic's own transaction commits the DDL.
    connection.commit()
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
