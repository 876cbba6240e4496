"""The hardened Redis transport: atomic fetches, and surviving a broker that goes away."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from kombu import Connection, Queue
from kombu.common import Broadcast

from worker.embedded import EmbeddedRedis

TRANSPORT = "worker.transport:Transport"
QUEUE = "transport-test"
OVERFLOW = "transport-test.overflow"


@pytest.fixture
def own_redis() -> Iterator[EmbeddedRedis]:
    """A test-owned Redis: these tests stop it, so never the machine's shared one."""
    with EmbeddedRedis.temporary("intake-transport-") as server:
        yield server


def connect(url: str) -> Connection:
    return Connection(
        url,
        transport=TRANSPORT,
        transport_options={
            "priority_steps": [0],
            "liveness_ttl": 3,
            "fetch_order": [QUEUE, OVERFLOW],
        },
    )


def test_a_fetch_pending_when_the_broker_dies_does_not_break_closing_the_connection(
    own_redis: EmbeddedRedis,
) -> None:
    url = own_redis.url(0)
    connection = connect(url)
    connection.SimpleQueue(QUEUE).put({"n": 1})
    channel = connection.default_channel
    received: list[object] = []
    consumer = channel.Consumer(
        Queue(QUEUE), accept=["json"], callbacks=[lambda body, _message: received.append(body)]
    )
    consumer.consume()
    # Celery's remote control consumes an auto-deleted fanout queue on the same connection.
    channel.Consumer(Broadcast("transport-test-control"), accept=["json"]).consume()
    connection.drain_events(timeout=5)  # delivered, not acknowledged: closing must restore it
    assert received == [{"n": 1}]
    with contextlib.suppress(socket.timeout):
        connection.drain_events(timeout=0.3)  # leaves a fetch in flight, as the worker's loop does

    own_redis.stop()

    # What Celery's consumer does after a connection error: collect, then close. Before the fix,
    # the second close reached a connection without a transport and raised AttributeError,
    # which Celery treats as unrecoverable and stops the worker.
    with contextlib.suppress(redis.ConnectionError):
        connection.collect(socket_timeout=0.5)
    connection.close()
    assert channel.closed
    # The message stays recorded as unacknowledged in Redis (it returns with the visibility
    # timeout); forget it here so that kombu's exit-time restore does not call the dead server.
    channel.qos._delivered.clear()


def test_a_batch_acknowledged_after_its_connection_was_lost_does_not_stop_the_worker(
    own_redis: EmbeddedRedis,
) -> None:
    url = own_redis.url(0)
    connection = connect(url)
    for n in range(3):
        connection.SimpleQueue(QUEUE).put({"n": n})
    channel = connection.default_channel
    messages: list[Any] = []
    channel.Consumer(
        Queue(QUEUE), accept=["json"], callbacks=[lambda _body, message: messages.append(message)]
    ).consume()
    connection.drain_events(timeout=5)
    assert len(messages) == 3
    own_redis.stop()
    with contextlib.suppress(redis.ConnectionError):
        connection.collect(socket_timeout=0.5)
    connection.close()
    own_redis.ensure_running()
    # The pool processes finish their batches after Celery dropped the connection: their
    # acknowledgements must neither reach the dead channel nor raise (kombu would raise an
    # AttributeError there, which stops the worker). The messages come back by themselves.
    messages[0].ack()
    channel.qos.ack_many([message.delivery_tag for message in messages[1:]])


def test_a_fetched_message_leaves_the_processing_list_once_it_is_recorded_as_unacked(
    own_redis: EmbeddedRedis,
) -> None:
    url = own_redis.url(0)
    with connect(url) as connection:
        connection.SimpleQueue(QUEUE).put({"n": 1})
        received: list[object] = []
        channel = connection.default_channel
        consumer = channel.Consumer(
            Queue(QUEUE), accept=["json"], callbacks=[lambda body, _message: received.append(body)]
        )
        with consumer:
            connection.drain_events(timeout=5)
        assert received == [{"n": 1}]
        client = redis.Redis.from_url(url)
        assert client.llen(QUEUE) == 0
        assert not list(client.scan_iter(match=f"{QUEUE}*processing*"))
        assert client.hlen("unacked") == 1
        client.close()


def test_the_processing_list_of_a_consumer_that_stopped_refreshing_goes_back_to_the_queue(
    own_redis: EmbeddedRedis,
) -> None:
    url = own_redis.url(0)
    client = redis.Redis.from_url(url)
    # What a worker killed between BLMOVE and recording leaves behind: its token among the
    # queue's consumers, an item in its processing list and no liveness key.
    client.sadd(f"{QUEUE}\x06\x16consumers", "dead-consumer")
    client.lpush(f"{QUEUE}\x06\x16processing\x06\x16dead-consumer", b"in-flight")
    with connect(url) as connection:
        channel = connection.default_channel
        channel.Consumer(Queue(QUEUE), accept=["json"]).consume()
        channel._token = "live-consumer"
        channel._maintain([QUEUE])
        assert client.lrange(QUEUE, 0, -1) == [b"in-flight"]
        assert not list(client.scan_iter(match=f"{QUEUE}*processing*"))
        # The dead consumer is forgotten; the living one stays registered until it closes.
        assert client.smembers(f"{QUEUE}\x06\x16consumers") == {b"live-consumer"}
    assert client.smembers(f"{QUEUE}\x06\x16consumers") == set()
    client.close()


def consume_both(connection: Connection, received: list[tuple[str, int]]) -> None:
    channel = connection.default_channel
    for queue in (QUEUE, OVERFLOW):
        channel.Consumer(
            Queue(queue),
            accept=["json"],
            callbacks=[lambda body, _message: received.append((body["q"], body["n"]))],
        ).consume()


def test_a_long_queue_cannot_hold_up_the_messages_of_another(own_redis: EmbeddedRedis) -> None:
    with connect(own_redis.url(0)) as connection:
        for n in range(200):
            connection.SimpleQueue(OVERFLOW).put({"q": "overflow", "n": n})
        for n in range(5):
            connection.SimpleQueue(QUEUE).put({"q": "main", "n": n})
        received: list[tuple[str, int]] = []
        consume_both(connection, received)
        connection.drain_events(timeout=5)
        # One wake-up takes a burst from both queues in turn: the five that came last are in it,
        # among the first deliveries, in their own order.
        main = [index for index, (queue, _) in enumerate(received) if queue == "main"]
        assert [received[index][1] for index in main] == [0, 1, 2, 3, 4]
        assert max(main) < 10
        assert len(received) == 64


def test_an_idle_consumer_picks_up_a_message_of_its_second_queue(
    own_redis: EmbeddedRedis,
) -> None:
    with connect(own_redis.url(0)) as connection:
        received: list[tuple[str, int]] = []
        consume_both(connection, received)
        with contextlib.suppress(socket.timeout):
            connection.drain_events(timeout=0.2)  # waiting on the first queue
        connection.SimpleQueue(OVERFLOW).put({"q": "overflow", "n": 1})
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            with contextlib.suppress(socket.timeout):
                connection.drain_events(timeout=1)
        assert received == [("overflow", 1)]
        client = redis.Redis.from_url(own_redis.url(0))
        assert not list(client.scan_iter(match="*processing*"))
        client.close()


def test_an_unacknowledged_message_is_restored_as_the_very_bytes_that_were_fetched(
    own_redis: EmbeddedRedis,
) -> None:
    url = own_redis.url(0)
    client = redis.Redis.from_url(url)
    with connect(url) as connection:
        connection.SimpleQueue(QUEUE).put({"n": 1})
        [fetched] = client.lrange(QUEUE, 0, -1)
        messages: list[Any] = []
        channel = connection.default_channel
        with channel.Consumer(
            Queue(QUEUE), accept=["json"], callbacks=[lambda _body, m: messages.append(m)]
        ):
            connection.drain_events(timeout=5)
        [message] = messages
        # Recorded without re-serializing the message, and put back as it came.
        assert client.hget("unacked", message.delivery_tag).endswith(fetched)
        channel.qos.restore_by_tag(message.delivery_tag)
        assert client.lrange(QUEUE, 0, -1) == [fetched]
        assert client.hlen("unacked") == 0 and client.zcard("unacked_index") == 0
        channel.qos._delivered.clear()
    client.close()


def test_an_unacked_entry_in_kombus_own_form_is_still_restored(own_redis: EmbeddedRedis) -> None:
    import json

    url = own_redis.url(0)
    client = redis.Redis.from_url(url)
    payload = {"body": "e30=", "headers": {}, "properties": {"delivery_tag": "old-tag"}}
    client.hset("unacked", "old-tag", json.dumps([payload, "", QUEUE]))
    client.zadd("unacked_index", {"old-tag": 1})
    with connect(url) as connection:
        connection.default_channel.qos.restore_by_tag("old-tag")
    [restored] = client.lrange(QUEUE, 0, -1)
    assert json.loads(restored)["body"] == "e30="
    assert client.hlen("unacked") == 0
    client.close()
