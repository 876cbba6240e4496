"""`intake examples`: a skill's training examples and their count."""

from __future__ import annotations

from typing import Annotated

import typer

from worker.cli import output
from worker.cli.database import transaction
from worker.cli.dataset_options import ProgressOption, progress_bar
from worker.cli.options import JsonOption, SourceOption, TenantOption
from worker.datasets.backfill import count_unflagged, flag_unflagged, skills_of
from worker.datasets.duplicates import (
    DuplicateInfo,
    DuplicateKind,
    duplicates_of,
)
from worker.datasets.selection import ExportFilters, check_filters
from worker.models import Skill
from worker.operations.errors import NotFound
from worker.operations.review import ReviewStatus
from worker.queries import (
    MAX_PAGE_SIZE,
    get_training_example_count,
    get_training_examples_for_skill,
)

app = typer.Typer(help="A skill's training examples.", no_args_is_help=True)

SkillOption = Annotated[str, typer.Option("--skill", help="Skill id.")]


@app.command("list")
def list_examples(
    skill: SkillOption,
    status: Annotated[
        ReviewStatus | None, typer.Option("--status", help="Only this status.")
    ] = None,
    source: SourceOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE_SIZE, help="How many.")] = 20,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many first.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """A skill's training examples, newest first."""
    with output.reported_errors(), transaction() as session:
        if session.get(Skill, skill) is None:
            raise NotFound("skill", [skill])
        examples = get_training_examples_for_skill(
            session,
            skill,
            limit=limit,
            offset=offset,
            status=None if status is None else status.value,
            source=None if source is None else source.value,
        )
        flags = duplicates_of(session, [e.id for e in examples])
    if as_json:
        output.emit_json(
            [
                {
                    "id": e.id,
                    "created_at": e.created_at,
                    "status": e.status,
                    "source": e.source,
                    "user_id": e.user_id,
                    "user_name": e.user_name,
                    "quality_score": e.quality_score,
                    "usage_event_id": e.usage_event_id,
                    "example_input": e.example_input,
                    "example_output": e.example_output,
                    "expected_output": e.expected_output,
                    "duplicate": _duplicate_json(flags.get(e.id)),
                }
                for e in examples
            ]
        )
        return
    output.table(
        f"training examples of {skill}",
        ["id", "created", "status", "source", "user", "quality", "duplicate", "input", "output"],
        [
            [
                e.id,
                e.created_at,
                e.status,
                e.source,
                e.user_name or e.user_id,
                e.quality_score,
                _duplicate_cell(flags.get(e.id)),
                output.excerpt(e.example_input),
                output.excerpt(e.expected_output or e.example_output),
            ]
            for e in examples
        ],
    )


@app.command("count")
def count(skill: SkillOption, as_json: JsonOption = False) -> None:
    """How many training examples a skill has, in total and by status."""
    with output.reported_errors(), transaction() as session:
        if session.get(Skill, skill) is None:
            raise NotFound("skill", [skill])
        counts = {"total": get_training_example_count(session, skill)}
        for status in ReviewStatus:
            counts[status.value] = get_training_example_count(session, skill, status=status.value)
    if as_json:
        output.emit_json({"skill_id": skill, **counts})
        return
    by_status = ", ".join(f"{status.value} {counts[status.value]}" for status in ReviewStatus)
    output.say(f"{skill}: {counts['total']} training example(s) ({by_status})")


def _duplicate_json(info: DuplicateInfo | None) -> dict[str, object] | None:
    if info is None:
        return None
    return {
        "cluster_id": info.flag.cluster_id,
        "kind": None if info.flag.kind is None else info.flag.kind.value,
        "similarity": info.flag.similarity,
        "cluster_size": info.cluster_size,
    }


def _duplicate_cell(info: DuplicateInfo | None) -> str:
    """'exact of ID', 'near 0.83 of ID', 'first of 3', or nothing (unique or never flagged)."""
    if info is None:
        return ""
    if info.flag.kind is None:
        return f"first of {info.cluster_size}" if info.cluster_size > 1 else ""
    if info.flag.kind is DuplicateKind.NEAR and info.flag.similarity is not None:
        return f"near {info.flag.similarity:.2f} of {info.flag.cluster_id}"
    return f"{info.flag.kind} of {info.flag.cluster_id}"


@app.command("flag-duplicates")
def flag_duplicates(
    tenant: TenantOption,
    skill: Annotated[str | None, typer.Option("--skill", help="Only this skill.")] = None,
    progress: ProgressOption = None,
) -> None:
    """Flag duplicates of examples stored without a flag (before flagging at ingest existed).

    Skill by skill, oldest first, 500 examples a transaction: an interrupted run can simply be
    started again (flagged examples are skipped).
    """
    show = output.stderr().is_terminal if progress is None else progress
    flagged = 0
    with output.reported_errors():
        with transaction() as session:
            check_filters(session, ExportFilters(tenant, skill))
            total = count_unflagged(session, tenant, skill_id=skill)
            skills = [skill] if skill else skills_of(session, tenant)
        with progress_bar("flagging", total, show) as advance:
            for skill_id in skills:
                after = None
                while True:
                    with transaction() as session:
                        step = flag_unflagged(session, tenant, skill_id, after=after)
                    flagged += step.flagged
                    if advance is not None:
                        advance(step.flagged)
                    if step.after is None:
                        break
                    after = step.after
    output.say(f"flagged {flagged} example(s) of tenant {tenant}")
