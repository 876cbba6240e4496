"""The ingest pipeline against a real PostgreSQL: every outcome, idempotency and isolation."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from worker.errors import TransientError
from worker.ingest import store
from worker.ingest.decode import admit
from worker.ingest.failures import record_failed
from worker.ingest.pipeline import BatchReport, process_batch
from worker.models import DeadLetter, IntakeOutcome, SkillFeedback
from worker.outcomes import Outcome, Reason
from worker.tenancy import WORKER_ROLE, act_as_worker

SECRET_TEXT = "unique-private-text-0b7e"


golden = factories.golden_submission
usage = factories.usage_submission


def outcome_of(session: Session, submission_id: str) -> tuple[str, str | None] | None:
    row = session.get(IntakeOutcome, submission_id)
    session.expire_all()
    return None if row is None else (row.outcome, row.reason)


def rows(session: Session) -> list[SkillFeedback]:
    session.expire_all()
    return list(session.scalars(select(SkillFeedback)))


def give_up(
    factory: sessionmaker[Session],
    items: list[Any],
    cause: BaseException,
    signing_keys: dict[str, bytes] | None = None,
) -> BatchReport:
    """What the worker records when it gives up on a batch after its retries."""
    admitted = admit(items, max_text_length=5000, signing_keys=signing_keys)
    part = record_failed(
        factory, admitted, cause, task_name="intake.submit", signed=bool(signing_keys)
    )
    return part.report(len(items))


def run(factory: sessionmaker[Session], *items: Any) -> list[tuple[str, str | None]]:
    report = process_batch(factory, list(items))
    return [(r.outcome.value, None if r.reason is None else r.reason.value) for r in report.results]


def test_a_golden_example_by_the_skills_author_is_stored_approved(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = golden(world)
    assert run(session_factory, message) == [("accepted", None)]
    [row] = rows(session)
    assert row.id == message["submission_id"]
    assert (row.feedback_type, row.source, row.status) == ("training_example", "web", "approved")
    assert (row.example_input, row.example_output, row.expected_output) == (
        "What is 2+2?",
        "4",
        "4",
    )
    assert row.quality_score == 8
    assert outcome_of(session, message["submission_id"]) == ("accepted", None)


def test_a_golden_example_by_someone_else_is_rejected_as_not_author(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    stranger = factories.user(session, world.tenant)
    session.commit()
    message = golden(world, user_id=stranger.id)
    assert run(session_factory, message) == [("rejected", "not_author")]
    assert rows(session) == []
    assert outcome_of(session, message["submission_id"]) == ("rejected", "not_author")


def test_golden_examples_are_not_gated_by_the_capture_setting(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session, capture=False, consent=False)
    assert run(session_factory, golden(world)) == [("accepted", None)]


def test_a_usage_capture_with_capture_on_and_consent_is_stored_pending(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = usage(world)
    assert run(session_factory, message) == [("accepted", None)]
    [row] = rows(session)
    assert (row.source, row.status) == ("usage_capture", "pending")
    assert row.usage_event_id == message["usage_event_id"]


def test_usage_capture_is_skipped_when_the_tenant_disabled_capture(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session, capture=False)
    assert run(session_factory, usage(world)) == [("skipped", "capture_disabled")]
    assert rows(session) == []


def test_usage_capture_is_skipped_when_the_tenant_has_no_settings_row(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    tenant = factories.tenant(session)
    author = factories.user(session, tenant, consent=True)
    world = factories.World(tenant, author, factories.skill(session, tenant, author))
    session.commit()
    assert run(session_factory, usage(world)) == [("skipped", "capture_disabled")]


@pytest.mark.parametrize("consent", [None, False, "true", 1])
def test_usage_capture_is_skipped_when_the_user_has_not_consented(
    session: Session, session_factory: sessionmaker[Session], consent: Any
) -> None:
    tenant = factories.tenant(session, capture=True)
    author = factories.user(session, tenant, consent=consent)
    world = factories.World(tenant, author, factories.skill(session, tenant, author))
    session.commit()
    assert run(session_factory, usage(world)) == [("skipped", "no_consent")]
    assert rows(session) == []


def test_unknown_and_inactive_tenants_users_and_skills_are_rejected(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    inactive = factories.tenant(session, active=False)
    session.commit()
    assert run(
        session_factory,
        golden(world, tenant_id="no-such-tenant"),
        golden(world, tenant_id=inactive.id),
        golden(world, user_id="no-such-user"),
        golden(world, skill_id="no-such-skill"),
    ) == [
        ("rejected", "unknown_tenant"),
        ("rejected", "inactive_tenant"),
        ("rejected", "unknown_user"),
        ("rejected", "unknown_skill"),
    ]


def test_a_user_or_skill_of_another_tenant_is_rejected_as_cross_tenant(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    mine = factories.world(session)
    theirs = factories.world(session)
    assert (
        run(
            session_factory,
            golden(mine, user_id=theirs.author.id),
            golden(mine, skill_id=theirs.skill.id),
            usage(mine, user_id=theirs.author.id),
        )
        == [("rejected", "cross_tenant")] * 3
    )
    assert rows(session) == []


def test_an_invalid_submission_is_rejected_naming_its_fields(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = golden(world, quality_score=11, example_input="", surprise=True)
    report = process_batch(session_factory, [message])
    [result] = report.results
    assert (result.outcome, result.reason) == (Outcome.REJECTED, Reason.INVALID)
    # A made-up field is counted under a name of the contract's own, never stored by its name.
    assert set(result.detail["fields"]) == {"quality_score", "example_input", "unknown_field"}
    assert outcome_of(session, message["submission_id"]) == ("rejected", "invalid")


def test_one_bad_submission_does_not_fail_the_others_in_its_batch(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    good = [golden(world) for _ in range(3)]
    outcomes = run(session_factory, good[0], "not an object", good[1], {"kind": 5}, good[2])
    assert outcomes == [
        ("accepted", None),
        ("rejected", "invalid"),
        ("accepted", None),
        ("rejected", "invalid"),
        ("accepted", None),
    ]
    assert len(rows(session)) == 3


def test_the_same_submission_twice_gives_one_row_and_a_duplicate(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = golden(world)
    assert run(session_factory, message) == [("accepted", None)]
    assert run(session_factory, message) == [("duplicate", "same_submission")]
    assert run(session_factory, message, message) == [("duplicate", "same_submission")] * 2
    assert len(rows(session)) == 1
    assert outcome_of(session, message["submission_id"]) == ("accepted", None)


def test_the_same_submission_twice_in_one_batch_gives_one_row(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = golden(world)
    assert run(session_factory, message, message) == [
        ("accepted", None),
        ("duplicate", "same_submission"),
    ]
    assert len(rows(session)) == 1


def test_the_same_usage_event_captured_twice_in_a_tenant_gives_one_row(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    first = usage(world, usage_event_id="evt-1")
    again = usage(world, usage_event_id="evt-1")
    assert run(session_factory, first) == [("accepted", None)]
    assert run(session_factory, again) == [("duplicate", "same_usage_event")]
    both = [usage(world, usage_event_id="evt-2"), usage(world, usage_event_id="evt-2")]
    assert run(session_factory, *both) == [("accepted", None), ("duplicate", "same_usage_event")]
    assert len(rows(session)) == 2
    assert outcome_of(session, again["submission_id"]) == ("duplicate", "same_usage_event")


def test_the_same_usage_event_id_in_two_tenants_gives_two_rows(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    one, two = factories.world(session), factories.world(session)
    assert (
        run(session_factory, usage(one, usage_event_id="evt"), usage(two, usage_event_id="evt"))
        == [("accepted", None)] * 2
    )


def test_skipped_and_rejected_submissions_leave_their_text_nowhere_in_the_database(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session, consent=False)
    stranger = factories.user(session, world.tenant)
    session.commit()
    run(
        session_factory,
        usage(world, example_input=SECRET_TEXT),
        golden(world, user_id=stranger.id, example_output=SECRET_TEXT),
        golden(world, quality_score=0, example_input=SECRET_TEXT),
    )
    dump = session.execute(
        text(
            "SELECT coalesce(string_agg(t::text, ''), '') FROM ("
            " SELECT row_to_json(f)::text AS t FROM skill_feedback f"
            " UNION ALL SELECT row_to_json(o)::text FROM intake_outcomes o"
            " UNION ALL SELECT row_to_json(d)::text FROM intake_dead_letters d) everything"
        )
    ).scalar_one()
    assert SECRET_TEXT not in dump
    assert session.scalar(select(func.count()).select_from(IntakeOutcome)) == 3


def test_stored_text_is_sanitized_and_the_secret_kinds_are_recorded(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = golden(
        world,
        example_input="key AKIAIOSFODNN7EXAMPLE and if (x<y && y>z) ok",
        example_output="<script>alert(1)</script>",
    )
    report = process_batch(session_factory, [message])
    [row] = rows(session)
    assert "AKIAIOSFODNN7EXAMPLE" not in row.example_input
    assert "[REDACTED]" in row.example_input
    assert "if (x<y && y>z) ok" in row.example_input
    assert "<script>" not in (row.example_output or "")
    assert "aws_access_key" in report.results[0].detail["secrets_found"]


def test_an_unreachable_database_is_a_transient_error(postgres_admin_url: str) -> None:
    from worker.db import make_engine

    engine = make_engine("postgresql://postgres@127.0.0.1:1/none")
    factory = sessionmaker(engine)
    with pytest.raises(TransientError):
        process_batch(factory, [{"submission_id": str(uuid.uuid4())}])
    engine.dispose()


def test_a_failed_submission_is_kept_for_replay_and_a_replay_accepts_it(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = golden(world)
    report = give_up(session_factory, [message], RuntimeError("db down"))
    assert [r.outcome for r in report.results] == [Outcome.FAILED]
    assert outcome_of(session, message["submission_id"]) == ("failed", "retries_exhausted")
    [letter] = session.scalars(select(DeadLetter)).all()
    assert (
        letter.payload is not None and letter.payload["submission_id"] == message["submission_id"]
    )
    assert run(session_factory, letter.payload) == [("accepted", None)]
    assert outcome_of(session, message["submission_id"]) == ("accepted", None)


def test_a_failed_submission_is_kept_with_its_secrets_redacted_and_replays_as_it_would_have(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    secret = "AKIA" + "Q3EGRIPZ7XK2M4NB"
    message = golden(world)
    message["example_input"] = f"aws_access_key_id = {secret}\nif (a < b) {{}}"
    give_up(session_factory, [message], RuntimeError("db down"))
    [letter] = session.scalars(select(DeadLetter)).all()
    assert letter.payload is not None
    assert secret not in letter.payload["example_input"]
    assert "if (a < b) {}" in letter.payload["example_input"]
    assert run(session_factory, letter.payload) == [("accepted", None)]
    row = session.get(SkillFeedback, message["submission_id"])
    assert row is not None and row.example_input == letter.payload["example_input"]


def test_a_failure_never_overwrites_a_decided_outcome(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    message = golden(world)
    run(session_factory, message)
    report = give_up(session_factory, [message], RuntimeError("late"))
    assert report.recorded == set()
    assert outcome_of(session, message["submission_id"]) == ("accepted", None)
    assert session.scalars(select(DeadLetter)).all() == []


def test_a_row_whose_skill_vanished_is_rejected_without_failing_the_batch(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    batch = [
        factories.training_example_row(world),
        factories.training_example_row(world, skill_id="deleted-skill"),
        factories.training_example_row(world),
    ]
    with session_factory() as writer, writer.begin():
        act_as_worker(writer, WORKER_ROLE)
        stored = store.insert_rows(writer, batch)
    assert stored.inserted == {batch[0]["id"], batch[2]["id"]}
    assert stored.rejected == {batch[1]["id"]: Reason.UNKNOWN_SKILL}


def test_concurrent_workers_racing_on_the_same_ids_store_each_once(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    batch = [golden(world) for _ in range(50)] + [usage(world) for _ in range(50)]
    barrier = threading.Barrier(4)
    reports = []
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            reports.append(process_batch(session_factory, batch))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(rows(session)) == 100
    for index in range(100):
        outcomes = sorted(report.results[index].outcome.value for report in reports)
        assert outcomes == ["accepted", "duplicate", "duplicate", "duplicate"]


def test_a_usage_capture_outside_the_tenants_sample_is_skipped_as_sampled_out(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    from worker.models import TenantCapture

    world = factories.world(session)
    session.add(TenantCapture(tenant_id=world.tenant.id, sample_rate=0.0))
    session.commit()
    assert run(session_factory, usage(world), golden(world)) == [
        ("skipped", "sampled_out"),
        ("accepted", None),
    ]


def test_the_sample_decision_is_the_same_for_a_retried_submission(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    from worker.models import TenantCapture

    world = factories.world(session)
    session.add(TenantCapture(tenant_id=world.tenant.id, sample_rate=0.5))
    session.commit()
    messages = [usage(world) for _ in range(200)]
    first = run(session_factory, *messages)
    kept = sum(1 for outcome in first if outcome == ("accepted", None))
    assert 60 < kept < 140
    # Resent: already decided, so nothing changes; and the decision itself is deterministic.
    from worker.rules import sampled_in

    assert [sampled_in(m["submission_id"], 0.5) for m in messages] == [
        outcome == ("accepted", None) for outcome in first
    ]


def test_a_tenant_on_the_html_policy_gets_golden_examples_cleaned_as_rich_text(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    from worker.models import TenantCapture

    world = factories.world(session)
    session.add(TenantCapture(tenant_id=world.tenant.id, golden_text_policy="html"))
    session.commit()
    rich = '<p><b>Bold</b> and <a href="https://example.test">a link</a><img src="x"></p>'
    golden_message = golden(world, example_output=rich)
    usage_message = usage(world, example_output="if (a < b) { <b>kept</b> }")
    assert run(session_factory, golden_message, usage_message) == [("accepted", None)] * 2
    stored = {row.id: row.example_output for row in rows(session)}
    html = stored[golden_message["submission_id"]] or ""
    assert "<b>Bold</b>" in html and "<img" not in html and 'rel="' in html
    # Usage captures stay faithful whatever the tenant's golden policy.
    assert stored[usage_message["submission_id"]] == "if (a < b) { <b>kept</b> }"
