"""Real PostgreSQL and Redis servers from pip-installed wheels, for machines without either."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from producers.settings import SERVERS_FILE
from worker.embedded.errors import EmbeddedServerError
from worker.embedded.postgres import EmbeddedPostgres
from worker.embedded.redis import EmbeddedRedis

__all__ = [
    "EMBEDDED_DATABASE",
    "EmbeddedPostgres",
    "EmbeddedRedis",
    "EmbeddedServerError",
    "EmbeddedServers",
    "data_dir_lock",
]

# The database the service's tables live in, on the embedded PostgreSQL.
EMBEDDED_DATABASE = "intake"


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Serialise start/stop across processes sharing one data folder."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(data_dir / ".lock", "w")  # noqa: SIM115 - closed below, after the lock
    except OSError as exc:
        raise EmbeddedServerError(
            f"cannot use the data folder {data_dir} ({exc.strerror or exc}): set INTAKE_DATA_DIR "
            "to a folder you can write, or set DATABASE_URL and CELERY_BROKER_URL"
        ) from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


@dataclass
class EmbeddedServers:
    """Both servers under one data folder; `start()` reuses any that already run.

    Whatever runs is recorded in `<data folder>/servers.json` (`{"DATABASE_URL": {"url", "pid"},
    "CELERY_BROKER_URL": {...}}`), so that producers and other tools find the servers without
    importing this package (producers/settings.py reads it).
    """

    data_dir: Path

    def __post_init__(self) -> None:
        self.data_dir = self.data_dir.resolve()
        self.postgres = EmbeddedPostgres(self.data_dir / "postgres")
        self.redis = EmbeddedRedis(self.data_dir / "redis")
        self.started: list[str] = []
        self.serving: list[str] = []

    @property
    def servers_file(self) -> Path:
        return self.data_dir / SERVERS_FILE

    def made(self) -> bool:
        """Whether servers were ever started in this data folder (a cluster or a Redis folder)."""
        return (self.postgres.pgdata / "PG_VERSION").exists() or self.redis.directory.exists()

    def database_url(self) -> str:
        """The URL of the service's database on the embedded PostgreSQL (which must run)."""
        return self.postgres.url(EMBEDDED_DATABASE)

    def broker_url(self) -> str:
        return self.redis.url(0)

    def start(self, *, postgres: bool = True, redis: bool = True) -> None:
        with data_dir_lock(self.data_dir):
            if postgres:
                self.serving.append("postgres")
                if self.postgres.ensure_running():
                    self.started.append("postgres")
                _ensure_database(self.postgres.url("postgres"), EMBEDDED_DATABASE)
            if redis:
                self.serving.append("redis")
                if self.redis.ensure_running():
                    self.started.append("redis")
            self._record()

    def stop_started(self) -> None:
        """Stop only what this process started; servers it merely reused stay up for their owner."""
        if not self.started:
            return
        with data_dir_lock(self.data_dir):
            if "redis" in self.started:
                self.redis.stop()
            if "postgres" in self.started:
                self.postgres.stop()
            self.started.clear()
            self._record()

    def stop(self) -> None:
        with data_dir_lock(self.data_dir):
            self.redis.stop()
            self.postgres.stop()
            self.started.clear()
            self._record()

    def running(self) -> dict[str, str]:
        """The environment variables of the servers that run, and their URLs."""
        urls: dict[str, str] = {}
        if self.postgres.is_running():
            urls["DATABASE_URL"] = self.database_url()
        if self.redis.is_running():
            urls["CELERY_BROKER_URL"] = self.broker_url()
        return urls

    def _record(self) -> None:
        """Rewrite the servers file (under the data folder's lock) to say what runs now."""
        servers: dict[str, dict[str, object]] = {}
        if (pid := self.postgres.pid) is not None:
            servers["DATABASE_URL"] = {"url": self.database_url(), "pid": pid}
        if self.redis.is_running() and (pid := self.redis.pid) is not None:
            servers["CELERY_BROKER_URL"] = {"url": self.broker_url(), "pid": pid}
        if not servers:
            self.servers_file.unlink(missing_ok=True)
            return
        partial = self.servers_file.with_suffix(".json.tmp")
        partial.write_text(json.dumps(servers, indent=2) + "\n")
        os.replace(partial, self.servers_file)
