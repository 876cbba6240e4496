"""Errors a producer can see."""

from __future__ import annotations


class ProducerError(Exception):
    """Base of the producer library's errors."""


class ProducerConfigurationError(ProducerError):
    """The broker or outcome store is not configured."""


class OutcomeTimeout(ProducerError, TimeoutError):
    """`wait()` gave up before the submission had an outcome."""
