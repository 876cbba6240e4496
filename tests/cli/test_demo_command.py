"""`intake demo`: every case decided by a real worker, shown in 80 columns, its world kept."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cli.conftest import Invoke
from worker.models import DeadLetter, IntakeOutcome, Skill, Tenant, User

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


@pytest.mark.integration
def test_the_demo_shows_every_outcome_with_full_ids_and_leaves_its_world(
    intake: Invoke, session: Session
) -> None:
    result = intake("demo", "--timeout", "60")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # Fits a terminal of 80 columns (but for the servers' URLs, as long as they are), and is
    # plain text when not on one (no box drawing).
    assert lines[0].startswith("PostgreSQL ") and lines[1].startswith("Redis ")
    assert max(len(line) for line in lines[2:]) <= 80
    assert not set("│─┃╭╮╰╯┏┓").intersection(result.stdout)
    assert "\x1b[" not in result.stdout

    def row(label: str) -> tuple[str, str]:
        [index] = [i for i, line in enumerate(lines) if line[4:].startswith(label)]
        return lines[index], lines[index + 1]

    for label, outcome, reason in [
        ("golden example by the author", "accepted", ""),
        ("golden example by a non-author", "rejected", "not_author"),
        ("same usage event again", "duplicate", "same_usage_event"),
        ("usage capture without consent", "skipped", "no_consent"),
        ("usage capture, tenant capture off", "skipped", "capture_disabled"),
        ("usage capture, tenant keeps 0%", "skipped", "sampled_out"),
        ("unknown skill", "rejected", "unknown_skill"),
        ("an invalid payload", "rejected", "invalid"),
        ("the first one resent (same id)", "duplicate", "same_submission"),
        ("failed: consent row locked", "failed", "retries_exhausted"),
    ]:
        first, second = row(label)
        assert first.split()[-2:] == [outcome, reason] if reason else first.endswith(outcome), first
        [submission_id] = UUID.findall(second)
        # The printed id is whole: intake status finds it as it is.
        if label != "the first one resent (same id)":
            recorded = session.get(IntakeOutcome, submission_id)
            assert recorded is not None and recorded.outcome == outcome, label

    assert "[REDACTED]" in result.stdout
    assert "&lt;script>" in result.stdout
    # The resend left one row: the id of the first case, printed twice.
    assert UUID.findall(row("golden example by the author")[1]) == UUID.findall(
        row("the first one resent (same id)")[1]
    )

    # The failed one was kept for replay, and the next commands name its dead letter.
    letter = session.scalar(select(DeadLetter.id).order_by(DeadLetter.id.desc()).limit(1))
    assert letter is not None
    assert f"  intake dead-letters replay {letter}" in result.stdout
    first_id = UUID.findall(row("golden example by the author")[1])[0]
    assert f"  intake status {first_id}" in result.stdout
    # The world stays in place.
    assert {t for (t,) in session.execute(select(Tenant.id))} >= {
        "demo-tenant",
        "demo-tenant-off",
        "demo-sampled",
    }
    assert session.get(User, "demo-alice") is not None
    assert session.get(Skill, "demo-skill") is not None


@pytest.mark.integration
def test_the_demo_can_run_again(intake: Invoke) -> None:
    assert intake("demo").exit_code == 0
    again = intake("demo")
    assert again.exit_code == 0, again.output
