"""Bulk sends: split by count and by size, so that no message is larger than a worker takes."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from producers import IntakeClient, usage_capture
from producers.contract import MAX_BATCH_SIZE, MAX_MESSAGE_BYTES, QUEUE
from producers.sending import chunk_bounds


@pytest.fixture
def client(broker_url: str, redis_client: redis.Redis) -> Iterator[IntakeClient]:
    with IntakeClient(broker_url, tenant_rate=0) as client:
        yield client


def bodies(redis_client: redis.Redis) -> list[bytes]:
    return [
        base64.b64decode(json.loads(raw)["body"])
        for raw in reversed(redis_client.lrange(QUEUE, 0, -1))
    ]


def capture(n: int, text: str) -> dict[str, object]:
    return usage_capture(
        tenant_id="t",
        user_id="u",
        skill_id="s",
        usage_event_id=f"evt-{n}",
        example_input=text,
        example_output=text,
    )


def test_a_bulk_of_long_texts_becomes_several_messages_each_within_the_limit(
    client: IntakeClient, redis_client: redis.Redis
) -> None:
    # 500 captures of two 5,000-character texts, each character two bytes of UTF-8: ~10 MB.
    captures = [capture(n, "é" * 5000) for n in range(500)]
    ids = client.capture_usage_many(captures)
    sent = bodies(redis_client)
    assert len(sent) > 1
    assert all(len(body) <= MAX_MESSAGE_BYTES for body in sent)
    carried = [
        item["submission_id"] for body in sent for item in json.loads(body)[1]["submissions"]
    ]
    assert carried == ids


def test_short_captures_still_go_in_chunks_of_the_chunk_size(
    client: IntakeClient, redis_client: redis.Redis
) -> None:
    client.capture_usage_many([capture(n, "short") for n in range(1200)])
    assert [len(json.loads(body)[1]["submissions"]) for body in bodies(redis_client)] == [
        500,
        500,
        200,
    ]


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 200_000), max_size=60),
    size=st.integers(1, MAX_BATCH_SIZE),
    limit=st.integers(1_000, 2_000_000),
)
def test_chunks_keep_order_count_and_size(sizes: list[int], size: int, limit: int) -> None:
    items = [{"n": n, "text": "x" * length} for n, length in enumerate(sizes)]
    costs = [len(json.dumps(item)) + 1 for item in items]
    chunks = [items[start:stop] for start, stop in chunk_bounds(costs, size, limit)]
    assert [item for chunk in chunks for item in chunk] == items
    for chunk in chunks:
        assert 1 <= len(chunk) <= size
        body = len(json.dumps(chunk)) + 256
        # Over the limit only when a single item alone is bigger than it.
        assert body <= limit + 256 or len(chunk) == 1
