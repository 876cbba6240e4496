"""CPU time the worker, PostgreSQL and Redis spend over a phase: what one submission costs each.

Read from /proc (the worker's process tree; the PostgreSQL server's, found from a backend's
parent) and from Redis's own `INFO cpu`. A server that is not on this machine reads as None.
Divided by the phase's submissions, these are the costs the capacity estimate of
docs/throughput.md is made from: how many submissions a second one core of each can serve.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import psycopg
import redis

from bench.procs import PROC, tree

_TICKS = os.sysconf("SC_CLK_TCK")


def _times(pid: int) -> tuple[float, float]:
    """(own, reaped children's) CPU seconds of a process; zeros once it is gone."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    # After the command: state, ppid, ..., utime (index 11), stime, cutime, cstime.
    own = (int(fields[11]) + int(fields[12])) / _TICKS
    reaped = (int(fields[13]) + int(fields[14])) / _TICKS
    return own, reaped


def tree_cpu(root: int) -> float:
    """CPU seconds of `root`, its living descendants, and the children it has reaped."""
    return sum(_times(pid)[0] for pid in tree([root])) + _times(root)[1]


def postmaster_of(database_url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine."""
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT pg_backend_pid()").fetchone()
    backend = PROC / str(row[0]) / "stat" if row else None
    if backend is None or not backend.exists():
        return None
    return int(backend.read_text().rsplit(")", 1)[1].split()[1])


def redis_cpu(broker_url: str) -> float | None:
    """Redis's own CPU seconds (all its threads), or None for another broker."""
    if not broker_url.startswith(("redis://", "rediss://", "redis+socket://", "unix://")):
        return None
    client = redis.Redis.from_url(broker_url.replace("redis+socket://", "unix://"))
    try:
        info = client.info("cpu")
    finally:
        client.close()
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


@dataclass
class CpuMeter:
    """CPU seconds at the start of a phase; `per_submission` gives microseconds of each."""

    worker_pid: int
    database_url: str
    broker_url: str

    def __post_init__(self) -> None:
        self.postmaster = postmaster_of(self.database_url)
        self.start = self._read()

    def _read(self) -> dict[str, float | None]:
        return {
            "worker": tree_cpu(self.worker_pid),
            "postgres": None if self.postmaster is None else tree_cpu(self.postmaster),
            "redis": redis_cpu(self.broker_url),
        }

    def per_submission(self, submissions: int) -> dict[str, float | None]:
        end = self._read()
        return {
            name: None
            if before is None or end[name] is None
            else round((end[name] - before) * 1e6 / submissions, 1)  # type: ignore[operator]
            for name, before in self.start.items()
        }
