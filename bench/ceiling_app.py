"""A Celery app whose task does nothing: Celery's own per-message cost, with our worker settings."""

from __future__ import annotations

from typing import Any

from bench.apps import baseline_app

QUEUE = "bench-ceiling"
NOOP_TASK = "bench.ceiling.noop"

app = baseline_app("bench_ceiling", QUEUE)
# Its completions are timed from task-succeeded events (the latency phase): on for it alone.
app.conf.update(worker_send_task_events=True)


@app.task(name=NOOP_TASK)
def noop(*args: Any, **kwargs: Any) -> None:
    """Receive the same message a submission is, and do nothing with it."""
