"""Memory flatness: the bulk path's worker RSS after M submissions against after a tenth of them."""

from __future__ import annotations

import itertools
import logging
import statistics
import time
from typing import Any

from bench.broker import purge
from bench.procs import RssSampler, tree_rss
from bench.variants.common import Context
from bench.workers import start_worker, stop_worker
from producers.contract import QUEUES

log = logging.getLogger("bench.memory")

QUEUE = ",".join(QUEUES)
CHUNK = 500
# Submissions allowed in flight (queued, unprocessed), so the broker never holds the whole run.
MAX_BACKLOG = 20_000


def _settled_rss(roots: list[int], samples: int = 5, gap: float = 0.2) -> int:
    """The median of a few RSS readings of an idle worker (one reading can catch a spike)."""
    readings = []
    for _ in range(samples):
        readings.append(tree_rss(roots))
        time.sleep(gap)
    return int(statistics.median(readings))


def run_memory(ctx: Context) -> dict[str, Any]:
    from producers import IntakeClient

    options = ctx.options
    total, checkpoint = options.memory_n, min(options.memory_checkpoint, options.memory_n)
    report: dict[str, Any] = {"submissions": total, "checkpoint": checkpoint, "path": "bulk"}
    purge(ctx.broker_url, QUEUE)
    ctx.fresh_tables()
    worker = start_worker(
        "worker.app", QUEUE, broker_url=ctx.broker_url, concurrency=options.concurrency,
        log_dir=ctx.log_dir, env=ctx.worker_env,
    )  # fmt: skip
    sampler = RssSampler([worker.pid], interval=0.5).start()
    report["rss_at_start_bytes"] = tree_rss([worker.pid])
    items = itertools.chain.from_iterable(ctx.workload.chunks("memory", total, CHUNK))
    sent = known_done = 0
    timeout = options.phase_timeout(MAX_BACKLOG)
    started = time.perf_counter()
    try:
        with IntakeClient(ctx.broker_url, chunk_size=CHUNK) as client:
            for mark, key in ((checkpoint, "rss_at_checkpoint_bytes"), (total, "rss_at_end_bytes")):
                while sent < mark:
                    if sent - known_done > MAX_BACKLOG:
                        # Counting a million rows is not free: ask only once per half backlog.
                        known_done = sent - MAX_BACKLOG // 2
                        ctx.db.wait_for_count("intake_outcomes", known_done, timeout)
                    chunk = list(itertools.islice(items, min(CHUNK, mark - sent)))
                    client.capture_usage_many(chunk)
                    sent += len(chunk)
                ctx.db.wait_for_count("intake_outcomes", mark, timeout)
                report[key] = _settled_rss([worker.pid])
                log.info("memory: %d processed, worker RSS %.1f MiB", mark, report[key] / 2**20)
        report["seconds"] = time.perf_counter() - started
        report["throughput"] = total / report["seconds"]
        report["rows"] = ctx.db.count("skill_feedback")
        report["growth"] = report["rss_at_end_bytes"] / report["rss_at_checkpoint_bytes"] - 1
    except Exception as exc:  # noqa: BLE001 - recorded in the report; the run goes on
        report["error"] = f"{type(exc).__name__}: {exc}"
        log.error("memory mode failed: %s\n%s", report["error"], worker.log_tail())
    finally:
        report["peak_rss_bytes"] = sampler.stop()
        stop_worker(worker)
        purge(ctx.broker_url, QUEUE)
        ctx.fresh_tables()
    return report
