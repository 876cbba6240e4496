"""The `intake` command group: every command runs inside it, so every error ends the same way."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from worker.cli.errors import INTERRUPTED, USAGE, Problem, explain

# Set by the root callback: `-v` count (0 quiet, 1 INFO and tracebacks, 2 DEBUG).
VERBOSITY_KEY = "verbose"


def report(problem: Problem) -> None:
    """`error: <message>` as one line on stderr (red on a terminal)."""
    if not problem.message:
        return
    # Lines joined, spaces within a line kept: "a  b" in a message is what was given.
    lines = (line.strip() for line in problem.message.splitlines())
    message = printable(" ".join(line for line in lines if line))
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {message}", err=True)


def printable(text: str) -> str:
    """`text` with control characters escaped (`\x1b`): an id given on the command line
    must not colour, move or clear the terminal that shows it back."""
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() or char in "\n\t" else ascii(char)[1:-1] for char in text
    )


def _verbosity(ctx: Any) -> int:
    value = ctx.find_root().params.get(VERBOSITY_KEY) or 0
    return int(value)


def _usage_error(exc: typer.TyperException) -> int:
    """Say a usage error in one line (a group named alone prints its help instead)."""
    where = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and where is not None:
        typer.echo(where.get_help())  # (Typer's rich help prints itself, on stdout)
        return USAGE
    hint = f" (see `{where.command_path} --help`)" if where is not None else ""
    # (Typer words a choice it cannot convert as pydantic does: "Value error, 'x' is not ...".)
    said = exc.format_message().replace("Value error, ", "")
    report(Problem(f"{said}{hint}", exc.exit_code))
    return exc.exit_code


class IntakeGroup(TyperGroup):
    """A Typer group whose commands end in one `error:` line and an exit status, never a trace.

    Usage errors (a missing option, a value of the wrong type) exit 2; what a command raises is
    explained by `worker.cli.errors.explain` (exit 1); Ctrl-C exits 130. A group named without
    a command (bare `intake` too) prints its help on stdout and exits 2, as Click does for a
    missing command.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # exits, aborts and usage errors: `main` below says them
        except KeyboardInterrupt:
            report(Problem("interrupted", INTERRUPTED))
            raise typer.Exit(INTERRUPTED) from None
        except Exception as exc:  # noqa: BLE001 - the one place every error becomes a line
            if _verbosity(ctx) > 0:
                traceback.print_exception(exc, file=sys.stderr)
            problem = explain(exc)
            report(problem)
            raise typer.Exit(problem.code) from None

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except typer.TyperException as exc:
            code = _usage_error(exc)
        except typer.Abort:
            report(Problem("aborted"))
            code = 1
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code
