"""Envelopes on the wire: example text in the body only, and messages stock Celery runs."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import amqp
import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kombu.utils.url import parse_url

from producers import IntakeClient, usage_capture
from producers.contract import QUEUES
from tests.producers.stock_worker import RECEIVED

ROOT = Path(__file__).resolve().parents[2]
KEY = ("k1", "0123456789abcdef0123456789abcdef")


def capture(text: str, n: int = 0) -> dict[str, Any]:
    return usage_capture(
        tenant_id="t",
        user_id="u",
        skill_id="s",
        usage_event_id=f"e-{n}",
        example_input=text,
        example_output=f"{text} out",
    )


def send_every_way(broker_url: str, text: str, **options: Any) -> list[str]:
    """One capture each way a producer sends: single, bulk, signed single and bulk, coalesced."""
    ids = []
    for signing_key in (None, KEY):
        with IntakeClient(broker_url, signing_key=signing_key, **options) as client:
            ids.append(client.submit(capture(text, 1)))
            ids += client.capture_usage_many([capture(text, 2), capture(text, 3)])
        with IntakeClient(broker_url, signing_key=signing_key, coalesce=True, **options) as client:
            ids.append(client.capture_usage(**_fields(capture(text, 4))))
    return ids


def _fields(message: dict[str, Any]) -> dict[str, Any]:
    return {
        name: message[name] for name in ("tenant_id", "user_id", "skill_id", "usage_event_id")
    } | {
        "example_input": message["example_input"],
        "example_output": message["example_output"],
    }


def assert_text_only_in_body(outside: Any, body: bytes | str, text: str) -> None:
    spelled = json.dumps(outside, ensure_ascii=False, default=str)
    for form in (text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]):
        assert form not in spelled
    # ... and the body does carry it (the check above would pass for an empty message too).
    decoded = body.decode() if isinstance(body, bytes) else body
    assert json.dumps(text, ensure_ascii=False)[1:-1] in decoded


def redis_items(client: redis.Redis) -> list[dict[str, Any]]:
    return [json.loads(raw) for queue in QUEUES for raw in client.lrange(queue, 0, -1)]


# Text no envelope is made of: letters outside ASCII and a marker, some of them escaped in JSON.
texts = st.text(alphabet="ÆØÅæøåßþð\"\\<>'\n", min_size=1, max_size=200).map(
    lambda text: f"SENTINEL«{text}»"
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts)
def test_no_example_text_appears_in_a_redis_envelope_outside_its_body(
    broker_url: str, redis_client: redis.Redis, text: str
) -> None:
    redis_client.flushdb()
    ids = send_every_way(broker_url, text, tenant_rate=1)
    items = redis_items(redis_client)
    carried = []
    for item in items:
        body = base64.b64decode(item.pop("body"))
        assert_text_only_in_body(item, body, text)
        kwargs = json.loads(body)[1]
        carried += [s["submission_id"] for s in kwargs.get("submissions") or [kwargs["submission"]]]
    assert sorted(carried) == sorted(ids)


def amqp_channel(url: str) -> Any:
    parts = parse_url(url)
    return amqp.Connection(
        host=f"{parts['hostname']}:{parts['port'] or 5672}",
        userid=parts["userid"],
        password=parts["password"],
        virtual_host=parts["virtual_host"],
    )


def amqp_messages(url: str) -> Iterator[amqp.Message]:
    with amqp_channel(url) as connection:
        channel = connection.channel()
        for queue in QUEUES:
            channel.queue_declare(queue, durable=True, auto_delete=False)
            while (message := channel.basic_get(queue, no_ack=True)) is not None:
                yield message


def test_no_example_text_appears_in_an_amqp_message_outside_its_body(
    amqp_url: str, broker_url: str, redis_client: redis.Redis
) -> None:
    text = 'SENTINEL«ÆØÅ "quoted" <b>»'
    # Over the rate on purpose (admission counts in this run's Redis): both queues are used.
    ids = send_every_way(amqp_url, text, tenant_rate=1, outcome_store_url=broker_url)
    messages = list(amqp_messages(amqp_url))
    carried = []
    for message in messages:
        assert_text_only_in_body(
            {"properties": message.properties, "headers": message.headers}, message.body, text
        )
        kwargs = json.loads(message.body)[1]
        carried += [s["submission_id"] for s in kwargs.get("submissions") or [kwargs["submission"]]]
    assert sorted(carried) == sorted(ids)


# -- a stock Celery worker runs what the producers send -------------------------------------------


def run_stock_worker(broker_url: str, record_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker_url,
        "STOCK_BROKER_URL": broker_url,
        "STOCK_RECORD_URL": record_url,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.producers.stock_worker",
            "worker",
            "--pool",
            "solo",
            "--queues",
            ",".join(QUEUES),
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def received(record: redis.Redis, count: int, timeout: float = 60) -> list[dict[str, Any]]:
    """What the stock worker ran, once it ran `count` submissions (or the time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        runs = [json.loads(raw) for raw in record.lrange(RECEIVED, 0, -1)]
        if sum(len(run["ids"]) for run in runs) >= count or time.monotonic() > deadline:
            return runs
        time.sleep(0.1)


@pytest.mark.parametrize("broker", ["redis", "amqp"])
def test_a_stock_celery_worker_runs_every_kind_of_send(
    broker: str, request: pytest.FixtureRequest, broker_url: str, redis_client: redis.Redis
) -> None:
    url = broker_url if broker == "redis" else request.getfixturevalue("amqp_url")
    text = "SENTINEL«stock»"
    worker = run_stock_worker(url, broker_url)
    try:
        # Over the rate on purpose: both queues carry messages.
        ids = send_every_way(url, text, tenant_rate=1, outcome_store_url=broker_url)
        runs = received(redis_client, len(ids))
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=30)
    assert sorted(i for run in runs for i in run["ids"]) == sorted(ids), errors.decode()[-2000:]
    for run in runs:
        assert text not in run["argsrepr"] + run["kwargsrepr"]
        assert run["kwargsrepr"].startswith(("{'submission': <submission ", "{'submissions': <"))
