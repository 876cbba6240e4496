"""`intake export`: a tenant's golden dataset (live, or a version reproduced) with a manifest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from worker.cli import output
from worker.cli.database import snapshot
from worker.cli.dataset_options import (
    Duplicates,
    DuplicatesOption,
    ExpectedOption,
    FormatOption,
    MaxTokensOption,
    ProgressOption,
    SkillFilterOption,
    SkipChangedOption,
    SplitFilesOption,
    SplitSeedOption,
    SplitsOption,
    StatusFilter,
    StatusOption,
    SystemOption,
    VersionOption,
    progress_bar,
    split_plan,
)
from worker.cli.errors import cannot_write
from worker.cli.options import SourceOption, TenantOption
from worker.datasets import export as operations
from worker.datasets.chat import DEFAULT_MAX_TOKENS, ChatOptions
from worker.datasets.errors import OutputUnusable
from worker.datasets.formats import ExportFormat
from worker.datasets.selection import ExportFilters
from worker.datasets.writing import ONE_FILE, ExportSummary

STDOUT = "-"


def export(
    tenant: TenantOption,
    destination: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="File to write ('-': standard output, no manifest); a folder for --split-files "
            "and hf.",
        ),
    ],
    skill: SkillFilterOption = None,
    status: StatusOption = StatusFilter.APPROVED,
    source: SourceOption = None,
    export_format: FormatOption = ExportFormat.JSONL,
    version: VersionOption = None,
    splits: SplitsOption = None,
    split_seed: SplitSeedOption = None,
    split_files: SplitFilesOption = False,
    duplicates: DuplicatesOption = Duplicates.KEEP,
    system: SystemOption = None,
    expected: ExpectedOption = True,
    max_tokens: MaxTokensOption = DEFAULT_MAX_TOKENS,
    skip_changed: SkipChangedOption = False,
    progress: ProgressOption = None,
) -> None:
    """Export training examples in constant memory, with a manifest (counts, filters, checksums).

    Rows are read through a server-side cursor in one consistent snapshot. Files are written
    under temporary names and renamed when complete; FILE.manifest.json (or FOLDER/manifest.json)
    is written beside them.
    """
    request = operations.ExportRequest(
        filters=ExportFilters(
            tenant_id=tenant,
            skill_id=skill,
            status=None if status is StatusFilter.ANY else status.value,
            source=None if source is None else source.value,
        ),
        export_format=export_format,
        plan=None,
        drop_duplicates=duplicates is Duplicates.DROP,
        split_files=split_files,
        version=version,
        chat=ChatOptions(system=system, use_expected=expected, max_tokens=max_tokens),
        skip_changed=skip_changed,
    )
    if not destination.strip():
        raise OutputUnusable("-o needs a file name ('-' for standard output)")
    show = output.stderr().is_terminal if progress is None else progress
    _report(*_export(_with_plan(request, splits, split_seed), destination, show))


def _export(
    request: operations.ExportRequest, destination: str, show: bool
) -> tuple[ExportSummary, operations.Written | None]:
    created_at = datetime.now(UTC)
    with snapshot() as session:
        prepared = operations.prepare(session, request)
        total = prepared.total(session) if show else None
        with progress_bar("exporting", total, show) as advance:
            if destination == STDOUT:
                return _to_stdout(session, prepared, advance), None
            try:
                written = operations.write_files(
                    session, prepared, Path(destination), created_at=created_at, progress=advance
                )
            except OutputUnusable as exc:
                # Its words are the errno's alone ("No such file or directory" for /proc/version).
                if isinstance(exc.__cause__, OSError):
                    raise OutputUnusable(
                        cannot_write(Path(destination), exc.__cause__)
                    ) from exc.__cause__
                raise
            return written.summary, written


def _with_plan(
    request: operations.ExportRequest, splits: str | None, seed: str | None
) -> operations.ExportRequest:
    if request.version is not None and (splits is not None or seed is not None):
        raise OutputUnusable("a version has its own splits: drop --splits/--split-seed")
    plan = split_plan(splits, seed)
    if request.split_files and plan is None and request.version is None:
        raise OutputUnusable("--split-files needs --splits (or --version)")
    return replace(request, plan=plan)


def _to_stdout(
    session: Session, prepared: operations.Prepared, advance: Callable[[int], None] | None
) -> ExportSummary:
    if not prepared.one_file:
        raise OutputUnusable("one file per split needs a folder: give -o FOLDER")
    stream = typer.get_binary_stream("stdout")
    return operations.write(session, prepared, {ONE_FILE: (STDOUT, stream)}, advance)


def _report(summary: ExportSummary, written: operations.Written | None) -> None:
    notes = []
    if summary.skipped:
        problems = ", ".join(f"{n} {p}" for p, n in sorted(summary.skipped_by_problem.items()))
        notes.append(f"{summary.skipped} left out ({problems})")
    if summary.withdrawn:
        notes.append(f"{len(summary.withdrawn)} withdrawn since the version was taken")
    if summary.changed:
        notes.append(f"{len(summary.changed)} changed since the version was taken, left out")
    detail = f" ({'; '.join(notes)})" if notes else ""
    if written is None:
        output.warn(f"exported {summary.rows} example(s){detail}")
        return
    where = ", ".join(str(path) for path in written.paths)
    checksum = f" (sha256 {summary.sha256})" if summary.sha256 else ""
    output.warn(
        f"exported {summary.rows} example(s){detail} to {where}{checksum}; "
        f"manifest {written.manifest_path}"
    )
