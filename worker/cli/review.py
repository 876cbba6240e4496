"""`intake review`: approve or dismiss training examples as the skill's author or a tenant admin."""

from __future__ import annotations

from typing import Annotated

import typer

from worker.cli import output
from worker.cli.database import transaction
from worker.operations import review as operations

app = typer.Typer(
    help="Review training examples: only the skill's author or an admin of its tenant may.",
    no_args_is_help=True,
)

IdsArgument = Annotated[list[str], typer.Argument(help="Training example ids.")]
ReviewerOption = Annotated[
    str, typer.Option("--by", help="The reviewing user's id (the author or a tenant admin).")
]
NotesOption = Annotated[
    str | None, typer.Option("--notes", help="Review notes stored with the examples.")
]


def _review(ids: list[str], status: operations.ReviewStatus, by: str, notes: str | None) -> None:
    with output.reported_errors(), transaction() as session:
        review = operations.review_examples(session, ids, status, reviewer_id=by, notes=notes)
    output.say(f"{status.value} {len(review.example_ids)} example(s) as {by}")


@app.command("approve")
def approve(ids: IdsArgument, by: ReviewerOption, notes: NotesOption = None) -> None:
    """Approve examples: they join the golden dataset. All or none are changed."""
    _review(ids, operations.ReviewStatus.APPROVED, by, notes)


@app.command("dismiss")
def dismiss(ids: IdsArgument, by: ReviewerOption, notes: NotesOption = None) -> None:
    """Dismiss examples: kept, but left out of the golden dataset. All or none are changed."""
    _review(ids, operations.ReviewStatus.DISMISSED, by, notes)
