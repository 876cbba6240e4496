"""Giving up on a decoded batch: record `failed` outcomes and keep the submissions for replay."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError

from producers.contract import TEXT_FIELDS, Submission
from producers.signing import SIGNATURE_FIELD
from worker import deadletters
from worker.db import is_transient
from worker.errors import TransientError
from worker.ingest import store
from worker.ingest.decode import Admitted
from worker.ingest.pipeline import Part, SessionFactory, recordable, result_of
from worker.models import DeadLetterReason
from worker.outcomes import Outcome, Reason
from worker.sanitize import redact

log = logging.getLogger("worker.failures")

# Why a submission failed, as an outcome reason and as the reason of its dead letter.
_LETTER_REASON = {
    Reason.RETRIES_EXHAUSTED: DeadLetterReason.RETRIES_EXHAUSTED,
    Reason.UNPROCESSABLE: DeadLetterReason.UNPROCESSABLE,
}


def record_failed(
    session_factory: SessionFactory,
    admitted: Admitted,
    cause: BaseException,
    *,
    reason: Reason = Reason.RETRIES_EXHAUSTED,
    task_name: str | None = None,
    signed: bool = False,
) -> Part:
    """Mark the admitted submissions `failed` (unless decided meanwhile), keep them for replay.

    The early results (invalid, repeated) and refusals of the batch are recorded as they would
    have been. Raises TransientError when even this cannot be written yet.
    """
    results = dict(admitted.early)
    for index, submission in admitted.submissions:
        results[index] = result_of(
            submission, Outcome.FAILED, reason, {"error": type(cause).__name__}
        )
    try:
        with session_factory() as session, session.begin():
            recorded = store.record_outcomes(session, recordable(results.values()))
            kept = [
                deadletters.of_submission(
                    _LETTER_REASON[reason],
                    submission.id,
                    error=f"{type(cause).__name__}: {cause}",
                    task_name=task_name,
                    payload=kept_for_replay(admitted.items[index], submission, signed=signed),
                    tenant_id=submission.tenant_id,
                )
                for index, submission in admitted.submissions
                if submission.id in recorded
            ]
            deadletters.add(session, [*admitted.letters, *kept])
    except DBAPIError as exc:
        if is_transient(exc):
            raise TransientError("database unavailable") from exc
        raise
    log.warning(
        "gave up on %d submissions (%s): %s", len(admitted.submissions), reason.value, cause
    )
    return Part(results, recorded)


def kept_for_replay(item: Mapping[str, Any], submission: Submission, *, signed: bool) -> Any:
    """What a dead letter keeps for replay: the submission with its secrets redacted.

    Replaying it stores what the original would have (the pipeline redacts the same secrets).
    A signed submission is kept as it came, so that its signature still holds; a redaction
    invalidates the signature, so it is dropped then, and replaying that letter needs the
    operator's signing key (`IntakeClient` signs whatever it sends).
    """
    message = dict(item) if signed else submission.to_message()
    redacted = False
    for name in TEXT_FIELDS:
        value = message.get(name)
        if isinstance(value, str):
            result = redact(value)
            message[name] = result.text
            redacted = redacted or result.changed
    if redacted:
        message.pop(SIGNATURE_FIELD, None)
    return message
