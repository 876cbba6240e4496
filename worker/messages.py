"""The shape of the two task calls: which submission items a message carries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from producers.contract import MAX_BATCH_SIZE, SUBMIT_MANY_TASK, SUBMIT_TASK
from worker.errors import DecodeError


def items_of(task_name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> list[Any]:
    """The submission items of an `intake.submit` or `intake.submit_many` call."""
    if task_name == SUBMIT_TASK:
        return [_argument("submission", args, kwargs)]
    if task_name == SUBMIT_MANY_TASK:
        items = _argument("submissions", args, kwargs)
        if not isinstance(items, list):
            raise DecodeError("`submissions` must be a JSON array")
        if len(items) > MAX_BATCH_SIZE:
            raise DecodeError(f"`submissions` holds {len(items)} items; at most {MAX_BATCH_SIZE}")
        return items
    raise DecodeError(f"unknown task {task_name[:100]!r}")


def _argument(name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    extra = sorted(set(kwargs) - {name})
    if extra:
        raise DecodeError(f"unexpected keyword arguments: {[key[:50] for key in extra[:10]]}")
    if name in kwargs and not args:
        return kwargs[name]
    if len(args) == 1 and not kwargs:
        return args[0]
    raise DecodeError(f"expected one keyword argument `{name}`")
