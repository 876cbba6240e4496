"""Running a batch to its end: the one retry loop, isolating a bad item, giving up into `failed`.

Transient faults (TransientError: the database unreachable, a deadlock, a lock timeout) are
retried here with backoff while the messages stay unacknowledged, then recorded `failed` and kept
for replay. Any other error is permanent: retrying the same batch cannot cure it, so the batch is
split in halves until the submission that causes it stands alone, and that one is recorded
`failed` as `unprocessable` (kept for replay once the cause is fixed); its batch-mates go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from producers.contract import SUBMIT_MANY_TASK, SUBMIT_TASK
from worker import deadletters, metrics, outcome_store
from worker.db import session_factory
from worker.errors import DecodeError, TransientError
from worker.ingest.decode import Admitted, RawMessage, admit, items_of, items_of_message
from worker.ingest.failures import record_failed
from worker.ingest.pipeline import BatchReport, Part, process, result_of
from worker.models import DeadLetterReason
from worker.outcomes import Outcome, Reason
from worker.retry import backoff
from worker.settings import Settings, get_settings

log = logging.getLogger("worker.batching")

ACK = "ack"
REQUEUE = "requeue"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch of items from one or more messages, and the name letters are filed under."""

    items: list[Any]
    task_name: str


def process_messages(messages: Sequence[RawMessage]) -> list[str]:
    """Process every message's submissions as one batch; ACK or REQUEUE per message.

    Runs in a pool process and never raises. A message is handed back (REQUEUE) only when
    nothing of it could be recorded because the database is down.
    """
    started = time.perf_counter()
    statuses = [ACK] * len(messages)
    items: list[Any] = []
    owners: list[int] = []
    for position, message in enumerate(messages):
        try:
            decoded = items_of_message(message)
        except DecodeError as exc:
            log.info(
                "undecodable message task=%s id=%s: %s", message.task_name, message.task_id, exc
            )
            letter = deadletters.of_message(
                DeadLetterReason(exc.reason),
                message.fingerprint(),
                error=str(exc),
                task_name=message.task_name,
                info={"task_id": message.task_id, "body_bytes": len(message.body)},
            )
            if not deadletters.refuse([letter]):
                statuses[position] = REQUEUE
            continue
        items.extend(decoded)
        owners.extend([position] * len(decoded))
    if not items:
        return statuses
    bulk = any(messages[owner].task_name == SUBMIT_MANY_TASK for owner in set(owners))
    report = run(Batch(items, SUBMIT_MANY_TASK if bulk else SUBMIT_TASK))
    if report is None:
        return [
            REQUEUE if position in owners else status for position, status in enumerate(statuses)
        ]
    finish(report, started)
    return statuses


def run(batch: Batch, settings: Settings | None = None) -> BatchReport | None:
    """Every item of the batch decided and recorded; None if nothing could be recorded yet."""
    settings = settings or get_settings()
    admitted = admit(
        batch.items, max_text_length=settings.max_text_length, signing_keys=settings.signing_keys
    )
    part = _settle(admitted, batch.task_name, settings)
    return None if part is None else part.report(len(batch.items))


def _settle(admitted: Admitted, task_name: str, settings: Settings) -> Part | None:
    factory = session_factory()
    try:
        part = with_retries(
            lambda: process(
                factory,
                admitted,
                max_text_length=settings.max_text_length,
                db_role=settings.db_role,
            ),
            settings,
        )
    except TransientError as exc:
        return _give_up(admitted, exc, Reason.RETRIES_EXHAUSTED, task_name, settings)
    except Exception as exc:
        if len(admitted.submissions) > 1:
            log.warning("a batch of %d failed (%s); splitting it", len(admitted.submissions), exc)
            first, second = (_settle(half, task_name, settings) for half in admitted.split())
            return None if first is None or second is None else first.joined(second)
        log.exception("a submission cannot be processed; recording it as failed")
        return _give_up(admitted, exc, Reason.UNPROCESSABLE, task_name, settings)
    return part


def with_retries(attempt: Callable[[], T], settings: Settings) -> T:
    """`attempt()`, retried with backoff on TransientError up to `max_retries` times."""
    for retry in range(settings.max_retries):
        try:
            return attempt()
        except TransientError as exc:
            metrics.count_retry()
            delay = backoff(retry)
            log.info("transient fault (%s), retry %d in %.2fs", exc, retry + 1, delay)
            time.sleep(delay)
    return attempt()


def _give_up(
    admitted: Admitted,
    cause: BaseException,
    reason: Reason,
    task_name: str,
    settings: Settings,
) -> Part | None:
    try:
        return record_failed(
            session_factory(),
            admitted,
            cause,
            reason=reason,
            task_name=task_name,
            signed=bool(settings.signing_keys),
        )
    except TransientError as exc:
        log.warning("cannot record failed submissions (%s); handing messages back", exc)
        return None
    except Exception:
        log.exception("cannot record failed submissions; dead-lettering them without outcomes")
        letters = [
            deadletters.of_submission(
                DeadLetterReason.UNPROCESSABLE,
                submission.id,
                error=type(cause).__name__,
                tenant_id=submission.tenant_id,
            )
            for _, submission in admitted.submissions
        ]
        if not deadletters.refuse([*admitted.letters, *letters]):
            return None
        results = dict(admitted.early)
        for index, submission in admitted.submissions:
            results[index] = result_of(submission, Outcome.FAILED, Reason.UNPROCESSABLE)
        return Part(results, set())


def finish(report: BatchReport, started: float) -> None:
    """After commit: publish the new outcomes, count and log the batch (never example text)."""
    settings = get_settings()
    duration = time.perf_counter() - started
    metrics.observe_batch(report.results, duration)
    outcome_store.publish(
        settings.outcome_store, report.newly_recorded, ttl_seconds=settings.outcome_ttl_seconds
    )
    for result in report.results:
        if result.outcome is not Outcome.ACCEPTED:
            fields = {
                "submission_id": result.submission_id,
                "tenant_id": result.tenant_id,
                "outcome": result.outcome.value,
                "reason": None if result.reason is None else result.reason.value,
            }
            log.info("submission=%s tenant=%s outcome=%s reason=%s", *fields.values(), extra=fields)
    counts = {o.value: report.count(o) for o in Outcome if report.count(o)}
    log.info(
        "batch size=%d %s duration_ms=%.1f",
        len(report.results),
        " ".join(f"{name}={count}" for name, count in counts.items()),
        duration * 1000,
        extra={
            "batch_size": len(report.results),
            "outcomes": counts,
            "duration_ms": duration * 1000,
        },
    )


def run_call(task_name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    """A task called directly (eager mode): the worker's path for one call; the results."""
    started = time.perf_counter()
    try:
        items = items_of(task_name, args, kwargs)
    except DecodeError as exc:
        fingerprint = repr((task_name, args, kwargs)).encode("utf-8", "backslashreplace")
        letter = deadletters.of_message(
            DeadLetterReason(exc.reason), fingerprint, error=str(exc), task_name=task_name
        )
        deadletters.refuse([letter])
        return []
    report = run(Batch(items, task_name))
    if report is None:
        raise TransientError("the database is unavailable; nothing was recorded")
    finish(report, started)
    return [result.as_dict() for result in report.results]
