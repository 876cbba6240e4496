"""`intake status`: a submission's outcome by its whole id or its first characters."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy.orm import Session

from tests.cli.conftest import Invoke
from worker.models import IntakeOutcome


def outcome(session: Session, submission_id: str, **fields: object) -> str:
    values: dict[str, object] = {"tenant_id": "t", "kind": "golden_example", "outcome": "accepted"}
    values.update(fields)
    session.add(IntakeOutcome(submission_id=submission_id, **values))
    session.commit()
    return submission_id


def test_a_whole_id_gives_its_outcome_and_what_the_detail_says(
    intake: Invoke, session: Session
) -> None:
    submission_id = outcome(
        session,
        str(uuid.uuid4()),
        outcome="rejected",
        reason="invalid",
        detail={"fields": {"quality_score": ["Input should be less than or equal to 10"]}},
    )
    result = intake("status", submission_id)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"{submission_id}: rejected (invalid) - "
        "quality_score: Input should be less than or equal to 10"
    )


def test_the_first_characters_of_an_id_are_enough_when_only_one_id_starts_so(
    intake: Invoke, session: Session
) -> None:
    submission_id = outcome(session, str(uuid.uuid4()))
    for given in (submission_id[:4], submission_id[:8], submission_id[:13].upper()):
        result = intake("status", given, "--json")
        assert result.exit_code == 0, (given, result.output)
        assert json.loads(result.stdout) == {
            "submission_id": submission_id,
            "outcome": "accepted",
            "reason": None,
        }


def test_an_ambiguous_prefix_says_how_many_ids_start_so(intake: Invoke, session: Session) -> None:
    for tail in ("1", "2"):
        outcome(session, f"abcd0000-0000-4000-8000-00000000000{tail}")
    result = intake("status", "abcd")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: 'abcd' starts 2 submission ids: give more of the id"


def test_a_prefix_nothing_starts_with_is_unknown(intake: Invoke) -> None:
    result = intake("status", "ffff0000")
    assert result.exit_code == 1
    assert result.stdout.strip().startswith("ffff0000: unknown (no outcome recorded")


@pytest.mark.parametrize("given", ["not-an-id", "abc", "123456789", "g000", "' OR 1=1 --", "%"])
def test_what_is_not_an_id_fails_at_once_as_a_usage_error(intake: Invoke, given: str) -> None:
    result = intake("status", given)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert "is not a submission id" in line
