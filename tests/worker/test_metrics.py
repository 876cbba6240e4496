"""Metrics: counted in every process, exposed over HTTP, the queue depth read at scrape time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from producers.contract import QUEUE
from worker import metrics
from worker.outcomes import Outcome, Reason, Result


@pytest.fixture
def multiprocess_dir(tmp_path: Path) -> Iterator[Path]:
    folder = metrics.enable_multiprocess(tmp_path / "metrics")
    yield folder
    metrics.reset()


@pytest.fixture
def local_mode() -> Iterator[None]:
    metrics.reset()
    yield
    metrics.reset()


def _results() -> list[Result]:
    return [
        Result("a", Outcome.ACCEPTED, None, "t", "golden_example"),
        Result("b", Outcome.SKIPPED, Reason.NO_CONSENT, "t", "usage_capture"),
        Result("c", Outcome.SKIPPED, Reason.NO_CONSENT, "t", "usage_capture"),
        Result(None, Outcome.REJECTED, Reason.INVALID, None, None),
    ]


def _scrape(server: metrics.MetricsServer) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=5) as response:
        assert response.status == 200
        body = response.read().decode()
    samples: dict[str, float] = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def test_a_batch_is_counted_by_outcome_reason_and_kind_and_exposed(
    multiprocess_dir: Path, broker_url: str
) -> None:
    metrics.observe_batch(_results(), 0.042)
    metrics.observe_batch(_results()[:1], 0.5)
    metrics.count_retry()
    metrics.count_dead_letter("undecodable")
    server = metrics.start_metrics_server(0, addr="127.0.0.1", broker_url=broker_url)
    try:
        samples = _scrape(server)
    finally:
        server.close()
    accepted = 'intake_submissions_total{kind="golden_example",outcome="accepted",reason="none"}'
    skipped = 'intake_submissions_total{kind="usage_capture",outcome="skipped",reason="no_consent"}'
    invalid = 'intake_submissions_total{kind="unknown",outcome="rejected",reason="invalid"}'
    assert (samples[accepted], samples[skipped], samples[invalid]) == (2.0, 2.0, 1.0)
    assert samples["intake_batch_size_count"] == 2.0
    assert samples["intake_batch_size_sum"] == 5.0
    assert samples['intake_batch_size_bucket{le="5.0"}'] == 2.0
    assert samples["intake_batch_duration_seconds_count"] == 2.0
    assert samples['intake_batch_duration_seconds_bucket{le="0.05"}'] == 1.0
    assert samples["intake_retries_total"] == 1.0
    assert samples['intake_dead_letters_total{reason="undecodable"}'] == 1.0


def test_counts_from_other_processes_sharing_the_folder_add_up(
    multiprocess_dir: Path, broker_url: str
) -> None:
    metrics.count_retry()
    # A pool process: another interpreter writing to the same folder, as a forked child does.
    script = textwrap.dedent(
        """
        from worker import metrics
        from worker.outcomes import Outcome, Result
        metrics.observe_batch([Result("x", Outcome.ACCEPTED, None, "t", "golden_example")], 0.1)
        metrics.count_retry()
        metrics.count_retry()
        """
    )
    env = {**os.environ, metrics.MULTIPROC_ENV: str(multiprocess_dir)}
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
    server = metrics.start_metrics_server(0, addr="127.0.0.1", broker_url=broker_url)
    try:
        samples = _scrape(server)
    finally:
        server.close()
    assert samples["intake_retries_total"] == 3.0
    accepted = 'intake_submissions_total{kind="golden_example",outcome="accepted",reason="none"}'
    assert samples[accepted] == 1.0


def test_the_queue_depth_is_read_from_the_broker_at_scrape_time(
    multiprocess_dir: Path, broker_url: str, redis_client: redis.Redis
) -> None:
    server = metrics.start_metrics_server(0, addr="127.0.0.1", broker_url=broker_url)
    try:
        assert _scrape(server)[f'intake_queue_depth{{queue="{QUEUE}"}}'] == 0.0
        redis_client.rpush(QUEUE, "m1", "m2", "m3")
        assert _scrape(server)[f'intake_queue_depth{{queue="{QUEUE}"}}'] == 3.0
    finally:
        server.close()


def test_an_unreachable_broker_leaves_the_depth_out_but_the_scrape_succeeds(
    multiprocess_dir: Path,
) -> None:
    metrics.count_retry()
    server = metrics.start_metrics_server(0, addr="127.0.0.1", broker_url="redis://127.0.0.1:1/0")
    try:
        samples = _scrape(server)
    finally:
        server.close()
    assert samples["intake_retries_total"] == 1.0
    assert not any(name.startswith("intake_queue_depth") for name in samples)


def test_starting_the_exporter_turns_multiprocess_mode_on_in_a_fresh_folder(
    local_mode: None, broker_url: str
) -> None:
    assert not metrics.multiprocess_enabled()
    server = metrics.start_metrics_server(0, addr="127.0.0.1", broker_url=broker_url)
    try:
        folder = Path(os.environ[metrics.MULTIPROC_ENV])
        metrics.count_dead_letter("retries_exhausted")
        assert list(folder.glob("counter_*.db"))
        assert _scrape(server)['intake_dead_letters_total{reason="retries_exhausted"}'] == 1.0
    finally:
        server.close()


def test_enabling_multiprocess_mode_wipes_the_files_a_previous_run_left(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_12345.db").write_bytes(b"stale")
    try:
        metrics.enable_multiprocess(folder)
        assert not (folder / "counter_12345.db").exists()
    finally:
        metrics.reset()


def test_without_multiprocess_mode_the_exporter_serves_this_process(
    local_mode: None, broker_url: str
) -> None:
    metrics.count_retry()
    registry = metrics.exposition_registry(None)
    names = {metric.name for metric in registry.collect()}
    assert "intake_retries" in names
    metrics.process_exited(os.getpid())  # a no-op outside multiprocess mode
