"""The intake tasks: declarations only; the work is in worker.ingest.

A worker consumes both tasks through the micro-batching strategy (worker/batching/strategy.py),
which hands batches of messages to worker.ingest.run in a pool process. The bodies below run only
when a task is called directly (`task.apply()`, eager mode): the same path, one call at a time.
"""

from __future__ import annotations

from typing import Any

from producers.contract import SUBMIT_MANY_TASK, SUBMIT_TASK
from worker.app import app
from worker.ingest.run import run_call

STRATEGY = "worker.batching.strategy:strategy"


@app.task(name=SUBMIT_TASK, typing=False, Strategy=STRATEGY)
def submit(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """One submission: keyword argument `submission`, a JSON object."""
    return run_call(SUBMIT_TASK, args, kwargs)


@app.task(name=SUBMIT_MANY_TASK, typing=False, Strategy=STRATEGY)
def submit_many(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Up to 1,000 submissions: keyword argument `submissions`, a JSON array of objects."""
    return run_call(SUBMIT_MANY_TASK, args, kwargs)
