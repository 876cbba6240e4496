"""`intake dataset`: versions of a tenant's golden dataset (create, list, show, diff) and checks."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from worker.cli import output
from worker.cli.database import runtime, snapshot
from worker.cli.dataset_options import (
    Duplicates,
    DuplicatesOption,
    ProgressOption,
    SkillFilterOption,
    SplitSeedOption,
    SplitsOption,
    StatusFilter,
    StatusOption,
    progress_bar,
    split_plan,
)
from worker.cli.options import ByOption, JsonOption, SourceOption, TenantOption, changed_by
from worker.datasets import versions as operations
from worker.datasets.chat import DEFAULT_MAX_TOKENS, Problem
from worker.datasets.models import DatasetVersion
from worker.datasets.selection import ExportFilters, Selection, count, live_query
from worker.datasets.validation import ValidationReport, validate_file

app = typer.Typer(
    help="Golden datasets: immutable versions and fine-tuning checks.", no_args_is_help=True
)
version_app = typer.Typer(
    help="Named, immutable versions of a tenant's dataset.", no_args_is_help=True
)
app.add_typer(version_app, name="version")

NameArgument = Annotated[str, typer.Argument(help="Version name (unique in the tenant).")]


@contextmanager
def _versioning() -> Iterator[Session]:
    """One REPEATABLE READ transaction: every chunk of a version sees the same snapshot."""
    from worker.db import session_factory

    runtime()
    with session_factory()() as session, session.begin():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session


def _describe(version: DatasetVersion) -> dict[str, Any]:
    return {
        "name": version.name,
        "id": version.id,
        "tenant_id": version.tenant_id,
        "skill_id": version.skill_id,
        "created_at": version.created_at,
        "created_by": version.created_by,
        "note": version.note,
        "status": version.status_filter,
        "source": version.source_filter,
        "duplicates": version.duplicates,
        "split_ratios": version.split_ratios,
        "split_seed": version.split_seed,
        "examples": version.example_count,
        "split_counts": version.split_counts,
    }


@version_app.command("create")
def create(
    name: NameArgument,
    tenant: TenantOption,
    skill: SkillFilterOption = None,
    status: StatusOption = StatusFilter.APPROVED,
    source: SourceOption = None,
    splits: SplitsOption = None,
    split_seed: SplitSeedOption = None,
    duplicates: DuplicatesOption = Duplicates.KEEP,
    note: Annotated[str | None, typer.Option("--note", help="Why this version was taken.")] = None,
    by: ByOption = None,
    progress: ProgressOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take a version: the examples chosen now, each with its content hash and split."""
    filters = ExportFilters(
        tenant, skill, None if status is StatusFilter.ANY else status.value,
        None if source is None else source.value,
    )  # fmt: skip
    show = output.stderr().is_terminal if progress is None else progress
    with output.reported_errors():
        selection = Selection(
            filters, split_plan(splits, split_seed), duplicates is Duplicates.DROP
        )
        with _versioning() as session:
            total = count(session, live_query(selection)) if show else None
            with progress_bar("taking version", total, show) as advance:
                version = operations.create_version(
                    session, selection, name=name, created_by=changed_by(by), note=note,
                    progress=advance,
                )  # fmt: skip
            described = _describe(version)
    if as_json:
        output.emit_json(described)
        return
    counts = ", ".join(f"{split} {n}" for split, n in version.split_counts.items())
    output.say(f"version {name} of tenant {tenant}: {version.example_count} example(s) ({counts})")


@version_app.command("list")
def list_versions(
    tenant: TenantOption,
    skill: Annotated[
        str | None, typer.Option("--skill", help="Only this skill's versions.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A tenant's versions, newest first, with their split counts."""
    with output.reported_errors(), snapshot() as session:
        found = [_describe(v) for v in operations.list_versions(session, tenant, skill_id=skill)]
    if as_json:
        output.emit_json(found)
        return
    output.table(
        f"dataset versions of {tenant}",
        ["name", "created", "by", "skill", "examples", "train", "validation", "test", "note"],
        [
            [v["name"], v["created_at"], v["created_by"], v["skill_id"] or "all", v["examples"],
             *(v["split_counts"].get(s, 0) for s in ("train", "validation", "test")), v["note"]]
            for v in found
        ],
    )  # fmt: skip


@version_app.command("show")
def show(name: NameArgument, tenant: TenantOption, as_json: JsonOption = False) -> None:
    """One version: how it was chosen, who took it, and its counts."""
    with output.reported_errors(), snapshot() as session:
        described = _describe(operations.get_version(session, tenant, name))
    if as_json:
        output.emit_json(described)
        return
    output.table(f"dataset version {name}", ["field", "value"], list(described.items()))


@version_app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="The earlier version.")],
    new: Annotated[str, typer.Argument(help="The later version.")],
    tenant: TenantOption,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Differences listed at most.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """Examples added, removed or changed (content, review status or split) between versions."""
    counts: Counter[str] = Counter()
    listed: list[dict[str, Any]] = []
    with output.reported_errors(), snapshot() as session:
        before = operations.get_version(session, tenant, old)
        after = operations.get_version(session, tenant, new)
        for difference in operations.diff_versions(session, before, after):
            counts[difference.change] += 1
            if len(listed) < limit:
                listed.append(
                    {"id": difference.example_id, "change": difference.change,
                     "fields": list(difference.fields)}
                )  # fmt: skip
    totals = {change: counts.get(change, 0) for change in ("added", "removed", "changed")}
    if as_json:
        output.emit_json({"old": old, "new": new, **totals, "examples": listed})
        return
    output.table(
        f"{old} -> {new}: " + ", ".join(f"{n} {change}" for change, n in totals.items()),
        ["id", "change", "fields"],
        [[item["id"], item["change"], ", ".join(item["fields"])] for item in listed],
    )


@app.command("validate")
def validate(
    path: Annotated[Path, typer.Argument(help="A chat fine-tuning JSONL file.")],
    max_tokens: Annotated[
        int, typer.Option("--max-tokens", min=16, help="Longest line allowed (estimate).")
    ] = DEFAULT_MAX_TOKENS,
    as_json: JsonOption = False,
) -> None:
    """Check a chat JSONL file as a fine-tuning job would; exit 1 if any line would be refused."""
    with output.reported_errors():
        report = validate_file(path, max_tokens)
    if not report.lines:
        # Nothing a fine-tuning job could train on: not "all ready".
        output.fail(f"{path}: no lines to validate")
    if as_json:
        output.emit_json(report.as_dict())
    else:
        output.say(report.describe() + _format_hint(path, report))
    if report.refused:
        raise typer.Exit(1)


def _format_hint(path: Path, report: ValidationReport) -> str:
    """A hint when refused lines are JSON objects without `messages`: another format's export
    (jsonl, hf) rather than broken chat lines."""
    malformed = {n for n, found in report.first_refused if Problem.MALFORMED in found}
    if not malformed or not path.is_file():  # (a pipe cannot be read twice)
        return ""
    try:
        with path.open("rb") as lines:
            for number, raw in enumerate(lines, start=1):
                if number > max(malformed):
                    break
                if number in malformed and _lacks_messages(raw):
                    return (
                        f" - line {number} has no `messages`: this checks the openai-chat "
                        "format (`intake export -f openai-chat`)"
                    )
    except OSError:
        return ""  # only a hint
    return ""


def _lacks_messages(raw: bytes) -> bool:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return isinstance(document, dict) and "messages" not in document
