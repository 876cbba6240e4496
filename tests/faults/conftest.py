"""Every fault test starts and ends with an empty broker db: no queue, unacked or processing
list left by a worker the previous test killed (it would be redelivered into this test)."""

from __future__ import annotations

import pytest
import redis


@pytest.fixture(autouse=True)
def empty_broker(redis_client: redis.Redis) -> None:
    """`redis_client` flushes this run's Redis db index before and after the test."""
