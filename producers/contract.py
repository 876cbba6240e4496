"""The submission message contract (schema version 1): the one owner of the wire format."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from producers.errors import SubmissionInvalid as SubmissionInvalid

SCHEMA_VERSION = 1
DEFAULT_MAX_TEXT_LENGTH = 5000
MAX_ID_LENGTH = 255
MAX_BATCH_SIZE = 1000
# The largest message body a worker takes (a bulk message's submissions together): what one pool
# process holds comfortably while it parses, sanitizes and inserts them. Producers split bulk
# sends by this size as well as by MAX_BATCH_SIZE; a single valid submission is always smaller.
MAX_MESSAGE_BYTES = 8 * 1024 * 1024

SUBMIT_TASK = "intake.submit"
SUBMIT_MANY_TASK = "intake.submit_many"
QUEUE = "intake"
# Where a tenant's submissions over its admission rate wait (producers/admission.py); workers
# read both queues in turn, so a flood there never holds up the other tenants' submissions.
OVERFLOW_QUEUE = "intake.overflow"
QUEUES = (QUEUE, OVERFLOW_QUEUE)

TEXT_FIELDS = ("example_input", "example_output", "expected_output")


class Outcome(StrEnum):
    """Every submission ends in exactly one of these."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    REJECTED = "rejected"
    FAILED = "failed"


class Reason(StrEnum):
    """Why a submission was not simply accepted."""

    SAME_SUBMISSION = "same_submission"
    SAME_USAGE_EVENT = "same_usage_event"
    CAPTURE_DISABLED = "capture_disabled"
    NO_CONSENT = "no_consent"
    SAMPLED_OUT = "sampled_out"
    INVALID = "invalid"
    UNKNOWN_TENANT = "unknown_tenant"
    INACTIVE_TENANT = "inactive_tenant"
    UNKNOWN_USER = "unknown_user"
    UNKNOWN_SKILL = "unknown_skill"
    CROSS_TENANT = "cross_tenant"
    NOT_AUTHOR = "not_author"
    BAD_SIGNATURE = "bad_signature"
    RETRIES_EXHAUSTED = "retries_exhausted"
    # Failed for good: the database refuses its data, or a bug; kept for replay after a fix.
    UNPROCESSABLE = "unprocessable"
    UNDECODABLE = "undecodable"


# Outcomes are also published to a Redis key per submission so producers can ask for them.
OUTCOME_KEY_PREFIX = "intake:outcome:"


def outcome_key(submission_id: str) -> str:
    return f"{OUTCOME_KEY_PREFIX}{submission_id}"


class SubmissionKind(StrEnum):
    GOLDEN_EXAMPLE = "golden_example"
    USAGE_CAPTURE = "usage_capture"


# Ids are printable: no NUL (PostgreSQL `text` cannot hold it), no other control characters.
# Lone surrogates are refused by the string validation itself (they are not Unicode text).
ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


# The pattern is published in the schema; the validator says what is wrong in plain words.
Identifier = Annotated[
    StrictStr,
    Field(min_length=1, max_length=MAX_ID_LENGTH, json_schema_extra={"pattern": ID_PATTERN}),
    AfterValidator(_printable),
]
# The length ceiling is checked against the validation context (configurable per deployment);
# the published schema states the default.
ExampleText = Annotated[
    StrictStr, Field(min_length=1, json_schema_extra={"maxLength": DEFAULT_MAX_TEXT_LENGTH})
]


# The published schema's `uuid` and `date-time` formats, as written: pydantic alone would also
# take UUIDs without hyphens or in braces, Unix times, or a space for `T`.
_UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?)?$")


def _uuid_text(value: Any) -> Any:
    if isinstance(value, str) and not _UUID_TEXT.match(value):
        raise ValueError("Input should be a valid UUID")
    if not isinstance(value, str | uuid.UUID):
        raise ValueError("UUID input should be a string, bytes or UUID object")
    return value


def _rfc3339(value: Any) -> Any:
    if isinstance(value, str) and not _RFC3339.match(value):
        naive = _NAIVE.match(value)
        raise ValueError(
            "must include a UTC offset" if naive else "Input should be a valid datetime"
        )
    if value is not None and not isinstance(value, str | datetime):
        raise ValueError("Input should be a valid datetime")
    return value


def _exactly_one(value: Any) -> Any:
    if type(value) is not int:
        raise ValueError("Input should be 1")
    return value


class Signature(BaseModel):
    """HMAC-SHA256 of the submission's canonical JSON (see producers/signing.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key_id: Identifier
    alg: Literal["HMAC-SHA256"] = "HMAC-SHA256"
    value: Annotated[StrictStr, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


class Submission(BaseModel):
    """One training-example submission, as producers send it and workers receive it."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Submission",
        json_schema_extra={"$id": "https://training-intake/schema/submission.v1.json"},
    )

    schema_version: Annotated[Literal[1], BeforeValidator(_exactly_one)] = 1
    submission_id: Annotated[uuid.UUID, BeforeValidator(_uuid_text)] = Field(
        description="Made by the producer; the idempotency key, reused as the row id."
    )
    kind: SubmissionKind
    tenant_id: Identifier
    user_id: Identifier
    skill_id: Identifier
    example_input: ExampleText
    example_output: ExampleText
    expected_output: ExampleText | None = None
    quality_score: Annotated[StrictInt, Field(ge=1, le=10)] | None = None
    usage_event_id: Identifier | None = Field(
        default=None, description="Required for usage capture: one row per usage event per tenant."
    )
    submitted_at: Annotated[datetime | None, BeforeValidator(_rfc3339)] = Field(
        default=None, description="When the producer made it (RFC 3339 with a UTC offset)."
    )
    signature: Signature | None = Field(
        default=None, description="Required when the workers have signing keys configured."
    )

    @field_validator("example_input", "example_output", "expected_output")
    @classmethod
    def _within_configured_length(cls, value: str | None, info: ValidationInfo) -> str | None:
        limit = DEFAULT_MAX_TEXT_LENGTH
        if isinstance(info.context, Mapping):
            limit = int(info.context.get("max_text_length", limit))
        if value is not None and len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value

    @field_validator("submitted_at")
    @classmethod
    def _timezone_aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must include a UTC offset")
        return value

    @model_validator(mode="after")
    def _usage_capture_names_its_event(self) -> Self:
        if self.kind is SubmissionKind.USAGE_CAPTURE and self.usage_event_id is None:
            raise ValueError("usage_event_id is required for usage_capture")
        return self

    @field_serializer("submission_id")
    def _submission_id_as_text(self, value: uuid.UUID) -> str:
        return str(value)

    @cached_property
    def id(self) -> str:
        """The submission id as text (the row id); computed once."""
        return str(self.submission_id)

    def to_message(self) -> dict[str, Any]:
        """The JSON object that crosses the queue (only JSON primitives)."""
        return self.model_dump(mode="json", exclude_none=True)


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic errors as {field: [messages]}, never echoing the submitted values."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        location = [str(part) for part in error["loc"] if not isinstance(part, int)]
        name = location[0] if location else "submission"
        message = error["msg"].removeprefix("Value error, ")
        # Cross-field rules raise at model level; their message starts with the field they blame.
        blamed = message.split(" ", 1)[0]
        if not location and blamed in Submission.model_fields:
            name, message = blamed, message.split(" ", 1)[1]
        if error["type"] == "extra_forbidden":
            message = "is not a field of the submission contract"
        errors.setdefault(name, []).append(message)
    return errors


def parse_submission(data: Any, *, max_text_length: int = DEFAULT_MAX_TEXT_LENGTH) -> Submission:
    """Validate a decoded message body; raises SubmissionInvalid naming the fields."""
    if isinstance(data, Submission):
        data = data.to_message()
    if not isinstance(data, Mapping):
        raise SubmissionInvalid({"submission": ["must be a JSON object"]})
    try:
        return Submission.model_validate(data, context={"max_text_length": max_text_length})
    except ValidationError as exc:
        raise SubmissionInvalid(field_errors(exc)) from None


def new_submission_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the contract."""
    return Submission.model_json_schema(mode="validation")
