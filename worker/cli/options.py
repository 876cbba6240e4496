"""Options several commands share."""

from __future__ import annotations

from typing import Annotated

import typer

from worker.models import Source
from worker.operations.audit import current_operator

TenantOption = Annotated[str, typer.Option("--tenant", help="Tenant id.")]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="Who makes the change (recorded in the audit trail). Default: the OS user name.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SourceOption = Annotated[Source | None, typer.Option("--source", help="Only this source.")]


def changed_by(value: str | None) -> str:
    return value or current_operator()
