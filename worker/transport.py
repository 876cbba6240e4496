"""kombu's Redis transport, hardened: a malformed envelope on the queue is dead-lettered, not fatal.

Stock kombu parses each popped list item as a JSON envelope inside the worker's event loop; an
item that is not one (a stray LPUSH, a truncated write, bytes that are not UTF-8) raises there
and stops the whole worker. By then BRPOP has removed the item, so the only useful thing left to
do is record that it happened and keep consuming.
"""

from __future__ import annotations

import logging
from queue import Empty
from typing import Any

from kombu.transport import redis as kombu_redis

from worker import deadletters

log = logging.getLogger("worker.transport")

# Raised while turning a popped item into a message: not JSON, not UTF-8, not an envelope.
_MALFORMED = (ValueError, TypeError, KeyError, AttributeError)


def _dead_letter(queue: str | None, exc: BaseException) -> None:
    log.warning("dropped a malformed envelope from queue %s: %s", queue, type(exc).__name__)
    deadletters.record_safely(
        [
            deadletters.Letter(
                reason="malformed_envelope",
                error=f"{type(exc).__name__}: {str(exc)[:300]}",
                message_info={"queue": queue},
            )
        ]
    )


class Channel(kombu_redis.Channel):  # type: ignore[misc]
    def _brpop_read(self, **options: Any) -> Any:
        try:
            return super()._brpop_read(**options)
        except _MALFORMED as exc:
            _dead_letter(None, exc)
            raise Empty() from None

    def _get(self, queue: str) -> Any:
        try:
            return super()._get(queue)
        except _MALFORMED as exc:
            _dead_letter(queue, exc)
            raise Empty() from None


class Transport(kombu_redis.Transport):  # type: ignore[misc]
    Channel = Channel
