"""The inline baseline: the platform's synchronous path, in as many caller processes as workers."""

from __future__ import annotations

import json
import logging
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from bench.procs import RssSampler
from bench.variants.common import Context, VariantResult, latency_count, summarize
from bench.workers import ROOT, stop_group

log = logging.getLogger("bench.inline")

BASIS = "commit returned minus call start, measured in the caller"


def _readline(stream: IO[str], deadline: float) -> str:
    """A line from a child's stdout, or "" if none came before `deadline`."""
    remaining = deadline - time.monotonic()
    if remaining <= 0 or not select.select([stream], [], [], remaining)[0]:
        return ""
    return stream.readline().strip()


def _callers(
    ctx: Context, submissions: list[dict[str, Any]], rate: float | None, phase: str
) -> tuple[list[dict[str, Any]], float, int]:
    """Run the submissions split over `concurrency` processes; (results, go time, peak RSS)."""
    count = ctx.options.concurrency
    shares = [submissions[i::count] for i in range(count)]
    processes: list[subprocess.Popen[str]] = []
    outputs: list[Path] = []
    try:
        for index, share in enumerate(shares):
            job = ctx.log_dir / f"inline-{phase}-{index}.json"
            job.write_text(
                json.dumps(
                    {
                        "database_url": ctx.database_url,
                        "submissions": share,
                        "rate": None if rate is None else rate / count,
                    }
                )
            )
            outputs.append(ctx.log_dir / f"inline-{phase}-{index}.result.json")
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.inline_runner", str(job), str(outputs[-1])],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
            )
        deadline = time.monotonic() + 60
        for process in processes:
            assert process.stdout is not None
            if _readline(process.stdout, deadline) != "ready":
                raise RuntimeError("an inline caller did not get ready in 60 s")
        sampler = RssSampler([p.pid for p in processes]).start()
        go = time.time() + 0.2
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(f"go {go}\n")
            process.stdin.flush()
        deadline = time.monotonic() + ctx.options.phase_timeout(len(submissions))
        for process in processes:
            assert process.stdout is not None
            if _readline(process.stdout, deadline) != "done":
                raise RuntimeError("an inline caller did not finish in time")
        peak = sampler.stop()
        return [json.loads(path.read_text()) for path in outputs], go, peak
    finally:
        for process in processes:
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
            stop_group(process, timeout=10)


def run_inline(ctx: Context) -> VariantResult:
    options = ctx.options
    n = options.n
    result = VariantResult("inline", "inline (platform today)", n)
    try:
        ctx.fresh_tables()
        items = ctx.workload.submissions("inline-throughput", n)
        results, go, peak = _callers(ctx, items, None, "throughput")
        result.seconds = max(r["finished"] for r in results) - go
        result.throughput = n / result.seconds
        # The caller waits for its own commit: what it can hand over is what it stores.
        result.enqueue_rate = result.throughput
        result.rows = result.completed = ctx.db.count("skill_feedback")
        result.outcomes = _merged([r["outcomes"] for r in results])
        log.info("inline: %d in %.2f s (%.0f/s)", n, result.seconds, result.throughput)

        ctx.fresh_tables()
        rate = result.throughput / 2
        items = ctx.workload.submissions("inline-latency", latency_count(rate, options))
        results, _, latency_peak = _callers(ctx, items, rate, "latency")
        seconds = [s for r in results for s in r["latencies"]]
        result.latency = summarize(seconds, rate, BASIS)
        result.peak_rss_bytes = max(peak, latency_peak)
        result.notes.append(f"{options.concurrency} caller processes, one connection each")
    except Exception as exc:  # noqa: BLE001 - recorded in the report; the run goes on
        result.error = f"{type(exc).__name__}: {exc}"
        log.error("inline failed: %s", result.error)
    return result


def _merged(counts: list[dict[str, int]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for part in counts:
        for key, value in part.items():
            merged[key] = merged.get(key, 0) + value
    return merged
