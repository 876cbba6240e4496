"""Which examples a dataset takes: filters, duplicate dropping, splits, and a version's members."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    Select,
    Text,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from worker.datasets.models import DatasetVersionExample, ExampleDuplicate
from worker.datasets.splits import SplitPlan
from worker.models import TRAINING_EXAMPLE, IntakeOutcome, Skill, SkillFeedback, Status, Tenant
from worker.operations.errors import NotFound, UnknownTenant

# Rows fetched per round trip of the server-side cursor: memory is bounded by this, not the table.
FETCH_SIZE = 1000

# The columns of a `jsonl` object and of the `csv` header, in this order.
COLUMNS = (
    "id",
    "tenant_id",
    "skill_id",
    "user_id",
    "source",
    "status",
    "quality_score",
    "usage_event_id",
    "example_input",
    "example_output",
    "expected_output",
    "created_at",
    "reviewed_by",
    "reviewed_at",
    "review_notes",
)
# Which text fields the sanitizer neutralized (the outcome's detail, recorded at ingest): an
# export gives back the author's text there (worker.sanitize.restore).
NEUTRALIZED = IntakeOutcome.detail["markup_neutralized"]
# The review columns: the only ones of an example that change, so a version pins them.
REVIEW_COLUMNS = ("status", "reviewed_by", "reviewed_at", "review_notes")


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """Which training examples an export takes; None means any."""

    tenant_id: str
    skill_id: str | None = None
    status: str | None = Status.APPROVED
    source: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "tenant_id": self.tenant_id,
            "skill_id": self.skill_id,
            "status": self.status,
            "source": self.source,
        }


def check_filters(session: Session, filters: ExportFilters) -> None:
    """Refuse filters naming a tenant that does not exist or a skill outside the tenant."""
    if session.get(Tenant, filters.tenant_id) is None:
        raise UnknownTenant(filters.tenant_id)
    if filters.skill_id is not None:
        skill = session.get(Skill, filters.skill_id)
        if skill is None or skill.tenant_id != filters.tenant_id:
            raise NotFound(f"skill in tenant {filters.tenant_id}", [filters.skill_id])


def _conditions(row: Any, filters: ExportFilters) -> list[ColumnElement[bool]]:
    conditions = [row.tenant_id == filters.tenant_id, row.feedback_type == TRAINING_EXAMPLE]
    if filters.skill_id is not None:
        conditions.append(row.skill_id == filters.skill_id)
    if filters.status is not None:
        conditions.append(row.status == filters.status)
    if filters.source is not None:
        conditions.append(row.source == filters.source)
    return conditions


def content_sha256(row: Any) -> ColumnElement[bytes]:
    """SHA-256 of what an export writes of an example, review columns aside (SQL).

    Time as epoch milliseconds, so the session's time zone cannot change the hash.
    """
    millis = cast(func.round(func.extract("epoch", row.created_at) * 1000), BigInteger)
    document = func.jsonb_build_array(
        row.id,
        row.tenant_id,
        row.skill_id,
        row.user_id,
        row.source,
        row.quality_score,
        row.usage_event_id,
        row.example_input,
        row.example_output,
        row.expected_output,
        millis,
    )
    return func.sha256(func.convert_to(cast(document, Text), "UTF8"))


@dataclass(frozen=True, slots=True)
class Selection:
    """How a live dataset is chosen: filters, an optional split plan, duplicates kept or dropped."""

    filters: ExportFilters
    plan: SplitPlan | None = None
    drop_duplicates: bool = False


def live_query(selection: Selection) -> Select[Any]:
    """The examples of a live dataset, oldest first, with their split and skill description."""
    row = SkillFeedback
    flag = aliased(ExampleDuplicate)
    cluster = func.coalesce(flag.cluster_id, row.id)
    split = null() if selection.plan is None else selection.plan.split_column(cluster)
    query = (
        select(
            *(getattr(row, name) for name in COLUMNS),
            split.label("split"),
            Skill.description.label("skill_description"),
            false().label("withdrawn"),
            false().label("changed"),
            NEUTRALIZED.label("neutralized"),
        )
        .join(Skill, Skill.id == row.skill_id)
        .outerjoin(flag, flag.example_id == row.id)
        .outerjoin(IntakeOutcome, IntakeOutcome.submission_id == row.id)
        .where(*_conditions(row, selection.filters))
        .order_by(row.created_at, row.id)
    )
    if selection.drop_duplicates:
        query = query.where(or_(flag.example_id.is_(None), ~exists(_earlier_copy(selection, flag))))
    return query


def _earlier_copy(selection: Selection, flag: Any) -> Select[Any]:
    """An example of the same cluster, taken by the same filters, that comes first."""
    other = aliased(SkillFeedback)
    other_flag = aliased(ExampleDuplicate)
    return (
        select(literal(1))
        .select_from(other_flag)
        .join(other, other.id == other_flag.example_id)
        .where(
            other_flag.cluster_id == flag.cluster_id,
            tuple_(other.created_at, other.id) < tuple_(SkillFeedback.created_at, SkillFeedback.id),
            *_conditions(other, selection.filters),
        )
    )


def member_values(selection: Selection, version_id: str) -> Select[Any]:
    """A live selection as the rows of a version's members (for INSERT ... SELECT)."""
    query = live_query(selection)
    row = SkillFeedback
    return query.with_only_columns(
        literal(version_id, Text).label("version_id"),
        row.id,
        row.tenant_id,
        row.created_at,
        content_sha256(row).label("content_sha256"),
        query.selected_columns.split,
        *(getattr(row, name) for name in REVIEW_COLUMNS),
        maintain_column_froms=True,
    )


def version_query(version_id: str) -> Select[Any]:
    """A version's members in export order, each with its current row (None once withdrawn)."""
    member = DatasetVersionExample
    row = SkillFeedback
    pinned = {
        "id": member.example_id,
        "tenant_id": member.tenant_id,
        "created_at": member.created_at,
    }
    pinned.update({name: getattr(member, name) for name in REVIEW_COLUMNS})
    return (
        select(
            *(pinned.get(name, getattr(row, name)).label(name) for name in COLUMNS),
            member.split.label("split"),
            null().label("skill_description"),
            row.id.is_(None).label("withdrawn"),
            and_(row.id.is_not(None), content_sha256(row) != member.content_sha256).label(
                "changed"
            ),
            NEUTRALIZED.label("neutralized"),
        )
        .select_from(member)
        .outerjoin(row, row.id == member.example_id)
        .outerjoin(IntakeOutcome, IntakeOutcome.submission_id == member.example_id)
        .where(member.version_id == version_id)
        .order_by(member.created_at, member.example_id)
    )


def count(session: Session, query: Select[Any]) -> int:
    """How many rows a query yields (run it in the export's snapshot)."""
    return int(
        session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )


def stream(
    session: Session, query: Select[Any], *, fetch_size: int = FETCH_SIZE
) -> Iterator[Row[Any]]:
    """Stream rows through a server-side cursor, `fetch_size` rows per round trip.

    The caller's transaction must stay open while iterating.
    """
    result = session.execute(query.execution_options(stream_results=True, yield_per=fetch_size))
    try:
        yield from result
    finally:
        result.close()
