"""The hardened Redis transport under fuzzed items: it keeps its connection and its books straight.

Items of every shape (tests/wire/shapes.py) go onto a real Redis list among good messages and are
drained through kombu with this service's transport, by a consumer that checks each message the
way the worker's consumer does. Whatever the items, nothing escapes the event loop, every good
message is delivered exactly once, every other item is dead-lettered, and nothing is left behind
in the processing lists, the unacknowledged hash or its index.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kombu import Connection, Queue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from producers.contract import MAX_BATCH_SIZE
from tests import factories
from tests.wire import shapes
from worker import deadletters
from worker.envelope import check_message
from worker.errors import MessageRefused
from worker.models import DeadLetter, DeadLetterReason

QUEUE = "fuzz-intake"

fuzz = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Recorder:
    """A consumer callback doing what the worker's consumer does: check, then settle."""

    def __init__(self) -> None:
        self.delivered: list[str] = []

    def __call__(self, message: Any) -> None:
        try:
            _task, task_id = check_message(
                message.headers, message.body, max_bytes=10 * 1024 * 1024 * MAX_BATCH_SIZE
            )
        except MessageRefused as exc:
            letter = deadletters.of_message(
                DeadLetterReason(exc.reason), repr(message.headers).encode(), error=str(exc)
            )
            assert deadletters.refuse([letter])
        else:
            self.delivered.append(task_id)
        message.ack()


@pytest.fixture
def connection(broker_url: str, redis_client: redis.Redis) -> Iterator[Connection]:
    connection = Connection(
        broker_url,
        transport="worker.transport:Transport",
        transport_options={"priority_steps": [0], "fetch_order": [QUEUE], "liveness_ttl": 30},
    )
    yield connection
    connection.release()


def drain(connection: Connection, client: redis.Redis, recorder: Recorder) -> None:
    channel = connection.channel()
    consumer = channel.Consumer(Queue(QUEUE), on_message=recorder, accept=["json"])
    consumer.consume()
    deadline = time.monotonic() + 30
    try:
        while client.llen(QUEUE) and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                connection.drain_events(timeout=0.5)
        for _ in range(3):  # whatever the last wake-up fetched
            try:
                connection.drain_events(timeout=0.2)
            except TimeoutError:
                break
    finally:
        consumer.cancel()
        channel.close()


def _good(ids: shapes.Ids) -> tuple[bytes, str]:
    message = shapes.Message("intake.submit", {"submission": shapes.submission(ids)}, False)
    return message.redis_item(), message.task_id


@fuzz
@given(data=st.data())
def test_fuzzed_items_among_good_ones_leave_the_transport_consuming_and_clean(
    connection: Connection,
    redis_client: redis.Redis,
    session: Session,
    data: st.DataObject,
) -> None:
    world = factories.world(session)
    session.commit()
    ids = shapes.Ids(world.tenant.id, world.author.id, world.skill.id)
    bad = data.draw(
        st.lists(
            st.one_of(shapes.raw_items(), shapes.messages(ids).map(lambda m: m.redis_item())),
            min_size=1,
            max_size=8,
        )
    )
    goods = [_good(ids) for _ in range(data.draw(st.integers(1, 5)))]
    items = data.draw(st.permutations(bad + [item for item, _ in goods]))
    redis_client.lpush(QUEUE, *reversed(items))
    recorder = Recorder()

    drain(connection, redis_client, recorder)

    assert redis_client.llen(QUEUE) == 0
    assert [
        key for key in redis_client.keys(f"{QUEUE}*processing*") if redis_client.llen(key)
    ] == []
    assert redis_client.hlen("unacked") == 0
    assert redis_client.zcard("unacked_index") == 0
    delivered = set(recorder.delivered)
    assert {task_id for _, task_id in goods} <= delivered
    assert len(recorder.delivered) == len(delivered), "a message was delivered twice"
    session.expire_all()
    refused = session.scalar(select(func.sum(DeadLetter.seen))) or 0
    session.rollback()
    assert len(recorder.delivered) + refused == len(items)
    redis_client.flushdb()
    from tests.conftest import truncate_all

    truncate_all(session.get_bind())  # type: ignore[arg-type]


def test_a_producer_reusing_one_delivery_tag_loses_nothing(
    connection: Connection, redis_client: redis.Redis, session: Session
) -> None:
    world = factories.world(session)
    session.commit()
    ids = shapes.Ids(world.tenant.id, world.author.id, world.skill.id)
    tag = str(uuid.uuid4())
    items = []
    for _ in range(50):
        message = shapes.Message("intake.submit", {"submission": shapes.submission(ids)}, False)
        message.properties["delivery_tag"] = tag
        items.append((message.redis_item(), message.task_id))
    redis_client.lpush(QUEUE, *[item for item, _ in items])
    recorder = Recorder()
    drain(connection, redis_client, recorder)
    assert sorted(recorder.delivered) == sorted(task_id for _, task_id in items)
    assert redis_client.hlen("unacked") == 0
