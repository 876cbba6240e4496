"""Celery protocol-2 messages built by hand, as a producer in another language would."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import amqp


def task_headers(
    *, task: str | None, task_id: str, headers: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The protocol-2 headers of a task message; `task=None` leaves the task name out."""
    message_headers: dict[str, Any] = {
        "lang": "js",
        "task": task,
        "id": task_id,
        "root_id": task_id,
        "parent_id": None,
        "group": None,
        "retries": 0,
        "eta": None,
        "expires": None,
    }
    if task is None:
        del message_headers["task"]
    message_headers.update(headers or {})
    return message_headers


def envelope(
    body: bytes,
    *,
    task: str | None = "intake.submit",
    task_id: str | None = None,
    content_type: str = "application/json",
    headers: dict[str, Any] | None = None,
) -> bytes:
    """The JSON envelope kombu's Redis transport pushes onto the queue's list."""
    task_id = task_id or str(uuid.uuid4())
    return json.dumps(
        {
            "body": base64.b64encode(body).decode(),
            "content-encoding": "utf-8",
            "content-type": content_type,
            "headers": task_headers(task=task, task_id=task_id, headers=headers),
            "properties": {
                "correlation_id": task_id,
                "reply_to": "",
                "delivery_mode": 2,
                "delivery_info": {"exchange": "", "routing_key": "intake"},
                "priority": 0,
                "body_encoding": "base64",
                "delivery_tag": str(uuid.uuid4()),
            },
        }
    ).encode()


def amqp_message(
    body: bytes,
    *,
    task: str | None = "intake.submit",
    task_id: str | None = None,
    content_type: str = "application/json",
    headers: dict[str, Any] | None = None,
) -> amqp.Message:
    """The same message as an AMQP client library publishes it: properties and a header table."""
    task_id = task_id or str(uuid.uuid4())
    return amqp.Message(
        body,
        content_type=content_type,
        content_encoding="utf-8",
        application_headers=task_headers(task=task, task_id=task_id, headers=headers),
        correlation_id=task_id,
        reply_to="",
        delivery_mode=2,  # persistent
        priority=0,
    )


def task_body(kwargs: dict[str, Any]) -> bytes:
    """[args, kwargs, embed]: the protocol-2 body."""
    return json.dumps(
        [[], kwargs, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}]
    ).encode()
