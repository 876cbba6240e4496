"""Signed submissions: with keys configured, unsigned, forged and tampered ones are rejected."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from producers.signing import sign
from tests import factories
from tests.worker.test_pipeline import golden
from worker.models import IntakeOutcome, SkillFeedback
from worker.pipeline import process_batch

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
    recorded = session.scalars(select(IntakeOutcome.reason)).all()
    assert recorded == ["bad_signature"] * 4


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
    from worker.failures import record_failed
    from worker.models import DeadLetter

    world = factories.world(session)
    genuine = sign(golden(world), *NEW)
    forged = sign(golden(world, example_input="forged text"), "2026-q1", b"wrong-secret-000000000")
    report = record_failed(
        session_factory, "intake.submit", [genuine, forged], RuntimeError("down"), signing_keys=KEYS
    )
    assert [(r.outcome.value, r.reason and r.reason.value) for r in report.results] == [
        ("failed", "retries_exhausted"),
        ("rejected", "bad_signature"),
    ]
    letters = session.scalars(select(DeadLetter)).all()
    assert [letter.submission_id for letter in letters] == [genuine["submission_id"]]
    # Kept as sent, signature included, so a replay verifies again.
    assert letters[0].payload == genuine


def test_a_kept_signed_submission_whose_secret_was_redacted_loses_its_stale_signature(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    from worker.failures import record_failed
    from worker.models import DeadLetter

    world = factories.world(session)
    secret = "ghp_" + "R8x2Lq9Vw4Zt7Kp3Ns6Yb1Hc5Jd0Mf2Ga8Qe"
    genuine = sign(golden(world, example_input=f"token: {secret}"), *NEW)
    record_failed(
        session_factory, "intake.submit", [genuine], RuntimeError("down"), signing_keys=KEYS
    )
    [letter] = session.scalars(select(DeadLetter)).all()
    assert letter.payload is not None
    assert secret not in letter.payload["example_input"]
    # The signature no longer matches the text: replaying needs the operator's key.
    assert "signature" not in letter.payload
