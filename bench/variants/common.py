"""What every variant shares: the run's context, its result record and latency percentiles."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.options import Options
from bench.tables import Database
from bench.workload import Workload


@dataclass
class Context:
    """Everything a variant needs from the run."""

    options: Options
    database_url: str
    broker_url: str
    db: Database
    workload: Workload
    log_dir: Path
    # Environment added for every worker subprocess.
    worker_env: dict[str, str] = field(default_factory=dict)

    def fresh_tables(self) -> None:
        self.db.truncate()


@dataclass
class Latency:
    """Enqueue-to-row latency at a steady offered load."""

    offered_rate: float
    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    basis: str


@dataclass
class VariantResult:
    """One row of the results table (ratios are added when the run is reported)."""

    name: str
    label: str
    n: int
    # Submissions that reached their end: rows for the database paths, tasks for the ceiling.
    completed: int = 0
    rows: int | None = None
    outcomes: dict[str, int] | None = None
    seconds: float | None = None
    throughput: float | None = None
    enqueue_rate: float | None = None
    latency: Latency | None = None
    peak_rss_bytes: int | None = None
    # CPU microseconds a submission of the throughput phase cost the worker (main and pool
    # processes), PostgreSQL and Redis (None: not measured, or a server on another machine).
    cpu_us: dict[str, float | None] | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of unsorted values."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarize(seconds: list[float], offered_rate: float, basis: str) -> Latency | None:
    if not seconds:
        return None
    return Latency(
        offered_rate=round(offered_rate, 1),
        count=len(seconds),
        p50_ms=round(percentile(seconds, 0.50) * 1000, 2),
        p99_ms=round(percentile(seconds, 0.99) * 1000, 2),
        max_ms=round(max(seconds) * 1000, 2),
        basis=basis,
    )


def latency_count(rate: float, options: Options) -> int:
    """How many submissions a latency phase offers: `latency_seconds` of load, at least 20."""
    return max(20, round(rate * options.latency_seconds))
