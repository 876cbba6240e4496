"""Per-tenant admission: a tenant over its rate overflows; nobody else is affected."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
import redis

from producers import IntakeClient, usage_capture
from producers.admission import Admission
from producers.celery_app import producer_app
from producers.contract import OVERFLOW_QUEUE, QUEUE
from producers.queues import intake_queues
from tests.producers.conftest import PrivateRedis

SECOND = 1_800_000_000.0


def fixed_clock() -> float:
    return SECOND


@pytest.fixture
def admission(redis_client: redis.Redis) -> Admission:
    return Admission(redis_client, rate=10, clock=fixed_clock)


def test_a_tenant_within_its_rate_takes_the_main_queue(admission: Admission) -> None:
    assert [admission.admit("t1") for _ in range(10)] == [1] * 10


def test_what_a_tenant_sends_over_its_rate_overflows(admission: Admission) -> None:
    assert admission.admit("t1", 7) == 7
    assert admission.admit("t1", 7) == 3
    assert admission.admit("t1", 7) == 0


def test_one_tenant_over_its_rate_leaves_the_others_alone(admission: Admission) -> None:
    assert admission.admit("flood", 1000) == 10
    assert admission.admit("quiet", 5) == 5


def test_the_count_starts_again_each_second(redis_client: redis.Redis) -> None:
    now = [SECOND]
    admission = Admission(redis_client, rate=10, clock=lambda: now[0])
    assert admission.admit("t1", 15) == 10
    now[0] += 1
    assert admission.admit("t1", 15) == 10
    # The counters expire on their own.
    assert 0 < redis_client.ttl(f"intake:admitted:t1:{int(SECOND)}") <= 2


def test_a_busy_tenant_takes_its_admissions_from_redis_in_growing_blocks(
    redis_client: redis.Redis,
) -> None:
    producer = Admission(redis_client, rate=100, clock=fixed_clock)
    counted = f"intake:admitted:t1:{int(SECOND)}"
    assert [producer.admit("t1") for _ in range(4)] == [1] * 4
    # Blocks of 1, 2 and 4: three round trips, three admissions held for what comes next.
    assert int(redis_client.get(counted) or 0) == 7
    assert [producer.admit("t1") for _ in range(3)] == [1] * 3
    assert int(redis_client.get(counted) or 0) == 7
    # What a block holds counts against the tenant for everyone else.
    other = Admission(redis_client, rate=100, clock=fixed_clock)
    assert other.admit("t1", 100) == 93


def test_a_bulk_send_admits_each_tenant_up_to_its_rate_in_one_go(admission: Admission) -> None:
    assert admission.admit("flood", 4) == 4
    assert admission.admit_many({"flood": 10, "quiet": 3}) == {"flood": 6, "quiet": 3}
    assert admission.admit_many({"flood": 1}) == {"flood": 0}


def test_a_rate_of_zero_or_no_redis_admits_everything(redis_client: redis.Redis) -> None:
    assert Admission(redis_client, rate=0).admit("t1", 5000) == 5000
    assert Admission(None, rate=10).admit("t1", 5000) == 5000


def test_an_unreachable_redis_admits_rather_than_stops_a_submission() -> None:
    unreachable = redis.Redis(port=1, socket_connect_timeout=0.5)
    assert Admission(unreachable, rate=10).admit("t1", 3) == 3


@pytest.fixture
def client(broker_url: str, redis_client: redis.Redis) -> Iterator[IntakeClient]:
    # No worker runs here: what the client sent stays in the queues to be counted. Both queues
    # are declared first, as a starting worker declares them.
    with IntakeClient(broker_url, tenant_rate=5) as client:
        client._sender.admission._clock = fixed_clock
        with producer_app(broker_url).connection_for_write() as connection:
            for queue in intake_queues():
                queue(connection.default_channel).declare()
        yield client


def capture(tenant: str, n: int) -> dict[str, object]:
    return usage_capture(
        tenant_id=tenant,
        user_id="u",
        skill_id="s",
        usage_event_id=f"{tenant}-{n}",
        example_input="i",
        example_output="o",
    )


def queued_ids(redis_client: redis.Redis, queue: str) -> list[str]:
    ids = []
    for raw in reversed(redis_client.lrange(queue, 0, -1)):
        body = json.loads(base64.b64decode(json.loads(raw)["body"]))
        kwargs = body[1]
        items = kwargs.get("submissions") or [kwargs["submission"]]
        ids.extend(item["submission_id"] for item in items)
    return ids


def test_submit_sends_a_tenants_submissions_over_its_rate_to_the_overflow_queue(
    client: IntakeClient, redis_client: redis.Redis
) -> None:
    flood = [client.submit(capture("flood", n)) for n in range(8)]
    quiet = client.submit(capture("quiet", 0))
    assert queued_ids(redis_client, QUEUE) == [*flood[:5], quiet]
    assert queued_ids(redis_client, OVERFLOW_QUEUE) == flood[5:]


def test_bulk_captures_are_split_by_each_tenants_allowance_in_their_order(
    client: IntakeClient, redis_client: redis.Redis
) -> None:
    captures = [capture("flood", n) for n in range(12)]
    captures.insert(3, capture("quiet", 0))
    ids = client.capture_usage_many(captures)
    # Five of the flood, with the quiet tenant's one among them; the flood's rest overflows.
    assert queued_ids(redis_client, QUEUE) == ids[:6]
    assert queued_ids(redis_client, OVERFLOW_QUEUE) == ids[6:]


def commands_sent(server: PrivateRedis) -> int:
    """Commands clients sent since the last reset: each script's own calls are not theirs."""
    calls = server.commands()
    # The admitting script runs INCRBY, EXPIRE and LPUSH itself: one round trip for the four.
    return sum(calls.values()) - 3 * calls.get("evalsha", 0)


def test_each_submit_is_one_round_trip_and_a_tenant_over_its_rate_costs_no_more(
    private_redis: PrivateRedis,
) -> None:
    private_redis.start()
    with IntakeClient(private_redis.url, tenant_rate=5) as client:
        client._sender.admission._clock = fixed_clock
        client.submit(capture("warm-up", 0))  # connects and loads the script
        private_redis.reset_counts()
        for n in range(50):
            client.submit(capture("flood", n))
        assert commands_sent(private_redis) == 50
    with private_redis.client() as server:
        assert server.llen(QUEUE) == 1 + 5
        assert server.llen(OVERFLOW_QUEUE) == 45
        # Counted up to the first submission refused, never again that second.
        assert int(server.get(f"intake:admitted:flood:{int(SECOND)}") or 0) == 6


def test_with_a_separate_outcome_store_a_tenant_over_its_rate_is_not_counted_again(
    private_redis: PrivateRedis, broker_url: str, redis_client: redis.Redis
) -> None:
    private_redis.start()
    with IntakeClient(broker_url, outcome_store_url=private_redis.url, tenant_rate=5) as client:
        client._sender.admission._clock = fixed_clock
        client.submit(capture("warm-up", 0))
        private_redis.reset_counts()
        for n in range(50):
            client.submit(capture("flood", n))
        # Six single-admission round trips (five granted, one refused), then none.
        assert private_redis.commands() == {"incrby": 6, "expire": 6}
    assert len(queued_ids(redis_client, OVERFLOW_QUEUE)) == 45
