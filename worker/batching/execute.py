"""Pool side of micro-batching: decode a batch of raw messages, process it, retry, never raise."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from kombu.exceptions import ContentDisallowed
from kombu.serialization import loads

from producers.contract import SUBMIT_MANY_TASK, SUBMIT_TASK
from worker import deadletters, metrics, outcome_store
from worker.db import session_factory
from worker.errors import DecodeError, TransientError
from worker.failures import record_failed
from worker.messages import items_of
from worker.outcomes import Outcome
from worker.pipeline import BatchReport, process_batch
from worker.retry import backoff
from worker.settings import get_settings

log = logging.getLogger("worker.batching")

ACK = "ack"
REQUEUE = "requeue"


@dataclass(frozen=True, slots=True)
class RawMessage:
    """What the pool needs of one broker message; picklable, bodies still encoded."""

    task_id: str
    task_name: str
    body: bytes
    content_type: str
    content_encoding: str


def decode(message: RawMessage) -> list[Any]:
    """The submission items of one message; DecodeError when it is not a well-formed call."""
    try:
        payload = loads(
            message.body,
            message.content_type,
            message.content_encoding,
            accept={"application/json"},
        )
    except ContentDisallowed:
        raise DecodeError(
            f"content type {message.content_type[:100]!r} refused: JSON only"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any decoder failure means the same thing
        raise DecodeError(
            f"body does not decode as {message.content_type[:100]}: {type(exc).__name__}"
        ) from None
    if not (isinstance(payload, list | tuple) and len(payload) == 3):
        raise DecodeError("body is not a protocol-2 [args, kwargs, embed] triple")
    args, kwargs, _embed = payload
    if not isinstance(args, list | tuple) or not isinstance(kwargs, dict):
        raise DecodeError("args must be an array and kwargs an object")
    return items_of(message.task_name, args, kwargs)


def process_messages(messages: list[RawMessage]) -> list[str]:
    """Process every message's submissions as one batch; returns ACK or REQUEUE per message.

    Runs in a pool process. It never raises: transient faults are retried here with backoff
    (the messages stay unacknowledged meanwhile), then recorded as `failed`; only when even that
    cannot be recorded are the messages handed back for redelivery.
    """
    started = time.perf_counter()
    settings = get_settings()
    items: list[Any] = []
    undecodable: list[deadletters.Letter] = []
    for message in messages:
        try:
            items.extend(decode(message))
        except DecodeError as exc:
            log.info(
                "undecodable message task=%s id=%s: %s", message.task_name, message.task_id, exc
            )
            undecodable.append(
                deadletters.Letter(
                    reason=exc.reason,
                    task_name=message.task_name,
                    error=str(exc),
                    message_info={"task_id": message.task_id, "body_bytes": len(message.body)},
                )
            )
    if undecodable:
        deadletters.record_safely(undecodable)
    if not items:
        return [ACK] * len(messages)

    factory = session_factory()
    report: BatchReport | None = None
    last_error: BaseException | None = None
    for attempt in range(settings.max_retries + 1):
        try:
            report = process_batch(
                factory,
                items,
                max_text_length=settings.max_text_length,
                signing_keys=settings.signing_keys,
                db_role=settings.db_role,
            )
            break
        except TransientError as exc:
            last_error = exc
        except Exception as exc:
            log.exception("unexpected error in a batch of %d submissions", len(items))
            last_error = exc
        if attempt < settings.max_retries:
            metrics.count_retry()
            delay = backoff(attempt)
            log.info("transient fault (%s), retry %d in %.2fs", last_error, attempt + 1, delay)
            time.sleep(delay)
    if report is None:
        assert last_error is not None
        try:
            report = record_failed(
                factory, SUBMIT_TASK, items, last_error, signing_keys=settings.signing_keys
            )
        except Exception as exc:  # noqa: BLE001 - nothing recorded: let the broker keep them
            log.warning("cannot record failed submissions (%s); handing messages back", exc)
            return [REQUEUE] * len(messages)
    finish(report, started, task_names={m.task_name for m in messages})
    return [ACK] * len(messages)


def finish(report: BatchReport, started: float, *, task_names: set[str]) -> None:
    """After commit: publish outcomes, dead-letter anonymous invalid items, log."""
    settings = get_settings()
    duration = time.perf_counter() - started
    metrics.observe_batch(report.results, duration)
    outcome_store.publish(
        settings.outcome_store, report.newly_recorded, ttl_seconds=settings.outcome_ttl_seconds
    )
    anonymous = [r for r in report.results if r.submission_id is None]
    if anonymous:
        deadletters.record_safely(
            [
                deadletters.Letter(
                    reason="invalid",
                    task_name=SUBMIT_MANY_TASK if SUBMIT_MANY_TASK in task_names else SUBMIT_TASK,
                    error="invalid submission without a usable submission_id",
                    message_info={"fields": r.detail.get("fields", {})},
                )
                for r in anonymous
            ]
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
