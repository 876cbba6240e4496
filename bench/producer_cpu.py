"""Producer CPU a call: Celery's `send_task` (how producers sent before) and IntakeClient.

No worker runs. The same usage captures go through each path against the same Redis, one path
after another, the queues emptied in between: `before` validates, admits and calls Celery's
`send_task` as the client did before it made its own envelopes (the baseline); `after` is
IntakeClient one capture a call, coalescing (`coalesce=True`, its final flush timed too), and
in bulk (`capture_usage_many`, 500 a call). CPU is `time.process_time()` (every thread of the
process, so a coalescing client's sending thread counts); wall throughput is calls per second.
`python -m bench.producer_cpu [--n N]` runs it alone on an embedded Redis.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis

from bench.broker import purge
from bench.producer import Submission
from producers import IntakeClient
from producers.admission import Admission
from producers.celery_app import producer_app
from producers.contract import (
    OVERFLOW_QUEUE,
    QUEUE,
    QUEUES,
    SUBMIT_MANY_TASK,
    SUBMIT_TASK,
    parse_submission,
)

log = logging.getLogger("bench.producer_cpu")

BATCH = 500
WARMUP = 300
CAPTURE_FIELDS = ("tenant_id", "user_id", "skill_id", "usage_event_id")
# (producer, path, what one call sends)
PATHS = (
    ("before", "single", "send_task, one capture a call"),
    ("before", "bulk", f"send_task, {BATCH} captures a call"),
    ("after", "single", "capture_usage"),
    ("after", "coalesced", "capture_usage, coalesce=True"),
    ("after", "bulk", f"capture_usage_many, {BATCH} a call"),
)
# Sends a list of captures, one call per capture or per batch; returns the number of calls.
Send = Callable[[list[Submission]], int]


class CelerySendTask:
    """The baseline: validate, admit, then Celery's `send_task` (reprs, a new client a publish)."""

    def __init__(self, broker_url: str) -> None:
        self.app = producer_app(broker_url)
        self.store = redis.Redis.from_url(broker_url, socket_timeout=5)
        self.admission = Admission(self.store, 100)

    def submit(self, item: Submission) -> None:
        valid = parse_submission(item)
        queue = QUEUE if self.admission.admit(valid.tenant_id) else OVERFLOW_QUEUE
        self.app.send_task(
            SUBMIT_TASK, kwargs={"submission": valid.to_message()}, queue=queue, task_id=valid.id
        )

    def submit_many(self, items: list[Submission]) -> None:
        valid = [parse_submission(item) for item in items]
        allowance = self.admission.admit_many(Counter(v.tenant_id for v in valid))
        lanes: dict[str, list[dict[str, Any]]] = {QUEUE: [], OVERFLOW_QUEUE: []}
        for item in valid:
            admitted = allowance[item.tenant_id] > 0
            allowance[item.tenant_id] -= 1
            lanes[QUEUE if admitted else OVERFLOW_QUEUE].append(item.to_message())
        for queue, lane in lanes.items():
            if lane:
                self.app.send_task(SUBMIT_MANY_TASK, kwargs={"submissions": lane}, queue=queue)

    def close(self) -> None:
        self.app.close()
        self.store.close()


def captures(items: list[Submission]) -> list[Submission]:
    """The usage captures among the workload's submissions (what capture_usage takes)."""
    return [item for item in items if item.get("kind") == "usage_capture"]


@contextmanager
def _sender(producer: str, path: str, broker_url: str) -> Iterator[Send]:
    if producer == "before":
        baseline = CelerySendTask(broker_url)
        try:
            if path == "single":
                yield lambda items: _each(items, baseline.submit)
            else:
                yield lambda items: _batches(items, baseline.submit_many)
        finally:
            baseline.close()
        return
    client = IntakeClient(broker_url, chunk_size=BATCH, coalesce=path == "coalesced")
    try:
        if path == "bulk":
            yield lambda items: _batches(items, client.capture_usage_many)
        else:

            def one_a_call(items: list[Submission]) -> int:
                for item in items:
                    client.capture_usage(
                        **{name: item[name] for name in CAPTURE_FIELDS},
                        example_input=item["example_input"],
                        example_output=item["example_output"],
                        submission_id=item["submission_id"],
                    )
                client.flush()  # a coalescing client's last batch is part of the cost
                return len(items)

            yield one_a_call
    finally:
        client.close()


def _each(items: list[Submission], send: Callable[[Submission], Any]) -> int:
    for item in items:
        send(item)
    return len(items)


def _batches(items: list[Submission], send: Callable[[list[Submission]], Any]) -> int:
    for start in range(0, len(items), BATCH):
        send(items[start : start + BATCH])
    return -(-len(items) // BATCH)


def measure(broker_url: str, items: list[Submission], warmup: list[Submission]) -> dict[str, Any]:
    """Rows of {producer, path, calls, cpu_us_per_call, cpu_us_per_capture, rate, ...}."""
    rows = []
    queues = ",".join(QUEUES)
    for producer, path, label in PATHS:
        purge(broker_url, queues)
        try:
            with _sender(producer, path, broker_url) as send:
                send(warmup)
                purge(broker_url, queues)
                cpu, wall = time.process_time(), time.perf_counter()
                calls = send(items)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            sizes = _item_sizes(broker_url)
        finally:
            purge(broker_url, queues)
        rows.append(
            {
                "producer": producer,
                "path": path,
                "label": label,
                "calls": calls,
                "cpu_us_per_call": cpu / calls * 1e6,
                "cpu_us_per_capture": cpu / len(items) * 1e6,
                "captures_per_s": len(items) / wall,
                "envelope_bytes": statistics.fmean(sizes) if sizes else None,
            }
        )
        log.info("%s %s: %.0f us CPU a call", producer, path, rows[-1]["cpu_us_per_call"])
    submission = statistics.fmean(len(json.dumps(item)) for item in items)
    return {"captures": len(items), "batch": BATCH, "submission_bytes": submission, "rows": rows}


def _item_sizes(broker_url: str) -> list[int]:
    with redis.Redis.from_url(broker_url) as client:
        return [len(item) for queue in QUEUES for item in client.lrange(queue, 0, 199)]


def markdown_lines(report: dict[str, Any]) -> list[str]:
    """The table: CPU a call and a capture, throughput, envelope size; `after` vs `before`."""
    rows = report["rows"]
    before = {row["path"]: row for row in rows if row["producer"] == "before"}
    lines = [
        f"| producer CPU, {report['captures']:,} usage captures "
        f"(~{report['submission_bytes']:,.0f} B each) | CPU µs a call | CPU µs a capture "
        "| captures/s (wall) | bytes a message | CPU vs before single |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    single = before.get("single")
    for row in rows:
        ratio = f"{row['cpu_us_per_capture'] / single['cpu_us_per_capture']:.3f}" if single else "-"
        size = "-" if row["envelope_bytes"] is None else f"{row['envelope_bytes']:,.0f}"
        lines.append(
            f"| {row['producer']}: {row['label']} | {row['cpu_us_per_call']:,.0f} "
            f"| {row['cpu_us_per_capture']:,.1f} | {row['captures_per_s']:,.0f} | {size} "
            f"| {ratio} |"
        )
    return lines


def target(report: dict[str, Any]) -> dict[str, Any]:
    """Coalesced capture_usage at most a tenth of the CPU of a send_task call a capture."""
    by = {(row["producer"], row["path"]): row["cpu_us_per_capture"] for row in report["rows"]}
    base, coalesced = by.get(("before", "single")), by.get(("after", "coalesced"))
    ratio = None if not base or coalesced is None else coalesced / base
    return {
        "target": "coalesced capture_usage CPU <= 1/10 of send_task's a capture",
        "measured": None if ratio is None else round(ratio, 3),
        "goal": 0.1,
        "met": None if ratio is None else ratio <= 0.1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="usage captures a path")
    parser.add_argument("--broker-url", help="a Redis URL (default: an embedded Redis)")
    parser.add_argument("--out", type=Path, help="also write the report here as JSON")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from bench import world as worlds
    from bench.workload import Workload

    workload = Workload(worlds.build(), seed=5)
    items = captures(workload.submissions("producer-cpu", args.n * 2))[: args.n]
    warmup = captures(workload.submissions("producer-cpu-warmup", WARMUP * 2))[:WARMUP]
    with _broker(args.broker_url) as url:
        report = measure(url, items, warmup)
    report["target"] = target(report)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    print("\n".join(markdown_lines(report)))
    print(f"\n{report['target']['target']}: {report['target']['measured']:.3f}")


@contextmanager
def _broker(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from worker.embedded import EmbeddedRedis

    with EmbeddedRedis.temporary("intake-producer-cpu-") as server:
        yield server.url(0)


if __name__ == "__main__":
    main()
