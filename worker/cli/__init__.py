"""The `intake` command line: one module per command group, assembled here."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from worker.cli import (
    capture,
    consent,
    dead_letters,
    demo,
    examples,
    export,
    review,
    run,
    servers,
    settings,
    stats,
    status,
)
from worker.logs import configure_logging
from worker.settings import get_settings

app = typer.Typer(
    name="intake",
    help="training-intake: turn training-example submissions into clean, consented rows.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(servers.app, name="servers")
app.add_typer(settings.app, name="settings")
app.add_typer(capture.app, name="capture")
app.add_typer(consent.app, name="consent")
app.add_typer(examples.app, name="examples")
app.add_typer(review.app, name="review")
app.add_typer(dead_letters.app, name="dead-letters")
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
    log_format: Annotated[
        LogFormat,
        typer.Option("--log-format", help="Logs on stderr as text or as one JSON object a line."),
    ] = LogFormat.TEXT,
) -> None:
    configure_logging(get_settings().log_level, json=log_format is LogFormat.JSON)


def main() -> None:
    app()
