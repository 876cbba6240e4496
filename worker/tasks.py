"""Thin Celery tasks: decode the message, hand the batch to the pipeline, retry transient faults."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from typing import Any

from celery import Task

from producers.contract import MAX_BATCH_SIZE, SUBMIT_MANY_TASK, SUBMIT_TASK
from worker import deadletters, outcome_store
from worker.app import app
from worker.db import session_factory
from worker.errors import DecodeError, TransientError
from worker.failures import record_failed
from worker.outcomes import Outcome, Result
from worker.pipeline import BatchReport, process_batch
from worker.settings import get_settings

log = logging.getLogger("worker.tasks")


@app.task(name=SUBMIT_TASK, bind=True, typing=False, max_retries=None)
def submit(self: Task, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """One submission: keyword argument `submission`, a JSON object."""
    try:
        items = [_single(args, kwargs)]
    except DecodeError as exc:
        return _dead_letter_message(self, exc)
    return _run(self, items)


@app.task(name=SUBMIT_MANY_TASK, bind=True, typing=False, max_retries=None)
def submit_many(self: Task, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Up to 1,000 submissions: keyword argument `submissions`, a JSON array of objects."""
    try:
        items = _many(args, kwargs)
    except DecodeError as exc:
        return _dead_letter_message(self, exc)
    return _run(self, items)


def _single(args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    if set(kwargs) - {"submission"}:
        raise DecodeError(f"unexpected keyword arguments: {sorted(set(kwargs) - {'submission'})}")
    if "submission" in kwargs and not args:
        return kwargs["submission"]
    if len(args) == 1 and not kwargs:
        return args[0]
    raise DecodeError("expected one keyword argument `submission`")


def _many(args: Sequence[Any], kwargs: dict[str, Any]) -> list[Any]:
    if set(kwargs) - {"submissions"}:
        raise DecodeError(f"unexpected keyword arguments: {sorted(set(kwargs) - {'submissions'})}")
    if "submissions" in kwargs and not args:
        items = kwargs["submissions"]
    elif len(args) == 1 and not kwargs:
        items = args[0]
    else:
        raise DecodeError("expected one keyword argument `submissions`")
    if not isinstance(items, list):
        raise DecodeError("`submissions` must be a JSON array")
    if len(items) > MAX_BATCH_SIZE:
        raise DecodeError(f"`submissions` holds {len(items)} items; at most {MAX_BATCH_SIZE}")
    return items


def backoff(retries: int) -> float:
    """Exponential backoff with full jitter, capped."""
    settings = get_settings()
    ceiling = min(settings.retry_backoff_max, settings.retry_backoff_base * 2**retries)
    return random.uniform(ceiling / 2, ceiling)


def _run(task: Task, items: list[Any]) -> list[dict[str, Any]]:
    settings = get_settings()
    started = time.perf_counter()
    factory = session_factory()
    try:
        report = process_batch(factory, items, max_text_length=settings.max_text_length)
    except TransientError as exc:
        retries = task.request.retries or 0
        if retries < settings.max_retries:
            log.info(
                "transient fault, retry %d of %d: %s", retries + 1, settings.max_retries, exc
            )
            raise task.retry(countdown=backoff(retries), exc=exc) from None
        try:
            report = record_failed(factory, task.name, items, exc)
        except TransientError as still_down:
            # Nowhere to record the failure yet: keep the message alive and try again later.
            log.warning("cannot record failed submissions yet: %s", still_down)
            raise task.retry(countdown=settings.retry_backoff_max, exc=still_down) from None
    _after(task, report, started)
    return [result.as_dict() for result in report.results]


def _after(task: Task, report: BatchReport, started: float) -> None:
    settings = get_settings()
    outcome_store.publish(
        settings.outcome_store, report.newly_recorded, ttl_seconds=settings.outcome_ttl_seconds
    )
    _dead_letter_anonymous_invalid(task, report.results)
    for result in report.results:
        if result.outcome is not Outcome.ACCEPTED:
            log.info(
                "submission=%s tenant=%s outcome=%s reason=%s",
                result.submission_id,
                result.tenant_id,
                result.outcome.value,
                None if result.reason is None else result.reason.value,
            )
    counts = {o.value: report.count(o) for o in Outcome if report.count(o)}
    log.info(
        "batch task=%s id=%s size=%d %s duration_ms=%.1f",
        task.name,
        task.request.id,
        len(report.results),
        " ".join(f"{k}={v}" for k, v in counts.items()),
        (time.perf_counter() - started) * 1000,
    )


def _dead_letter_anonymous_invalid(task: Task, results: Sequence[Result]) -> None:
    """An invalid item without a usable submission id can't have an outcome row: dead-letter it."""
    anonymous = [r for r in results if r.submission_id is None]
    if not anonymous:
        return
    letters = [
        deadletters.Letter(
            reason="invalid",
            task_name=task.name,
            error="invalid submission without a usable submission_id",
            message_info={"task_id": task.request.id, "fields": r.detail.get("fields", {})},
        )
        for r in anonymous
    ]
    deadletters.record_safely(letters)


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
