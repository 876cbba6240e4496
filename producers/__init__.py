"""What web apps and pipelines import: the submission contract and the client that enqueues it."""

from producers.client import IntakeClient, SubmissionStatus, usage_capture
from producers.contract import (
    SCHEMA_VERSION,
    Outcome,
    Reason,
    Submission,
    SubmissionInvalid,
    SubmissionKind,
    parse_submission,
)
from producers.errors import (
    BrokerUnavailable,
    BufferFull,
    OutcomeStoreUnavailable,
    OutcomeTimeout,
    ProducerConfigurationError,
    ProducerError,
)
from producers.forms import FormState, SignedInUser, submit_training_example_form

__all__ = [
    "SCHEMA_VERSION",
    "BrokerUnavailable",
    "BufferFull",
    "FormState",
    "IntakeClient",
    "Outcome",
    "OutcomeStoreUnavailable",
    "OutcomeTimeout",
    "ProducerConfigurationError",
    "ProducerError",
    "Reason",
    "SignedInUser",
    "Submission",
    "SubmissionInvalid",
    "SubmissionKind",
    "SubmissionStatus",
    "parse_submission",
    "submit_training_example_form",
    "usage_capture",
]
