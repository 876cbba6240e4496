"""Writing a dataset: rows streamed into one file or one file per split, counted and checksummed."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from producers.contract import TEXT_FIELDS
from worker.datasets.errors import VersionChanged
from worker.datasets.formats import ExportFormat, LineWriter, Refused
from worker.datasets.splits import SplitPlan
from worker.sanitize import restore

# How often (in rows) the progress callback hears of progress.
PROGRESS_EVERY = 500
# Refused examples named in a summary (the counts cover all of them).
NAMED_REFUSALS = 20
# The key of the one output of an export that is not split into files.
ONE_FILE = ""
WITHDRAWN_NOTE = (
    "Examples removed since the version was taken (a consent revocation, or their skill "
    "deleted). Consent wins over reproducibility: they are never exported again; every other "
    "example is written exactly as when the version was taken."
)


@dataclass(slots=True)
class FileSummary:
    """One written file: its name, examples, size and SHA-256."""

    name: str
    rows: int = 0
    bytes: int = 0
    sha256: str = ""


@dataclass(slots=True)
class ExportSummary:
    """What was written: counts, files and checksums; what was left out and why."""

    format: ExportFormat
    rows: int = 0
    # Examples left out because the format cannot represent them (a fine-tuning job would
    # refuse the line), by problem, with the first few ids.
    skipped: int = 0
    skipped_by_problem: Counter[str] = field(default_factory=Counter)
    refused_ids: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    by_status: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    by_skill: Counter[str] = field(default_factory=Counter)
    by_split: Counter[str] = field(default_factory=Counter)
    files: dict[str, FileSummary] = field(default_factory=dict)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files.values())

    @property
    def sha256(self) -> str:
        """The checksum of a one-file export ("" when split into files)."""
        single = self.files.get(ONE_FILE)
        return "" if single is None else single.sha256


class _HashingWriter:
    """Writes bytes through, keeping their count and SHA-256."""

    def __init__(self, out: BinaryIO, summary: FileSummary) -> None:
        self.out = out
        self.hash = hashlib.sha256()
        self.summary = summary

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.hash.update(data)
        self.summary.bytes += len(data)
        self.out.write(data)

    def close(self) -> None:
        self.out.flush()
        self.summary.sha256 = self.hash.hexdigest()


def write_examples(
    rows: Iterable[Any],
    outputs: Mapping[str, tuple[str, BinaryIO]],
    writer: LineWriter,
    export_format: ExportFormat,
    *,
    progress: Callable[[int], None] | None = None,
    version_name: str | None = None,
    skip_changed: bool = False,
) -> ExportSummary:
    """Write rows, one at a time, to `outputs` ({split: (file name, stream)}, or {"": ...}).

    A version's withdrawn examples are left out and listed. An example whose content changed
    since its version was taken fails the export (VersionChanged, raised after the last row so
    that every one is named) unless `skip_changed`, which leaves it out and lists it.
    """
    summary = ExportSummary(export_format)
    sinks = {}
    for key, (name, stream) in outputs.items():
        summary.files[key] = FileSummary(name)
        sinks[key] = _HashingWriter(stream, summary.files[key])
        header = writer.header()
        if header is not None:
            sinks[key].write(header)
    unreported = 0
    for row in rows:
        _write_row(row, writer, sinks, summary)
        unreported += 1
        if progress is not None and unreported >= PROGRESS_EVERY:
            progress(unreported)
            unreported = 0
    if progress is not None and unreported:
        progress(unreported)
    for sink in sinks.values():
        sink.close()
    if summary.changed and not skip_changed:
        raise VersionChanged(version_name or "", summary.changed)
    return summary


def _write_row(
    row: Any, writer: LineWriter, sinks: Mapping[str, _HashingWriter], summary: ExportSummary
) -> None:
    if row.withdrawn:
        summary.withdrawn.append(row.id)
        return
    if row.changed:
        summary.changed.append(row.id)
        return
    line = writer(authors_text(row))
    if isinstance(line, Refused):
        summary.skipped += 1
        summary.skipped_by_problem.update(str(problem) for problem in line.problems)
        if len(summary.refused_ids) < NAMED_REFUSALS:
            summary.refused_ids.append(row.id)
        return
    key = ONE_FILE if ONE_FILE in sinks else row.split
    sinks[key].write(line)
    sinks[key].summary.rows += 1
    summary.rows += 1
    summary.by_status[row.status] += 1
    summary.by_source[row.source] += 1
    summary.by_skill[row.skill_id] += 1
    if row.split is not None:
        summary.by_split[row.split] += 1


class _AuthorsText:
    """A row read through, with the text fields the sanitizer neutralized given back as the
    author wrote them (secrets still redacted): a model must not learn HTML-escaped code."""

    def __init__(self, row: Any, fields: list[str]) -> None:
        self._row = row
        self._restored = {name: _restored(getattr(row, name)) for name in fields}

    def __getattr__(self, name: str) -> Any:
        if name in self._restored:
            return self._restored[name]
        return getattr(self._row, name)


def _restored(stored: str) -> str:
    try:
        return restore(stored)
    except ValueError:
        # Not text the neutralizer makes (stored before it was reversible): export it as stored.
        return stored


def authors_text(row: Any) -> Any:
    """`row`, or a view of it with its neutralized fields restored."""
    fields = getattr(row, "neutralized", None)
    if not isinstance(fields, list):
        return row
    known = [name for name in fields if name in TEXT_FIELDS and getattr(row, name) is not None]
    return _AuthorsText(row, known) if known else row


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an export came from: filters, splits, duplicates, and the version if any."""

    filters: Mapping[str, str | None]
    created_at: datetime
    plan: SplitPlan | None = None
    drop_duplicates: bool = False
    version: Mapping[str, Any] | None = None


def manifest(summary: ExportSummary, provenance: Provenance) -> dict[str, Any]:
    """The manifest written beside an export: what it holds, how it was chosen, its checksums."""
    document: dict[str, Any] = {"format": summary.format.value}
    single = summary.files.get(ONE_FILE)
    if single is not None:
        document["file"] = single.name
    document["created_at"] = provenance.created_at.isoformat()
    document["filters"] = dict(provenance.filters)
    document["counts"] = {
        "examples": summary.rows,
        "skipped": summary.skipped,
        "skipped_by_problem": dict(sorted(summary.skipped_by_problem.items())),
        "skipped_examples": summary.refused_ids,
        "by_status": dict(sorted(summary.by_status.items())),
        "by_source": dict(sorted(summary.by_source.items())),
        "by_skill": dict(sorted(summary.by_skill.items())),
        "by_split": dict(sorted(summary.by_split.items())),
    }
    document["duplicates"] = "drop" if provenance.drop_duplicates else "keep"
    document["splits"] = (
        None
        if provenance.plan is None
        else {"ratios": provenance.plan.ratios(), "seed": provenance.plan.seed, "by": "cluster"}
    )
    if single is None:
        document["files"] = {
            key: {"file": f.name, "examples": f.rows, "bytes": f.bytes, "sha256": f.sha256}
            for key, f in summary.files.items()
        }
    else:
        document["bytes"], document["sha256"] = single.bytes, single.sha256
    if provenance.version is not None:
        document["version"] = dict(provenance.version)
        document["withdrawn"] = {
            "count": len(summary.withdrawn),
            "examples": summary.withdrawn,
            "note": WITHDRAWN_NOTE,
        }
        document["changed"] = summary.changed
    return document
