"""Celery's consumer, narrowed: only intake tasks run, and no message can stop or wedge it."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from celery.worker.consumer import Consumer
from vine import promise

from producers.contract import MAX_BATCH_SIZE
from worker import deadletters
from worker.envelope import INTAKE_TASKS, check_message
from worker.errors import MessageRefused
from worker.models import DeadLetterReason
from worker.settings import get_settings

log = logging.getLogger("worker.consumer")


def _fingerprint(message: Any) -> bytes:
    """What identifies a message across deliveries: its task id header and body digest."""
    headers = getattr(message, "headers", None)
    task_id = headers.get("id") if isinstance(headers, dict) else None
    body = getattr(message, "body", b"")
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    if not isinstance(body, bytes):
        body = repr(body).encode("utf-8", "surrogatepass")
    return repr(task_id).encode("utf-8", "surrogatepass") + hashlib.sha256(body).digest()


def _message_info(message: Any) -> dict[str, Any]:
    """What can be said of a message without its body (which may hold example text)."""
    headers = message.headers if isinstance(getattr(message, "headers", None), dict) else {}
    body = getattr(message, "body", None)
    return {
        "task_id": headers.get("id"),
        "content_type": getattr(message, "content_type", None),
        "content_encoding": getattr(message, "content_encoding", None),
        "body_bytes": len(body) if isinstance(body, bytes | str) else None,
    }


class IntakeConsumer(Consumer):
    """Every "cannot handle this message" path ends in one dead letter and an acknowledgement.

    Celery's own handler trusts the headers (a `task` header that is a table stops the worker
    with TypeError on RabbitMQ) and runs any registered task, Celery's built-ins included
    (`celery.group` would relay messages to any queue). Here a message is checked first
    (worker/envelope.py) and only the intake tasks have strategies.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The prefetch window holds a batch for every pool process and one more waiting, so no
        # pool process idles while the consumer refills the buffer.
        initial: int = getattr(self, "initial_prefetch_count", 0) or 0
        if initial:
            multiplier = max(1, int(self.prefetch_multiplier or 1))
            processes = max(1, initial // multiplier)
            window = (processes + 1) * get_settings().batch_size
            self.initial_prefetch_count = max(initial, window)

    def update_strategies(self) -> None:
        super().update_strategies()
        for name in list(self.strategies):
            if name not in INTAKE_TASKS:
                del self.strategies[name]

    def create_task_handler(self, promise: Any = promise) -> Any:
        celery_handler = super().create_task_handler(promise)
        # The batcher holds single messages to the smaller limit of their task.
        max_bytes = get_settings().max_message_bytes(MAX_BATCH_SIZE)

        def on_task_received(message: Any) -> None:
            try:
                task, _task_id = check_message(message.headers, message.body, max_bytes=max_bytes)
            except MessageRefused as exc:
                self._refuse(message, DeadLetterReason(exc.reason), str(exc))
                return
            try:
                celery_handler(message)
            except Exception as exc:
                log.exception("an intake message could not be handled; dead-lettering it")
                self._refuse(message, DeadLetterReason.UNPROCESSABLE, type(exc).__name__, task)

        return on_task_received

    def _refuse(self, message: Any, reason: DeadLetterReason, error: str, task: Any = None) -> None:
        """Record the message once as a dead letter and take it off the queue."""
        if task is None and isinstance(getattr(message, "headers", None), dict):
            task = message.headers.get("task")
        letter = deadletters.of_message(
            reason, _fingerprint(message), error=error, task_name=task, info=_message_info(message)
        )
        if deadletters.refuse([letter]):
            message.ack_log_error(log, self.connection_errors)
        # Otherwise there is nowhere to record it yet (the database is down): it stays
        # unacknowledged and comes back later (Redis: after the visibility timeout; RabbitMQ:
        # when the channel closes) instead of being refused again and again at once.

    def on_decode_error(self, message: Any, exc: BaseException) -> None:
        self._refuse(message, DeadLetterReason.UNDECODABLE, type(exc).__name__)

    def on_unknown_message(self, body: Any, message: Any) -> None:
        self._refuse(message, DeadLetterReason.MALFORMED_ENVELOPE, "not a task message")

    def on_unknown_task(self, body: Any, message: Any, exc: BaseException) -> None:
        self._refuse(message, DeadLetterReason.UNKNOWN_TASK, "not an intake task")

    def on_invalid_task(self, body: Any, message: Any, exc: BaseException) -> None:
        self._refuse(message, DeadLetterReason.UNDECODABLE, type(exc).__name__)
