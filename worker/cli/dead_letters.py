"""`intake dead-letters`: failed and undecodable submissions; list, inspect, replay."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from worker.cli import output
from worker.cli.database import runtime, transaction
from worker.cli.options import JsonOption
from worker.operations import dead_letters as operations

app = typer.Typer(
    help="Failed and undecodable submissions kept in intake_dead_letters.", no_args_is_help=True
)


@app.command("list")
def list_letters(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 50,
    reason: Annotated[str | None, typer.Option("--reason", help="Only this reason.")] = None,
    unreplayed: Annotated[
        bool, typer.Option("--unreplayed", help="Only letters not replayed yet.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """The newest dead letters (never their payloads)."""
    with output.reported_errors(), transaction() as session:
        letters = operations.list_letters(
            session, limit=limit, reason=reason, unreplayed_only=unreplayed
        )
    if as_json:
        output.emit_json(
            [
                {
                    "id": letter.id,
                    "created_at": letter.created_at,
                    "reason": letter.reason,
                    "task_name": letter.task_name,
                    "submission_id": letter.submission_id,
                    "replayable": letter.replayable,
                    "replayed_at": letter.replayed_at,
                }
                for letter in letters
            ]
        )
        return
    output.table(
        "dead letters",
        ["id", "created", "reason", "task", "submission", "replayable", "replayed"],
        [
            [
                letter.id,
                letter.created_at,
                letter.reason,
                letter.task_name,
                letter.submission_id,
                letter.replayable,
                letter.replayed_at,
            ]
            for letter in letters
        ],
    )


@app.command("show")
def show(
    letter_id: Annotated[int, typer.Argument(help="Dead letter id.")],
    payload: Annotated[
        bool,
        typer.Option("--payload", help="Also print the kept submission, example text included."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """One dead letter: its reason, error and what is known of the message."""
    with output.reported_errors(), transaction() as session:
        letter = operations.get_letter(session, letter_id)
        document: dict[str, Any] = {
            "id": letter.id,
            "created_at": letter.created_at,
            "reason": letter.reason,
            "task_name": letter.task_name,
            "submission_id": letter.submission_id,
            "error": letter.error,
            "message_info": letter.message_info,
            "replayable": isinstance(letter.payload, dict),
            "replayed_at": letter.replayed_at,
        }
        if payload:
            document["payload"] = letter.payload
    if as_json:
        output.emit_json(document)
        return
    rows = [[key, value] for key, value in document.items() if key != "payload"]
    output.table(f"dead letter {letter_id}", ["field", "value"], rows)
    if payload:
        output.emit_json(document["payload"])


@app.command("replay")
def replay(
    letter_ids: Annotated[list[int] | None, typer.Argument(help="Dead letter ids.")] = None,
    replay_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Every letter that kept its submission and was not replayed yet."
        ),
    ] = False,
) -> None:
    """Enqueue kept submissions again with their original ids (a row is still made only once)."""
    from producers import IntakeClient

    if bool(letter_ids) == replay_all:
        output.fail("name dead letter ids, or pass --all (not both)", code=2)
    settings = runtime().settings
    with (
        output.reported_errors(),
        IntakeClient(settings.broker_url) as client,
        transaction() as session,
    ):
        report = operations.replay(session, None if replay_all else letter_ids, client.submit)
    for letter_id, submission_id in report.replayed:
        output.say(f"replayed dead letter {letter_id} (submission {submission_id})")
    for letter_id, why in sorted(report.refused.items()):
        output.warn(f"dead letter {letter_id} cannot be replayed: {why}")
    if not report.replayed and not report.refused:
        output.say("nothing to replay")
    if report.refused:
        raise typer.Exit(1)
