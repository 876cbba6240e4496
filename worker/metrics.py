"""Prometheus metrics of the workers, in multiprocess mode so every prefork pool process counts."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections import Counter as Tally
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from producers.contract import QUEUES
from worker.outcomes import Result

log = logging.getLogger("worker.metrics")

# prometheus-client's own switch: it reads this variable itself to choose multiprocess mode.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
NO_REASON = "none"
BATCH_SIZE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
QUEUE_DEPTH_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class _Metrics:
    submissions: Counter
    batch_size: Histogram
    batch_duration: Histogram
    retries: Counter
    dead_letters: Counter


_lock = threading.Lock()
_metrics: _Metrics | None = None
# Where metrics live when multiprocess mode is off (a solo worker, a test): exposed as is.
_local_registry = CollectorRegistry()


def _create() -> _Metrics:
    # Chosen now rather than when prometheus-client was first imported: whoever imported it
    # first may have done so before the multiprocess folder was set.
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    registry = None if multiprocess_enabled() else _local_registry
    return _Metrics(
        submissions=Counter(
            "intake_submissions",
            "Submissions processed, by outcome, reason and kind.",
            ["outcome", "reason", "kind"],
            registry=registry,
        ),
        batch_size=Histogram(
            "intake_batch_size",
            "Submissions per processed batch.",
            buckets=BATCH_SIZE_BUCKETS,
            registry=registry,
        ),
        batch_duration=Histogram(
            "intake_batch_duration_seconds",
            "Time to process one batch: decode, authorize, sanitize, insert and record.",
            buckets=DURATION_BUCKETS,
            registry=registry,
        ),
        retries=Counter(
            "intake_retries", "Transient faults retried with backoff.", registry=registry
        ),
        dead_letters=Counter(
            "intake_dead_letters",
            "Messages or submissions dead-lettered, by reason.",
            ["reason"],
            registry=registry,
        ),
    )


def _get() -> _Metrics:
    global _metrics
    if _metrics is None:
        with _lock:
            if _metrics is None:
                _metrics = _create()
    return _metrics


def multiprocess_enabled() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


# -- hooks for the worker ------------------------------------------------------------------------


def observe_batch(results: Sequence[Result], duration_seconds: float) -> None:
    """Count a processed batch: each submission by outcome and reason, the size, the duration."""
    metrics = _get()
    tally = Tally(
        (
            result.outcome.value,
            NO_REASON if result.reason is None else result.reason.value,
            result.kind or "unknown",
        )
        for result in results
    )
    # One increment per label set: each is a write to this process's metrics file.
    for (outcome, reason, kind), count in tally.items():
        metrics.submissions.labels(outcome=outcome, reason=reason, kind=kind).inc(count)
    metrics.batch_size.observe(len(results))
    metrics.batch_duration.observe(max(0.0, duration_seconds))


def count_retry() -> None:
    """Count one retry after a transient fault."""
    _get().retries.inc()


def count_dead_letter(reason: str) -> None:
    """Count one dead letter (`undecodable`, `invalid`, `retries_exhausted`, ...)."""
    _get().dead_letters.labels(reason=reason or NO_REASON).inc()


def process_exited(pid: int) -> None:
    """Tell multiprocess mode a pool process is gone (Celery's `worker_process_shutdown`)."""
    if multiprocess_enabled():
        mark_process_dead(pid)  # type: ignore[no-untyped-call]


# -- the exporter, in the worker's main process ---------------------------------------------------


def enable_multiprocess(directory: str | Path | None = None) -> Path:
    """Make metrics of this process and of every process it forks afterwards add up.

    Uses `directory`, else the folder PROMETHEUS_MULTIPROC_DIR names, else a new temporary one;
    wipes the metric files a previous run left there (prometheus-client's rule for this mode).
    Call it in the main process before the pool forks.
    """
    chosen = (
        directory or os.environ.get(MULTIPROC_ENV) or tempfile.mkdtemp(prefix="intake-metrics-")
    )
    path = Path(chosen)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(path)
    _forget()  # made again, in multiprocess mode, at the next use
    return path


class QueueDepthCollector:
    """`intake_queue_depth`: messages waiting in each intake queue, read at scrape time."""

    def __init__(self, broker_url: str, queues: Sequence[str] = QUEUES) -> None:
        self.broker_url = broker_url
        self.queues = tuple(queues)

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "intake_queue_depth", "Messages waiting in the broker queue.", labels=["queue"]
        )
        for queue, depth in self.depths().items():
            gauge.add_metric([queue], depth)
        yield gauge

    def depths(self) -> dict[str, int]:
        """Each queue's length; empty when the broker cannot say right now (logged, not raised)."""
        try:
            if self.broker_url.startswith(("redis://", "rediss://", "unix://")):
                return self._redis_depths()
            return self._kombu_depths()
        except Exception as exc:  # noqa: BLE001 - a scrape must never fail over the broker
            log.warning("queue depth unavailable: %s", type(exc).__name__)
            return {}

    def _redis_depths(self) -> dict[str, int]:
        import redis

        client = redis.Redis.from_url(
            self.broker_url,
            socket_timeout=QUEUE_DEPTH_TIMEOUT,
            socket_connect_timeout=QUEUE_DEPTH_TIMEOUT,
        )
        try:
            # The transport keeps one list per queue (priority_steps = [0]).
            return {queue: int(client.llen(queue)) for queue in self.queues}
        finally:
            client.close()

    def _kombu_depths(self) -> dict[str, int]:
        from kombu.connection import Connection

        connection: Any = Connection(  # type: ignore[no-untyped-call]
            self.broker_url, connect_timeout=QUEUE_DEPTH_TIMEOUT
        )
        depths: dict[str, int] = {}
        with connection:
            channel = connection.default_channel
            for queue in self.queues:
                # A passive declare only asks; it never creates the queue (and a queue no
                # worker declared yet is an error that closes the channel: count it as empty).
                try:
                    declared = channel.queue_declare(queue=queue, passive=True)
                except connection.channel_errors:
                    depths[queue] = 0
                    channel = connection.channel()
                    continue
                depths[queue] = int(declared.message_count)
        return depths


def exposition_registry(broker_url: str | None = None) -> CollectorRegistry:
    """What the exporter serves: every process's metrics (or this one's) and the queue depth."""
    registry = CollectorRegistry()
    if multiprocess_enabled():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_local_registry)
    if broker_url:
        registry.register(QueueDepthCollector(broker_url))
    return registry


@dataclass
class MetricsServer:
    """The running exporter; `close()` stops it (the worker simply exits instead)."""

    server: Any
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_metrics_server(
    port: int, *, addr: str = "0.0.0.0", broker_url: str | None = None
) -> MetricsServer:
    """Serve /metrics on `port` (0 picks a free one) from a thread of the worker's main process.

    Turns multiprocess mode on first, so call it before the pool forks (Celery's `worker_init`
    signal, or before `worker_main`). `broker_url` defaults to the configured broker.
    """
    if not multiprocess_enabled():
        enable_multiprocess()
    if broker_url is None:
        from worker.settings import get_settings

        broker_url = get_settings().broker_url
    server, thread = start_http_server(port, addr=addr, registry=exposition_registry(broker_url))
    handle = MetricsServer(server, thread)
    log.info("metrics on http://%s:%d/metrics", addr, handle.port)
    return handle


def _forget() -> None:
    global _metrics, _local_registry
    with _lock:
        _metrics = None
        _local_registry = CollectorRegistry()


def reset() -> None:
    """Forget the metric objects and leave multiprocess mode (tests; the folder is left alone)."""
    _forget()
    close_files = getattr(values, "close_all_multiprocess_files", None)
    if close_files is not None:
        close_files()
    os.environ.pop(MULTIPROC_ENV, None)
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
