"""Refusals of dataset operations: unknown or taken version names, changed examples, bad output."""

from __future__ import annotations

from collections.abc import Sequence

from worker.operations.errors import InvalidValue, NotFound, OperationError, shown_id

# How many ids an error message names before it says "and N more".
SHOWN_IDS = 5


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(shown_id(found) for found in ids[:SHOWN_IDS])
    return shown + (f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")


class UnknownVersion(NotFound):
    """No dataset version of this name in the tenant."""

    reason = "unknown_version"

    def __init__(self, tenant_id: str, name: str) -> None:
        super().__init__(f"dataset version in tenant {shown_id(tenant_id)}", [name])


class VersionExists(OperationError):
    """A version of this name exists already: versions are immutable, names are never reused."""

    reason = "version_exists"

    def __init__(self, tenant_id: str, name: str) -> None:
        super().__init__(
            f"tenant {shown_id(tenant_id)} already has a dataset version named {name!r}"
        )


class VersionChanged(OperationError):
    """Examples of a version whose stored content no longer matches what the version pinned."""

    reason = "version_changed"

    def __init__(self, name: str, ids: Sequence[str]) -> None:
        self.ids = list(ids)
        super().__init__(
            f"{len(ids)} example(s) of version {name!r} changed since it was taken "
            f"({_ids(ids)}); nothing was exported (--skip-changed leaves them out and lists them)"
        )


class OutputUnusable(InvalidValue):
    """The place an export should be written to cannot take it."""

    reason = "output_unusable"
