"""Signed submissions: with keys configured, unsigned, forged and tampered ones are rejected."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from producers.signing import sign
from tests import factories
from tests.worker.ingest.test_pipeline import give_up, golden
from worker.ingest.pipeline import process_batch
from worker.models import DeadLetter, IntakeOutcome, SkillFeedback

OLD = ("2025-q4", b"an-old-secret-of-enough-length")
NEW = ("2026-q1", b"a-new-secret-of-enough-length!")
KEYS = dict([OLD, NEW])


def outcomes(factory: sessionmaker[Session], *items: object) -> list[tuple[str, str | None]]:
    report = process_batch(factory, list(items), signing_keys=KEYS)
    return [(r.outcome.value, r.reason and r.reason.value) for r in report.results]


def test_submissions_signed_with_any_configured_key_are_accepted(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    assert (
        outcomes(session_factory, sign(golden(world), *OLD), sign(golden(world), *NEW))
        == [("accepted", None)] * 2
    )


def test_unsigned_forged_and_tampered_submissions_are_rejected_without_a_row(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    unsigned = golden(world)
    forged = sign(golden(world), "2026-q1", b"not-the-real-secret-at-all")
    unknown_key = sign(golden(world), "someone-else", b"whatever-secret-they-have")
    tampered = {**sign(golden(world), *NEW), "example_output": "changed after signing"}
    assert (
        outcomes(session_factory, unsigned, forged, unknown_key, tampered)
        == [("rejected", "bad_signature")] * 4
    )
    assert session.scalars(select(SkillFeedback)).all() == []
    # None of them may claim the submission id it carries: each is a dead letter of its own.
    assert session.scalars(select(IntakeOutcome)).all() == []
    letters = session.scalars(select(DeadLetter)).all()
    assert sorted(letter.reason for letter in letters) == ["bad_signature"] * 4
    assert {letter.submission_id for letter in letters} == {None}


def test_a_replayed_signed_submission_is_a_harmless_duplicate(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = sign(golden(world), *NEW)
    assert outcomes(session_factory, message) == [("accepted", None)]
    assert outcomes(session_factory, message, message) == [("duplicate", "same_submission")] * 2
    assert len(session.scalars(select(SkillFeedback)).all()) == 1


def test_a_forged_submission_in_a_failing_batch_is_not_kept_for_replay(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    from worker.models import DeadLetter

    world = factories.world(session)
    genuine = sign(golden(world), *NEW)
    forged = sign(golden(world, example_input="forged text"), "2026-q1", b"wrong-secret-000000000")
    report = give_up(session_factory, [genuine, forged], RuntimeError("down"), KEYS)
    assert [(r.outcome.value, r.reason and r.reason.value) for r in report.results] == [
        ("failed", "retries_exhausted"),
        ("rejected", "bad_signature"),
    ]
    letters = session.scalars(select(DeadLetter).where(DeadLetter.payload.is_not(None))).all()
    assert [letter.submission_id for letter in letters] == [genuine["submission_id"]]
    # Kept as sent, signature included, so a replay verifies again.
    assert letters[0].payload == genuine


def test_a_kept_signed_submission_whose_secret_was_redacted_loses_its_stale_signature(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    from worker.models import DeadLetter

    world = factories.world(session)
    secret = "ghp_" + "R8x2Lq9Vw4Zt7Kp3Ns6Yb1Hc5Jd0Mf2Ga8Qe"
    genuine = sign(golden(world, example_input=f"token: {secret}"), *NEW)
    give_up(session_factory, [genuine], RuntimeError("down"), KEYS)
    [letter] = session.scalars(select(DeadLetter)).all()
    assert letter.payload is not None
    assert secret not in letter.payload["example_input"]
    # The signature no longer matches the text: replaying needs the operator's key.
    assert "signature" not in letter.payload


def _forgeries_of(genuine: dict[str, object]) -> list[dict[str, object]]:
    """Messages that carry a genuine submission's id without its key: every way to squat it."""
    unsigned = {k: v for k, v in genuine.items() if k != "signature"}
    return [
        unsigned,
        {**unsigned, "example_input": "the squatter's text"},
        sign({**unsigned, "quality_score": 99}, "2026-q1", b"not-the-real-secret-at-all"),
        {**genuine, "tenant_id": "another-tenant"},
        {"submission_id": genuine["submission_id"], "kind": "golden_example"},
    ]


def test_a_forged_message_sent_first_cannot_squat_the_genuine_submissions_outcome(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    genuine = sign(golden(world), *NEW)
    for forged in _forgeries_of(genuine):
        assert outcomes(session_factory, forged) == [("rejected", "bad_signature")]
    assert session.scalars(select(IntakeOutcome)).all() == []
    assert outcomes(session_factory, genuine) == [("accepted", None)]
    assert session.get(SkillFeedback, genuine["submission_id"]) is not None


def test_a_forged_message_in_the_genuine_ones_batch_changes_nothing_of_its_outcome(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    genuine = sign(golden(world), *NEW)
    forged = _forgeries_of(genuine)
    results = outcomes(session_factory, *forged, genuine, *forged)
    assert (
        results
        == [("rejected", "bad_signature")] * 5
        + [("accepted", None)]
        + [("rejected", "bad_signature")] * 5
    )
    session.expire_all()
    outcome = session.get(IntakeOutcome, genuine["submission_id"])
    assert outcome is not None and outcome.outcome == "accepted"
    assert session.get(SkillFeedback, genuine["submission_id"]) is not None


def test_a_forged_message_cannot_overwrite_a_failed_outcome_and_the_replay_still_lands(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    genuine = sign(golden(world), *NEW)
    give_up(session_factory, [genuine], RuntimeError("down"), KEYS)
    for forged in _forgeries_of(genuine):
        outcomes(session_factory, forged)
    session.expire_all()
    outcome = session.get(IntakeOutcome, genuine["submission_id"])
    assert outcome is not None and outcome.outcome == "failed"
    [kept] = session.scalars(select(DeadLetter).where(DeadLetter.payload.is_not(None))).all()
    assert outcomes(session_factory, kept.payload) == [("accepted", None)]


def test_without_keys_an_invalid_message_cannot_overwrite_a_failed_outcome(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = golden(world)
    give_up(session_factory, [message], RuntimeError("down"))
    invalid = {**message, "quality_score": 0}
    assert process_batch(session_factory, [invalid]).results[0].reason is not None
    session.expire_all()
    outcome = session.get(IntakeOutcome, message["submission_id"])
    assert outcome is not None and outcome.outcome == "failed"
    report = process_batch(session_factory, [message])
    assert [r.outcome.value for r in report.results] == ["accepted"]


def test_a_forged_message_seen_three_times_is_one_dead_letter_counted_three_times(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    forged = golden(world)
    outcomes(session_factory, forged)
    outcomes(session_factory, forged, forged)
    session.expire_all()
    [letter] = session.scalars(select(DeadLetter)).all()
    assert (letter.reason, letter.seen) == ("bad_signature", 3)
    assert letter.message_info["claimed_submission_id"] == forged["submission_id"]
