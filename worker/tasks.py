"""Thin Celery tasks: decode the message, hand the batch to the pipeline, retry transient faults."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task

from producers.contract import SUBMIT_MANY_TASK, SUBMIT_TASK
from worker import deadletters
from worker.app import app
from worker.batching.execute import finish
from worker.db import session_factory
from worker.errors import DecodeError, TransientError
from worker.failures import record_failed
from worker.messages import items_of
from worker.pipeline import process_batch
from worker.retry import backoff
from worker.settings import get_settings

# The worker consumes both tasks through the micro-batching strategy (worker.batching); the
# task bodies below run when a message is executed the ordinary way (eager calls, or with
# INTAKE_BATCHING=0), with Celery's own retry.
STRATEGY = "worker.batching.strategy:strategy"

log = logging.getLogger("worker.tasks")


@app.task(name=SUBMIT_TASK, bind=True, typing=False, max_retries=None, Strategy=STRATEGY)
def submit(self: Task, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """One submission: keyword argument `submission`, a JSON object."""
    try:
        items = items_of(SUBMIT_TASK, args, kwargs)
    except DecodeError as exc:
        return _dead_letter_message(self, exc)
    return _run(self, items)


@app.task(name=SUBMIT_MANY_TASK, bind=True, typing=False, max_retries=None, Strategy=STRATEGY)
def submit_many(self: Task, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Up to 1,000 submissions: keyword argument `submissions`, a JSON array of objects."""
    try:
        items = items_of(SUBMIT_MANY_TASK, args, kwargs)
    except DecodeError as exc:
        return _dead_letter_message(self, exc)
    return _run(self, items)


def _run(task: Task, items: list[Any]) -> list[dict[str, Any]]:
    settings = get_settings()
    started = time.perf_counter()
    factory = session_factory()
    try:
        report = process_batch(
            factory,
            items,
            max_text_length=settings.max_text_length,
            signing_keys=settings.signing_keys,
            db_role=settings.db_role,
        )
    except TransientError as exc:
        retries = task.request.retries or 0
        if retries < settings.max_retries:
            log.info("transient fault, retry %d of %d: %s", retries + 1, settings.max_retries, exc)
            raise task.retry(countdown=backoff(retries), exc=exc) from None
        try:
            report = record_failed(
                factory, task.name, items, exc, signing_keys=settings.signing_keys
            )
        except TransientError as still_down:
            # Nowhere to record the failure yet: keep the message alive and try again later.
            log.warning("cannot record failed submissions yet: %s", still_down)
            raise task.retry(countdown=settings.retry_backoff_max, exc=still_down) from None
    finish(report, started, task_names={task.name})
    return [result.as_dict() for result in report.results]


def _dead_letter_message(task: Task, exc: DecodeError) -> list[dict[str, Any]]:
    log.info("undecodable message task=%s id=%s: %s", task.name, task.request.id, exc)
    deadletters.record_safely(
        [
            deadletters.Letter(
                reason=exc.reason,
                task_name=task.name,
                error=str(exc),
                message_info={"task_id": task.request.id},
            )
        ]
    )
    return []
