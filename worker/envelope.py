"""What a broker message must be before anything trusts it: the envelope, headers and size.

Everything here is pure and total: any input either passes or raises MessageRefused with the
dead-letter reason. The Redis transport runs `redis_payload` on each list item before kombu sees
it; the consumer runs `check_message` on every message of every broker before Celery does.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Iterable
from typing import Any

from producers.contract import SUBMIT_MANY_TASK, SUBMIT_TASK
from worker.errors import MessageRefused
from worker.models import DeadLetterReason

# Only these run from the intake queues: an allowlist, not Celery's registry (which holds
# `celery.group`, `celery.map`, `celery.chord_unlock`, ... and would run them too).
INTAKE_TASKS = frozenset({SUBMIT_TASK, SUBMIT_MANY_TASK})
# A Celery envelope nests a few levels (envelope -> headers -> a small structure); anything much
# deeper is crafted, and deep structures break recursive code further on.
MAX_ENVELOPE_DEPTH = 8
MAX_TASK_ID_LENGTH = 255
_CONTROL = frozenset(chr(code) for code in (*range(0x20), 0x7F))
# Properties a producer may set that the transport passes on (when they are plain values).
_PLAIN_PROPERTIES = frozenset({"correlation_id", "reply_to", "delivery_mode"})


def redis_payload(raw: bytes, queue: str, *, max_bytes: int) -> dict[str, Any]:
    """The kombu payload of one Redis list item, normalized; MessageRefused when malformed.

    The producer says what the message is (body, content type and encoding, headers, plain
    properties); the delivery tag and delivery info are the transport's own. A producer-chosen
    tag may repeat (one client library reuses one tag for every message) or be of any JSON
    type, and either would corrupt the bookkeeping of unacknowledged messages. Whether the
    message is a task the worker runs is the consumer's question (`check_message`).
    """
    if len(raw) > max_bytes:
        raise MessageRefused(f"item of {len(raw)} bytes", reason=DeadLetterReason.OVERSIZED)
    envelope = _json_object(raw)
    headers = envelope.get("headers", {})
    properties = envelope.get("properties", {})
    body = envelope.get("body")
    if not isinstance(headers, dict):
        raise _malformed("headers is not an object")
    if not isinstance(properties, dict):
        raise _malformed("properties is not an object")
    if not isinstance(body, str):
        raise _malformed("body is not a string")
    if properties.get("body_encoding", "base64") != "base64":
        raise _malformed("body_encoding is not base64")
    try:
        base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed("body is not base64") from None
    content_type = envelope.get("content-type", "application/json")
    content_encoding = envelope.get("content-encoding", "utf-8")
    if not isinstance(content_type, str) or not isinstance(content_encoding, str):
        raise _malformed("content-type and content-encoding must be strings")
    plain = {
        name: value
        for name, value in properties.items()
        if name in _PLAIN_PROPERTIES
        and isinstance(value, str | int)
        and not isinstance(value, bool)
    }
    return {
        "body": body,
        "content-type": content_type,
        "content-encoding": content_encoding,
        "headers": headers,
        "properties": {
            **plain,
            "body_encoding": "base64",
            "delivery_tag": uuid.uuid4().hex,
            # The anonymous exchange routes a restored message straight back to its queue.
            "delivery_info": {"exchange": "", "routing_key": queue},
            "priority": 0,
        },
    }


def check_headers(headers: Any) -> tuple[str, str]:
    """The task name and task id of protocol-2 headers; MessageRefused unless both are sound."""
    if not isinstance(headers, dict):
        raise _malformed("headers is not an object")
    task = headers.get("task")
    task_id = headers.get("id")
    if not isinstance(task, str):
        raise _malformed("the task header is not a string")
    if not isinstance(task_id, str) or not 0 < len(task_id) <= MAX_TASK_ID_LENGTH:
        raise _malformed("the id header is not a string of 1-255 characters")
    if not _printable(task_id) or not _printable(task):
        raise _malformed("the task or id header holds control characters or lone surrogates")
    if task not in INTAKE_TASKS:
        raise MessageRefused(
            f"task {task[:100]!r} does not run from the intake queues",
            reason=DeadLetterReason.UNKNOWN_TASK,
        )
    if not within_depth(headers, MAX_ENVELOPE_DEPTH - 1):
        raise _malformed(f"headers nested deeper than {MAX_ENVELOPE_DEPTH - 1} levels")
    return task, task_id


def check_message(headers: Any, body: Any, *, max_bytes: int) -> tuple[str, str]:
    """Any broker's message: sound headers naming an intake task, a body of bytes within limit."""
    task, task_id = check_headers(headers)
    if not isinstance(body, bytes | str):
        raise _malformed("the body is not bytes")
    size = len(body)
    if size > max_bytes:
        raise MessageRefused(f"body of {size} bytes", reason=DeadLetterReason.OVERSIZED)
    return task, task_id


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _malformed("not UTF-8") from None
    except RecursionError:
        raise _malformed("nested too deeply to parse") from None
    except ValueError as exc:
        raise _malformed(f"not JSON: {type(exc).__name__}") from None
    if not isinstance(value, dict):
        raise _malformed(f"a JSON {type(value).__name__}, not an envelope object")
    if not within_depth(value, MAX_ENVELOPE_DEPTH):
        raise _malformed(f"nested deeper than {MAX_ENVELOPE_DEPTH} levels")
    return value


def within_depth(value: Any, limit: int) -> bool:
    """Whether `value` nests at most `limit` containers deep (iterative: no recursion limit)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def _printable(text: str) -> bool:
    if not _CONTROL.isdisjoint(text):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _malformed(detail: str) -> MessageRefused:
    return MessageRefused(detail, reason=DeadLetterReason.MALFORMED_ENVELOPE)
