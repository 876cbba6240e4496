"""The web-form helper: field errors like the platform's server action, and a real enqueue."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis

from producers import IntakeClient, SignedInUser, submit_training_example_form

USER = SignedInUser(id="user-1", tenant_id="tenant-1")


@pytest.fixture
def client(broker_url: str, redis_client: redis.Redis) -> Iterator[IntakeClient]:
    with IntakeClient(broker_url) as client:
        yield client


def queued(redis_client: redis.Redis) -> list[dict[str, object]]:
    return [json.loads(raw) for raw in redis_client.lrange("intake", 0, -1)]


def test_a_complete_form_is_enqueued_and_reports_success(
    client: IntakeClient, redis_client: redis.Redis
) -> None:
    state = submit_training_example_form(
        client,
        {"skillId": "skill-1", "exampleInput": "in", "exampleOutput": "out", "qualityScore": "7"},
        USER,
    )
    assert state.success is True and state.errors == {}
    assert state.as_dict() == {"errors": {}, "message": state.message, "success": True}
    [message] = queued(redis_client)
    assert message["headers"]["task"] == "intake.submit"  # type: ignore[index]
    assert message["headers"]["id"] == state.submission_id  # type: ignore[index]


def test_missing_fields_are_reported_by_form_field_name(
    client: IntakeClient, redis_client: redis.Redis
) -> None:
    state = submit_training_example_form(client, {"exampleInput": "  ", "qualityScore": "x"}, USER)
    assert state.success is False
    assert set(state.errors) == {"skillId", "exampleInput", "exampleOutput", "qualityScore"}
    assert queued(redis_client) == []


def test_contract_violations_come_back_as_form_field_errors(
    client: IntakeClient, redis_client: redis.Redis
) -> None:
    state = submit_training_example_form(
        client,
        {"skillId": "s", "exampleInput": "x" * 5001, "exampleOutput": "o", "qualityScore": "12"},
        USER,
    )
    assert set(state.errors) == {"exampleInput", "qualityScore"}
    assert queued(redis_client) == []


def test_a_signed_out_visitor_cannot_submit(client: IntakeClient) -> None:
    state = submit_training_example_form(client, {}, None)
    assert state.success is False and state.message


def test_an_explicit_broker_url_wins_over_the_environment(
    broker_url: str, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Celery itself prefers CELERY_BROKER_URL over the URL an app is given.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    with IntakeClient(broker_url) as client:
        state = submit_training_example_form(
            client, {"skillId": "s", "exampleInput": "i", "exampleOutput": "o"}, USER
        )
    assert state.success
    assert len(queued(redis_client)) == 1
