"""The error an embedded server raises when it cannot be installed, started or stopped."""

from __future__ import annotations

from worker.errors import IntakeError


class EmbeddedServerError(IntakeError):
    """An embedded PostgreSQL or Redis could not be started or stopped; the message says why."""

    reason = "embedded_server"
