"""The `intake` command line: one module per command group, assembled here."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from worker import runtime
from worker.cli import (
    capture,
    consent,
    datasets,
    dead_letters,
    demo,
    dev,
    examples,
    export,
    review,
    run,
    servers,
    settings,
    stats,
    status,
)
from worker.cli.group import IntakeGroup
from worker.logs import configure_logging
from worker.settings import reload_settings

app = typer.Typer(
    name="intake",
    cls=IntakeGroup,
    help="training-intake: turn training-example submissions into clean, consented rows.\n\n"
    "New here? Run `intake worker` in one terminal and `intake demo` in another; then make a "
    "tenant, users and a skill of your own with `intake dev` (development only) and send them "
    "submissions: docs/getting-started.md walks the whole path.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
app.add_typer(servers.app, name="servers")
app.add_typer(dev.app, name="dev")
app.add_typer(settings.app, name="settings")
app.add_typer(capture.app, name="capture")
app.add_typer(consent.app, name="consent")
app.add_typer(examples.app, name="examples")
app.add_typer(review.app, name="review")
app.add_typer(dead_letters.app, name="dead-letters")
app.add_typer(datasets.app, name="dataset")
app.command("status")(status.status)
app.command("demo")(demo.demo)
app.command("export")(export.export)
app.command("stats")(stats.stats)
app.command("migrate")(run.migrate)
app.command("worker", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    run.worker
)


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.callback()
def _configure_logging(
    ctx: typer.Context,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="Say more: -v logs what happens (INFO) and shows tracebacks; -vv debugs.",
        ),
    ] = 0,
    log_format: Annotated[
        LogFormat | None,
        typer.Option(
            "--log-format",
            help="Logs on stderr as text or as one JSON object a line "
            "(default: text; `intake worker`: INTAKE_LOG_FORMAT, json).",
            show_default=False,
        ),
    ] = None,
) -> None:
    # Read afresh: one process runs one command, with the environment it was given.
    settings = reload_settings()
    runtime.forget()
    is_worker = ctx.invoked_subcommand == "worker"
    chosen = log_format.value if log_format else (settings.log_format if is_worker else "text")
    if verbose:
        level = "DEBUG" if verbose > 1 else "INFO"
    elif is_worker or "log_level" in settings.model_fields_set:
        level = settings.log_level
    else:
        level = "WARNING"  # a command's output is its answer; -v for what happens on the way
    configure_logging(level, json=chosen == "json")


def main() -> None:
    app()
