"""Options several commands share, and the checks that make a malformed value a usage error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from worker.models import Source
from worker.operations import lookup
from worker.operations.audit import current_operator
from worker.operations.errors import InvalidValue

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

# Context settings of a command whose argument is a number that may be negative: Click reads
# `-0.5` as an (unknown) option, and the command would refuse a valid-looking value with
# "No such option: -0". An unknown option is then refused as an argument that is not a number.
NUMBER_ARGUMENT: dict[str, Any] = {"ignore_unknown_options": True}

# Dead letter ids are PostgreSQL integers: a larger number is no id, not a database error.
LARGEST_LETTER_ID = 2**31 - 1


def changed_by(value: str | None) -> str:
    return value or current_operator()


def checked(parse: Callable[[str], object]) -> Callable[[str | None], str | None]:
    """An option callback: the value as given, or a usage error (exit 2) when `parse` refuses
    it. A value the command line gets wrong is not a request that cannot be done (exit 1)."""

    def callback(value: str | None) -> str | None:
        if value is not None:
            try:
                parse(value)
            except InvalidValue as exc:
                raise typer.BadParameter(str(exc)) from None
        return value

    return callback


def sample_rate(value: float | None) -> float | None:
    """An option callback: a fraction from 0 to 1 (NaN is none: it compares false to both)."""
    if value is not None and not 0.0 <= value <= 1.0:
        raise typer.BadParameter(f"a sample rate is a number from 0 to 1, not {value:g}")
    return value


def letter_ids(value: int | list[int] | None) -> int | list[int] | None:
    """An argument callback: dead letter ids as PostgreSQL stores them."""
    given = [value] if isinstance(value, int) else value or []
    for letter_id in given:
        if not 1 <= letter_id <= LARGEST_LETTER_ID:
            raise typer.BadParameter(
                f"no dead letter has the id {letter_id}: ids are 1 to {LARGEST_LETTER_ID}"
            )
    return value


def require_id_shape(given: str, what: str, param_hint: str, whole: str = "its UUID") -> None:
    """A usage error (exit 2) unless `given` could be a UUID or its first MIN_PREFIX or more
    characters: what cannot be an id is a wrong command line, not an unknown id."""
    if len(given) < lookup.MIN_PREFIX or not lookup.looks_like_uuid_prefix(given):
        raise typer.BadParameter(
            f"{given[:60]!r} is not a {what} id: give {whole}, or its first "
            f"{lookup.MIN_PREFIX} or more characters",
            param_hint=param_hint,
        )
