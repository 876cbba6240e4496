"""Database sessions for commands: servers prepared first, one transaction per command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from worker.runtime import Runtime


def runtime() -> Runtime:
    """Configured servers, or embedded ones started on demand (as every command needs)."""
    from worker.runtime import prepare

    return prepare()


@contextmanager
def transaction() -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back on an error."""
    from worker.db import session_factory

    runtime()
    with session_factory()() as session, session.begin():
        yield session


@contextmanager
def snapshot() -> Iterator[Session]:
    """A read-only session on one consistent snapshot (counts and rows read in it agree)."""
    from worker.db import session_factory

    runtime()
    with session_factory()() as session, session.begin():
        session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
        yield session
