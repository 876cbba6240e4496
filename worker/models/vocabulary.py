"""The words rows are made of: feedback type, sources, review statuses, dead-letter reasons."""

from __future__ import annotations

from enum import StrEnum

TRAINING_EXAMPLE = "training_example"


class Source(StrEnum):
    """Where a training example came from (`skill_feedback.source`)."""

    WEB = "web"
    USAGE_CAPTURE = "usage_capture"


class Status(StrEnum):
    """Where a training example stands in review (`skill_feedback.status`)."""

    PENDING = "pending"
    APPROVED = "approved"
    DISMISSED = "dismissed"


class DeadLetterReason(StrEnum):
    """Why a message or submission was set aside instead of ending in an ordinary outcome."""

    # The broker item is not a well-formed message envelope (not JSON, wrong types, too deep).
    MALFORMED_ENVELOPE = "malformed_envelope"
    # Larger than any valid message of its task: refused before its body is parsed.
    OVERSIZED = "oversized"
    # A task other than the intake tasks: only those run from the intake queues.
    UNKNOWN_TASK = "unknown_task"
    # The body is not a protocol-2 call of an intake task with JSON arguments.
    UNDECODABLE = "undecodable"
    # Its batches killed pool processes again and again.
    WORKER_LOST = "worker_lost"
    # An invalid submission without a usable submission id to record an outcome under.
    INVALID = "invalid"
    # Unsigned or forged while signing keys are configured: it may not claim a submission id.
    BAD_SIGNATURE = "bad_signature"
    # Valid, but the database kept failing: kept for replay.
    RETRIES_EXHAUSTED = "retries_exhausted"
    # Processing it fails in a way no retry can cure (the database refuses its data, or a bug).
    UNPROCESSABLE = "unprocessable"
