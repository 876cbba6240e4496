"""A Celery app whose task does nothing: Celery's own per-message cost, with our worker settings."""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import Queue

QUEUE = "bench-ceiling"
NOOP_TASK = "bench.ceiling.noop"

app = Celery("bench_ceiling")
# The service's settings (JSON only, late acks, prefetch, events, consumer, transport), on its
# own queue: whatever celeryconfig.py changes, the ceiling follows.
app.config_from_object("celeryconfig")
app.conf.update(task_default_queue=QUEUE, task_queues=(Queue(QUEUE, durable=True),))


@app.task(name=NOOP_TASK)
def noop(*args: Any, **kwargs: Any) -> None:
    """Receive the same message a submission is, and do nothing with it."""
