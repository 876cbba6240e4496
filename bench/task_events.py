"""Celery `task-succeeded` events, collected in a thread: when each no-op task finished."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import Celery

log = logging.getLogger("bench.task_events")


class SucceededListener:
    """Records task id -> the worker's success timestamp, for tasks that ran after `start()`."""

    def __init__(self, app: Celery) -> None:
        self.app = app
        self.finished: dict[str, float] = {}
        self._receiver: Any = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="task-events", daemon=True)

    def _on_succeeded(self, event: dict[str, Any]) -> None:
        self.finished[event["uuid"]] = float(event["timestamp"])

    def _run(self) -> None:
        try:
            with self.app.connection_for_read() as connection:
                self._receiver = self.app.events.Receiver(
                    connection,
                    handlers={"task-succeeded": self._on_succeeded},
                    # Workers batch task events as `task.multi`; match every task event topic.
                    routing_key="task.*",
                )
                self._ready.set()
                self._receiver.capture(limit=None, timeout=None, wakeup=False)
        except Exception:  # logged here; the caller sees missing events
            log.exception("task event listener stopped")
        finally:
            self._ready.set()

    def start(self, timeout: float = 10.0) -> SucceededListener:
        self._thread.start()
        self._ready.wait(timeout)
        return self

    def wait_for(self, ids: set[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not ids.issubset(self.finished.keys()):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def stop(self) -> None:
        if self._receiver is not None:
            self._receiver.should_stop = True
        self._thread.join(timeout=5)
