"""Producer mode: submissions per second the Python and the TypeScript producers enqueue.

No worker runs: each producer sends the same submissions (the run's workload) to the run's
broker, one per `intake.submit` message and in `intake.submit_many` batches of 500, with its
default settings (validation, admission, no signing); the queues are emptied before and after.
Then the Python producer's CPU a call, before and after, path by path (bench/producer_cpu.py).
The TypeScript producer is `producers/typescript` (built with npm when its build is missing).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import producer_cpu
from bench.broker import purge
from bench.producer import Submission
from bench.variants.common import Context
from producers.contract import QUEUES

log = logging.getLogger("bench.producers")

PACKAGE = Path(__file__).resolve().parents[1] / "producers" / "typescript"
SENDER = PACKAGE / "dist" / "bench" / "send.js"
BATCH = 500
WARMUP = 200
PATHS = ("single", "bulk")
# (broker URL, path, warm-up submissions, timed submissions) -> seconds the timed ones took
Sender = Callable[[str, str, list[Submission], list[Submission]], float]


def run_producers(ctx: Context) -> dict[str, Any]:
    """Rows of {producer, path, seconds, rate}; `error` says what could not be measured."""
    n = ctx.options.producers_n
    items = ctx.workload.submissions("producers", n)
    warmup = ctx.workload.submissions("producers-warmup", WARMUP)
    rows: list[dict[str, Any]] = []
    report: dict[str, Any] = {"submissions": n, "batch": BATCH, "rows": rows}
    senders: dict[str, Sender] = {"Python": _python, "TypeScript": _typescript}
    try:
        _build()
    except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
        report["error"] = f"TypeScript producer unavailable: {exc}"
        del senders["TypeScript"]
    queues = ",".join(QUEUES)
    for path in PATHS:
        for producer, send in senders.items():
            purge(ctx.broker_url, queues)
            try:
                seconds = send(ctx.broker_url, path, warmup, items)
            except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
                report["error"] = f"{producer} {path}: {exc}"
                continue
            finally:
                purge(ctx.broker_url, queues)
            rate = n / seconds
            rows.append({"producer": producer, "path": path, "seconds": seconds, "rate": rate})
            log.info("%s %s: %d in %.2f s (%.0f/s)", producer, path, n, seconds, n / seconds)
    log.info("producer CPU a call: send_task before, IntakeClient single, coalesced and bulk")
    report["cpu"] = producer_cpu.measure(
        ctx.broker_url, producer_cpu.captures(items), producer_cpu.captures(warmup)
    )
    report["cpu"]["target"] = producer_cpu.target(report["cpu"])
    return report


def _build() -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise RuntimeError("node and npm are not installed")
    if not (PACKAGE / "node_modules").is_dir():
        _run([npm, "ci", "--no-audit", "--no-fund"])
    _run([npm, "run", "build"])


def _run(command: list[str]) -> None:
    done = subprocess.run(command, cwd=PACKAGE, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed: {done.stderr[-2000:]}")


def _python(broker_url: str, path: str, warmup: list[Submission], items: list[Submission]) -> float:
    from producers import IntakeClient

    with IntakeClient(broker_url, chunk_size=BATCH) as client:

        def send(batch: list[Submission]) -> None:
            if path == "single":
                for item in batch:
                    client.submit(item)
            else:
                for start in range(0, len(batch), BATCH):
                    client.capture_usage_many(batch[start : start + BATCH])

        send(warmup)
        started = time.perf_counter()
        send(items)
        return time.perf_counter() - started


def _typescript(
    broker_url: str, path: str, warmup: list[Submission], items: list[Submission]
) -> float:
    request = {
        "broker_url": broker_url,
        "path": path,
        "batch": BATCH,
        "warmup": warmup,
        "submissions": items,
    }
    done = subprocess.run(
        ["node", str(SENDER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=max(600, len(items) / 20),
    )
    if done.returncode != 0:
        raise RuntimeError(f"the TypeScript sender failed: {done.stderr[-2000:]}")
    return float(json.loads(done.stdout)["seconds"])


def markdown_lines(report: dict[str, Any]) -> list[str]:
    """The producer mode's table: each producer's enqueue rate, and its ratio to Python's."""
    rates = {(row["producer"], row["path"]): row["rate"] for row in report["rows"]}
    lines = [
        f"| producer: enqueue only, {report['submissions']:,} submissions | path | submissions/s "
        "| vs Python |",
        "|---|---|---:|---:|",
    ]
    for row in report["rows"]:
        python = rates.get(("Python", row["path"]))
        ratio = f"{row['rate'] / python:.3g}x" if python else "-"
        label = "one per message" if row["path"] == "single" else f"batches of {report['batch']}"
        lines.append(
            f"| {row['producer']} | {row['path']} ({label}) | {row['rate']:,.0f} | {ratio} |"
        )
    if "error" in report:
        lines += ["", f"Producer mode: {report['error']}"]
    if "cpu" in report:
        lines += ["", *producer_cpu.markdown_lines(report["cpu"])]
    return lines
