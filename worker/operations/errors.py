"""Errors of operator and web-app operations: permanent, each with a machine-readable reason."""

from __future__ import annotations

from collections.abc import Iterable

from worker.errors import PermanentError


def shown_id(value: str) -> str:
    """An id as given, for a message: plain when it reads back exactly, else quoted and escaped.

    Empty, with whitespace or with control characters, it is quoted as Python writes it
    ('acme\\nfoo', 'a  b'): a line break would end a one-line message early, and two spaces,
    a tab or a trailing space would read as something else.
    """
    if value and value.isprintable() and not any(char.isspace() for char in value):
        return value
    return repr(value)


class OperationError(PermanentError):
    """An operation refused: nothing it would have changed was changed."""

    reason = "operation_refused"


class NotFound(OperationError):
    """Something the operation names does not exist; `ids` lists what was missing."""

    reason = "not_found"

    def __init__(self, what: str, ids: Iterable[str]) -> None:
        self.ids = sorted(set(ids))
        super().__init__(f"unknown {what}: {', '.join(shown_id(found) for found in self.ids)}")


class UnknownTenant(NotFound):
    """No tenant with this id."""

    reason = "unknown_tenant"

    def __init__(self, tenant_id: str) -> None:
        super().__init__("tenant", [tenant_id])


class UnknownUser(NotFound):
    """No user with this id."""

    reason = "unknown_user"

    def __init__(self, user_id: str) -> None:
        super().__init__("user", [user_id])


class UnknownExample(NotFound):
    """No training example with these ids (other feedback kinds do not count)."""

    reason = "unknown_example"

    def __init__(self, example_ids: Iterable[str]) -> None:
        super().__init__("training example(s)", example_ids)


class UnknownDeadLetter(NotFound):
    """No dead letter with these ids."""

    reason = "unknown_dead_letter"

    def __init__(self, letter_ids: Iterable[int]) -> None:
        super().__init__("dead letter(s)", [str(i) for i in letter_ids])


class NotAllowed(OperationError):
    """The acting user may not do this (e.g. review an example of someone else's skill)."""

    reason = "not_allowed"


class InvalidValue(OperationError):
    """An argument outside what the operation accepts (e.g. a sample rate above 1)."""

    reason = "invalid_value"
