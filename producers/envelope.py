"""Celery message protocol 2, made here: compact envelopes with example text in the body only.

A task call is `[args, kwargs, embed]` as JSON in the body, and headers that say what to run.
Celery's own `send_task` also writes `repr()`s of the arguments into the headers (`argsrepr`,
`kwargsrepr`, which task events, Flower and logs show): for a submission that is the example
text itself. Here they name the submission id or the number of submissions instead, as the
TypeScript producer's envelopes do, and headers Celery reads as absent when they are null
(`shadow`, `group_index`, `timelimit`) are left out.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any

from producers.contract import SUBMIT_MANY_TASK, SUBMIT_TASK

# The embedded options of a plain call (no callbacks, no chain, no chord), as JSON.
_EMBED = b'{"callbacks":null,"errbacks":null,"chain":null,"chord":null}'


@dataclass(frozen=True, slots=True)
class TaskMessage:
    """One task call before a broker adds its delivery details: the body and the headers."""

    task_id: str
    body: bytes
    headers: dict[str, Any]

    content_type = "application/json"
    content_encoding = "utf-8"


def encode(message: Any) -> bytes:
    """A submission message (or a list of them) as the body carries it: compact JSON in UTF-8.

    Non-ASCII text stays itself (not `\\uXXXX`), so it costs its UTF-8 bytes, not six a
    character. Validated text holds no lone surrogates, so it always encodes.
    """
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def encode_array(encoded: list[bytes]) -> bytes:
    """A JSON array of encoded submissions."""
    return b"[" + b",".join(encoded) + b"]"


def single_call(encoded: bytes, submission_id: str) -> TaskMessage:
    """`intake.submit(submission=...)`, its task id the submission id."""
    body = b'[[],{"submission":' + encoded + b"}," + _EMBED + b"]"
    return TaskMessage(
        submission_id, body, _headers(SUBMIT_TASK, submission_id, f"<submission {submission_id}>")
    )


def bulk_call(encoded: bytes, count: int) -> TaskMessage:
    """`intake.submit_many(submissions=[...])` of an encoded array of `count` submissions."""
    task_id = str(uuid.uuid4())
    body = b'[[],{"submissions":' + encoded + b"}," + _EMBED + b"]"
    return TaskMessage(task_id, body, _headers(SUBMIT_MANY_TASK, task_id, f"<{count} submissions>"))


def _headers(task: str, task_id: str, described: str) -> dict[str, Any]:
    kwarg = "submission" if task == SUBMIT_TASK else "submissions"
    return {
        "lang": "py",
        "task": task,
        "id": task_id,
        "root_id": task_id,
        "parent_id": None,
        "group": None,
        "retries": 0,
        "eta": None,
        "expires": None,
        "ignore_result": False,
        # Never empty: Celery logs `repr()` of the arguments in place of an empty one.
        "argsrepr": "()",
        "kwargsrepr": f"{{'{kwarg}': {described}}}",
    }


def redis_item(message: TaskMessage, queue: str) -> bytes:
    """The list item kombu's Redis transport reads: the envelope with a base64 body."""
    return redis_item_head(message) + queue.encode() + ITEM_TAIL


def redis_item_head(message: TaskMessage) -> bytes:
    """The list item up to its queue's name, which a script may choose after the fact.

    The envelope's last member is `properties`, whose last is `delivery_info`, whose last is
    the routing key: so the item is this head, the queue's name, and `"}}}`.
    """
    envelope = json.dumps(
        {
            "body": base64.b64encode(message.body).decode("ascii"),
            "content-encoding": message.content_encoding,
            "content-type": message.content_type,
            "headers": message.headers,
            "properties": {
                "correlation_id": message.task_id,
                "body_encoding": "base64",
                # Each message a tag of its own: with late acknowledgement a reused tag can
                # lose messages in a stock kombu worker's bookkeeping of unacknowledged ones.
                "delivery_tag": uuid.uuid4().hex,
                "priority": 0,
            },
        },
        separators=(",", ":"),
    )
    return envelope[:-2].encode() + _DELIVERY_INFO_HEAD


# Where the head ends and what closes the item after the queue's name (a plain ASCII name).
_DELIVERY_INFO_HEAD = b',"delivery_info":{"exchange":"","routing_key":"'
ITEM_TAIL = b'"}}}'
