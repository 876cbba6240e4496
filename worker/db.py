"""Engines and sessions: one pooled engine per process, rebuilt after a fork."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable

import orjson
import psycopg
import sqlalchemy.exc
from sqlalchemy import ColumnElement, Engine, Text, any_, create_engine, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from worker.errors import ConfigurationError
from worker.settings import get_settings

_lock = threading.Lock()
_engines: dict[tuple[int, str], Engine] = {}


def sqlalchemy_url(url: str) -> str:
    """Point a plain `postgresql://` URL at the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def database_url() -> str:
    url = get_settings().database_url
    if not url:
        raise ConfigurationError(
            "DATABASE_URL is not set; run through `intake` to use the embedded PostgreSQL"
        )
    return url


def make_engine(url: str, *, pool_size: int | None = None) -> Engine:
    settings = get_settings()
    return create_engine(
        sqlalchemy_url(url),
        pool_size=pool_size or settings.db_pool_size,
        max_overflow=2,
        pool_pre_ping=True,
        pool_recycle=1800,
        # Errors must never carry bound values: they are example text.
        hide_parameters=True,
        connect_args={
            # An unreachable database, a long lock or a stuck statement become quick,
            # retryable faults instead of a worker that hangs.
            "connect_timeout": 5,
            "application_name": "training-intake",
            "options": (
                f"-c lock_timeout={settings.lock_timeout_ms} "
                f"-c statement_timeout={settings.statement_timeout_ms}"
            ),
        },
    )


def get_engine(url: str | None = None) -> Engine:
    """This process's engine for `url` (default DATABASE_URL); a forked child gets its own."""
    url = url or database_url()
    key = (os.getpid(), url)
    engine = _engines.get(key)
    if engine is None:
        with _lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _engines[key] = make_engine(url)
    return engine


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


def forget_inherited_engines() -> None:
    """After a fork: drop the parent's pools without closing the parent's sockets."""
    pid = os.getpid()
    with _lock:
        for key in [k for k in _engines if k[0] != pid]:
            _engines.pop(key).dispose(close=False)


def dispose_engines() -> None:
    with _lock:
        for key in list(_engines):
            _engines.pop(key).dispose()


# SQLSTATE classes and codes that a retry can cure: lost connections, serialization failures
# and deadlocks, resource exhaustion, a server shutting down or starting up, lock or
# statement timeouts.
_TRANSIENT_SQLSTATE_PREFIXES = ("08", "40", "53", "57P")
_TRANSIENT_SQLSTATES = {"55P03", "57014", "58000", "58030"}


def is_transient(exc: BaseException) -> bool:
    """Whether a database error is worth retrying."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if sqlstate:
            return (
                sqlstate.startswith(_TRANSIENT_SQLSTATE_PREFIXES)
                or sqlstate in _TRANSIENT_SQLSTATES
            )
        # No SQLSTATE: the driver failed before the server answered (connection refused, reset).
        return isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError)
    return isinstance(exc, sqlalchemy.exc.TimeoutError | psycopg.OperationalError)


def forget_engine(url: str) -> None:
    """Close this process's engine for `url`, if any (tests that change connection settings)."""
    with _lock:
        engine = _engines.pop((os.getpid(), url), None)
    if engine is not None:
        engine.dispose()


def in_array(
    column: ColumnElement[str] | InstrumentedAttribute[str], values: Iterable[str]
) -> ColumnElement[bool]:
    """`column = ANY(:array)`: one bound array instead of one placeholder per value."""
    return column == any_(literal(sorted(set(values)), ARRAY(Text)))


def json_document(value: object) -> str:
    """A batch's JSON document for a statement parameter (orjson: a batch's rows in a few ms)."""
    return orjson.dumps(value).decode()
