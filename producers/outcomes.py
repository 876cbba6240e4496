"""Reading what became of a submission from the outcome store (Redis): `status` and `wait`."""

from __future__ import annotations

import json
import math
import time
import uuid
from dataclasses import dataclass
from typing import Any

import redis

from producers.contract import Outcome, SubmissionInvalid, outcome_key
from producers.errors import (
    OutcomeStoreUnavailable,
    OutcomeTimeout,
    ProducerConfigurationError,
    first_line,
    safe_url,
)


@dataclass(frozen=True, slots=True)
class SubmissionStatus:
    """What became of a submission; `outcome` is None while it is still queued or in progress."""

    submission_id: str
    outcome: Outcome | None
    reason: str | None = None

    @property
    def done(self) -> bool:
        return self.outcome is not None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "submission_id": self.submission_id,
            "outcome": None if self.outcome is None else self.outcome.value,
            "reason": self.reason,
        }


class OutcomeReader:
    """Reads published outcomes; `store` is the outcome store's Redis client, or None."""

    def __init__(self, store: Any, url: str | None) -> None:
        self._store = store
        self._url = url

    def status(self, submission_id: str | uuid.UUID) -> SubmissionStatus:
        """The submission's outcome, or an undecided status while it is queued or in progress.

        Raises SubmissionInvalid at once for anything but a submission id (a UUID), and
        OutcomeStoreUnavailable when the outcome store cannot be read.
        """
        key = submission_key(submission_id)
        if self._store is None:
            raise ProducerConfigurationError(
                "no outcome store: set INTAKE_OUTCOME_STORE_URL to the workers' Redis"
            )
        try:
            raw = self._store.get(outcome_key(key))
        except (redis.RedisError, OSError) as exc:
            raise OutcomeStoreUnavailable(
                f"cannot read outcomes from {safe_url(self._url or '')} "
                f"({first_line(exc)}): is it running?"
            ) from exc
        if raw is None:
            return SubmissionStatus(key, None)
        record = json.loads(raw)
        return SubmissionStatus(key, Outcome(record["outcome"]), record.get("reason"))

    def wait(self, submission_id: str | uuid.UUID, timeout: float = 30.0) -> SubmissionStatus:
        """Poll until the submission has an outcome; OutcomeTimeout after `timeout` seconds.

        A malformed id or timeout fails at once (SubmissionInvalid), never after the timeout.
        """
        submission_id = submission_key(submission_id)
        timeout = seconds_to_wait(timeout)
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            status = self.status(submission_id)
            if status.done:
                return status
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OutcomeTimeout(f"no outcome for {submission_id} after {timeout}s")
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.5)


def seconds_to_wait(timeout: object) -> float:
    """A wait's timeout as seconds; SubmissionInvalid unless a finite number, 0 or more."""
    if (
        isinstance(timeout, int | float)
        and not isinstance(timeout, bool)
        and math.isfinite(timeout)
        and timeout >= 0
    ):
        return float(timeout)
    raise SubmissionInvalid({"timeout": ["must be a number of seconds, 0 or more"]})


def submission_key(submission_id: object) -> str:
    """The canonical text of a submission id; SubmissionInvalid when it is not a UUID."""
    if isinstance(submission_id, uuid.UUID):
        return str(submission_id)
    if isinstance(submission_id, str):
        try:
            return str(uuid.UUID(submission_id))
        except ValueError:
            pass
    raise SubmissionInvalid(
        {"submission_id": ["must be a submission id (the UUID that submit() returned)"]}
    )
