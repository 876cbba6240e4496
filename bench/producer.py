"""Sending from the harness: a producer app for the bench queues and an open-loop paced sender."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from celery import Celery

Submission = dict[str, Any]
SendBatch = Callable[[list[Submission]], None]


def producer_app(broker_url: str) -> Celery:
    """A producer configured as IntakeClient's own: JSON, confirmed, bounded publish retries."""
    app = Celery("bench_producer", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        event_serializer="json",
        broker_connection_timeout=5,
        broker_connection_retry=True,
        broker_connection_max_retries=3,
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0.1, "interval_step": 0.5},
        broker_transport_options={"confirm_publish": True},
    )
    return app


def send_all(items: Sequence[Submission], send: SendBatch, batch: int) -> tuple[float, float]:
    """Send everything as fast as possible; returns (first send started, last send returned)."""
    started = time.perf_counter()
    for start in range(0, len(items), batch):
        send(list(items[start : start + batch]))
    return started, time.perf_counter()


def send_paced(
    items: Sequence[Submission], send: SendBatch, rate: float, batch: int = 1
) -> dict[str, float]:
    """Offer `rate` submissions per second, `batch` per send; returns id -> enqueue wall time.

    Open loop: each batch has a due time on a fixed schedule; a late batch goes at once and
    the schedule does not shift. The harness sleeps between batches and never spins (the
    workers need the cores). The enqueue time is taken just before the send call.
    """
    sent_at: dict[str, float] = {}
    interval = batch / rate
    origin = time.perf_counter()
    for number, start in enumerate(range(0, len(items), batch)):
        delay = origin + number * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        chunk = list(items[start : start + batch])
        now = time.time()
        send(chunk)
        for item in chunk:
            sent_at[item["submission_id"]] = now
    return sent_at
