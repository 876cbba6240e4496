"""A Celery consumer that dead-letters undecodable and unknown messages without logging bodies."""

from __future__ import annotations

import logging
from typing import Any

from celery.worker.consumer import Consumer

from worker import deadletters

log = logging.getLogger("worker.consumer")


def _message_info(message: Any) -> dict[str, Any]:
    """What can be said of a message without its body (which may hold example text)."""
    headers = message.headers if isinstance(getattr(message, "headers", None), dict) else {}
    body = getattr(message, "body", None)
    return {
        "task_id": _short(headers.get("id")),
        "task_name": _short(headers.get("task")),
        "content_type": _short(getattr(message, "content_type", None)),
        "content_encoding": _short(getattr(message, "content_encoding", None)),
        "body_bytes": len(body) if isinstance(body, bytes | str) else None,
    }


def _short(value: Any, limit: int = 200) -> str | None:
    if value is None:
        return None
    return str(value)[:limit]


class IntakeConsumer(Consumer):
    """Celery's consumer, with every "cannot handle this message" path ending in a dead letter."""

    def _dead_letter(self, reason: str, message: Any, exc: BaseException | None) -> None:
        info = _message_info(message)
        error = None if exc is None else f"{type(exc).__name__}: {str(exc)[:300]}"
        log.warning(
            "dead-lettered message task=%s id=%s reason=%s error=%s",
            info["task_name"],
            info["task_id"],
            reason,
            error,
        )
        deadletters.record_safely(
            [
                deadletters.Letter(
                    reason=reason,
                    task_name=info["task_name"],
                    error=error,
                    message_info=info,
                )
            ]
        )

    def on_decode_error(self, message: Any, exc: BaseException) -> None:
        self._dead_letter("undecodable", message, exc)
        message.ack()

    def on_unknown_message(self, body: Any, message: Any) -> None:
        self._dead_letter("unknown_message", message, None)
        message.reject_log_error(log, self.connection_errors)

    def on_unknown_task(self, body: Any, message: Any, exc: BaseException) -> None:
        self._dead_letter("unknown_task", message, exc)
        message.reject_log_error(log, self.connection_errors)

    def on_invalid_task(self, body: Any, message: Any, exc: BaseException) -> None:
        self._dead_letter("invalid_task", message, exc)
        message.reject_log_error(log, self.connection_errors)
