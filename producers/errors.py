"""Errors a producer can see: one tree under ProducerError, each saying what to do.

```
ProducerError
├── ProducerConfigurationError  a setting is missing or malformed; nothing was sent
├── SubmissionInvalid           the submission breaks the contract; nothing was sent
├── BrokerUnavailable           the broker did not take the message (retry with the same id)
├── BufferFull                  coalesced captures: the buffer stayed full; this one was not taken
├── OutcomeStoreUnavailable     status()/wait() could not read the outcome store
└── OutcomeTimeout              wait() gave up before the submission had an outcome
```

Messages never contain example text, and URLs in them never show a password.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit


class ProducerError(Exception):
    """Base of the producer library's errors."""


class ProducerConfigurationError(ProducerError):
    """The broker or outcome store is not configured, or a setting is malformed."""


class SubmissionInvalid(ProducerError, ValueError):
    """A submission that breaks the contract; `field_errors` maps each offending field to why.

    `str()` names every field and what is wrong with it, never the submitted value.
    """

    reason = "invalid"

    def __init__(self, field_errors: Mapping[str, list[str]]) -> None:
        self.field_errors = {name: list(messages) for name, messages in field_errors.items()}
        problems = "; ".join(
            f"{name}: {', '.join(messages) or 'is not valid'}"
            for name, messages in sorted(self.field_errors.items())
        )
        super().__init__(f"invalid submission: {problems}")


class BrokerUnavailable(ProducerError, ConnectionError):
    """The broker could not be reached or refused the message.

    The submission may or may not have been queued; sending it again with the same
    `submission_id` is safe (the worker makes one row per id).
    """


class BufferFull(ProducerError, TimeoutError):
    """A coalescing client's capture buffer stayed full for the caller's whole timeout.

    The capture was not buffered and nothing of it was sent: capture it again (same
    `submission_id`) once the broker keeps up, or flush and send it with `wait=True`.
    """


class OutcomeStoreUnavailable(ProducerError, ConnectionError):
    """The outcome store (Redis) could not be reached to read an outcome."""


class OutcomeTimeout(ProducerError, TimeoutError):
    """`wait()` gave up before the submission had an outcome."""


def safe_url(url: str) -> str:
    """A URL fit for a message or a log line: any password replaced by `***`."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        netloc = f"{parts.username or ''}:***@{host}"
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return "<a malformed URL>"


def first_line(exc: BaseException) -> str:
    """The first line of an error's text (at most 200 characters), for a message of our own."""
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
