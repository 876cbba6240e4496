"""The harness's own SQL: empty the measured tables, count rows, read commit times back."""

from __future__ import annotations

import time
from typing import Any

import psycopg

from bench.world import PREFIX

MEASURED_TABLES = (
    "skill_feedback",
    "intake_outcomes",
    "intake_dead_letters",
    "intake_example_duplicates",
    "intake_duplicate_keys",
)
COMMIT_BASIS = "row's commit timestamp (track_commit_timestamp) minus the enqueue wall time"
CREATED_BASIS = (
    "row's created_at (its transaction's start, so an underestimate) minus the enqueue wall time"
)


class PhaseTimeout(RuntimeError):
    """A phase did not finish in its time budget."""


class Database:
    """One autocommit connection of the harness (never one a worker uses)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.connection = psycopg.connect(url, autocommit=True)

    def close(self) -> None:
        self.connection.close()

    def scalar(self, query: str, params: tuple[object, ...] = ()) -> Any:
        row = self.connection.execute(query, params).fetchone()
        return None if row is None else row[0]

    def foreign_data(self) -> bool:
        """Whether the database holds tenants or feedback the bench did not make."""
        pattern = PREFIX + "%"
        return bool(
            self.scalar(
                "SELECT EXISTS (SELECT 1 FROM tenants WHERE id NOT LIKE %s)"
                " OR EXISTS (SELECT 1 FROM skill_feedback WHERE tenant_id NOT LIKE %s)",
                (pattern, pattern),
            )
        )

    def truncate(self) -> None:
        self.connection.execute(f"TRUNCATE {', '.join(MEASURED_TABLES)} RESTART IDENTITY")

    def count(self, table: str) -> int:
        assert table in MEASURED_TABLES
        return int(self.scalar(f"SELECT count(*) FROM {table}"))

    def wait_for_count(self, table: str, expected: int, timeout: float) -> float:
        """Poll `count(*)` until it reaches `expected`; returns when (perf_counter) it was seen.

        The poll interval follows the cost of the count (at least 10 ms, three times the last
        query), so polling never takes more than a quarter of one core from the run.
        """
        deadline = time.monotonic() + timeout
        while True:
            started = time.perf_counter()
            seen = self.count(table)
            took = time.perf_counter() - started
            if seen >= expected:
                return started
            if time.monotonic() > deadline:
                raise PhaseTimeout(f"{table}: {seen} of {expected} rows after {timeout:.0f} s")
            time.sleep(min(1.0, max(0.01, 3 * took)))

    def tracks_commit_timestamps(self) -> bool:
        return bool(self.scalar("SHOW track_commit_timestamp") == "on")

    def committed_at(self) -> tuple[dict[str, float], str]:
        """When each training example's row committed (epoch seconds), and how that was read.

        With `track_commit_timestamp` on, it is its inserting transaction's commit time;
        otherwise `created_at`, which is when that transaction began (an underestimate).
        """
        if self.tracks_commit_timestamps():
            stamp, basis = "pg_xact_commit_timestamp(xmin)", COMMIT_BASIS
        else:
            stamp, basis = "created_at", CREATED_BASIS
        rows = self.connection.execute(
            f"SELECT id, extract(epoch FROM {stamp})::float8 FROM skill_feedback"
        ).fetchall()
        return {row_id: float(epoch) for row_id, epoch in rows}, basis

    def outcomes(self) -> dict[str, int]:
        rows = self.connection.execute(
            "SELECT outcome, count(*) FROM intake_outcomes GROUP BY outcome ORDER BY outcome"
        ).fetchall()
        return {outcome: int(count) for outcome, count in rows}

    def server_version(self) -> str:
        return str(self.scalar("SHOW server_version"))
