"""IntakeClient: validates submissions and enqueues them by task name."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import redis

from producers import settings
from producers.admission import Admission
from producers.brokers import Publisher, is_redis_url, redis_py_url
from producers.brokers.kombu_producer import KombuPublisher
from producers.brokers.redis_lists import RedisPublisher, close_idle
from producers.celery_app import producer_app
from producers.coalesce import Coalescer
from producers.contract import (
    MAX_BATCH_SIZE,
    Submission,
    SubmissionInvalid,
    SubmissionKind,
    new_submission_id,
    parse_submission,
    utcnow,
)
from producers.errors import ProducerConfigurationError, first_line, safe_url
from producers.outcomes import OutcomeReader, SubmissionStatus, submission_key
from producers.queues import intake_queues
from producers.sending import Sender

__all__ = [
    "IntakeClient",
    "SubmissionStatus",
    "intake_queues",
    "producer_app",
    "submission_key",
    "usage_capture",
]


class IntakeClient:
    """Sends submissions to the intake workers; every method validates before anything is sent.

    With `coalesce=True`, `capture_usage` buffers each validated capture and returns its id at
    once; a background thread sends the buffer as `intake.submit_many` when `flush_at` captures
    wait or the oldest has waited `flush_interval` seconds. At most `max_buffered` captures
    wait (default ten batches); a caller that finds the buffer full waits for room, or gets
    BufferFull after `buffer_timeout` seconds. What is buffered is lost if the process is
    killed: `capture_usage(..., wait=True)` sends one capture before returning, and `flush()`
    sends everything buffered. `close()`, leaving a `with` block and interpreter exit flush.
    """

    def __init__(
        self,
        broker_url: str | None = None,
        *,
        outcome_store_url: str | None = None,
        max_text_length: int | None = None,
        chunk_size: int = 500,
        signing_key: tuple[str, bytes | str] | None = None,
        tenant_rate: int | None = None,
        coalesce: bool = False,
        flush_at: int = 500,
        flush_interval: float = 0.5,
        max_buffered: int | None = None,
        buffer_timeout: float | None = None,
    ) -> None:
        self.broker_url = settings.checked_broker_url(broker_url or settings.broker_url())
        store_url = outcome_store_url or settings.outcome_store_url(self.broker_url)
        self.max_text_length = max_text_length or settings.max_text_length()
        self.chunk_size = max(1, min(chunk_size, MAX_BATCH_SIZE))
        if signing_key is None:
            key = settings.signing_key()
        else:
            key_id, secret = signing_key
            key = (key_id, secret.encode() if isinstance(secret, str) else secret)
        publisher: Publisher
        if is_redis_url(self.broker_url):
            publisher = RedisPublisher(_redis_client(self.broker_url, "the broker URL"))
        else:
            publisher = KombuPublisher(self.broker_url, settings.queue_type())
        if store_url is None:
            store = None
        elif isinstance(publisher, RedisPublisher) and store_url == self.broker_url:
            store = publisher.client  # one connection pool for publishing, counts and outcomes
        else:
            store = _redis_client(store_url, "the outcome store URL")
        rate = settings.tenant_rate() if tenant_rate is None else tenant_rate
        self._sender = Sender(
            publisher,
            Admission(store, rate),
            broker_url=self.broker_url,
            chunk_size=self.chunk_size,
            signing_key=key,
        )
        self._outcomes = OutcomeReader(store, store_url)
        self._buffer_timeout = buffer_timeout
        self._coalescer: Coalescer | None = None
        if coalesce:
            self._coalescer = Coalescer(
                self._sender.send_many,
                flush_at=max(1, flush_at),
                flush_interval=max(0.0, flush_interval),
                max_buffered=max_buffered or 10 * max(1, flush_at),
            )

    # -- sending -------------------------------------------------------------------------------

    def submit(self, submission: Submission | Mapping[str, Any]) -> str:
        """Validate and enqueue one submission (`intake.submit`); returns its submission id."""
        valid = parse_submission(submission, max_text_length=self.max_text_length)
        self._sender.send_one(valid)
        return valid.id

    def submit_golden_example(
        self,
        *,
        tenant_id: str,
        user_id: str,
        skill_id: str,
        example_input: str,
        example_output: str,
        expected_output: str | None = None,
        quality_score: int | None = None,
        submission_id: str | None = None,
    ) -> str:
        """A skill's author submits an input and the expected output; stored as approved."""
        return self.submit(
            {
                "submission_id": submission_id or new_submission_id(),
                "kind": SubmissionKind.GOLDEN_EXAMPLE.value,
                "tenant_id": tenant_id,
                "user_id": user_id,
                "skill_id": skill_id,
                "example_input": example_input,
                "example_output": example_output,
                "expected_output": expected_output,
                "quality_score": quality_score,
                "submitted_at": utcnow().isoformat(),
            }
        )

    def capture_usage(
        self,
        *,
        tenant_id: str,
        user_id: str,
        skill_id: str,
        usage_event_id: str,
        example_input: str,
        example_output: str,
        quality_score: int | None = None,
        submission_id: str | None = None,
        wait: bool = False,
    ) -> str:
        """A real input/output of a skill in use; stored pending when capture and consent allow.

        A coalescing client buffers it (after validating it: SubmissionInvalid is raised here)
        unless `wait` is true; then, as without coalescing, it is on the broker on return.
        """
        capture = usage_capture(
            tenant_id=tenant_id,
            user_id=user_id,
            skill_id=skill_id,
            usage_event_id=usage_event_id,
            example_input=example_input,
            example_output=example_output,
            quality_score=quality_score,
            submission_id=submission_id,
        )
        valid = parse_submission(capture, max_text_length=self.max_text_length)
        if wait or self._coalescer is None or not self._coalescer.add(valid, self._buffer_timeout):
            self._sender.send_one(valid)
        return valid.id

    def capture_usage_many(self, captures: Iterable[Mapping[str, Any]]) -> list[str]:
        """Validate every capture, then send them as `intake.submit_many` in chunks.

        Nothing is sent if any capture is invalid: the error names each bad item's fields as
        `"<index>.<field>"`.
        """
        validated: list[Submission] = []
        errors: dict[str, list[str]] = {}
        for index, capture in enumerate(captures):
            data = dict(capture)
            # Made only when missing: a fresh id and clock reading cost more than the check.
            if "submission_id" not in data:
                data["submission_id"] = new_submission_id()
            if "submitted_at" not in data:
                data["submitted_at"] = utcnow().isoformat()
            data.setdefault("kind", SubmissionKind.USAGE_CAPTURE.value)
            try:
                validated.append(parse_submission(data, max_text_length=self.max_text_length))
            except SubmissionInvalid as exc:
                for name, messages in exc.field_errors.items():
                    errors[f"{index}.{name}"] = messages
        if errors:
            raise SubmissionInvalid(errors)
        self._sender.send_many(validated)
        return [item.id for item in validated]

    def flush(self) -> None:
        """Send every buffered capture now (coalescing clients; otherwise nothing waits).

        BrokerUnavailable when the broker does not take them: they stay buffered, and the
        background thread (or the next flush) sends them.
        """
        if self._coalescer is not None:
            self._coalescer.flush()

    # -- outcomes ------------------------------------------------------------------------------

    def status(self, submission_id: str | uuid.UUID) -> SubmissionStatus:
        """The submission's outcome, or an undecided status while it is queued or in progress.

        Raises SubmissionInvalid at once for anything but a submission id (a UUID), and
        OutcomeStoreUnavailable when the outcome store cannot be read.
        """
        return self._outcomes.status(submission_id)

    def wait(self, submission_id: str | uuid.UUID, timeout: float = 30.0) -> SubmissionStatus:
        """Poll until the submission has an outcome; OutcomeTimeout after `timeout` seconds.

        A malformed id or timeout fails at once (SubmissionInvalid), never after the timeout.
        """
        return self._outcomes.wait(submission_id, timeout)

    def close(self) -> None:
        """Send what is buffered, then close the connections.

        BrokerUnavailable when buffered captures could not be sent: they stay buffered, and a
        later `flush()` (which reconnects) or interpreter exit tries again.
        """
        try:
            if self._coalescer is not None:
                self._coalescer.close()
        finally:
            self._sender.close()
            store = self._sender.admission.store
            if store is not None and store is not getattr(self._sender.publisher, "client", None):
                close_idle(store)

    def __enter__(self) -> IntakeClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _redis_client(url: str, what: str) -> Any:
    """A Redis client (a connection pool, connected on first use) for a URL of the settings."""
    try:
        return redis.Redis.from_url(redis_py_url(url), socket_timeout=5, socket_connect_timeout=5)
    except ValueError as exc:
        raise ProducerConfigurationError(
            f"{what} {safe_url(url)} is not usable: {first_line(exc)}"
        ) from None


def usage_capture(
    *,
    tenant_id: str,
    user_id: str,
    skill_id: str,
    usage_event_id: str,
    example_input: str,
    example_output: str,
    quality_score: int | None = None,
    submission_id: str | None = None,
) -> dict[str, Any]:
    """The message body of one usage capture (for `capture_usage_many`)."""
    return {
        "submission_id": submission_id or new_submission_id(),
        "kind": SubmissionKind.USAGE_CAPTURE.value,
        "tenant_id": tenant_id,
        "user_id": user_id,
        "skill_id": skill_id,
        "usage_event_id": usage_event_id,
        "example_input": example_input,
        "example_output": example_output,
        "quality_score": quality_score,
        "submitted_at": utcnow().isoformat(),
    }
