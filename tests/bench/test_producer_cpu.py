"""The producer CPU mode measures every path on a real Redis (no timing is asserted)."""

from __future__ import annotations

import redis

from bench import producer_cpu
from bench import world as worlds
from bench.workload import Workload
from producers.contract import QUEUES


def test_every_path_is_measured_and_the_queues_are_left_empty(
    broker_url: str, redis_client: redis.Redis
) -> None:
    workload = Workload(worlds.build(tenants=3, users=2, skills=2), seed=1)
    items = producer_cpu.captures(workload.submissions("cpu", 60))
    warmup = producer_cpu.captures(workload.submissions("cpu-warmup", 10))
    report = producer_cpu.measure(broker_url, items, warmup)
    rows = {(row["producer"], row["path"]): row for row in report["rows"]}
    assert set(rows) == {(producer, path) for producer, path, _ in producer_cpu.PATHS}
    assert all(row["cpu_us_per_call"] > 0 and row["envelope_bytes"] for row in rows.values())
    assert rows[("after", "single")]["calls"] == len(items)
    assert producer_cpu.target(report)["measured"] is not None
    assert len(producer_cpu.markdown_lines(report)) == 2 + len(rows)
    assert not any(redis_client.llen(queue) for queue in QUEUES)
