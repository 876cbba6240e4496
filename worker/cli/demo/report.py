"""The demo's printout: plain lines that fit 80 columns, coloured only on a terminal."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import typer

WIDTH = 80
LABEL_WIDTH = 33
OUTCOME_WIDTH = 9
ID_WIDTH = 36
COLOURS = {
    "accepted": "green",
    "duplicate": "blue",
    "skipped": "yellow",
    "rejected": "red",
    "failed": "magenta",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One case as printed: what was sent, what became of it, and the id to look it up by."""

    label: str
    submission_id: str
    outcome: str
    reason: str
    # What was stored, or why nothing was (field problems, the dead letter), in a few words.
    note: str = ""


def fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def table(rows: list[Row], *, colour: bool) -> list[str]:
    """`#  case  outcome  reason`, then the full id and the note (below it when it is long)."""
    note_width = WIDTH - 4 - ID_WIDTH - 2
    lines = [
        f" #  {'case':<{LABEL_WIDTH}} {'outcome':<{OUTCOME_WIDTH}} reason",
        f"    {'submission id':<{ID_WIDTH}}  stored (or why not)",
        "",
    ]
    for number, row in enumerate(rows, 1):
        outcome = f"{row.outcome:<{OUTCOME_WIDTH}}"
        if colour and row.outcome in COLOURS:
            outcome = typer.style(outcome, fg=COLOURS[row.outcome], bold=True)
        label = fit(row.label, LABEL_WIDTH)
        lines.append(f"{number:>2}  {label:<{LABEL_WIDTH}} {outcome} {row.reason}".rstrip())
        note = " ".join(row.note.split())
        if len(note) <= note_width:
            lines.append(f"    {row.submission_id:<{ID_WIDTH}}  {note}".rstrip())
            continue
        lines.append(f"    {row.submission_id}")
        wrapped = textwrap.wrap(note, WIDTH - 6, break_long_words=True)
        if len(wrapped) > 2:
            wrapped = [wrapped[0], fit(" ".join(wrapped[1:]), WIDTH - 6)]
        lines += [f"      {line}" for line in wrapped]
    return lines


def section(title: str, items: list[tuple[str, str]], *, indent: int = 11) -> list[str]:
    """A titled block of `heading  text` items, the text wrapped under itself."""
    lines = [title]
    for heading, text in items:
        lines += textwrap.wrap(
            text,
            WIDTH,
            initial_indent=f"  {heading:<{indent - 2}}",
            subsequent_indent=" " * indent,
            break_on_hyphens=False,
            break_long_words=False,
        )
    return lines


def commands(title: str, items: list[tuple[str, str]]) -> list[str]:
    """`command   # what it does`, comments aligned while they fit."""
    column = min(max(len(command) for command, _ in items) + 2, 44)
    lines = [title]
    for command, comment in items:
        line = f"  {command}"
        if comment:
            line = f"{line:<{column + 2}}# {comment}" if len(line) < column + 2 else line
            if len(line) > WIDTH:
                line = f"  {command}"
        lines.append(line)
    return lines
