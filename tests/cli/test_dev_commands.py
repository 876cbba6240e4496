"""`intake dev`: tenants, users and skills to try the service with (development only)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from producers.contract import SubmissionKind, parse_submission
from tests.cli.conftest import Invoke
from worker.ingest.facts import load_facts
from worker.models import SettingsAudit, SiteSettings, Skill, Tenant, TenantCapture, User
from worker.operations.seeding import user_consents
from worker.outcomes import Outcome, Reason
from worker.rules import Decision, decide


def make_world(intake: Invoke) -> None:
    for arguments in (
        ("tenant", "create", "acme", "--name", "Acme", "--capture", "on", "--sample-rate", "1"),
        ("user", "create", "alice", "--tenant", "acme", "--consent"),
        ("user", "create", "bob", "--tenant", "acme"),
        ("skill", "create", "sql-helper", "--author", "alice", "--name", "SQL helper"),
    ):
        result = (
            intake("dev", *arguments, "--by", "tester")
            if arguments[0] != "skill"
            else (intake("dev", *arguments))
        )
        assert result.exit_code == 0, (arguments, result.output)


def test_a_world_made_with_dev_commands_is_what_the_worker_checks(
    intake: Invoke, session: Session
) -> None:
    make_world(intake)
    tenant = session.get(Tenant, "acme")
    assert tenant is not None and (tenant.name, tenant.slug, tenant.is_active) == (
        "Acme",
        "acme",
        True,
    )
    skill = session.get(Skill, "sql-helper")
    assert skill is not None and (skill.tenant_id, skill.author_id) == ("acme", "alice")
    assert user_consents(session, "alice") and not user_consents(session, "bob")
    # The capture switch and consent went through the audited operations.
    rows = session.execute(select(SettingsAudit.setting, SettingsAudit.changed_by))
    audited = {(setting, by) for setting, by in rows}
    assert ("training_data_capture_enabled", "tester") in audited
    assert ("trainingDataConsent", "tester") in audited
    # ... and the worker's rules see the world as meant.
    submissions = [
        parse_submission(
            {
                "submission_id": "00000000-0000-4000-8000-00000000000" + str(n),
                "kind": kind.value,
                "tenant_id": "acme",
                "user_id": user,
                "skill_id": "sql-helper",
                "example_input": "in",
                "example_output": "out",
                "usage_event_id": f"e-{n}",
            }
        )
        for n, (kind, user) in enumerate(
            [
                (SubmissionKind.GOLDEN_EXAMPLE, "alice"),
                (SubmissionKind.GOLDEN_EXAMPLE, "bob"),
                (SubmissionKind.USAGE_CAPTURE, "alice"),
                (SubmissionKind.USAGE_CAPTURE, "bob"),
            ]
        )
    ]
    facts = load_facts(session, submissions)
    assert [decide(s, facts) for s in submissions] == [
        Decision(Outcome.ACCEPTED),
        Decision(Outcome.REJECTED, Reason.NOT_AUTHOR),
        Decision(Outcome.ACCEPTED),
        Decision(Outcome.SKIPPED, Reason.NO_CONSENT),
    ]
    session.rollback()


def test_the_commands_say_what_they_did(intake: Invoke) -> None:
    assert intake("dev", "tenant", "create", "acme").stdout.strip() == (
        "created tenant acme (capture off, sample rate 1)"
    )
    assert intake("dev", "tenant", "create", "acme", "--capture", "on").stdout.strip() == (
        "updated tenant acme (capture on, sample rate 1)"
    )
    assert intake("dev", "user", "create", "alice", "--tenant", "acme").stdout.strip() == (
        "created user alice of tenant acme (member, no consent)"
    )
    assert intake("dev", "user", "create", "alice", "--consent").stdout.strip() == (
        "updated user alice of tenant acme (member, consented)"
    )
    assert intake("dev", "skill", "create", "s", "--author", "alice").stdout.strip() == (
        "created skill s of tenant acme (author alice)"
    )
    shown = intake("dev", "show")
    assert shown.exit_code == 0
    assert "acme\tactive\tcapture on\tsample rate 1\talice (member, consented)\ts (by alice)" in (
        shown.stdout
    )


def test_running_the_same_commands_again_changes_nothing_else(
    intake: Invoke, session: Session
) -> None:
    make_world(intake)
    make_world(intake)
    assert session.query(Tenant).count() == 1
    assert session.query(User).count() == 2
    assert session.query(SiteSettings).count() == 1
    assert session.query(TenantCapture).count() == 1


def test_an_admin_user_may_be_made(intake: Invoke, session: Session) -> None:
    intake("dev", "tenant", "create", "acme")
    result = intake("dev", "user", "create", "ops", "--tenant", "acme", "--role", "admin")
    assert result.exit_code == 0, result.output
    user = session.get(User, "ops")
    assert user is not None and user.role == "admin"


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (("user", "create", "u", "--tenant", "nope"), "error: unknown tenant: nope"),
        (("user", "create", "u"), "error: user u does not exist yet: name its tenant"),
        (("skill", "create", "s", "--author", "nobody"), "error: unknown user: nobody"),
        (("skill", "create", "s"), "error: skill s does not exist yet: name its author"),
        (
            ("skill", "create", "s", "--author", "alice", "--tenant", "other"),
            "error: the author alice belongs to tenant acme, not other: a skill's author is a "
            "user of its tenant",
        ),
        (
            ("tenant", "create", "other", "--slug", "acme"),
            "error: slug 'acme' is taken by tenant acme",
        ),
        (("tenant", "create", " padded"), "error: a tenant id is 1-255 printable characters"),
        (("tenant", "create", "x\ty"), "error: a tenant id is 1-255 printable characters"),
        (
            ("user", "create", "alice", "--tenant", "other"),
            "error: user alice belongs to tenant acme, not other",
        ),
    ],
)
def test_what_cannot_be_made_is_one_line(
    intake: Invoke, arguments: tuple[str, ...], said: str
) -> None:
    intake("dev", "tenant", "create", "acme")
    intake("dev", "tenant", "create", "other")
    intake("dev", "user", "create", "alice", "--tenant", "acme")
    result = intake("dev", *arguments)
    assert result.exit_code == 1, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(said), line


def test_help_says_the_commands_are_for_development_only(intake: Invoke) -> None:
    for path in ((), ("tenant", "create"), ("user", "create"), ("skill", "create")):
        shown = " ".join(intake("dev", *path, "--help").stdout.split())
        assert "development and evaluation only" in shown.replace("[", "").replace("]", ""), path
