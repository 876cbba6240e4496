"""`intake dead-letters`: listed without text, shown on request, replayed with the original id."""

from __future__ import annotations

import base64
import json
from typing import Any

import redis
from sqlalchemy.orm import Session

from producers.contract import QUEUE, new_submission_id
from tests.cli.conftest import Invoke
from worker import deadletters
from worker.models import DeadLetter, DeadLetterReason

SECRET_TEXT = "the example text nobody may print by accident"


def _letters(session: Session) -> tuple[int, int, str]:
    submission_id = new_submission_id()
    payload = {
        "submission_id": submission_id,
        "kind": "golden_example",
        "tenant_id": "t",
        "user_id": "u",
        "skill_id": "s",
        "example_input": SECRET_TEXT,
        "example_output": "out",
    }
    deadletters.add(
        session,
        [
            deadletters.of_message(
                DeadLetterReason.UNDECODABLE,
                b"m-1 body",
                task_name="intake.submit",
                error="body does not decode",
                info={"task_id": "m-1", "body_bytes": 12},
            ),
            deadletters.of_submission(
                DeadLetterReason.RETRIES_EXHAUSTED,
                submission_id,
                task_name="intake.submit",
                error="database unavailable",
                payload=payload,
            ),
        ],
    )
    session.commit()
    undecodable, failed = sorted(row.id for row in session.query(DeadLetter))
    return undecodable, failed, submission_id


def _queued_submissions(client: redis.Redis) -> list[dict[str, Any]]:
    submissions = []
    for raw in client.lrange(QUEUE, 0, -1):
        envelope = json.loads(raw)
        _args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        submissions.append(kwargs["submission"])
    return submissions


def test_list_never_prints_payload_text(intake: Invoke, session: Session) -> None:
    undecodable, failed, submission_id = _letters(session)
    for options in ([], ["--json"]):
        result = intake("dead-letters", "list", *options)
        assert result.exit_code == 0, result.output
        assert SECRET_TEXT not in result.output
        assert submission_id in result.stdout
    listed = json.loads(intake("dead-letters", "list", "--json").stdout)
    assert [(item["id"], item["replayable"]) for item in listed] == [
        (failed, True),
        (undecodable, False),
    ]


def test_show_prints_the_payload_only_when_asked(intake: Invoke, session: Session) -> None:
    _, failed, _ = _letters(session)
    plain = intake("dead-letters", "show", str(failed))
    assert plain.exit_code == 0, plain.output
    assert "database unavailable" in plain.stdout
    assert SECRET_TEXT not in plain.output
    shown = intake("dead-letters", "show", str(failed), "--payload", "--json")
    assert json.loads(shown.stdout)["payload"]["example_input"] == SECRET_TEXT
    assert intake("dead-letters", "show", "999999").exit_code == 1


def test_replay_enqueues_the_kept_submission_with_its_original_id(
    intake: Invoke, session: Session, redis_client: redis.Redis
) -> None:
    _, failed, submission_id = _letters(session)
    result = intake("dead-letters", "replay", str(failed))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"replayed dead letter {failed} (submission {submission_id})"
    [queued] = _queued_submissions(redis_client)
    assert queued["submission_id"] == submission_id
    assert queued["example_input"] == SECRET_TEXT
    session.expire_all()
    assert session.get(DeadLetter, failed).replayed_at is not None  # type: ignore[union-attr]


def test_an_undecodable_letter_cannot_be_replayed_and_the_command_says_so(
    intake: Invoke, session: Session, redis_client: redis.Redis
) -> None:
    undecodable, _, _ = _letters(session)
    result = intake("dead-letters", "replay", str(undecodable))
    assert result.exit_code == 1
    assert f"dead letter {undecodable} cannot be replayed" in result.stderr
    assert "could not be decoded" in result.stderr
    assert redis_client.llen(QUEUE) == 0


def test_replay_all_sends_each_unreplayed_submission_once(
    intake: Invoke, session: Session, redis_client: redis.Redis
) -> None:
    _letters(session)
    first = intake("dead-letters", "replay", "--all")
    assert first.exit_code == 0, first.output
    second = intake("dead-letters", "replay", "--all")
    assert second.stdout.strip() == "nothing to replay"
    assert redis_client.llen(QUEUE) == 1


def test_replay_needs_ids_or_all_but_not_both(intake: Invoke) -> None:
    assert intake("dead-letters", "replay").exit_code == 2
    assert intake("dead-letters", "replay", "1", "--all").exit_code == 2


def _decide(session: Session, submission_id: str, outcome: str) -> None:
    from worker.models import IntakeOutcome

    session.merge(
        IntakeOutcome(
            submission_id=submission_id,
            tenant_id="t",
            kind="golden_example",
            outcome=outcome,
            reason=None,
        )
    )
    session.commit()


def test_a_letter_whose_submission_was_accepted_since_is_resolved_and_never_replayed(
    intake: Invoke, session: Session, redis_client: redis.Redis
) -> None:
    _, failed, submission_id = _letters(session)
    _decide(session, submission_id, "accepted")
    listed = json.loads(intake("dead-letters", "list", "--json").stdout)
    newest = listed[0]
    assert (newest["id"], newest["state"], newest["outcome"], newest["replayable"]) == (
        failed,
        "resolved",
        "accepted",
        False,
    )
    assert "resolved (accepted)" in intake("dead-letters", "list").stdout
    assert json.loads(intake("dead-letters", "show", str(failed), "--json").stdout)["state"] == (
        "resolved"
    )
    everything = intake("dead-letters", "replay", "--all")
    assert everything.stdout.strip() == "nothing to replay"
    named = intake("dead-letters", "replay", str(failed))
    assert named.exit_code == 0, named.output
    assert named.stdout.strip() == (
        f"dead letter {failed} not sent: already resolved: submission {submission_id} is "
        "accepted now"
    )
    assert redis_client.llen(QUEUE) == 0


def test_a_letter_still_failed_is_open(intake: Invoke, session: Session) -> None:
    _, failed, submission_id = _letters(session)
    _decide(session, submission_id, "failed")
    listed = intake("dead-letters", "list", "--state", "open", "--json")
    assert [item["id"] for item in json.loads(listed.stdout)] == [failed]


def test_replaying_twice_says_it_was_replayed_already_and_force_sends_again(
    intake: Invoke, session: Session, redis_client: redis.Redis
) -> None:
    _, failed, _ = _letters(session)
    assert intake("dead-letters", "replay", str(failed)).exit_code == 0
    again = intake("dead-letters", "replay", str(failed))
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(f"dead letter {failed} not sent: already replayed at ")
    assert "--force sends it again" in again.stdout
    assert redis_client.llen(QUEUE) == 1
    forced = intake("dead-letters", "replay", str(failed), "--force")
    assert forced.stdout.startswith(f"replayed dead letter {failed}")
    assert redis_client.llen(QUEUE) == 2
    states = {
        item["id"]: item["state"]
        for item in json.loads(intake("dead-letters", "list", "--json").stdout)
    }
    assert states[failed] == "replayed"
