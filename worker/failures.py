"""Giving up after retries: record `failed` outcomes and keep the submissions for replay."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError

from producers.contract import TEXT_FIELDS, Submission, SubmissionInvalid, parse_submission
from producers.signing import SIGNATURE_FIELD, verify
from worker import deadletters
from worker.db import is_transient
from worker.errors import TransientError
from worker.outcomes import Outcome, Reason, Result
from worker.pipeline import BatchReport, SessionFactory, invalid_result, store, unsigned_result
from worker.sanitize import redact

log = logging.getLogger("worker.failures")


def record_failed(
    session_factory: SessionFactory,
    task_name: str,
    items: list[Any],
    cause: BaseException,
    *,
    signing_keys: Mapping[str, bytes] | None = None,
) -> BatchReport:
    """Mark every valid item `failed` (unless decided meanwhile) and dead-letter it for replay."""
    results: list[Result] = []
    payloads: dict[str, dict[str, Any]] = {}
    for item in items:
        # Only an authentic submission is kept for replay: never store a forged one's text.
        if signing_keys and not verify(item, signing_keys):
            results.append(unsigned_result(item))
            continue
        try:
            submission = parse_submission(item)
        except SubmissionInvalid as exc:
            results.append(invalid_result(item, exc))
            continue
        payloads.setdefault(submission.id, _kept(item, submission, signed=bool(signing_keys)))
        results.append(
            Result(
                submission.id,
                Outcome.FAILED,
                Reason.RETRIES_EXHAUSTED,
                submission.tenant_id,
                submission.kind.value,
                {"error": type(cause).__name__},
            )
        )
    try:
        with session_factory() as session, session.begin():
            recorded = store.record_outcomes(session, results)
            deadletters.add(
                session,
                [
                    deadletters.Letter(
                        reason=Reason.RETRIES_EXHAUSTED.value,
                        task_name=task_name,
                        submission_id=submission_id,
                        error=str(cause)[:500],
                        payload=payload,
                    )
                    for submission_id, payload in payloads.items()
                    if submission_id in recorded
                ],
            )
    except DBAPIError as exc:
        if is_transient(exc):
            raise TransientError("database unavailable") from exc
        raise
    log.warning("gave up on %d submissions after retries: %s", len(payloads), cause)
    return BatchReport(results, recorded)


def _kept(item: Any, submission: Submission, *, signed: bool) -> dict[str, Any]:
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
