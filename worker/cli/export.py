"""`intake export`: the golden dataset of a tenant, streamed to a file with a manifest beside it."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from worker.cli import output
from worker.cli.database import snapshot
from worker.cli.options import SourceOption, TenantOption
from worker.operations import export as operations
from worker.operations.export import ExportFilters, ExportFormat, ExportSummary

MANIFEST_SUFFIX = ".manifest.json"
STDOUT = "-"


class StatusFilter(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    DISMISSED = "dismissed"
    ANY = "any"


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def export(
    tenant: TenantOption,
    destination: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="File to write; '-' writes to standard output (no manifest)."
        ),
    ],
    skill: Annotated[
        str | None, typer.Option("--skill", help="Only this skill's examples.")
    ] = None,
    status: Annotated[
        StatusFilter, typer.Option("--status", help="Only this status ('any' for all).")
    ] = StatusFilter.APPROVED,
    source: SourceOption = None,
    export_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="jsonl (every column), openai-chat (fine-tuning messages) or csv.",
        ),
    ] = ExportFormat.JSONL,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Progress bar on stderr. Default: shown when stderr is a terminal.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Export training examples in constant memory, with a manifest (counts, filters, checksum).

    Rows are read through a server-side cursor in one consistent snapshot. A file is written
    under a temporary name and renamed when complete; FILE.manifest.json is written beside it.
    """
    filters = ExportFilters(
        tenant_id=tenant,
        skill_id=skill,
        status=None if status is StatusFilter.ANY else status.value,
        source=None if source is None else source.value,
    )
    console = output.stderr()
    show_progress = console.is_terminal if progress is None else progress
    created_at = datetime.now(UTC)
    with output.reported_errors(), snapshot() as session:
        operations.check_filters(session, filters)
        total = operations.count_examples(session, filters) if show_progress else None
        rows = operations.iter_examples(session, filters)
        if destination == STDOUT:
            stream = typer.get_binary_stream("stdout")
            summary = _write(rows, stream, export_format, total, show_progress)
            console.print(f"exported {summary.rows} example(s)", highlight=False)
            return
        path = Path(destination)
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("wb") as out:
                summary = _write(rows, out, export_format, total, show_progress)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    document = operations.manifest(summary, filters, file_name=path.name, created_at=created_at)
    manifest_path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    skipped = f", {summary.skipped} skipped (no input or output)" if summary.skipped else ""
    console.print(
        f"exported {summary.rows} example(s){skipped} to {path} "
        f"(sha256 {summary.sha256}); manifest {manifest_path(path)}",
        highlight=False,
        soft_wrap=True,
    )


def _write(
    rows: operations.Rows,
    out: BinaryIO,
    export_format: ExportFormat,
    total: int | None,
    show_progress: bool,
) -> ExportSummary:
    if not show_progress:
        return operations.write_examples(rows, out, export_format)
    with Progress(
        TextColumn("exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=output.stderr(),
        transient=True,
    ) as bar:
        task = bar.add_task("export", total=total)
        return operations.write_examples(
            rows, out, export_format, progress=lambda n: bar.advance(task, n)
        )
