"""`intake examples`: a skill's training examples and their count."""

from __future__ import annotations

from typing import Annotated

import typer

from worker.cli import output
from worker.cli.database import transaction
from worker.cli.options import JsonOption, SourceOption
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
                }
                for e in examples
            ]
        )
        return
    output.table(
        f"training examples of {skill}",
        ["id", "created", "status", "source", "user", "quality", "input", "output"],
        [
            [
                e.id,
                e.created_at,
                e.status,
                e.source,
                e.user_name or e.user_id,
                e.quality_score,
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
