"""`intake review approve|dismiss --skill/--tenant`: every pending example that matches, in
batches of their own transactions, under the same rule as review by id."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests import factories
from tests.cli.conftest import Invoke, add_example, usage_example
from worker.models import Skill, SkillFeedback, User
from worker.operations import review


def pending_rows(session: Session, world: factories.World, count: int, **fields: str) -> None:
    """`count` pending usage captures of the world's skill, created a minute apart, oldest first
    (a slow machine must not age one past a bound between the INSERT and the command)."""
    session.execute(
        text(
            "INSERT INTO skill_feedback (id, tenant_id, skill_id, user_id, feedback_type, "
            "example_input, example_output, status, source, usage_event_id, created_at) "
            "SELECT gen_random_uuid()::text, :tenant, :skill, :user, 'training_example', "
            "'in', 'out', 'pending', :source, 'evt-' || gen_random_uuid(), "
            "now() - make_interval(mins => :count - g) "
            "FROM generate_series(1, :count) AS g"
        ),
        {
            "tenant": world.tenant.id,
            "skill": fields.get("skill", world.skill.id),
            "user": world.author.id,
            "source": fields.get("source", "usage_capture"),
            "count": count,
        },
    )
    session.commit()


def statuses(session: Session, skill_id: str) -> dict[str, int]:
    session.expire_all()
    rows = session.execute(
        select(SkillFeedback.status, text("count(*)"))
        .where(SkillFeedback.skill_id == skill_id)
        .group_by(SkillFeedback.status)
    )
    return {status: count for status, count in rows}


def test_a_dry_run_counts_and_changes_nothing(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    pending_rows(session, world, 7)
    add_example(session, world)  # approved already: not counted
    result = intake(
        "review", "approve", "--skill", world.skill.id, "--by", world.author.id, "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"would approve 7 pending example(s) of skill {world.skill.id} as {world.author.id} "
        "(dry run: nothing changed)"
    )
    assert statuses(session, world.skill.id) == {"pending": 7, "approved": 1}


def test_the_author_approves_every_pending_example_of_a_skill_in_batches(
    intake: Invoke, session: Session
) -> None:
    world = factories.world(session)
    pending_rows(session, world, 7)
    other = factories.skill(session, world.tenant, world.author)
    session.commit()
    pending_rows(session, world, 2, skill=other.id)
    result = intake(
        "review",
        *("approve", "--skill", world.skill.id, "--by", world.author.id),
        *("--notes", "bulk", "--batch-size", "3"),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(f"as {world.author.id} in 3 batch(es)")
    assert statuses(session, world.skill.id) == {"approved": 7}
    assert statuses(session, other.id) == {"pending": 2}
    # Each batch committed on its own: three transactions wrote the seven rows.
    transactions = session.scalar(
        text("SELECT count(DISTINCT xmin::text) FROM skill_feedback WHERE skill_id = :s"),
        {"s": world.skill.id},
    )
    assert transactions == 3
    notes = session.scalars(
        select(SkillFeedback.review_notes).where(SkillFeedback.skill_id == world.skill.id)
    )
    assert set(notes) == {"bulk"}


def test_limit_takes_the_oldest_and_before_takes_the_old_ones(
    intake: Invoke, session: Session
) -> None:
    world = factories.world(session)
    pending_rows(session, world, 10)
    by = ("--skill", world.skill.id, "--by", world.author.id)
    assert intake("review", "dismiss", *by, "--limit", "4").exit_code == 0
    oldest = session.scalars(
        select(SkillFeedback.status)
        .where(SkillFeedback.skill_id == world.skill.id)
        .order_by(SkillFeedback.created_at)
    ).all()
    assert oldest == ["dismissed"] * 4 + ["pending"] * 6
    # Created 0..9 minutes ago: older than 210 s are the rows aged 4 to 9 min, four of them left.
    result = intake("review", "approve", *by, "--before", "210s", "--dry-run")
    assert result.stdout.startswith("would approve 2 pending example(s)"), result.output


def test_source_narrows_the_selection(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    pending_rows(session, world, 3)
    pending_rows(session, world, 2, source="web")
    result = intake(
        "review",
        *("approve", "--skill", world.skill.id, "--by", world.author.id),
        *("--source", "web"),
    )
    assert result.exit_code == 0, result.output
    assert statuses(session, world.skill.id) == {"approved": 2, "pending": 3}


def test_someone_else_is_refused_and_nothing_changes(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    stranger = factories.user(session, world.tenant)
    session.commit()
    pending_rows(session, world, 3)
    result = intake("review", "approve", "--skill", world.skill.id, "--by", stranger.id)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: user {stranger.id} may not review the examples of skill {world.skill.id}: "
        "only the skill's author or an admin of its tenant may review its examples"
    )
    assert statuses(session, world.skill.id) == {"pending": 3}


def test_someone_else_is_refused_when_nothing_is_pending_too(
    intake: Invoke, session: Session
) -> None:
    # Found by a newcomer: with nothing pending, anyone was told "would approve 0", exit 0.
    world = factories.world(session)
    stranger = factories.user(session, world.tenant)
    session.commit()
    refused = intake("review", "approve", "--skill", world.skill.id, "--by", stranger.id)
    assert refused.exit_code == 1
    assert "may not review the examples of skill" in refused.stderr
    allowed = intake("review", "approve", "--skill", world.skill.id, "--by", world.author.id)
    assert allowed.exit_code == 0, allowed.output
    assert allowed.stdout.strip() == (
        f"no pending example of skill {world.skill.id}: nothing to approve"
    )


def test_a_tenant_wide_review_needs_the_right_to_review_every_skill_in_it(
    intake: Invoke, session: Session
) -> None:
    world = factories.world(session)
    colleague = factories.user(session, world.tenant)
    their_skill = factories.skill(session, world.tenant, colleague)
    admin = factories.user(session, world.tenant)
    admin.role = "admin"
    session.commit()
    pending_rows(session, world, 2)
    pending_rows(session, world, 2, skill=their_skill.id)
    as_author = intake("review", "approve", "--tenant", world.tenant.id, "--by", world.author.id)
    assert as_author.exit_code == 1
    assert f"skill(s) {their_skill.id} (2)" in as_author.stderr
    assert statuses(session, world.skill.id) == {"pending": 2}
    as_admin = intake("review", "approve", "--tenant", world.tenant.id, "--by", admin.id)
    assert as_admin.exit_code == 0, as_admin.output
    assert statuses(session, world.skill.id) == {"approved": 2}
    assert statuses(session, their_skill.id) == {"approved": 2}


def test_an_admin_of_another_tenant_may_not(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    elsewhere = factories.tenant(session)
    admin = factories.user(session, elsewhere)
    admin.role = "admin"
    session.commit()
    pending_rows(session, world, 1)
    result = intake("review", "approve", "--skill", world.skill.id, "--by", admin.id)
    assert result.exit_code == 1
    assert statuses(session, world.skill.id) == {"pending": 1}


@pytest.mark.parametrize(
    "arguments",
    [
        ("--by", "u"),  # neither ids nor a filter
        ("some-id", "--skill", "s", "--by", "u"),  # both
        ("some-id", "--by", "u", "--dry-run"),  # a filter's option with ids
    ],
)
def test_ids_or_a_filter_but_not_both(intake: Invoke, arguments: tuple[str, ...]) -> None:
    result = intake("review", "approve", *arguments)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_review_by_id_takes_the_first_characters_of_an_id(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    example_id = usage_example(session, world)
    result = intake("review", "approve", example_id[:8], "--by", world.author.id)
    assert result.exit_code == 0, result.output
    assert statuses(session, world.skill.id) == {"approved": 1}


def test_an_ambiguous_prefix_says_how_many_ids_start_so(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    for suffix in ("1", "2", "3"):
        add_example(session, world, id=f"dup-prefix-{suffix}", status="pending")
    result = intake("review", "approve", "dup-pre", "--by", world.author.id)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: 'dup-pre' starts 3 training example ids: give more of the id"
    )


# Run in a process of its own: tracemalloc counts every thread of a process, and the suite's
# process has threads of other tests' (workers, producers' flushers) allocating beside it.
_MEASURE = """
import sys, tracemalloc
from typer.testing import CliRunner
from worker.cli import app

runner = CliRunner()
def review(skill, author):
    result = runner.invoke(app, ["review", "approve", "--skill", skill, "--by", author])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()

review(sys.argv[1], sys.argv[2])  # warms the caches (compiled statements, imports)
tracemalloc.start()
last = review(sys.argv[3], sys.argv[4])
print(tracemalloc.get_traced_memory()[1], last, sep="\\n")
"""


def _peak_memory_of_a_review(session: Session, count: int) -> int:
    world = factories.world(session)
    warm = factories.world(session)
    pending_rows(session, warm, 1_000)
    pending_rows(session, world, count)
    measured = (warm.skill.id, warm.author.id, world.skill.id, world.author.id)
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURE, *measured],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    peak, last = completed.stdout.strip().splitlines()[-2:]
    assert last.endswith(f"in {count // 1000} batch(es)")
    assert statuses(session, world.skill.id) == {"approved": count}
    return int(peak)


def test_memory_stays_flat_however_many_examples_match(session: Session) -> None:
    # Ten times the rows, the same peak: one batch of ids is held at a time, never all of them
    # (30,000 ids alone would take some 3 MB as Python strings).
    small = _peak_memory_of_a_review(session, 3_000)
    large = _peak_memory_of_a_review(session, 30_000)
    assert large - small < 1024 * 1024, (small, large)


# -- the rule in SQL is the rule in Python --------------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    role=st.sampled_from(["member", "admin"]),
    reviewer_is_author=st.booleans(),
    same_tenant=st.booleans(),
)
def test_the_sql_review_rule_agrees_with_may_review(
    session_factory: object,
    session: Session,
    role: str,
    reviewer_is_author: bool,
    same_tenant: bool,
) -> None:
    world = factories.world(session)
    home = world.tenant if same_tenant else factories.tenant(session)
    reviewer = world.author if reviewer_is_author else factories.user(session, home)
    if not reviewer_is_author:
        reviewer.role = role
    session.flush()
    example_id = add_example(session, world, id=str(uuid.uuid4()), status="pending")
    in_sql = session.scalar(
        select(SkillFeedback.id)
        .join(Skill, Skill.id == SkillFeedback.skill_id)
        .where(SkillFeedback.id == example_id, review.reviewable_by(reviewer))
    )
    reviewer_row = session.get(User, reviewer.id)
    assert reviewer_row is not None
    in_python = review.may_review(
        reviewer_row, skill_author_id=world.skill.author_id, example_tenant_id=world.tenant.id
    )
    assert (in_sql is not None) == in_python
