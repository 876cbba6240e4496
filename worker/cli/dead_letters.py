"""`intake dead-letters`: failed and undecodable submissions; list, inspect, replay."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from worker.cli import output
from worker.cli.database import runtime, transaction
from worker.cli.options import NUMBER_ARGUMENT, JsonOption
from worker.cli.options import letter_ids as checked_ids
from worker.operations import dead_letters as operations
from worker.operations.dead_letters import LetterState

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
    state: Annotated[
        LetterState | None,
        typer.Option(
            "--state",
            help="Only letters in this state: open (to replay), replayed, resolved (the "
            "submission was decided since) or unreplayable.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The newest dead letters (never their payloads), each with its state."""
    with transaction() as session:
        letters = operations.list_letters(
            session, limit=limit, reason=reason, unreplayed_only=unreplayed, state=state
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
                    "state": letter.state.value,
                    "outcome": letter.outcome,
                    "replayable": letter.replayable,
                    "replayed_at": letter.replayed_at,
                    "seen": letter.seen,
                    "last_seen_at": letter.last_seen_at,
                }
                for letter in letters
            ]
        )
        return
    output.table(
        "dead letters",
        ["id", "created", "reason", "task", "submission", "state", "replayed", "seen"],
        [
            [
                letter.id,
                letter.created_at,
                letter.reason,
                letter.task_name,
                letter.submission_id,
                _state_text(letter),
                letter.replayed_at,
                letter.seen,
            ]
            for letter in letters
        ],
    )


def _state_text(letter: operations.LetterSummary) -> str:
    if letter.state is LetterState.RESOLVED:
        return f"resolved ({letter.outcome})"
    return letter.state.value


@app.command("show", context_settings=NUMBER_ARGUMENT)
def show(
    letter_id: Annotated[int, typer.Argument(help="Dead letter id.", callback=checked_ids)],
    payload: Annotated[
        bool,
        typer.Option("--payload", help="Also print the kept submission, example text included."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """One dead letter: its reason, error and what is known of the message."""
    with transaction() as session:
        letter = operations.get_letter(session, letter_id)
        summary = operations.summarize(session, letter_id)
        document: dict[str, Any] = {
            "id": letter.id,
            "created_at": letter.created_at,
            "reason": letter.reason,
            "task_name": letter.task_name,
            "submission_id": letter.submission_id,
            "error": letter.error,
            "message_info": letter.message_info,
            "state": summary.state.value,
            "outcome": summary.outcome,
            "replayable": summary.replayable,
            "replayed_at": letter.replayed_at,
            "seen": letter.seen,
            "last_seen_at": letter.last_seen_at,
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
    letter_ids: Annotated[
        list[int] | None, typer.Argument(help="Dead letter ids.", callback=checked_ids)
    ] = None,
    replay_all: Annotated[
        bool,
        typer.Option("--all", help="Every open letter: kept, not replayed, still undecided."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Send named letters again even if they were replayed."),
    ] = False,
) -> None:
    """Enqueue kept submissions again with their original ids (a row is still made only once).

    A letter whose submission was decided since (accepted, duplicate, ...) is resolved and
    never sent again; one replayed already is sent again only with --force.
    """
    from producers import IntakeClient

    if bool(letter_ids) == replay_all:
        output.fail("name dead letter ids, or pass --all (not both)", code=2)
    settings = runtime().settings
    with IntakeClient(settings.broker_url) as client, transaction() as session:
        report = operations.replay(
            session, None if replay_all else letter_ids, client.submit, force=force
        )
    for letter_id, submission_id in report.replayed:
        output.say(f"replayed dead letter {letter_id} (submission {submission_id})")
    for letter_id, why in sorted(report.skipped.items()):
        output.say(f"dead letter {letter_id} not sent: {why}")
    for letter_id, why in sorted(report.refused.items()):
        output.warn(f"dead letter {letter_id} cannot be replayed: {why}")
    if not report.replayed and not report.refused and not report.skipped:
        output.say("nothing to replay")
    if report.refused:
        raise typer.Exit(1)
