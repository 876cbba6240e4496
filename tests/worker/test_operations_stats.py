"""Stats: outcomes by kind and reason inside a window, examples per skill by status."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests import factories
from worker.models import IntakeOutcome
from worker.operations import stats
from worker.operations.errors import InvalidValue
from worker.queries import create_training_example


def _outcome(
    session: Session, tenant_id: str, kind: str, outcome: str, reason: str | None, age: str = "0"
) -> None:
    row = IntakeOutcome(
        submission_id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        kind=kind,
        outcome=outcome,
        reason=reason,
    )
    session.add(row)
    session.flush()
    session.execute(
        text(
            "UPDATE intake_outcomes SET recorded_at = now() - CAST(:age AS interval) "
            "WHERE submission_id = :id"
        ),
        {"age": f"{age} hours", "id": row.submission_id},
    )


@pytest.mark.parametrize(
    ("window", "seconds"),
    [("90s", 90), ("30m", 1800), ("24h", 86400), ("7d", 604800), ("2w", 1209600), ("1.5h", 5400)],
)
def test_a_window_is_read_from_a_number_and_a_unit(window: str, seconds: int) -> None:
    assert stats.parse_window(window) == timedelta(seconds=seconds)


@pytest.mark.parametrize("window", ["", "24", "h", "-1h", "0h", "3y", "1 day"])
def test_a_malformed_window_is_refused(window: str) -> None:
    with pytest.raises(InvalidValue):
        stats.parse_window(window)


def test_outcomes_are_counted_by_kind_and_reason_inside_the_window(session: Session) -> None:
    world = factories.world(session)
    other = factories.tenant(session)
    tenant = world.tenant.id
    for _ in range(3):
        _outcome(session, tenant, "usage_capture", "skipped", "no_consent")
    _outcome(session, tenant, "golden_example", "accepted", None)
    _outcome(session, tenant, "golden_example", "rejected", "not_author")
    _outcome(session, tenant, "usage_capture", "skipped", "no_consent", age="48")
    _outcome(session, other.id, "usage_capture", "accepted", None)
    session.commit()

    result = stats.collect_stats(session, window=timedelta(hours=24), tenant_id=tenant)
    counted = {(o.kind, o.outcome, o.reason): o.count for o in result.outcomes}
    assert counted == {
        ("usage_capture", "skipped", "no_consent"): 3,
        ("golden_example", "accepted", None): 1,
        ("golden_example", "rejected", "not_author"): 1,
    }
    assert result.outcomes[0].count == 3
    assert result.outcome_totals() == {"skipped": 3, "accepted": 1, "rejected": 1}
    everyone = stats.collect_stats(session, window=timedelta(hours=72))
    assert sum(o.count for o in everyone.outcomes) == 7


def test_examples_are_counted_per_skill_by_status(session: Session) -> None:
    world = factories.world(session)
    second = factories.skill(session, world.tenant, world.author)
    session.commit()
    for skill_id, status, count in [
        (world.skill.id, "approved", 2),
        (world.skill.id, "pending", 3),
        (world.skill.id, "dismissed", 1),
        (second.id, "approved", 1),
    ]:
        for _ in range(count):
            create_training_example(
                session,
                id=str(uuid.uuid4()),
                tenant_id=world.tenant.id,
                skill_id=skill_id,
                user_id=world.author.id,
                example_input="i",
                example_output="o",
                status=status,
            )
    session.commit()
    result = stats.collect_stats(session, window=timedelta(hours=1), tenant_id=world.tenant.id)
    first, last = result.skills
    assert (first.skill_id, first.total, first.approved, first.pending, first.dismissed) == (
        world.skill.id,
        6,
        2,
        3,
        1,
    )
    assert first.recent == 6 and first.skill_name == "Skill"
    assert (last.skill_id, last.total) == (second.id, 1)
