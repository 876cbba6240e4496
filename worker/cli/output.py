"""Command output: rich tables on a terminal, tab-separated lines or JSON when piped; errors."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from worker.cli.errors import Problem
from worker.cli.group import printable, report


def stdout() -> Console:
    # Made per call: a test runner swaps sys.stdout between invocations.
    return Console()


def stderr() -> Console:
    return Console(stderr=True)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def excerpt(value: str | None, width: int = 40) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= width else text[: width - 3] + "..."


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A rich table on a terminal; a header and tab-separated rows when piped."""
    console = stdout()
    if console.is_terminal:
        shown = Table(title=title)
        for column in columns:
            shown.add_column(column)
        for row in rows:
            # Text, not markup: stored values may contain [brackets] rich would interpret.
            shown.add_row(*(Text(cell(value)) for value in row))
        console.print(shown)
        return
    typer.echo("\t".join(columns))
    for row in rows:
        typer.echo("\t".join(" ".join(cell(value).split("\t")).replace("\n", " ") for value in row))


def emit_json(document: Any) -> None:
    typer.echo(json.dumps(document, default=cell, ensure_ascii=False))


def say(message: str) -> None:
    """A human-readable line on stdout (plain text: no markup is interpreted, control
    characters escaped)."""
    typer.echo(printable(message))


def progress(message: str) -> None:
    """Rewrite one status line on stderr (for terminals; the final answer goes to stdout)."""
    typer.echo(f"\r{message}\x1b[K", err=True, nl=False)


def warn(message: str) -> None:
    """A line on stderr (plain text: no markup is interpreted, never wrapped, control
    characters escaped)."""
    typer.echo(printable(message), err=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """End the command with one `error: ...` line and this exit status."""
    report(Problem(message, code))
    raise typer.Exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """A no-op kept for older commands: whatever a command raises ends as one `error:` line.

    `worker.cli.group.IntakeGroup` turns every error into that line and an exit status.
    """
    yield
