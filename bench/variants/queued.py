"""The queued variants: the no-op ceiling, the naive worker, and the service's two paths."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from bench.broker import purge
from bench.cpu import CpuMeter
from bench.procs import RssSampler
from bench.producer import SendBatch, Submission, producer_app, send_all, send_paced
from bench.variants.common import Context, VariantResult, latency_count, summarize
from bench.variants.completion import Completion, RowsCompletion, TasksCompletion
from bench.workers import Worker, start_worker, stop_worker
from producers.contract import QUEUES

log = logging.getLogger("bench.queued")

# The main queue and the overflow queue of tenants over their admission rate.
INTAKE_QUEUE = ",".join(QUEUES)
BULK_CHUNK = 500
# The bulk path's steady load arrives as a flush every this many seconds, as a pipeline would.
BULK_FLUSH_SECONDS = 0.1


@dataclass(frozen=True)
class IngestPath:
    name: str
    label: str
    app_module: str
    queue: str
    # Submissions per send call: 1 message each, or capture_usage_many's chunks.
    batch: int
    open_sender: Callable[[Context], contextlib.AbstractContextManager[SendBatch]]
    completion: Callable[[Context, Worker], Completion]
    # Run the workers from another checkout (its .venv) instead of this one.
    tree: Path | None = None

    def latency_batch(self, rate: float) -> int:
        if self.batch == 1:
            return 1
        return max(1, min(self.batch, round(rate * BULK_FLUSH_SECONDS)))


@contextlib.contextmanager
def _task_sender(ctx: Context, task: str, queue: str) -> Iterator[SendBatch]:
    app = producer_app(ctx.broker_url)

    def send(items: list[Submission]) -> None:
        for item in items:
            app.send_task(
                task, kwargs={"submission": item}, queue=queue, task_id=item["submission_id"]
            )

    try:
        yield send
    finally:
        app.close()


@contextlib.contextmanager
def _intake_single(ctx: Context) -> Iterator[SendBatch]:
    from producers import IntakeClient

    with IntakeClient(ctx.broker_url) as client:

        def send(items: list[Submission]) -> None:
            for item in items:
                client.submit(item)

        yield send


@contextlib.contextmanager
def _intake_bulk(ctx: Context) -> Iterator[SendBatch]:
    from producers import IntakeClient

    with IntakeClient(ctx.broker_url, chunk_size=BULK_CHUNK) as client:

        def send(items: list[Submission]) -> None:
            client.capture_usage_many(items)

        yield send


def _ceiling() -> IngestPath:
    from bench.ceiling_app import NOOP_TASK, QUEUE

    return IngestPath(
        "ceiling", "Celery no-op (ceiling)", "bench.ceiling_app", QUEUE, 1,
        lambda ctx: _task_sender(ctx, NOOP_TASK, QUEUE),
        lambda ctx, worker: TasksCompletion(ctx, worker, QUEUE),
    )  # fmt: skip


def _naive() -> IngestPath:
    from bench.naive_worker import QUEUE, STORE_TASK

    return IngestPath(
        "naive", "naive worker (baseline)", "bench.naive_worker", QUEUE, 1,
        lambda ctx: _task_sender(ctx, STORE_TASK, QUEUE),
        lambda ctx, worker: RowsCompletion(ctx, "skill_feedback"),
    )  # fmt: skip


def _single() -> IngestPath:
    return IngestPath(
        "single", "intake.submit (single)", "worker.app", INTAKE_QUEUE, 1, _intake_single,
        lambda ctx, worker: RowsCompletion(ctx, "intake_outcomes"),
    )  # fmt: skip


def _bulk() -> IngestPath:
    return IngestPath(
        "bulk", "intake.submit_many (bulk)", "worker.app", INTAKE_QUEUE, BULK_CHUNK, _intake_bulk,
        lambda ctx, worker: RowsCompletion(ctx, "intake_outcomes"),
    )  # fmt: skip


def run_path(ctx: Context, path: IngestPath) -> VariantResult:
    """Fresh tables, a drained queue and a fresh worker; a throughput phase, then a latency one."""
    options = ctx.options
    result = VariantResult(path.name, path.label, options.n)
    purge(ctx.broker_url, path.queue)
    ctx.fresh_tables()
    worker = start_worker(
        path.app_module, path.queue, broker_url=ctx.broker_url,
        concurrency=options.concurrency, log_dir=ctx.log_dir, env=ctx.worker_env,
        tree=path.tree,
    )  # fmt: skip
    sampler = RssSampler([worker.pid]).start()
    completion = path.completion(ctx, worker)
    try:
        with path.open_sender(ctx) as send:
            _warm_up(ctx, path, send, completion)
            _throughput(ctx, path, send, completion, result, worker)
            if result.throughput:
                _latency(ctx, path, send, completion, result)
    except Exception as exc:  # noqa: BLE001 - recorded in the report; the run goes on
        result.error = f"{type(exc).__name__}: {exc}"
        log.error("%s failed: %s\n%s", path.name, result.error, worker.log_tail())
    finally:
        result.peak_rss_bytes = sampler.stop()
        completion.close()
        stop_worker(worker)
        purge(ctx.broker_url, path.queue)
    return result


def _warm_up(ctx: Context, path: IngestPath, send: SendBatch, completion: Completion) -> None:
    """A few submissions first, so every pool process has imported and connected."""
    completion.reset()
    items = ctx.workload.submissions(f"{path.name}-warmup", 4 * ctx.options.concurrency)
    send_all(items, send, path.batch)
    completion.wait(len(items), timeout=60)


def _throughput(
    ctx: Context,
    path: IngestPath,
    send: SendBatch,
    completion: Completion,
    result: VariantResult,
    worker: Worker,
) -> None:
    n = ctx.options.n
    items = ctx.workload.submissions(f"{path.name}-throughput", n)
    completion.reset()
    meter = CpuMeter(worker.pid, ctx.database_url, ctx.broker_url)
    started, sent = send_all(items, send, path.batch)
    finished, done = completion.wait(n, ctx.options.phase_timeout(n))
    result.cpu_us = meter.per_submission(n)
    result.completed = done
    result.seconds = finished - started
    result.throughput = n / result.seconds
    result.enqueue_rate = n / (sent - started)
    if isinstance(completion, RowsCompletion):
        result.rows = ctx.db.count("skill_feedback")
        outcomes = ctx.db.outcomes()
        result.outcomes = outcomes or None
        dead = ctx.db.count("intake_dead_letters")
        if dead:
            result.notes.append(f"{dead} dead letters")
    log.info(
        "%s: %d in %.2f s (%.0f/s; enqueue %.0f/s)",
        path.name, n, result.seconds, result.throughput, result.enqueue_rate,
    )  # fmt: skip


def _latency(
    ctx: Context, path: IngestPath, send: SendBatch, completion: Completion, result: VariantResult
) -> None:
    assert result.throughput is not None
    rate = result.throughput / 2
    items = ctx.workload.submissions(f"{path.name}-latency", latency_count(rate, ctx.options))
    completion.reset()
    probe_ids = [str(uuid.uuid4()) for _ in range(10)]
    probes = iter(ctx.workload.submissions(f"{path.name}-probe", len(probe_ids)))

    def send_probe(task_id: str) -> None:
        send([{**next(probes), "submission_id": task_id}])

    completion.begin_latency(probe_ids, send_probe)
    sent_at = send_paced(items, send, rate, path.latency_batch(rate))
    timeout = ctx.options.phase_timeout(len(items))
    completion.wait(len(items), timeout)
    seconds = completion.latencies(sent_at, timeout)
    if len(seconds) < len(items):
        result.notes.append(f"latency: {len(items) - len(seconds)} submissions not measured")
    result.latency = summarize(seconds, rate, completion.basis)
    if result.latency:
        log.info(
            "%s: at %.0f/s p50 %.1f ms, p99 %.1f ms",
            path.name, rate, result.latency.p50_ms, result.latency.p99_ms,
        )  # fmt: skip


def _before(make: Callable[[], IngestPath]) -> Callable[[Context], VariantResult]:
    """The same path, its workers running the code of --baseline-tree."""

    def run(ctx: Context) -> VariantResult:
        path = make()
        tree = ctx.options.baseline_tree
        assert tree is not None
        label = f"{path.label} before"
        return run_path(ctx, replace(path, name=f"{path.name}-before", label=label, tree=tree))

    return run


def _runner(make: Callable[[], IngestPath]) -> Callable[[Context], VariantResult]:
    return lambda ctx: run_path(ctx, make())


RUNNERS = {
    "ceiling": _runner(_ceiling),
    "naive": _runner(_naive),
    "single": _runner(_single),
    "bulk": _runner(_bulk),
    "single-before": _before(_single),
    "bulk-before": _before(_bulk),
}
