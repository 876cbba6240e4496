"""Exports of a dataset, live or of a version: one file, one file per split, or a Hugging Face
folder, written under temporary names and renamed when complete, with a manifest."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Select
from sqlalchemy.orm import Session

from worker.datasets import card
from worker.datasets.chat import ChatOptions
from worker.datasets.errors import OutputUnusable
from worker.datasets.formats import ExportFormat, LineWriter, line_writer
from worker.datasets.models import DatasetVersion
from worker.datasets.selection import (
    ExportFilters,
    Selection,
    check_filters,
    count,
    live_query,
    stream,
    version_query,
)
from worker.datasets.splits import SplitPlan
from worker.datasets.versions import get_version
from worker.datasets.writing import ONE_FILE, ExportSummary, Provenance, manifest, write_examples

MANIFEST_SUFFIX = ".manifest.json"
FOLDER_MANIFEST = "manifest.json"
CARD = "README.md"


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export and how; `version` names a version of `filters.tenant_id` to reproduce."""

    filters: ExportFilters
    export_format: ExportFormat = ExportFormat.JSONL
    plan: SplitPlan | None = None
    drop_duplicates: bool = False
    # One file per split (a folder) instead of one file with a split column.
    split_files: bool = False
    version: str | None = None
    chat: ChatOptions = field(default_factory=ChatOptions)
    skip_changed: bool = False


@dataclass(frozen=True, slots=True)
class Prepared:
    """A request resolved against the database: its query, layout and line writer."""

    request: ExportRequest
    query: Select[Any]
    filters: ExportFilters
    plan: SplitPlan | None
    drop_duplicates: bool
    version: DatasetVersion | None
    # The outputs: ONE_FILE, or the split names (one file each).
    keys: tuple[str, ...]
    writer: LineWriter

    @property
    def one_file(self) -> bool:
        return self.keys == (ONE_FILE,)

    def total(self, session: Session) -> int:
        if self.version is not None:
            return self.version.example_count
        return count(session, self.query)

    def file_name(self, key: str) -> str:
        return f"{key}.{'csv' if self.request.export_format is ExportFormat.CSV else 'jsonl'}"


def version_summary(version: DatasetVersion) -> dict[str, Any]:
    """What a manifest says of the version it reproduces."""
    return {
        "name": version.name,
        "id": version.id,
        "created_at": version.created_at.isoformat(),
        "created_by": version.created_by,
        "note": version.note,
        "examples": version.example_count,
        "split_counts": version.split_counts,
    }


def prepare(session: Session, request: ExportRequest) -> Prepared:
    """Resolve a request: its version (UnknownVersion), or its filters (UnknownTenant, NotFound)."""
    version = None
    system_messages: Mapping[str, Any] | None = None
    if request.version is not None:
        version = get_version(session, request.filters.tenant_id, request.version)
        filters = ExportFilters(
            version.tenant_id, version.skill_id, version.status_filter, version.source_filter
        )
        plan: SplitPlan | None = SplitPlan.from_version(version.split_ratios, version.split_seed)
        drop = version.duplicates == "drop"
        query = version_query(version.id)
        system_messages = version.system_messages
    else:
        check_filters(session, request.filters)
        filters, drop = request.filters, request.drop_duplicates
        plan = request.plan
        if plan is None and request.export_format is ExportFormat.HF:
            plan = SplitPlan()
        query = live_query(Selection(filters, plan, drop))
    by_split = plan is not None and (
        request.split_files or request.export_format is ExportFormat.HF
    )
    keys: tuple[str, ...] = (ONE_FILE,)
    if plan is not None and by_split:
        keys = tuple(split for split, ratio in plan.ratios().items() if ratio > 0)
    writer = line_writer(
        ExportFormat.JSONL if request.export_format is ExportFormat.HF else request.export_format,
        with_split=plan is not None and not by_split,
        chat=request.chat,
        system_messages=system_messages,
    )
    return Prepared(request, query, filters, plan, drop, version, keys, writer)


def provenance(prepared: Prepared, created_at: datetime) -> Provenance:
    return Provenance(
        prepared.filters.as_dict(),
        created_at,
        prepared.plan,
        prepared.drop_duplicates,
        None if prepared.version is None else version_summary(prepared.version),
    )


def write(
    session: Session,
    prepared: Prepared,
    outputs: Mapping[str, tuple[str, BinaryIO]],
    progress: Callable[[int], None] | None = None,
) -> ExportSummary:
    """Stream the prepared export's rows into `outputs` (see `write_examples`)."""
    return write_examples(
        stream(session, prepared.query),
        outputs,
        prepared.writer,
        prepared.request.export_format,
        progress=progress,
        version_name=prepared.request.version,
        skip_changed=prepared.request.skip_changed,
    )


@dataclass(frozen=True, slots=True)
class Written:
    """An export on disk: what it holds, its manifest, and every file written."""

    summary: ExportSummary
    manifest: dict[str, Any]
    manifest_path: Path
    paths: list[Path]


def _targets(prepared: Prepared, destination: Path) -> dict[str, Path]:
    if prepared.one_file:
        if destination.is_dir():
            raise OutputUnusable(f"{destination} is a folder: give a file name")
        if destination.exists() and not destination.is_file():
            # A device, a FIFO or a socket: the export is renamed into place, which would
            # replace it with a plain file.
            raise OutputUnusable(
                f"{destination} is not a regular file: give a file name (or - for stdout)"
            )
        if not destination.parent.is_dir():
            raise OutputUnusable(f"the folder {destination.parent} does not exist: create it first")
        return {ONE_FILE: destination}
    if destination.exists() and not destination.is_dir():
        raise OutputUnusable(f"{destination} is a file; one file per split needs a folder")
    if not destination.parent.is_dir():
        raise OutputUnusable(f"the folder {destination.parent} does not exist: create it first")
    destination.mkdir(exist_ok=True)
    return {key: destination / prepared.file_name(key) for key in prepared.keys}


@contextmanager
def _partials(targets: Mapping[str, Path]) -> Iterator[dict[str, tuple[str, BinaryIO]]]:
    """Files opened under temporary names, renamed into place only if the block completes."""
    partial = {key: path.with_name(f".{path.name}.partial") for key, path in targets.items()}
    try:
        with ExitStack() as stack:
            yield {
                key: (targets[key].name, stack.enter_context(path.open("wb")))
                for key, path in partial.items()
            }
        for key, path in partial.items():
            path.replace(targets[key])
    finally:
        for path in partial.values():
            path.unlink(missing_ok=True)


def write_files(
    session: Session,
    prepared: Prepared,
    destination: Path,
    *,
    created_at: datetime,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Write the export to a file (or a folder of split files), then its manifest (and card).

    A symbolic link is written through: its target is replaced, the link kept.
    """
    if destination.is_symlink():
        destination = destination.resolve()
    targets = _targets(prepared, destination)
    try:
        with _partials(targets) as outputs:
            summary = write(session, prepared, outputs, progress)
    except OSError as exc:
        raise OutputUnusable(f"cannot write {destination}: {exc.strerror or exc}") from exc
    document = manifest(summary, provenance(prepared, created_at))
    paths = list(targets.values())
    if prepared.one_file:
        manifest_path = destination.with_name(destination.name + MANIFEST_SUFFIX)
    else:
        manifest_path = destination / FOLDER_MANIFEST
    manifest_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if prepared.request.export_format is ExportFormat.HF:
        (destination / CARD).write_text(
            card.render(summary, document, _title(prepared)), encoding="utf-8"
        )
        paths.append(destination / CARD)
    return Written(summary, document, manifest_path, paths)


def _title(prepared: Prepared) -> str:
    scope = prepared.filters.skill_id or prepared.filters.tenant_id
    version = "" if prepared.version is None else f", version {prepared.version.name}"
    return f"Golden examples of {scope}{version}"
