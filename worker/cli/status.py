"""`intake status`: the outcome of one submission."""

from __future__ import annotations

import json

import typer
from sqlalchemy import select

from worker.models import IntakeOutcome


def status(
    submission_id: str = typer.Argument(..., help="The submission id the producer returned."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print a submission's outcome and reason."""
    from worker.db import session_factory
    from worker.runtime import prepare

    prepare()
    with session_factory()() as session:
        row = session.scalar(
            select(IntakeOutcome).where(IntakeOutcome.submission_id == submission_id)
        )
    record = {
        "submission_id": submission_id,
        "outcome": None if row is None else row.outcome,
        "reason": None if row is None else row.reason,
    }
    if as_json:
        typer.echo(json.dumps(record))
    elif row is None:
        typer.echo(
            f"{submission_id}: unknown (no outcome recorded: not processed yet, or never sent)"
        )
    else:
        suffix = f" ({row.reason})" if row.reason else ""
        typer.echo(f"{submission_id}: {row.outcome}{suffix}")
    if row is None:
        raise typer.Exit(code=1)
