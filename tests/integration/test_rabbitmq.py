"""The same pipeline with RabbitMQ as the broker (durable queue; outcomes still in Redis)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from kombu import Connection, Queue
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from producers import IntakeClient, Outcome
from tests import factories
from tests.integration.conftest import start_worker, stop_worker
from worker.models import IntakeOutcome, SkillFeedback

AMQP_URL = os.environ.get("INTAKE_TEST_AMQP_URL")
pytestmark = pytest.mark.skipif(AMQP_URL is None, reason="INTAKE_TEST_AMQP_URL is not set")


@pytest.fixture
def amqp_vhost() -> Iterator[str]:
    """The broker URL with the `intake` queue purged before and after."""
    assert AMQP_URL is not None

    def purge() -> None:
        with Connection(AMQP_URL) as connection:
            # Declared as the worker declares it (durable): purging a fresh broker cannot fail.
            queue = Queue("intake", durable=True)(connection.channel())
            queue.declare()
            queue.purge()

    purge()
    yield AMQP_URL
    purge()


def test_singles_and_bulk_through_rabbitmq_are_stored_exactly_once(
    amqp_vhost: str,
    broker_url: str,
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    world = factories.world(session)
    captures = factories.usage_captures(world, 1000)
    environment = {"CELERY_BROKER_URL": amqp_vhost, "INTAKE_OUTCOME_STORE_URL": broker_url}
    worker = start_worker(amqp_vhost, extra_env=environment)
    try:
        with IntakeClient(amqp_vhost, outcome_store_url=broker_url) as client:
            for capture in captures[:300]:
                client.submit(capture)
            client.submit(captures[0])  # a producer retry: still one row
            client.capture_usage_many(captures[300:])
            assert client.wait(captures[-1]["submission_id"], timeout=60).outcome is (
                Outcome.ACCEPTED
            )
        deadline = time.monotonic() + 60
        while True:
            session.expire_all()
            decided = session.scalar(select(func.count()).select_from(IntakeOutcome)) or 0
            if decided >= len(captures):
                break
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        stop_worker(worker)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SkillFeedback)) == len(captures)
