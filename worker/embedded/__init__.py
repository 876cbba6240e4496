"""Real PostgreSQL and Redis servers from pip-installed wheels, for machines without either."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from worker.embedded.postgres import EmbeddedPostgres
from worker.embedded.redis import EmbeddedRedis

__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "EmbeddedServers", "data_dir_lock"]


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Serialise start/stop across processes sharing one data folder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class EmbeddedServers:
    """Both servers under one data folder; `start()` reuses any that already run."""

    data_dir: Path

    def __post_init__(self) -> None:
        self.data_dir = self.data_dir.resolve()
        self.postgres = EmbeddedPostgres(self.data_dir / "postgres")
        self.redis = EmbeddedRedis(self.data_dir / "redis")
        self.started: list[str] = []
        self.serving: list[str] = []

    def start(self, *, postgres: bool = True, redis: bool = True) -> None:
        with data_dir_lock(self.data_dir):
            if postgres:
                self.serving.append("postgres")
                if self.postgres.ensure_running():
                    self.started.append("postgres")
            if redis:
                self.serving.append("redis")
                if self.redis.ensure_running():
                    self.started.append("redis")

    def stop_started(self) -> None:
        """Stop only what this process started; servers it merely reused stay up for their owner."""
        with data_dir_lock(self.data_dir):
            if "redis" in self.started:
                self.redis.stop()
            if "postgres" in self.started:
                self.postgres.stop()
            self.started.clear()

    def stop(self) -> None:
        with data_dir_lock(self.data_dir):
            self.redis.stop()
            self.postgres.stop()
            self.started.clear()
