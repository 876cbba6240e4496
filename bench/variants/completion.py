"""How a queued variant knows it is done, and when each submission got there."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from celery import Celery

from bench.broker import RedisQueueProbe, is_redis
from bench.producer import producer_app
from bench.tables import PhaseTimeout
from bench.task_events import SucceededListener
from bench.variants.common import Context
from bench.workers import Worker

TASKS_BASIS = "the worker's task-succeeded event time minus the enqueue wall time"


class Completion(Protocol):
    basis: str

    def reset(self) -> None: ...
    def wait(self, expected: int, timeout: float) -> tuple[float, int]: ...
    def begin_latency(self, probe: list[str], send_probe: Callable[[str], None]) -> None: ...
    def latencies(self, sent_at: dict[str, float], timeout: float) -> list[float]: ...
    def close(self) -> None: ...


class RowsCompletion:
    """Done when `table` holds the expected number of rows; latency from rows' commit times."""

    basis = "rows"

    def __init__(self, ctx: Context, table: str) -> None:
        self.ctx = ctx
        self.table = table

    def reset(self) -> None:
        self.ctx.fresh_tables()

    def wait(self, expected: int, timeout: float) -> tuple[float, int]:
        seen_at = self.ctx.db.wait_for_count(self.table, expected, timeout)
        return seen_at, self.ctx.db.count(self.table)

    def begin_latency(self, probe: list[str], send_probe: Callable[[str], None]) -> None:
        return None

    def latencies(self, sent_at: dict[str, float], timeout: float) -> list[float]:
        committed, self.basis = self.ctx.db.committed_at()
        return [committed[i] - t for i, t in sent_at.items() if i in committed]

    def close(self) -> None:
        return None


class TasksCompletion:
    """For the no-op ceiling: done when the queue is drained and the worker counted every task.

    On Redis, "drained" is read from the broker (nothing waiting, nothing unacknowledged; with
    late acks a task is acknowledged only after it ran), which costs the worker nothing. The
    worker's own task counter confirms the number. Latency comes from task-succeeded events.
    """

    basis = TASKS_BASIS

    def __init__(self, ctx: Context, worker: Worker, queue: str) -> None:
        self.worker = worker
        self.app: Celery = producer_app(ctx.broker_url)
        self.probe = RedisQueueProbe(ctx.broker_url, queue) if is_redis(ctx.broker_url) else None
        self.listener: SucceededListener | None = None
        self.base = 0

    def _total(self) -> int | None:
        inspect = self.app.control.inspect(destination=[self.worker.hostname], timeout=1.0)
        stats = (inspect.stats() or {}).get(self.worker.hostname)
        return None if stats is None else sum(stats.get("total", {}).values())

    def _idle(self) -> bool:
        if self.probe is not None:
            return self.probe.drained()
        inspect = self.app.control.inspect(destination=[self.worker.hostname], timeout=1.0)
        active = (inspect.active() or {}).get(self.worker.hostname)
        reserved = (inspect.reserved() or {}).get(self.worker.hostname)
        return active == [] and reserved == []

    def reset(self) -> None:
        self.base = self._total() or 0

    def wait(self, expected: int, timeout: float) -> tuple[float, int]:
        deadline = time.monotonic() + timeout
        done = 0
        while time.monotonic() < deadline:
            seen_at = time.perf_counter()
            if self._idle():
                done = (self._total() or self.base) - self.base
                if done >= expected:
                    return seen_at, done
            time.sleep(0.005 if self.probe is not None else 0.2)
        raise PhaseTimeout(f"no-op tasks: {done} of {expected} done after {timeout:.0f} s")

    def begin_latency(self, probe: list[str], send_probe: Callable[[str], None]) -> None:
        """Listen for task events; `send_probe(id)` is called until the listener hears one."""
        self.listener = SucceededListener(self.app).start()
        for task_id in probe:
            send_probe(task_id)
            if self.listener.wait_for({task_id}, timeout=1.0):
                return
        raise RuntimeError("no task-succeeded events arrived (are task events disabled?)")

    def latencies(self, sent_at: dict[str, float], timeout: float) -> list[float]:
        assert self.listener is not None
        self.listener.wait_for(set(sent_at), timeout)
        finished = self.listener.finished
        return [finished[i] - t for i, t in sent_at.items() if i in finished]

    def close(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self.probe is not None:
            self.probe.close()
        self.app.close()
