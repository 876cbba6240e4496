"""Dataset versions: named, immutable snapshots of which examples, their content hash and split."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from worker.datasets.errors import UnknownVersion, VersionExists
from worker.datasets.models import SPLITS, DatasetVersion, DatasetVersionExample
from worker.datasets.selection import ExportFilters, Selection, check_filters, member_values
from worker.datasets.splits import SplitPlan
from worker.models import Skill, SkillFeedback
from worker.operations.errors import InvalidValue

# Members inserted per statement while a version is taken (progress is reported between them).
CHUNK = 20_000
MAX_NAME_LENGTH = 200
_SNAPSHOT_LEVELS = {"repeatable read", "serializable"}


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise InvalidValue(
            f"a version name is 1-{MAX_NAME_LENGTH} printable characters, got {name!r}"
        )


def get_version(session: Session, tenant_id: str, name: str) -> DatasetVersion:
    """The tenant's version of this name, or UnknownVersion."""
    found = session.scalar(
        select(DatasetVersion).where(
            DatasetVersion.tenant_id == tenant_id, DatasetVersion.name == name
        )
    )
    if found is None:
        raise UnknownVersion(tenant_id, name)
    return found


def list_versions(
    session: Session, tenant_id: str, *, skill_id: str | None = None
) -> list[DatasetVersion]:
    """A tenant's versions, newest first (only one skill's when `skill_id` is given)."""
    query = select(DatasetVersion).where(DatasetVersion.tenant_id == tenant_id)
    if skill_id is not None:
        query = query.where(DatasetVersion.skill_id == skill_id)
    return list(
        session.scalars(query.order_by(DatasetVersion.created_at.desc(), DatasetVersion.name))
    )


def create_version(
    session: Session,
    selection: Selection,
    *,
    name: str,
    created_by: str,
    note: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> DatasetVersion:
    """Take a version of the examples `selection` chooses now, in the caller's transaction.

    The caller's transaction must be REPEATABLE READ (or SERIALIZABLE): members are inserted
    in chunks, and every chunk must see the same snapshot. `progress(n)` hears of each chunk.
    """
    _check_name(name)
    level = session.execute(text("SHOW transaction_isolation")).scalar_one()
    if level not in _SNAPSHOT_LEVELS:
        raise InvalidValue(f"take a version in a REPEATABLE READ transaction, not {level}")
    check_filters(session, selection.filters)
    plan = selection.plan or SplitPlan()
    version = DatasetVersion(
        id=str(uuid.uuid4()),
        tenant_id=selection.filters.tenant_id,
        skill_id=selection.filters.skill_id,
        name=name,
        note=note,
        created_by=created_by,
        status_filter=selection.filters.status,
        source_filter=selection.filters.source,
        duplicates="drop" if selection.drop_duplicates else "keep",
        split_ratios=plan.ratios(),
        split_seed=plan.seed,
        example_count=0,
        split_counts={},
        system_messages=_descriptions(session, selection.filters),
    )
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError as exc:
        raise VersionExists(selection.filters.tenant_id, name) from exc
    counts = _insert_members(
        session, Selection(selection.filters, plan, selection.drop_duplicates), version.id, progress
    )
    version.example_count = sum(counts.values())
    version.split_counts = {split: counts.get(split, 0) for split in SPLITS}
    session.flush()
    return version


def _descriptions(session: Session, filters: ExportFilters) -> dict[str, Any]:
    """Each skill's description now: a version's chat export uses these, not later edits."""
    query = select(Skill.id, Skill.description).where(Skill.tenant_id == filters.tenant_id)
    if filters.skill_id is not None:
        query = query.where(Skill.id == filters.skill_id)
    return {skill_id: description for skill_id, description in session.execute(query)}


def _insert_members(
    session: Session,
    selection: Selection,
    version_id: str,
    progress: Callable[[int], None] | None,
) -> Counter[str]:
    counts: Counter[str] = Counter()
    columns = [
        "version_id", "example_id", "tenant_id", "created_at", "content_sha256", "split",
        "status", "reviewed_by", "reviewed_at", "review_notes",
    ]  # fmt: skip
    member = DatasetVersionExample
    after: tuple[datetime, str] | None = None
    while True:
        chunk = member_values(selection, version_id).limit(CHUNK)
        if after is not None:
            chunk = chunk.where(tuple_(SkillFeedback.created_at, SkillFeedback.id) > after)
        statement = (
            insert(member)
            .from_select(columns, chunk)
            .returning(member.created_at, member.example_id, member.split)
        )
        rows = session.execute(statement).all()
        if not rows:
            return counts
        counts.update(row.split for row in rows)
        # The last member in the database's own order (its collation orders the ids).
        last = session.execute(
            select(member.created_at, member.example_id)
            .where(member.version_id == version_id)
            .order_by(member.created_at.desc(), member.example_id.desc())
            .limit(1)
        ).one()
        after = (last.created_at, last.example_id)
        if progress is not None:
            progress(len(rows))


@dataclass(frozen=True, slots=True)
class Difference:
    """An example that differs between two versions: added, removed, or changed (and in what)."""

    example_id: str
    change: str
    fields: tuple[str, ...] = ()


def diff_versions(
    session: Session, old: DatasetVersion, new: DatasetVersion
) -> Iterator[Difference]:
    """Examples added, removed or changed (content, review status or split) from `old` to `new`.

    Streams through a server-side cursor in example id order.
    """
    a = aliased(DatasetVersionExample)
    b = aliased(DatasetVersionExample)
    left = select(a).where(a.version_id == old.id).subquery()
    right = select(b).where(b.version_id == new.id).subquery()
    query = (
        select(
            left.c.example_id.label("old_id"),
            right.c.example_id.label("new_id"),
            (left.c.content_sha256 != right.c.content_sha256).label("content"),
            (left.c.status != right.c.status).label("status"),
            (left.c.split != right.c.split).label("split"),
        )
        .select_from(left.join(right, left.c.example_id == right.c.example_id, full=True))
        .where(
            or_(
                left.c.example_id.is_(None),
                right.c.example_id.is_(None),
                left.c.content_sha256 != right.c.content_sha256,
                left.c.status != right.c.status,
                left.c.split != right.c.split,
            )
        )
        .order_by(left.c.example_id, right.c.example_id)
    )
    result = session.execute(query.execution_options(stream_results=True, yield_per=1000))
    try:
        for row in result:
            if row.old_id is None:
                yield Difference(row.new_id, "added")
            elif row.new_id is None:
                yield Difference(row.old_id, "removed")
            else:
                fields = tuple(
                    name for name in ("content", "status", "split") if getattr(row, name)
                )
                yield Difference(row.old_id, "changed", fields)
    finally:
        result.close()


@dataclass(frozen=True, slots=True)
class VersionMember:
    """One example of a version as the web app lists it: its split, and whether it is withdrawn."""

    example_id: str
    split: str
    status: str
    created_at: datetime
    withdrawn: bool


def version_members(
    session: Session,
    version: DatasetVersion,
    *,
    split: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[VersionMember]:
    """A page of a version's examples in export order, optionally of one split."""
    member = DatasetVersionExample
    query = (
        select(member, SkillFeedback.id.is_(None).label("withdrawn"))
        .outerjoin(SkillFeedback, SkillFeedback.id == member.example_id)
        .where(member.version_id == version.id)
        .order_by(member.created_at, member.example_id)
        .limit(max(1, min(limit, 1000)))
        .offset(max(0, offset))
    )
    if split is not None:
        if split not in SPLITS:
            raise InvalidValue(f"unknown split {split!r}: one of {', '.join(SPLITS)}")
        query = query.where(member.split == split)
    return [
        VersionMember(row.example_id, row.split, row.status, row.created_at, withdrawn)
        for row, withdrawn in session.execute(query)
    ]
