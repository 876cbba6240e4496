"""Where messages go: one publisher per kind of broker, each reusing its connections."""

from __future__ import annotations

from typing import Protocol

import redis
from kombu.exceptions import OperationalError as KombuOperationalError

from producers.envelope import TaskMessage

# What a publisher raises when the broker did not take a message (the client says what to do).
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    redis.RedisError,
    KombuOperationalError,
    OSError,
)


class Publisher(Protocol):
    """Puts one task message on one queue, or raises one of BROKER_ERRORS."""

    def publish(self, queue: str, message: TaskMessage) -> None: ...

    def close(self) -> None: ...


def is_redis_url(url: str) -> bool:
    """Whether the URL names a Redis server kombu reaches with its plain Redis transport."""
    return url.startswith(("redis://", "rediss://", "redis+socket://"))


def redis_py_url(url: str) -> str:
    """The URL redis-py takes for a kombu Redis URL (kombu spells a Unix socket differently)."""
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    return url
