"""The Celery apps of the baselines: the service's settings, Celery's stock consumer, own queue."""

from __future__ import annotations

from celery import Celery
from kombu import Queue


def baseline_app(name: str, queue: str) -> Celery:
    """An app with the service's settings (JSON only, late acks, prefetch, events, transport) on
    its own queue, so that whatever celeryconfig.py changes, the baselines follow. Its consumer is
    Celery's stock one: the intake consumer runs the intake tasks and nothing else."""
    app = Celery(name)
    app.config_from_object("celeryconfig")
    app.conf.update(
        task_default_queue=queue,
        task_queues=(Queue(queue, durable=True),),
        worker_consumer="celery.worker.consumer:Consumer",
    )
    return app
