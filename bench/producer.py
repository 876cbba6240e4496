"""Sending from the harness: a producer app for the bench queues and an open-loop paced sender."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from celery import Celery

from producers.client import producer_app as client_producer_app

Submission = dict[str, Any]
SendBatch = Callable[[list[Submission]], None]


def producer_app(broker_url: str) -> Celery:
    """A producer configured exactly as IntakeClient's own (and bound to `broker_url`)."""
    return client_producer_app(broker_url)


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
