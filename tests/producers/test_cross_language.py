"""Python and TypeScript producers hold one contract: the same verdicts, messages and signatures."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from typing import Any

import pytest
import redis

from producers import IntakeClient, usage_capture
from producers.contract import QUEUE, SUBMIT_TASK, SubmissionInvalid, parse_submission
from producers.signing import sign
from tests.producers import typescript
from tests.producers.test_signing import VECTOR

TABLE = typescript.load_table()
CASES = TABLE["cases"]
KEY = {"key_id": "k1", "secret": "0123456789abcdef0123456789abcdef"}


@pytest.fixture(scope="module")
def typescript_package() -> None:
    typescript.build()


def python_errors(case: dict[str, Any]) -> dict[str, list[str]]:
    message = typescript.message_of(TABLE, case)
    try:
        parse_submission(message, max_text_length=case.get("max_text_length", 5000))
    except SubmissionInvalid as exc:
        return exc.field_errors
    return {}


def items() -> list[dict[str, Any]]:
    return [
        {
            "message": typescript.message_of(TABLE, case),
            "max_text_length": case.get("max_text_length", 5000),
        }
        for case in CASES
    ]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_python_contract_names_the_fields_the_table_expects(case: dict[str, Any]) -> None:
    if "python_accepts" in case:
        # Pinned so that the day Python follows the schema here, this case loses its mark.
        assert python_errors(case) == {}
    else:
        assert sorted(python_errors(case)) == sorted(case["errors"])


def test_the_typescript_contract_gives_python_s_verdicts_and_messages(
    typescript_package: None,
) -> None:
    answers = typescript.ask({"op": "validate", "items": items()})
    disagreements = []
    for case, answer in zip(CASES, answers, strict=True):
        if "python_accepts" in case:
            # TypeScript follows the schema where Python is lax: the table's fields, any words.
            agrees = sorted(answer["errors"]) == sorted(case["errors"])
        else:
            expected = python_errors(case)
            same_words = answer["errors"] == expected or not _simple(expected)
            agrees = sorted(answer["errors"]) == sorted(expected) and same_words
        if not agrees:
            disagreements.append((case["name"], answer["errors"]))
    assert disagreements == []


def _simple(errors: dict[str, list[str]]) -> bool:
    # Pydantic's UUID and datetime parse errors carry parser details; the rest read alike.
    return not any(
        message.startswith(("Input should be a valid UUID", "Input should be a valid datetime"))
        for messages in errors.values()
        for message in messages
    )


def test_both_producers_send_and_sign_every_valid_submission_identically(
    typescript_package: None,
) -> None:
    valid = [(case, item) for case, item in zip(CASES, items(), strict=True) if not case["errors"]]
    answers = typescript.ask({"op": "wire", "items": [item for _, item in valid], "key": KEY})
    for (case, item), answer in zip(valid, answers, strict=True):
        python = parse_submission(item["message"], max_text_length=item["max_text_length"])
        expected = sign(python.to_message(), KEY["key_id"], KEY["secret"].encode())
        assert answer == {"message": expected}, case["name"]


def test_the_pinned_vector_signs_the_same_in_typescript(typescript_package: None) -> None:
    [answer] = typescript.ask({"op": "wire", "items": [{"message": VECTOR}], "key": KEY})
    assert answer["message"]["signature"] == {
        "key_id": "k1",
        "alg": "HMAC-SHA256",
        "value": "umyo9lxlFbmuqo-OivCc9-7scbPlhHQ-RHRys3ROs7E",
    }


# -- envelopes -------------------------------------------------------------------------------------

# Headers Celery reads as these when they are absent; who sent a message is not what it asks.
CELERY_DEFAULTS = {"shadow": None, "group_index": None, "timelimit": [None, None]}
SENDER_HEADERS = ("lang", "origin")


def meaning(item: bytes) -> dict[str, Any]:
    """What a consumer reads from a Redis list item: all but the tag and who sent it."""
    envelope = json.loads(item)
    headers = {**CELERY_DEFAULTS, **envelope["headers"]}
    for name in SENDER_HEADERS:
        headers.pop(name, None)
    properties = envelope["properties"]
    task_id = headers["id"]
    assert headers["root_id"] == task_id == properties["correlation_id"]
    body = json.loads(base64.b64decode(envelope["body"]))
    if headers["task"] == SUBMIT_TASK:
        assert task_id == body[1]["submission"]["submission_id"]
    else:  # a bulk message's task id is its own, made afresh
        headers["id"] = headers["root_id"] = "<task id>"
    return {
        "content": [envelope["content-type"], envelope["content-encoding"]],
        "headers": headers,
        "body": body,
        "delivery": {
            "body_encoding": properties["body_encoding"],
            "delivery_info": properties["delivery_info"],
            "priority": properties["priority"],
            "reply_to": properties.get("reply_to") or None,
        },
    }


def typescript_sends(broker_url: str, path: str, submissions: list[dict[str, Any]]) -> None:
    request = {"broker_url": broker_url, "path": path, "batch": 500, "warmup": []}
    done = subprocess.run(
        ["node", str(typescript.PACKAGE / "dist" / "bench" / "send.js")],
        input=json.dumps({**request, "submissions": submissions}),
        env={**os.environ, "INTAKE_TENANT_RATE": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("path", ["single", "bulk"])
def test_both_producers_envelopes_mean_the_same(
    typescript_package: None, broker_url: str, redis_client: redis.Redis, path: str
) -> None:
    submissions = [
        {
            **usage_capture(
                tenant_id="t",
                user_id="u",
                skill_id="s",
                usage_event_id=f"e-{n}",
                example_input="«in» <b>é</b>",
                example_output="out\n",
                quality_score=7,
            ),
            "submitted_at": "2026-01-02T03:04:05.678000Z",
        }
        for n in range(3)
    ]
    with IntakeClient(broker_url, tenant_rate=0, signing_key=None) as client:
        if path == "single":
            for submission in submissions:
                client.submit(submission)
        else:
            client.capture_usage_many(submissions)
    python = [meaning(item) for item in redis_client.lrange(QUEUE, 0, -1)]
    redis_client.delete(QUEUE)
    typescript_sends(broker_url, path, submissions)
    assert [meaning(item) for item in redis_client.lrange(QUEUE, 0, -1)] == python
