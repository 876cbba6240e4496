"""A stock Celery worker for the intake task names: Celery's own consumer, kombu's transports.

It records what each task received (the submission ids, and the argument reprs Celery would
show in events and logs) in a Redis list, so a test can see that stock Celery runs what the
producers send. Started by `celery -A tests.producers.stock_worker worker`.
"""

from __future__ import annotations

import json
import os
from typing import Any

import redis
from celery import Celery, Task

from producers.contract import QUEUE, SUBMIT_MANY_TASK, SUBMIT_TASK
from producers.queues import intake_queues

RECEIVED = "stock-worker:received"

app = Celery("stock_worker", broker=os.environ.get("STOCK_BROKER_URL"), set_as_current=False)
app.conf.update(
    broker_url=os.environ.get("STOCK_BROKER_URL"),
    accept_content=["json"],
    task_queues=intake_queues(),
    task_default_queue=QUEUE,
    task_acks_late=True,
    task_ignore_result=True,
    worker_hijack_root_logger=False,
)
_record = redis.Redis.from_url(os.environ.get("STOCK_RECORD_URL") or "redis://127.0.0.1:1/0")


def _received(task: Task, ids: list[str]) -> None:
    request = task.request
    _record.rpush(
        RECEIVED,
        json.dumps(
            {
                "task": task.name,
                "ids": ids,
                "argsrepr": request.argsrepr,
                "kwargsrepr": request.kwargsrepr,
            }
        ),
    )


@app.task(name=SUBMIT_TASK, bind=True)
def submit(self: Task, submission: dict[str, Any]) -> None:
    _received(self, [submission["submission_id"]])


@app.task(name=SUBMIT_MANY_TASK, bind=True)
def submit_many(self: Task, submissions: list[dict[str, Any]]) -> None:
    _received(self, [item["submission_id"] for item in submissions])
