"""The result of processing one submission, and the outcome vocabulary (shared with producers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from producers.contract import Outcome, Reason

__all__ = ["Outcome", "Reason", "Result"]


@dataclass(frozen=True, slots=True)
class Result:
    """What happened to one submission in one delivery; never holds example text."""

    submission_id: str | None
    outcome: Outcome
    reason: Reason | None = None
    tenant_id: str | None = None
    kind: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "submission_id": self.submission_id,
            "outcome": self.outcome.value,
            "reason": None if self.reason is None else self.reason.value,
        }
