"""The producer library's configuration: the broker and outcome-store URLs from the environment.

With no broker URL in the environment, a producer uses the embedded Redis of the data folder
(`INTAKE_DATA_DIR`, default `.intake`), which `intake worker` and `intake servers start` record
in `<data folder>/servers.json`.
"""

from __future__ import annotations

import json
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kombu.transport import resolve_transport

from producers.errors import ProducerConfigurationError, safe_url

log = logging.getLogger("producers")

# Written by the embedded runtime (worker/embedded): {"CELERY_BROKER_URL": {"url", "pid"}, ...}.
SERVERS_FILE = "servers.json"
BROKER_VARIABLES = ("CELERY_BROKER_URL", "BROKER_URL")


def data_dir() -> Path:
    """The folder of the embedded servers: INTAKE_DATA_DIR, default `.intake`."""
    return Path(os.environ.get("INTAKE_DATA_DIR") or ".intake")


def embedded_servers(folder: Path | None = None) -> dict[str, str]:
    """The URLs of the embedded servers running for a data folder, by environment variable.

    Servers whose process is gone are left out; no file (or an unreadable one) means none.
    """
    path = (folder or data_dir()) / SERVERS_FILE
    try:
        recorded: Any = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(recorded, dict):
        return {}
    urls: dict[str, str] = {}
    for variable, server in recorded.items():
        if isinstance(server, dict) and isinstance(server.get("url"), str):
            pid = server.get("pid")
            if isinstance(pid, int) and _alive(pid):
                urls[str(variable)] = server["url"]
    return urls


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process (the embedded PostgreSQL's service user)
    return True


def broker_url() -> str:
    """CELERY_BROKER_URL (or BROKER_URL); else the embedded Redis of the data folder."""
    for variable in BROKER_VARIABLES:
        if url := os.environ.get(variable):
            return url
    url = embedded_servers().get("CELERY_BROKER_URL")
    if url is None:
        raise ProducerConfigurationError(
            f"no broker: CELERY_BROKER_URL is not set and no embedded Redis runs in "
            f"{data_dir()}; run `intake worker` (or `intake servers start`) in this folder, "
            "or set CELERY_BROKER_URL"
        )
    _say_once(url)
    return url


@lru_cache(maxsize=8)
def _say_once(url: str) -> None:
    log.info("using the embedded broker %s of %s", safe_url(url), data_dir())


def checked_broker_url(url: str) -> str:
    """The broker URL, if it names a transport Celery has; ProducerConfigurationError if not."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        scheme = parts.scheme if "://" in url else ""
    except ValueError:
        scheme = ""
    if not scheme:
        raise ProducerConfigurationError(
            "the broker URL is not a URL: expected redis://host:6379/0 or amqp://user@host//"
        )
    try:
        resolve_transport(scheme)
    except (KeyError, ImportError):
        raise ProducerConfigurationError(
            f"the broker URL has an unsupported scheme {scheme!r}: use redis:// or amqp://"
        ) from None
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
