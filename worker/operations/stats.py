"""Counts for operators: outcomes by kind and reason over a window, training examples per skill."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from worker.models import TRAINING_EXAMPLE, IntakeOutcome, Skill, SkillFeedback, Status, Tenant
from worker.operations.errors import InvalidValue, UnknownTenant

_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# Time buckets of the timeline, smallest first: a window gets the smallest that makes at most
# MAX_BUCKETS of them.
BUCKETS = tuple(timedelta(minutes=m) for m in (1, 5, 15, 30, 60, 180, 360, 720, 1440, 10080, 43200))
MAX_BUCKETS = 60
# Buckets start at round times (midnight UTC, whole hours ...), whatever the window.
_BUCKET_ORIGIN = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday: weekly buckets start on Mondays


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
class TimelineCount:
    """Outcomes of one kind and reason recorded in the bucket that starts at `start`."""

    start: datetime
    outcome: str
    reason: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Stats:
    tenant_id: str | None
    since: datetime
    until: datetime
    outcomes: list[OutcomeCount]
    skills: list[SkillCount]
    bucket: timedelta = BUCKETS[0]
    timeline: list[TimelineCount] = field(default_factory=list)

    def outcome_totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for item in self.outcomes:
            totals[item.outcome] = totals.get(item.outcome, 0) + item.count
        return totals


# Far longer than any outcome is kept, and short enough that `now - window` is a date.
_LONGEST_WINDOW = timedelta(days=36500)


def parse_window(text: str) -> timedelta:
    """A window such as `90s`, `30m`, `24h`, `7d` or `2w`."""
    match = _WINDOW.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise InvalidValue(f"a window looks like 30m, 24h or 7d, not {text!r}")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds > _LONGEST_WINDOW.total_seconds():
        raise InvalidValue(f"a window is at most {_LONGEST_WINDOW.days}d, not {text!r}")
    return timedelta(seconds=seconds)


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


def bucket_for(window: timedelta) -> timedelta:
    """The smallest timeline bucket that cuts the window into at most MAX_BUCKETS."""
    for bucket in BUCKETS:
        if window / bucket <= MAX_BUCKETS:
            return bucket
    return BUCKETS[-1]


def outcome_timeline(
    session: Session,
    *,
    since: datetime,
    bucket: timedelta,
    tenant_id: str | None = None,
) -> list[TimelineCount]:
    """Outcomes since a moment, counted per time bucket, outcome and reason, oldest first."""
    start = func.date_bin(bucket, IntakeOutcome.recorded_at, _BUCKET_ORIGIN).label("start")
    query = (
        select(start, IntakeOutcome.outcome, IntakeOutcome.reason, func.count())
        .where(IntakeOutcome.recorded_at >= since)
        .group_by(start, IntakeOutcome.outcome, IntakeOutcome.reason)
        .order_by(start, IntakeOutcome.outcome, IntakeOutcome.reason)
    )
    if tenant_id is not None:
        query = query.where(IntakeOutcome.tenant_id == tenant_id)
    return [
        TimelineCount(moment.astimezone(UTC), outcome, reason, n)
        for moment, outcome, reason, n in session.execute(query)
    ]


def check_tenant(session: Session, tenant_id: str) -> None:
    """UnknownTenant unless the tenant exists or has outcomes (a tenant unknown to the
    platform still has its `unknown_tenant` rejections to count)."""
    if session.get(Tenant, tenant_id) is not None:
        return
    seen = session.scalar(
        select(IntakeOutcome.submission_id).where(IntakeOutcome.tenant_id == tenant_id).limit(1)
    )
    if seen is None:
        raise UnknownTenant(tenant_id)


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
            func.count().filter(SkillFeedback.status == Status.APPROVED),
            func.count().filter(SkillFeedback.status == Status.PENDING),
            func.count().filter(SkillFeedback.status == Status.DISMISSED),
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
    """Outcomes over the window ending now (the database's clock), per time bucket too, and
    examples per skill."""
    if tenant_id is not None:
        check_tenant(session, tenant_id)
    until = session.execute(select(func.now())).scalar_one().astimezone(UTC)
    since = until - window
    bucket = bucket_for(window)
    return Stats(
        tenant_id=tenant_id,
        since=since,
        until=until,
        outcomes=outcome_counts(session, since=since, tenant_id=tenant_id),
        skills=examples_per_skill(session, since=since, tenant_id=tenant_id, limit=skill_limit),
        bucket=bucket,
        timeline=outcome_timeline(session, since=since, bucket=bucket, tenant_id=tenant_id),
    )
