"""The producer library's configuration: the broker and outcome-store URLs from the environment."""

from __future__ import annotations

import os

from producers.errors import ProducerConfigurationError


def broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("BROKER_URL")
    if not url:
        raise ProducerConfigurationError(
            "CELERY_BROKER_URL is not set: pass broker_url= or export the worker's broker URL"
        )
    return url


def outcome_store_url(broker: str) -> str | None:
    """Where outcomes are read from: INTAKE_OUTCOME_STORE_URL, else the broker when it is Redis."""
    url = os.environ.get("INTAKE_OUTCOME_STORE_URL")
    if url:
        return url
    if broker.startswith(("redis://", "rediss://", "redis+socket://")):
        return broker
    return None


def max_text_length() -> int:
    """The per-text character limit the workers enforce (INTAKE_MAX_TEXT_LENGTH, default 5000)."""
    raw = os.environ.get("INTAKE_MAX_TEXT_LENGTH")
    if not raw:
        return 5000
    try:
        value = int(raw)
    except ValueError:
        raise ProducerConfigurationError("INTAKE_MAX_TEXT_LENGTH must be an integer") from None
    if value < 1:
        raise ProducerConfigurationError("INTAKE_MAX_TEXT_LENGTH must be at least 1")
    return value


def signing_key() -> tuple[str, bytes] | None:
    """The key producers sign with: INTAKE_SIGNING_KEY_ID, else the last of INTAKE_SIGNING_KEYS."""
    from producers.signing import parse_keys

    keys = parse_keys(os.environ.get("INTAKE_SIGNING_KEYS"))
    if not keys:
        return None
    key_id = os.environ.get("INTAKE_SIGNING_KEY_ID") or list(keys)[-1]
    if key_id not in keys:
        raise ProducerConfigurationError(f"INTAKE_SIGNING_KEY_ID {key_id!r} is not configured")
    return key_id, keys[key_id]


def tenant_rate() -> int:
    """Submissions per second a tenant may place on the main queue (INTAKE_TENANT_RATE, 100).

    0 turns admission off: everything goes to the main queue.
    """
    raw = os.environ.get("INTAKE_TENANT_RATE")
    if not raw:
        return 100
    try:
        value = int(raw)
    except ValueError:
        raise ProducerConfigurationError("INTAKE_TENANT_RATE must be an integer") from None
    if value < 0:
        raise ProducerConfigurationError("INTAKE_TENANT_RATE must be 0 (off) or more")
    return value


def queue_type() -> str:
    """RabbitMQ: how the intake queues are declared, `classic` or `quorum` (INTAKE_QUEUE_TYPE)."""
    value = os.environ.get("INTAKE_QUEUE_TYPE") or "classic"
    if value not in ("classic", "quorum"):
        raise ProducerConfigurationError("INTAKE_QUEUE_TYPE must be classic or quorum")
    return value
