"""The one error tree: permanent errors are recorded once, transient ones are retried."""

from __future__ import annotations


class IntakeError(Exception):
    """Base of every error this service raises on purpose; `reason` is machine-readable."""

    reason: str = "error"

    def __init__(self, message: str = "", *, reason: str | None = None) -> None:
        super().__init__(message or self.reason)
        if reason is not None:
            self.reason = reason


class PermanentError(IntakeError):
    """Retrying cannot help: record the outcome and move on."""

    reason = "permanent"


class ConfigurationError(PermanentError):
    """A setting the service cannot run with: nothing a retry could cure."""

    reason = "configuration"


class DecodeError(PermanentError):
    """A message whose body cannot be turned into submissions at all."""

    reason = "undecodable"


class TransientError(IntakeError):
    """The database or broker is unavailable, or a transaction lost a race: retry with backoff."""

    reason = "transient"


class MessageRefused(DecodeError):
    """A broker message refused before it is processed; `reason` names the dead-letter reason."""
