"""The brokers the end-to-end tests run on, and how a producer in another language reaches each."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import amqp
import pytest
import redis
from kombu.utils.url import parse_url

from producers.contract import QUEUE, QUEUES
from tests.integration import raw

AMQP_ENV = "INTAKE_TEST_AMQP_URL"
AMQP_URL = os.environ.get(AMQP_ENV)

# Parameters of the `broker` fixture; RabbitMQ runs wherever AMQP_ENV is set (CI sets it).
REDIS = "redis"
AMQP = pytest.param("amqp", marks=pytest.mark.skipif(AMQP_URL is None, reason=f"{AMQP_ENV} unset"))


class Broker(Protocol):
    # What workers consume from and producers publish to.
    url: str
    # The Redis where workers publish outcomes for `status()` and `wait()`.
    outcome_store_url: str

    def worker_env(self) -> dict[str, str]: ...

    def send_raw(self, body: bytes, **message: Any) -> None:
        """Publish a hand-built task message; `message` as for `raw.envelope`."""

    def waiting(self) -> int:
        """Messages in the intake queues that no consumer has taken yet."""


@dataclass(frozen=True)
class RedisBroker:
    """This run's Redis db index: broker and outcome store at once (the default setup)."""

    url: str

    @property
    def outcome_store_url(self) -> str:
        return self.url

    def worker_env(self) -> dict[str, str]:
        return {}

    def send_raw(self, body: bytes, **message: Any) -> None:
        self.push_item(raw.envelope(body, **message))

    def push_item(self, item: bytes) -> None:
        """Push any bytes onto the queue's list, envelope or not."""
        with redis.Redis.from_url(self.url) as client:
            client.lpush(QUEUE, item)

    def waiting(self) -> int:
        with redis.Redis.from_url(self.url) as client:
            return sum(int(client.llen(queue)) for queue in QUEUES)


@dataclass(frozen=True)
class AmqpBroker:
    """RabbitMQ as the broker; outcomes still go to a Redis (INTAKE_OUTCOME_STORE_URL)."""

    url: str
    outcome_store_url: str

    def worker_env(self) -> dict[str, str]:
        return {"INTAKE_OUTCOME_STORE_URL": self.outcome_store_url}

    def send_raw(self, body: bytes, **message: Any) -> None:
        self.publish(raw.amqp_message(body, **message))

    def publish(self, message: amqp.Message) -> None:
        """A plain basic_publish to `intake` through the default exchange, confirmed."""
        with self._channel() as channel:
            channel.confirm_select()
            channel.basic_publish(message, exchange="", routing_key=QUEUE)

    def waiting(self) -> int:
        with self._channel() as channel:
            return sum(int(channel.queue_declare(queue, passive=True)[1]) for queue in QUEUES)

    def purge(self) -> None:
        """Empty the queues, declaring them first as the worker does (durable) if missing."""
        with self._channel() as channel:
            for queue in QUEUES:
                channel.queue_declare(queue, durable=True, auto_delete=False)
                channel.queue_purge(queue)

    @contextmanager
    def _channel(self) -> Iterator[amqp.Channel]:
        parts = parse_url(self.url)
        connection = amqp.Connection(
            host=f"{parts['hostname']}:{parts['port'] or 5672}",
            userid=parts["userid"],
            password=parts["password"],
            virtual_host=parts["virtual_host"] or "/",
        )
        with connection:
            channel = connection.channel()
            try:
                yield channel
            finally:
                channel.close()
