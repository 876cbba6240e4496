"""The servers of a run: DATABASE_URL and CELERY_BROKER_URL when set, embedded ones otherwise."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from worker.embedded import EmbeddedServers
from worker.settings import reload_settings

log = logging.getLogger("bench.servers")

EMBEDDED_DATABASE = "intake_bench"


@dataclass(frozen=True, slots=True)
class Servers:
    database_url: str
    broker_url: str
    database_configured: bool
    broker_configured: bool


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _track_commit_timestamps(embedded: EmbeddedServers) -> None:
    """Record when each transaction commits (our own throwaway server only; needs a restart).

    Rows' `created_at` is when their transaction began; the commit time is what "enqueue to
    committed row" means, and a batching worker's transactions can be long.
    """
    with psycopg.connect(embedded.postgres.url("postgres"), autocommit=True) as connection:
        connection.execute("ALTER SYSTEM SET track_commit_timestamp = on")
    embedded.postgres.stop()
    embedded.postgres.ensure_running()


@contextmanager
def servers() -> Iterator[Servers]:
    """Yield the run's servers; embedded ones live in a temporary folder, stopped and removed after.

    The URLs are exported, so worker subprocesses and the service's settings see them too.
    """
    database_url = os.environ.get("DATABASE_URL")
    broker_url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("BROKER_URL")
    configured = {name for name in ("DATABASE_URL", "CELERY_BROKER_URL") if os.environ.get(name)}
    folder: Path | None = None
    embedded: EmbeddedServers | None = None
    try:
        if not (database_url and broker_url):
            folder = Path(tempfile.mkdtemp(prefix="intake-bench-servers-"))
            embedded = EmbeddedServers(folder)
            embedded.start(postgres=not database_url, redis=not broker_url)
            log.info("embedded servers started: %s", ", ".join(embedded.started))
        if embedded is not None and "postgres" in embedded.started:
            _track_commit_timestamps(embedded)
        if not database_url:
            assert embedded is not None
            _ensure_database(embedded.postgres.url("postgres"), EMBEDDED_DATABASE)
            os.environ["DATABASE_URL"] = embedded.postgres.url(EMBEDDED_DATABASE)
        if not broker_url:
            assert embedded is not None
            os.environ["CELERY_BROKER_URL"] = embedded.redis.url(0)
        reload_settings()
        yield Servers(
            os.environ["DATABASE_URL"],
            os.environ.get("CELERY_BROKER_URL") or os.environ["BROKER_URL"],
            database_configured=bool(database_url),
            broker_configured=bool(broker_url),
        )
    finally:
        if embedded is not None:
            # Forget the URLs of servers that are about to stop.
            for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
                if os.environ.get(name) and name not in configured:
                    os.environ.pop(name, None)
            reload_settings()
            embedded.stop_started()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
