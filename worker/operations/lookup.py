"""Ids as people type them: the whole id, or its first characters when only one id starts so."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from worker.operations.errors import InvalidValue, NotFound, OperationError

# Fewer characters than this are too likely a slip to be taken as an abbreviation.
MIN_PREFIX = 4
# Candidates counted at most when a prefix is ambiguous.
MAX_COUNTED = 100

_UUID_PREFIX = re.compile(r"^[0-9a-fA-F]{1,8}(-[0-9a-fA-F]{0,4}){0,3}(-[0-9a-fA-F]{0,12})?$")


class AmbiguousId(OperationError):
    """A prefix that several ids start with; `count` says how many (at most MAX_COUNTED+)."""

    reason = "ambiguous_id"

    def __init__(self, what: str, prefix: str, count: int) -> None:
        self.count = count
        many = f"more than {MAX_COUNTED}" if count > MAX_COUNTED else str(count)
        super().__init__(f"{prefix!r} starts {many} {what} ids: give more of the id")


def looks_like_uuid_prefix(text: str) -> bool:
    """Whether `text` could be the first characters of a UUID as printed (hex and dashes)."""
    return bool(_UUID_PREFIX.match(text))


def _escaped(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def resolve(
    session: Session,
    column: InstrumentedAttribute[str],
    text: str,
    what: str,
    *conditions: ColumnElement[bool],
) -> str:
    """The one id equal to `text`, or else the only one starting with it.

    NotFound when none matches; AmbiguousId (with the number of candidates) when several do;
    InvalidValue for a prefix shorter than MIN_PREFIX that is not a whole id.
    """
    exact = session.scalar(select(column).where(column == text, *conditions))
    if exact is not None:
        return str(exact)
    if len(text) < MIN_PREFIX:
        raise InvalidValue(
            f"no {what} has the id {text!r}; an abbreviated id needs at least {MIN_PREFIX} "
            "characters"
        )
    candidates: list[Any] = list(
        session.scalars(
            select(column)
            .where(column.like(f"{_escaped(text)}%", escape="\\"), *conditions)
            .order_by(column)
            .limit(MAX_COUNTED + 1)
        )
    )
    if not candidates:
        raise NotFound(what, [text])
    if len(candidates) > 1:
        raise AmbiguousId(what, text, len(candidates))
    return str(candidates[0])
