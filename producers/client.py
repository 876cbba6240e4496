"""IntakeClient: validates submissions and enqueues them by task name."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from celery import Celery
from kombu.entity import Exchange, Queue

from producers import settings
from producers.admission import Admission
from producers.contract import (
    MAX_BATCH_SIZE,
    OVERFLOW_QUEUE,
    QUEUE,
    QUEUES,
    SUBMIT_MANY_TASK,
    SUBMIT_TASK,
    Outcome,
    Submission,
    SubmissionInvalid,
    SubmissionKind,
    new_submission_id,
    outcome_key,
    parse_submission,
    utcnow,
)
from producers.errors import OutcomeTimeout, ProducerConfigurationError
from producers.signing import sign


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


class _ProducerApp(Celery):  # type: ignore[misc]
    """A Celery app bound to one broker URL.

    Celery reads CELERY_BROKER_URL from the environment in preference to the URL an app was
    made with, so a client given an explicit URL would silently publish elsewhere whenever
    that variable is set. Connections here always use the URL the client was given.
    """

    def __init__(self, broker_url: str) -> None:
        super().__init__("training_intake_producer", broker=broker_url, set_as_current=False)
        self._bound_broker_url = broker_url

    def connection_for_write(self, url: str | None = None, **kwargs: Any) -> Any:
        return super().connection_for_write(url or self._bound_broker_url, **kwargs)

    def connection_for_read(self, url: str | None = None, **kwargs: Any) -> Any:
        return super().connection_for_read(url or self._bound_broker_url, **kwargs)


def intake_queues(queue_type: str = "classic") -> tuple[Queue, ...]:
    """The intake queues as workers and producers declare them (durable; classic or quorum).

    Each has its own exchange and routing key, both its name: left to Celery's defaults, every
    queue would be bound to the default queue's exchange and key, and each message sent to one
    would land in all of them.
    """
    arguments = {"x-queue-type": "quorum"} if queue_type == "quorum" else None
    return tuple(
        Queue(  # type: ignore[no-untyped-call]
            name,
            Exchange(name, type="direct", durable=True),  # type: ignore[no-untyped-call]
            routing_key=name,
            durable=True,
            queue_arguments=arguments,
        )
        for name in QUEUES
    )


def producer_app(broker_url: str) -> Celery:
    """The Celery app a client publishes with (also handy for `control.ping` and friends)."""
    app = _ProducerApp(broker_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        # RabbitMQ: declare the queues as the workers do (a queue's type cannot change later).
        task_queues=intake_queues(settings.queue_type()),
        # Fail a send after a bounded wait instead of hanging a web request on a dead broker.
        broker_connection_timeout=5,
        broker_connection_retry=True,
        broker_connection_max_retries=3,
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0.1, "interval_step": 0.5},
        # On RabbitMQ, wait for the broker to confirm each publish.
        broker_transport_options={"confirm_publish": True},
    )
    return app


class IntakeClient:
    """Sends submissions to the intake workers; every method validates before anything is sent."""

    def __init__(
        self,
        broker_url: str | None = None,
        *,
        outcome_store_url: str | None = None,
        max_text_length: int | None = None,
        chunk_size: int = 500,
        signing_key: tuple[str, bytes | str] | None = None,
        tenant_rate: int | None = None,
    ) -> None:
        self.broker_url = broker_url or settings.broker_url()
        self._outcome_store_url = outcome_store_url or settings.outcome_store_url(self.broker_url)
        self.max_text_length = max_text_length or settings.max_text_length()
        self.chunk_size = max(1, min(chunk_size, MAX_BATCH_SIZE))
        if signing_key is None:
            self._signing_key = settings.signing_key()
        else:
            key_id, secret = signing_key
            self._signing_key = (key_id, secret.encode() if isinstance(secret, str) else secret)
        self._app = producer_app(self.broker_url)
        self._redis: Any = None
        self._admission = Admission(
            self._redis_client(), settings.tenant_rate() if tenant_rate is None else tenant_rate
        )

    # -- sending -------------------------------------------------------------------------------

    def submit(self, submission: Submission | Mapping[str, Any]) -> str:
        """Validate and enqueue one submission (`intake.submit`); returns its submission id."""
        valid = parse_submission(submission, max_text_length=self.max_text_length)
        queue = QUEUE if self._admission.admit(valid.tenant_id) else OVERFLOW_QUEUE
        self._app.send_task(
            SUBMIT_TASK, kwargs={"submission": self._wire(valid)}, queue=queue, task_id=valid.id
        )
        return valid.id

    def _wire(self, submission: Submission) -> dict[str, Any]:
        """The message body of a validated submission, signed when a key is configured."""
        message = submission.to_message()
        if self._signing_key is None:
            return message
        return sign(message, *self._signing_key)

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
    ) -> str:
        """A real input/output of a skill in use; stored pending when capture and consent allow."""
        return self.submit(
            usage_capture(
                tenant_id=tenant_id,
                user_id=user_id,
                skill_id=skill_id,
                usage_event_id=usage_event_id,
                example_input=example_input,
                example_output=example_output,
                quality_score=quality_score,
                submission_id=submission_id,
            )
        )

    def capture_usage_many(self, captures: Iterable[Mapping[str, Any]]) -> list[str]:
        """Validate every capture, then send them as `intake.submit_many` in chunks.

        Nothing is sent if any capture is invalid: the error names each bad item's fields as
        `"<index>.<field>"`.
        """
        validated: list[Submission] = []
        errors: dict[str, list[str]] = {}
        for index, capture in enumerate(captures):
            data = dict(capture)
            data.setdefault("submission_id", new_submission_id())
            data.setdefault("kind", SubmissionKind.USAGE_CAPTURE.value)
            data.setdefault("submitted_at", utcnow().isoformat())
            try:
                validated.append(parse_submission(data, max_text_length=self.max_text_length))
            except SubmissionInvalid as exc:
                for name, messages in exc.field_errors.items():
                    errors[f"{index}.{name}"] = messages
        if errors:
            raise SubmissionInvalid(errors)
        for queue, lane in self._lanes(validated).items():
            for chunk in _chunks(lane, self.chunk_size):
                self._app.send_task(
                    SUBMIT_MANY_TASK,
                    kwargs={"submissions": [self._wire(item) for item in chunk]},
                    queue=queue,
                )
        return [item.id for item in validated]

    def _lanes(self, submissions: list[Submission]) -> dict[str, list[Submission]]:
        """The submissions each queue gets: what each tenant's admission allows, the rest overflow.

        Each lane keeps the submissions in the order they were given.
        """
        if not self._admission.enabled:
            return {QUEUE: submissions}
        per_tenant: dict[str, int] = {}
        for submission in submissions:
            per_tenant[submission.tenant_id] = per_tenant.get(submission.tenant_id, 0) + 1
        allowance = self._admission.admit_many(per_tenant)
        lanes: dict[str, list[Submission]] = {QUEUE: [], OVERFLOW_QUEUE: []}
        for submission in submissions:
            if allowance[submission.tenant_id] > 0:
                allowance[submission.tenant_id] -= 1
                lanes[QUEUE].append(submission)
            else:
                lanes[OVERFLOW_QUEUE].append(submission)
        return lanes

    # -- outcomes ------------------------------------------------------------------------------

    def _outcome_store(self) -> Any:
        client = self._redis_client()
        if client is None:
            raise ProducerConfigurationError(
                "no outcome store: set INTAKE_OUTCOME_STORE_URL to the workers' Redis"
            )
        return client

    def _redis_client(self) -> Any:
        """The outcome store's Redis (also where admission counts), or None without one."""
        if self._redis is None and self._outcome_store_url is not None:
            import redis

            self._redis = redis.Redis.from_url(self._outcome_store_url, socket_timeout=5)
        return self._redis

    def status(self, submission_id: str) -> SubmissionStatus:
        """The submission's outcome, or an undecided status while it is queued or in progress."""
        raw = self._outcome_store().get(outcome_key(str(submission_id)))
        if raw is None:
            return SubmissionStatus(str(submission_id), None)
        record = json.loads(raw)
        return SubmissionStatus(
            str(submission_id), Outcome(record["outcome"]), record.get("reason")
        )

    def wait(self, submission_id: str, timeout: float = 30.0) -> SubmissionStatus:
        """Poll until the submission has an outcome; OutcomeTimeout after `timeout` seconds."""
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

    def close(self) -> None:
        self._app.close()
        if self._redis is not None:
            self._redis.close()

    def __enter__(self) -> IntakeClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


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


def _chunks(items: list[Submission], size: int) -> Iterator[list[Submission]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
