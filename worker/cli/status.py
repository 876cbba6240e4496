"""`intake status`: the outcome of one submission, by its id or the first characters of it."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from sqlalchemy import select

from worker.cli import output
from worker.cli.database import transaction
from worker.cli.options import require_id_shape
from worker.models import IntakeOutcome
from worker.operations import lookup
from worker.operations.errors import NotFound


def status(
    submission_id: Annotated[
        str,
        typer.Argument(
            help="The submission id the producer returned, or its first characters (4 or more).",
            show_default=False,
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print a submission's outcome and reason (exit 1 while it has none)."""
    submission_id = submission_id.strip()
    require_id_shape(
        submission_id, "submission", "SUBMISSION_ID", whole="the UUID the producer returned"
    )
    with transaction() as session:
        row = _find(session, submission_id.lower())
        record: dict[str, Any] = {
            "submission_id": submission_id if row is None else row.submission_id,
            "outcome": None if row is None else row.outcome,
            "reason": None if row is None else row.reason,
        }
        detail = {} if row is None else dict(row.detail or {})
    if as_json:
        typer.echo(json.dumps(record))
    elif row is None:
        output.say(
            f"{submission_id}: unknown (no outcome recorded: not processed yet, or never sent)"
        )
    else:
        suffix = f" ({row.reason})" if row.reason else ""
        output.say(f"{row.submission_id}: {row.outcome}{suffix}{_particulars(detail)}")
    if row is None:
        raise typer.Exit(code=1)


def _find(session: Any, text: str) -> IntakeOutcome | None:
    """The outcome row of a whole id or a unique prefix; None when nothing matches."""
    exact = session.scalar(select(IntakeOutcome).where(IntakeOutcome.submission_id == text))
    if exact is not None or len(text) == 36:
        return exact  # type: ignore[no-any-return]
    try:
        full = lookup.resolve(session, IntakeOutcome.submission_id, text, "submission")
    except NotFound:
        return None
    return session.get(IntakeOutcome, full)  # type: ignore[no-any-return]


def _particulars(detail: dict[str, Any]) -> str:
    """What the outcome's detail says, in words (field problems, secrets found); never text."""
    parts = []
    fields = detail.get("fields")
    if isinstance(fields, dict) and fields:
        parts.append(
            "; ".join(
                f"{name}: {', '.join(str(m) for m in messages)}"
                if isinstance(messages, list)
                else str(name)
                for name, messages in sorted(fields.items())
            )
        )
    secrets = detail.get("secrets_found")
    if isinstance(secrets, list) and secrets:
        parts.append(f"secrets redacted: {', '.join(str(s) for s in secrets)}")
    if detail.get("markup_neutralized"):
        parts.append("active markup neutralized")
    if error := detail.get("error"):
        parts.append(f"last error: {error}")
    return f" - {'; '.join(parts)}" if parts else ""
