"""Options and the progress bar shared by `intake export` and `intake dataset`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from worker.cli import output
from worker.cli.options import checked
from worker.datasets.formats import ExportFormat
from worker.datasets.splits import DEFAULT_SEED, SplitPlan


class Duplicates(StrEnum):
    KEEP = "keep"
    DROP = "drop"


class StatusFilter(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    DISMISSED = "dismissed"
    ANY = "any"


SkillFilterOption = Annotated[
    str | None, typer.Option("--skill", help="Only this skill's examples.")
]
StatusOption = Annotated[
    StatusFilter, typer.Option("--status", help="Only this status ('any' for all).")
]
FormatOption = Annotated[
    ExportFormat,
    typer.Option(
        "--format",
        "-f",
        help="jsonl (every column), openai-chat (fine-tuning messages, validated), csv, or "
        "hf (a Hugging Face folder: one JSONL per split and a dataset card).",
    ),
]
VersionOption = Annotated[
    str | None,
    typer.Option(
        "--version",
        help="Reproduce this dataset version byte for byte (its filters, splits and duplicate "
        "choice; withdrawn examples are left out and listed).",
    ),
]
SplitFilesOption = Annotated[
    bool, typer.Option("--split-files", help="One file per split in the folder -o names.")
]
SystemOption = Annotated[
    str | None,
    typer.Option(
        "--system", help="openai-chat: this system message (default: the skill's description)."
    ),
]
ExpectedOption = Annotated[
    bool,
    typer.Option(
        "--expected/--no-expected",
        help="openai-chat: the expected output as the assistant turn when there is one.",
    ),
]
MaxTokensOption = Annotated[
    int,
    typer.Option("--max-tokens", min=16, help="openai-chat: leave out longer lines (estimate)."),
]
SkipChangedOption = Annotated[
    bool,
    typer.Option("--skip-changed", help="--version: leave out (and list) examples changed since."),
]


SplitsOption = Annotated[
    str | None,
    typer.Option(
        "--splits",
        help="Train,validation,test ratios, e.g. 0.8,0.1,0.1: adds a split to every example.",
        show_default=False,
        callback=checked(SplitPlan.parse),
    ),
]
SplitSeedOption = Annotated[
    str | None,
    typer.Option("--split-seed", help=f"Seed of the split assignment (default {DEFAULT_SEED})."),
]
DuplicatesOption = Annotated[
    Duplicates,
    typer.Option(
        "--duplicates",
        help="keep every example, or drop exact and near copies (the first of each stays).",
    ),
]
ProgressOption = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress",
        help="Progress bar on stderr. Default: shown when stderr is a terminal.",
        show_default=False,
    ),
]


def split_plan(splits: str | None, seed: str | None) -> SplitPlan | None:
    """The plan the options name; None when neither is given."""
    if splits is None and seed is None:
        return None
    if splits is None:
        return SplitPlan(seed=seed or DEFAULT_SEED)
    return SplitPlan.parse(splits, seed or DEFAULT_SEED)


@contextmanager
def progress_bar(
    label: str, total: int | None, show: bool
) -> Iterator[Callable[[int], None] | None]:
    """A transient bar on stderr while the block runs; yields its `advance(n)` (None if hidden)."""
    if not show:
        yield None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=output.stderr(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
