"""The golden-dataset export: training examples streamed from a server-side cursor to a file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, BinaryIO

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from worker.models import TRAINING_EXAMPLE, Skill, SkillFeedback, Tenant
from worker.operations.errors import NotFound, UnknownTenant

# Rows fetched per round trip of the server-side cursor: memory is bounded by this, not the table.
FETCH_SIZE = 1000
# How often (in rows) the progress callback hears of progress.
PROGRESS_EVERY = 500


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    OPENAI_CHAT = "openai-chat"
    CSV = "csv"


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


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """Which training examples an export takes; None means any."""

    tenant_id: str
    skill_id: str | None = None
    status: str | None = "approved"
    source: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "tenant_id": self.tenant_id,
            "skill_id": self.skill_id,
            "status": self.status,
            "source": self.source,
        }


@dataclass(slots=True)
class ExportSummary:
    """What was written: counts, size and checksum of the file."""

    format: ExportFormat
    rows: int = 0
    # Examples left out because the format cannot represent them (no input or no output).
    skipped: int = 0
    bytes: int = 0
    sha256: str = ""
    by_status: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    by_skill: Counter[str] = field(default_factory=Counter)


Rows = Iterable[Row[Any]]


def check_filters(session: Session, filters: ExportFilters) -> None:
    """Refuse filters naming a tenant that does not exist or a skill outside the tenant."""
    if session.get(Tenant, filters.tenant_id) is None:
        raise UnknownTenant(filters.tenant_id)
    if filters.skill_id is not None:
        skill = session.get(Skill, filters.skill_id)
        if skill is None or skill.tenant_id != filters.tenant_id:
            raise NotFound(f"skill in tenant {filters.tenant_id}", [filters.skill_id])


def export_query(filters: ExportFilters) -> Select[Any]:
    """The rows of an export in a stable order (oldest first, then by id)."""
    columns = [getattr(SkillFeedback, name) for name in COLUMNS]
    query = (
        select(*columns)
        .where(
            SkillFeedback.tenant_id == filters.tenant_id,
            SkillFeedback.feedback_type == TRAINING_EXAMPLE,
        )
        .order_by(SkillFeedback.created_at, SkillFeedback.id)
    )
    if filters.skill_id is not None:
        query = query.where(SkillFeedback.skill_id == filters.skill_id)
    if filters.status is not None:
        query = query.where(SkillFeedback.status == filters.status)
    if filters.source is not None:
        query = query.where(SkillFeedback.source == filters.source)
    return query


def count_examples(session: Session, filters: ExportFilters) -> int:
    """How many examples an export with these filters takes (run it in the export's snapshot)."""
    query = export_query(filters).order_by(None).with_only_columns(func.count())
    return int(session.scalar(query) or 0)


def iter_examples(
    session: Session, filters: ExportFilters, *, fetch_size: int = FETCH_SIZE
) -> Iterator[Row[Any]]:
    """Stream the examples through a server-side cursor, `fetch_size` rows per round trip.

    The caller's transaction must stay open while iterating.
    """
    result = session.execute(
        export_query(filters).execution_options(stream_results=True, yield_per=fetch_size)
    )
    try:
        yield from result
    finally:
        result.close()


class _HashingWriter:
    """Writes bytes through, keeping their count and SHA-256."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hash = hashlib.sha256()
        self.bytes = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.hash.update(data)
        self.bytes += len(data)
        self.out.write(data)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _record(row: Row[Any]) -> dict[str, Any]:
    record = dict(zip(COLUMNS, row, strict=True))
    record["created_at"] = _iso(record["created_at"])
    record["reviewed_at"] = _iso(record["reviewed_at"])
    return record


def _jsonl_line(row: Row[Any]) -> str | None:
    return json.dumps(_record(row), ensure_ascii=False) + "\n"


def _openai_chat_line(row: Row[Any]) -> str | None:
    answer = row.expected_output or row.example_output
    if not row.example_input or not answer:
        return None
    messages = [
        {"role": "user", "content": row.example_input},
        {"role": "assistant", "content": answer},
    ]
    return json.dumps({"messages": messages}, ensure_ascii=False) + "\n"


class _CsvLines:
    """One CSV record at a time (RFC 4180 quoting, so multi-line texts stay one record)."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def header(self) -> str:
        return self._line(COLUMNS)

    def __call__(self, row: Row[Any]) -> str | None:
        record = _record(row)
        return self._line(["" if record[name] is None else record[name] for name in COLUMNS])

    def _line(self, values: Iterable[Any]) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(values)
        return self.buffer.getvalue()


def write_examples(
    rows: Rows,
    out: BinaryIO,
    export_format: ExportFormat,
    *,
    progress: Callable[[int], None] | None = None,
) -> ExportSummary:
    """Write rows in a format, one at a time; `progress(n)` hears of every few hundred rows."""
    summary = ExportSummary(export_format)
    writer = _HashingWriter(out)
    line_of: Callable[[Row[Any]], str | None]
    if export_format is ExportFormat.CSV:
        csv_lines = _CsvLines()
        writer.write(csv_lines.header())
        line_of = csv_lines
    elif export_format is ExportFormat.OPENAI_CHAT:
        line_of = _openai_chat_line
    else:
        line_of = _jsonl_line
    unreported = 0
    for row in rows:
        line = line_of(row)
        if line is None:
            summary.skipped += 1
        else:
            writer.write(line)
            summary.rows += 1
            summary.by_status[row.status] += 1
            summary.by_source[row.source] += 1
            summary.by_skill[row.skill_id] += 1
        unreported += 1
        if progress is not None and unreported >= PROGRESS_EVERY:
            progress(unreported)
            unreported = 0
    if progress is not None and unreported:
        progress(unreported)
    out.flush()
    summary.bytes = writer.bytes
    summary.sha256 = writer.hash.hexdigest()
    return summary


def manifest(
    summary: ExportSummary, filters: ExportFilters, *, file_name: str, created_at: datetime
) -> dict[str, Any]:
    """The manifest written beside an export: what it holds, how it was chosen, its checksum."""
    return {
        "file": file_name,
        "format": summary.format.value,
        "created_at": created_at.isoformat(),
        "filters": filters.as_dict(),
        "counts": {
            "examples": summary.rows,
            "skipped": summary.skipped,
            "by_status": dict(sorted(summary.by_status.items())),
            "by_source": dict(sorted(summary.by_source.items())),
            "by_skill": dict(sorted(summary.by_skill.items())),
        },
        "bytes": summary.bytes,
        "sha256": summary.sha256,
    }
