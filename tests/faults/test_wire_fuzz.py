"""A seeded sample of fuzzed items through a real worker, on Redis and on RabbitMQ.

Good submissions are interleaved with items of every shape the wire fuzzers make
(tests/wire/shapes.py). Whatever the items, the worker keeps its connection (no reconnect,
restore or restart in its log), every good submission is stored exactly once, every item ends in
one dead letter or its outcomes, nothing piles up in the broker, and no example text reaches a
dead letter or the log.
"""

from __future__ import annotations

import random
import re
import struct
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from producers.contract import QUEUES
from tests import factories
from tests.integration.brokers import AMQP_URL, AmqpBroker
from tests.integration.conftest import WorkerProcess, start_worker, stop_worker
from tests.wire import checks, shapes
from worker.models import DeadLetter, IntakeOutcome, SkillFeedback

SEED = 20261201
BAD_MESSAGES = 240
GOOD_SINGLE = 240
GOOD_BULK = 20  # of 3 submissions each
# What a worker's log must never say while it consumes fuzzed items.
TROUBLE = re.compile(
    r"Unrecoverable error|Connection to broker lost|Restoring \d+ unacknowledged|"
    r"consumer: Cannot connect|Traceback",
)


def sample(ids: shapes.Ids) -> tuple[list[shapes.Message], list[bytes]]:
    """The seeded sample: mutated messages of every target and mutation, and raw junk items."""
    chooser = random.Random(SEED)
    mutations = sorted(shapes.MUTATIONS)
    messages = []
    for n in range(BAD_MESSAGES):
        bulk = n % 3 == 0
        if bulk:
            submissions = [shapes.submission(ids) for _ in range(2)]
            message = shapes.Message("intake.submit_many", {"submissions": submissions}, n % 2 == 0)
        else:
            message = shapes.Message(
                "intake.submit", {"submission": shapes.submission(ids)}, n % 2 == 0
            )
        # Every target at least once, with a mutation chosen by the seed.
        target = shapes.TARGETS[n % len(shapes.TARGETS)]
        shapes.apply(message, target, chooser.choice(mutations))
        if chooser.random() < 0.3:
            shapes.apply(message, chooser.choice(shapes.TARGETS), chooser.choice(mutations))
        messages.append(message)
    junk = [
        b"[" * 1000 + b"]" * 1000,
        b"not an envelope at all",
        b"\xff\xfe\xfd",
        b'{"body": 1}',
        b'{"properties": "a string", "body": "e30=", "headers": {}}',
        b"null",
    ]
    return messages, junk


def goods(ids: shapes.Ids) -> tuple[list[shapes.Message], set[str]]:
    messages = [
        shapes.Message("intake.submit", {"submission": shapes.submission(ids)}, n % 2 == 0)
        for n in range(GOOD_SINGLE)
    ]
    messages += [
        shapes.Message(
            "intake.submit_many", {"submissions": [shapes.submission(ids) for _ in range(3)]}, True
        )
        for _ in range(GOOD_BULK)
    ]
    submission_ids = set()
    for message in messages:
        kwargs = message.kwargs
        for item in kwargs.get("submissions") or [kwargs["submission"]]:
            submission_ids.add(item["submission_id"])
    return messages, submission_ids


def wait_until(condition: Callable[[], bool], worker: WorkerProcess, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert worker.process.poll() is None, f"the worker exited:\n{worker.output()[-3000:]}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def accepted(session: Session, submission_ids: set[str]) -> int:
    session.expire_all()
    count = session.scalar(
        select(func.count())
        .select_from(IntakeOutcome)
        .where(IntakeOutcome.outcome == "accepted", IntakeOutcome.submission_id.in_(submission_ids))
    )
    session.rollback()
    return int(count or 0)


def check_the_database(session: Session, good_ids: set[str]) -> None:
    session.expire_all()
    rows = set(session.scalars(select(SkillFeedback.id)))
    assert good_ids <= rows
    session.rollback()
    checks.assert_every_row_has_an_accepted_outcome(session)
    checks.assert_no_example_text_outside_rows(session)
    letters = session.scalar(select(func.count()).select_from(DeadLetter))
    sightings = session.scalar(select(func.sum(DeadLetter.seen)))
    session.rollback()
    assert letters and sightings
    print(f"dead letters {letters}, seen {sightings}, rows {len(rows)}")


def check_the_log(worker: WorkerProcess) -> None:
    log = worker.output()
    assert TROUBLE.search(log) is None, TROUBLE.search(log)
    assert shapes.SENTINEL not in log


def test_fuzzed_items_through_a_real_worker_on_redis(
    broker_url: str, session: Session, redis_client: redis.Redis
) -> None:
    world = factories.world(session)
    session.commit()
    ids = shapes.Ids(world.tenant.id, world.author.id, world.skill.id)
    bad, junk = sample(ids)
    good, good_ids = goods(ids)
    items = [m.redis_item() for m in bad + good] + junk
    random.Random(SEED).shuffle(items)
    redis_client.lpush("intake", *items)
    worker = start_worker(broker_url)
    try:
        wait_until(lambda: accepted(session, good_ids) == len(good_ids), worker, 180)
        wait_until(
            lambda: (
                not any(redis_client.llen(queue) for queue in QUEUES)
                and not redis_client.hlen("unacked")
            ),
            worker,
            60,
        )
        time.sleep(1)
        check_the_log(worker)
    finally:
        stop_worker(worker)
    check_the_database(session, good_ids)
    leftovers = [k for k in redis_client.scan_iter() if not k.startswith(b"intake:outcome:")]
    in_flight = [k for k in leftovers if b"processing" in k and redis_client.llen(k)]
    assert in_flight == []
    # Queue bindings, consumer registries, liveness keys: a handful, never a pile.
    assert len(leftovers) < 30, leftovers


def _amqp_publish(broker: AmqpBroker, message: shapes.Message) -> bool:
    import amqp

    body, headers, properties = message.amqp_parts()
    try:
        broker.publish(amqp.Message(body, application_headers=headers, **properties))
    except (UnicodeError, ValueError, TypeError, struct.error, amqp.exceptions.AMQPError):
        return False  # a shape no AMQP client can even send
    return True


@pytest.mark.skipif(AMQP_URL is None, reason="INTAKE_TEST_AMQP_URL unset")
def test_fuzzed_messages_through_a_real_worker_on_rabbitmq(
    broker_url: str, session: Session, redis_client: redis.Redis
) -> None:
    assert AMQP_URL is not None
    world = factories.world(session)
    session.commit()
    ids = shapes.Ids(world.tenant.id, world.author.id, world.skill.id)
    bad, _junk = sample(ids)
    good, good_ids = goods(ids)
    broker = AmqpBroker(AMQP_URL, outcome_store_url=broker_url)
    broker.purge()
    messages: list[Any] = bad + good
    random.Random(SEED).shuffle(messages)
    sent = sum(_amqp_publish(broker, message) for message in messages)
    assert sent > len(good)
    worker = start_worker(broker.url, extra_env=broker.worker_env())
    try:
        wait_until(lambda: accepted(session, good_ids) == len(good_ids), worker, 180)
        wait_until(lambda: broker.waiting() == 0, worker, 60)
        time.sleep(1)
        check_the_log(worker)
    finally:
        stop_worker(worker)
        broker.purge()
    check_the_database(session, good_ids)
