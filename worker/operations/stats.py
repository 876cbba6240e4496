"""Counts for operators: outcomes by kind and reason over a window, training examples per skill."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from worker.models import TRAINING_EXAMPLE, IntakeOutcome, Skill, SkillFeedback
from worker.operations.errors import InvalidValue

_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True, slots=True)
class OutcomeCount:
    kind: str | None
    outcome: str
    reason: str | None
    count: int


@dataclass(frozen=True, slots=True)
class SkillCount:
    skill_id: str
    skill_name: str | None
    tenant_id: str
    total: int
    approved: int
    pending: int
    dismissed: int
    # Examples of the skill created inside the window.
    recent: int


@dataclass(frozen=True, slots=True)
class Stats:
    tenant_id: str | None
    since: datetime
    until: datetime
    outcomes: list[OutcomeCount]
    skills: list[SkillCount]

    def outcome_totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for item in self.outcomes:
            totals[item.outcome] = totals.get(item.outcome, 0) + item.count
        return totals


def parse_window(text: str) -> timedelta:
    """A window such as `90s`, `30m`, `24h`, `7d` or `2w`."""
    match = _WINDOW.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise InvalidValue(f"a window looks like 30m, 24h or 7d, not {text!r}")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def outcome_counts(
    session: Session, *, since: datetime, tenant_id: str | None = None
) -> list[OutcomeCount]:
    """Outcomes recorded since a moment, by kind, outcome and reason, most frequent first."""
    count = func.count().label("count")
    query = (
        select(IntakeOutcome.kind, IntakeOutcome.outcome, IntakeOutcome.reason, count)
        .where(IntakeOutcome.recorded_at >= since)
        .group_by(IntakeOutcome.kind, IntakeOutcome.outcome, IntakeOutcome.reason)
        .order_by(count.desc(), IntakeOutcome.outcome, IntakeOutcome.kind, IntakeOutcome.reason)
    )
    if tenant_id is not None:
        query = query.where(IntakeOutcome.tenant_id == tenant_id)
    return [
        OutcomeCount(kind, outcome, reason, n)
        for kind, outcome, reason, n in session.execute(query)
    ]


def examples_per_skill(
    session: Session, *, since: datetime, tenant_id: str | None = None, limit: int = 50
) -> list[SkillCount]:
    """Training examples of the skills that have most, by status, and how many are recent."""
    total = func.count().label("total")
    query = (
        select(
            SkillFeedback.skill_id,
            Skill.name,
            SkillFeedback.tenant_id,
            total,
            func.count().filter(SkillFeedback.status == "approved"),
            func.count().filter(SkillFeedback.status == "pending"),
            func.count().filter(SkillFeedback.status == "dismissed"),
            func.count().filter(SkillFeedback.created_at >= since),
        )
        .outerjoin(Skill, Skill.id == SkillFeedback.skill_id)
        .where(SkillFeedback.feedback_type == TRAINING_EXAMPLE)
        .group_by(SkillFeedback.skill_id, Skill.name, SkillFeedback.tenant_id)
        .order_by(total.desc(), SkillFeedback.skill_id)
        .limit(max(1, limit))
    )
    if tenant_id is not None:
        query = query.where(SkillFeedback.tenant_id == tenant_id)
    return [SkillCount(*row) for row in session.execute(query)]


def collect_stats(
    session: Session,
    *,
    window: timedelta,
    tenant_id: str | None = None,
    skill_limit: int = 50,
) -> Stats:
    """Outcomes over the window ending now (the database's clock) and examples per skill."""
    until = session.execute(select(func.now())).scalar_one().astimezone(UTC)
    since = until - window
    return Stats(
        tenant_id=tenant_id,
        since=since,
        until=until,
        outcomes=outcome_counts(session, since=since, tenant_id=tenant_id),
        skills=examples_per_skill(session, since=since, tenant_id=tenant_id, limit=skill_limit),
    )
