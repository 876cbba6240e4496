"""The submission contract: its limits, its field errors, and the published JSON Schema."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from producers.contract import SubmissionInvalid, parse_submission
from producers.schema.__main__ import SCHEMA_FILE, render


def valid(**overrides: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "submission_id": str(uuid.uuid4()),
        "kind": "usage_capture",
        "tenant_id": "t",
        "user_id": "u",
        "skill_id": "s",
        "usage_event_id": "e",
        "example_input": "in",
        "example_output": "out",
        "quality_score": 5,
        "submitted_at": "2026-11-25T12:00:00Z",
    }
    message.update(overrides)
    return message


def errors_of(message: Any, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(SubmissionInvalid) as caught:
        parse_submission(message, **kwargs)
    return caught.value.field_errors


def test_the_published_schema_matches_the_model() -> None:
    assert SCHEMA_FILE.read_text() == render(), "run `python -m producers.schema`"


def test_the_published_schema_is_versioned_and_closed() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema["additionalProperties"] is False
    assert schema["properties"]["schema_version"]["const"] == 1
    assert schema["properties"]["example_input"]["maxLength"] == 5000


def test_a_valid_submission_round_trips_through_json() -> None:
    submission = parse_submission(valid())
    assert parse_submission(json.loads(json.dumps(submission.to_message()))) == submission


def test_texts_must_be_between_one_and_five_thousand_characters() -> None:
    assert parse_submission(valid(example_input="x" * 5000))
    assert set(errors_of(valid(example_input="", example_output="y" * 5001))) == {
        "example_input",
        "example_output",
    }
    assert "expected_output" in errors_of(valid(expected_output=""))


def test_the_text_limit_is_configurable() -> None:
    assert "example_input" in errors_of(valid(example_input="x" * 11), max_text_length=10)
    assert parse_submission(valid(example_input="x" * 6000), max_text_length=10_000)


@pytest.mark.parametrize("score", [0, 11, 5.5, "5", True])
def test_quality_score_is_an_integer_from_one_to_ten(score: Any) -> None:
    assert "quality_score" in errors_of(valid(quality_score=score))


@pytest.mark.parametrize("field", ["tenant_id", "user_id", "skill_id", "usage_event_id"])
def test_ids_are_non_empty_strings_of_at_most_255_characters(field: str) -> None:
    assert field in errors_of(valid(**{field: ""}))
    assert field in errors_of(valid(**{field: "x" * 256}))
    assert field in errors_of(valid(**{field: 42}))
    assert parse_submission(valid(**{field: "x" * 255}))


def test_unknown_fields_are_rejected_by_name() -> None:
    assert errors_of(valid(surprise=1)) == {
        "surprise": ["is not a field of the submission contract"]
    }


def test_a_usage_capture_must_name_its_usage_event() -> None:
    message = valid()
    del message["usage_event_id"]
    assert "usage_event_id" in errors_of(message)


def test_the_submission_id_must_be_a_uuid() -> None:
    assert "submission_id" in errors_of(valid(submission_id="not-a-uuid"))


def test_a_naive_timestamp_is_rejected() -> None:
    assert "submitted_at" in errors_of(valid(submitted_at="2026-11-25T12:00:00"))


def test_a_message_that_is_not_an_object_is_rejected() -> None:
    assert errors_of(["a", "list"]) == {"submission": ["must be a JSON object"]}


def test_field_errors_never_echo_the_submitted_text() -> None:
    secret = "do-not-echo-" + "z" * 5000
    errors = errors_of(valid(example_input=secret, surprise=secret))
    assert secret[:20] not in json.dumps(errors)


@pytest.mark.parametrize("field", ["tenant_id", "user_id", "skill_id", "usage_event_id"])
@pytest.mark.parametrize("bad", ["a\x00b", "\x01", "tab\there", "del\x7f", "\ud800", "x\udfff"])
def test_ids_with_control_characters_or_lone_surrogates_are_rejected(field: str, bad: str) -> None:
    # PostgreSQL `text` cannot hold NUL and UTF-8 cannot encode a lone surrogate: such an id
    # must be refused at the contract, never reach a statement.
    assert field in errors_of(valid(**{field: bad}))


def test_printable_unicode_ids_are_accepted() -> None:
    parse_submission(valid(user_id="usuário-😀", skill_id="skill\u2028two"))
