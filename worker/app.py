"""The Celery application of the intake workers."""

from __future__ import annotations

from typing import Any

from celery import Celery, signals

from worker.db import forget_inherited_engines

app = Celery("training_intake")
app.config_from_object("celeryconfig")
app.autodiscover_tasks(["worker"], related_name="tasks", force=True)


@signals.worker_process_init.connect
def _fresh_connections_in_child(**_: Any) -> None:
    # A forked pool process must never share the parent's database sockets.
    forget_inherited_engines()
