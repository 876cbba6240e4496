"""A small-N run of the benchmark harness: every variant completes and the JSON has its shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.cli import options_from
from bench.options import DEFAULT_VARIANTS
from bench.report import secrets_table
from bench.secrets import measure as measure_secrets
from tests import servers

ROOT = Path(__file__).resolve().parents[2]
N = 200
REFERENCES = {"limit", "limit-outcomes", "redis"}

VARIANT_KEYS = {
    "name", "label", "n", "completed", "rows", "outcomes", "seconds", "throughput",
    "enqueue_rate", "latency", "peak_rss_bytes", "notes", "error", "ratio_to_limit",
    "ratio_to_naive", "cpu_us",
}  # fmt: skip


@pytest.fixture(scope="module")
def bench_environment(postgres_admin_url: str, redis_server_url: str) -> Iterator[dict[str, str]]:
    """The run's servers, but a database and Redis db of the bench's own.

    The harness empties tables and queues, and a session-scoped integration worker consumes
    the `intake` queue of the run's broker db: sharing either would make both flaky.
    """
    with (
        servers.own_database(postgres_admin_url, prefix="intake_bench") as database_url,
        servers.own_redis_db(redis_server_url) as broker_url,
    ):
        yield {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker_url}


@pytest.fixture(scope="module")
def smoke_run(bench_environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("bench-results")
    completed = subprocess.run(
        [
            sys.executable, "-m", "bench", "--n", str(N), "--quick", "--latency-seconds", "0.5",
            "--memory-n", "400", "--memory-checkpoint", "200",
            "--reads-rows", "2000", "--reads-skills", "20", "--reads-samples", "20",
            "--datasets-rows", "2000",
            "--out", str(out),
        ],
        cwd=ROOT,
        env=bench_environment,
        capture_output=True,
        text=True,
        timeout=240,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-4000:]
    return completed, json.loads((out / "latest.json").read_text())


@pytest.mark.integration
def test_every_variant_completes_each_of_its_submissions(smoke_run: Any) -> None:
    _, report = smoke_run
    # The *-before variants need another checkout (--baseline-tree); a default run has none.
    assert [row["name"] for row in report["variants"]] == list(DEFAULT_VARIANTS)
    for row in report["variants"]:
        assert row["error"] is None, row
        assert row["completed"] == N, row
        # The Celery no-op and the raw Redis round trips write no rows.
        if row["name"] not in {"ceiling", "redis"}:
            assert row["rows"] == N, row
    outcomes = {row["name"]: row["outcomes"] for row in report["variants"]}
    for name in ("inline", "single", "bulk"):
        assert outcomes[name] == {"accepted": N}


@pytest.mark.integration
def test_the_results_json_has_the_expected_keys(smoke_run: Any) -> None:
    completed, report = smoke_run
    assert set(report) == {
        *("schema", "meta", "variants", "memory", "reads", "sanitizer", "secrets", "datasets"),
        "targets",
    }
    assert report["datasets"]["exports"]["plain"]["rows"] == 2000
    assert {"n", "concurrency", "cpus", "postgres", "broker", "mix"} <= set(report["meta"])
    for row in report["variants"]:
        assert set(row) == VARIANT_KEYS
        # The references measured from the harness itself have no latency phase and no worker.
        if row["name"] not in REFERENCES:
            assert set(row["latency"]) >= {"offered_rate", "count", "p50_ms", "p99_ms", "basis"}
            assert row["peak_rss_bytes"] > 0
    assert report["memory"]["rows"] == 400
    assert {"rss_at_checkpoint_bytes", "rss_at_end_bytes", "growth"} <= set(report["memory"])
    assert {"count", "first_page", "load_seconds"} <= set(report["reads"])
    assert {row["text"] for row in report["sanitizer"]} >= {"plain prose", "code", "html-heavy"}
    assert all(row["us_per_kb"] > 0 for row in report["sanitizer"])
    assert {row["name"] for row in report["secrets"]["classes"]} >= {"prefixed_token", "hash"}
    assert report["secrets"]["false_positives"] == 0
    assert all({"target", "measured", "goal", "met"} == set(t) for t in report["targets"])
    assert "| variant | submissions/s |" in completed.stdout


def test_the_secret_detector_report_gives_recall_and_false_positives_per_class() -> None:
    measured = measure_secrets()
    by_class = {row["name"]: row for row in measured["classes"]}
    assert by_class["prefixed_token"]["positives"] > 0
    assert by_class["public_key"]["negatives"] > 0 and by_class["public_key"]["fp_rate"] == 0
    assert measured["min_recall"] >= 0.99
    table = secrets_table(measured)
    assert "| secrets: class |" in table and "| pair |" in table


def test_quick_mode_scales_the_memory_and_reads_modes_down_unless_told_otherwise() -> None:
    quick = options_from(["--quick"])
    assert quick.memory_n < 1_000_000 and quick.reads_rows < 5_000_000
    told = options_from(["--quick", "--memory-n", "3000", "--no-reads"])
    assert (told.memory_n, told.memory_checkpoint, told.reads_rows) == (3000, 300, 0)
    assert options_from(["--no-sanitizer"]).sanitizer_repeat == 0
