"""Publishing through kombu (RabbitMQ, and any other transport kombu has) on one connection.

The connection and its producer are made once and reused; each publish declares the queue the
first time only (kombu remembers what a connection declared) and waits for RabbitMQ's confirm.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from kombu.connection import Connection
from kombu.entity import Queue
from kombu.messaging import Producer

from producers.envelope import TaskMessage
from producers.errors import ProducerConfigurationError, first_line, safe_url
from producers.queues import intake_queues

# Bounded: a dead broker fails a send after a few seconds instead of hanging a web request.
_RETRY_POLICY = {"max_retries": 3, "interval_start": 0.1, "interval_step": 0.5}


class KombuPublisher:
    """Publishes with one kombu connection, made on first use and again after a fork."""

    def __init__(self, url: str, queue_type: str) -> None:
        self._url = url
        self._queues: dict[str, Queue] = {queue.name: queue for queue in intake_queues(queue_type)}
        # kombu connections are not thread-safe; the client's threads take turns.
        self._lock = threading.Lock()
        self._producer: Any = None
        # Made here so that a URL kombu cannot use is a configuration error at once; it
        # connects on the first publish.
        self._connection: Any = self._new_connection()
        self._pid = os.getpid()

    def publish(self, queue: str, message: TaskMessage) -> None:
        entity = self._queues[queue]
        with self._lock:
            producer = self._producer_here()
            producer.publish(
                message.body,
                exchange=entity.exchange,
                routing_key=queue,
                declare=[entity],
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                headers=message.headers,
                correlation_id=message.task_id,
                delivery_mode=2,
                priority=0,
                retry=True,
                retry_policy=_RETRY_POLICY,
            )

    def _producer_here(self) -> Any:
        if self._pid != os.getpid():
            # A forked child must not write to its parent's socket: it makes its own.
            self._connection, self._producer = self._new_connection(), None
            self._pid = os.getpid()
        if self._producer is None:
            self._producer = Producer(self._connection)  # type: ignore[no-untyped-call]
        return self._producer

    def _new_connection(self) -> Any:
        try:
            return Connection(  # type: ignore[no-untyped-call]
                self._url,
                connect_timeout=5,
                transport_options={"confirm_publish": True, **_RETRY_POLICY},
            )
        except (ValueError, TypeError, KeyError, ImportError) as exc:
            raise ProducerConfigurationError(
                f"the broker URL {safe_url(self._url)} is not usable: {first_line(exc)}"
            ) from None

    def close(self) -> None:
        """Close the connection; a later publish opens a new one."""
        with self._lock:
            if self._pid == os.getpid():
                self._connection.release()
                self._connection, self._producer = self._new_connection(), None
