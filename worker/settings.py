"""The worker's configuration: every environment variable it reads, read here and nowhere else."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from producers.contract import (
    DEFAULT_MAX_TEXT_LENGTH,
    MAX_BATCH_SIZE,
    MAX_ID_LENGTH,
    MAX_MESSAGE_BYTES,
)
from worker.tenancy import WORKER_ROLE


class Settings(BaseSettings):
    """Environment-driven settings; unset URLs mean "use the embedded servers"."""

    # Inputs stay out of errors: a URL may hold a password, INTAKE_SIGNING_KEYS holds secrets.
    model_config = SettingsConfigDict(
        env_prefix="", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    broker_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CELERY_BROKER_URL", "BROKER_URL")
    )
    # Where producers' `status()`/`wait()` read outcomes; defaults to the broker when it is Redis.
    outcome_store_url: str | None = Field(default=None, validation_alias="INTAKE_OUTCOME_STORE_URL")
    data_dir: Path = Field(default=Path(".intake"), validation_alias="INTAKE_DATA_DIR")

    max_text_length: int = Field(
        default=DEFAULT_MAX_TEXT_LENGTH, ge=1, validation_alias="INTAKE_MAX_TEXT_LENGTH"
    )
    # Transient faults: attempts before a submission is recorded as `failed`.
    max_retries: int = Field(default=8, ge=0, validation_alias="INTAKE_MAX_RETRIES")
    retry_backoff_base: float = Field(default=0.5, gt=0, validation_alias="INTAKE_RETRY_BACKOFF")
    retry_backoff_max: float = Field(
        default=60.0, gt=0, validation_alias="INTAKE_RETRY_BACKOFF_MAX"
    )
    # Hard limit of one task; the broker's visibility timeout is derived from it.
    task_time_limit: int = Field(default=300, ge=10, validation_alias="INTAKE_TASK_TIME_LIMIT")
    visibility_timeout_setting: int | None = Field(
        default=None, ge=1, validation_alias="INTAKE_VISIBILITY_TIMEOUT"
    )
    # Redis: a worker whose liveness key is this old has its in-flight fetches handed back.
    consumer_liveness_ttl: int = Field(
        default=30, ge=2, validation_alias="INTAKE_CONSUMER_LIVENESS_TTL"
    )
    # Redis: seconds between sweeps that return a dead worker's unacknowledged messages.
    unacked_restore_interval: int = Field(
        default=10, ge=1, validation_alias="INTAKE_UNACKED_RESTORE_INTERVAL"
    )
    outcome_ttl_seconds: int = Field(
        default=7 * 24 * 3600, ge=60, validation_alias="INTAKE_OUTCOME_TTL"
    )
    # Micro-batching in the worker: flush at this many submissions or after this many ms.
    batch_size: int = Field(default=200, ge=1, le=1000, validation_alias="INTAKE_BATCH_SIZE")
    batch_interval_ms: int = Field(default=10, ge=1, validation_alias="INTAKE_BATCH_INTERVAL_MS")
    # Unacknowledged messages per pool process; the consumer raises the window to at least one
    # batch per pool process plus one waiting (worker/consumer.py), so this is rarely needed.
    prefetch_multiplier: int = Field(default=1, ge=1, validation_alias="INTAKE_PREFETCH_MULTIPLIER")
    # Celery task events (for Flower): two publishes a message in the consumer, off by default.
    task_events: bool = Field(default=False, validation_alias="INTAKE_TASK_EVENTS")
    lock_timeout_ms: int = Field(default=5000, ge=1, validation_alias="INTAKE_LOCK_TIMEOUT_MS")
    statement_timeout_ms: int = Field(
        default=60000, ge=1, validation_alias="INTAKE_STATEMENT_TIMEOUT_MS"
    )
    db_pool_size: int = Field(default=4, ge=1, validation_alias="INTAKE_DB_POOL_SIZE")
    # RabbitMQ: declare the intake queues as classic or quorum queues (producers must agree).
    queue_type: str = Field(
        default="classic", pattern="^(classic|quorum)$", validation_alias="INTAKE_QUEUE_TYPE"
    )
    # The role the ingest transactions switch to, bound by row-level security; empty when the
    # login role itself is a non-owner role (see worker/tenancy.py).
    db_role: str = Field(
        default=WORKER_ROLE,
        pattern=r"^([a-z_][a-z0-9_]*)?$",
        validation_alias="INTAKE_DB_ROLE",
    )
    # "id1:secret1,id2:secret2": when set, every submission must be signed by one of these.
    signing_keys_spec: str | None = Field(default=None, validation_alias="INTAKE_SIGNING_KEYS")
    # Operator extensions of the sanitizer (see worker/sanitize/config.py).
    redact_patterns: str | None = Field(default=None, validation_alias="INTAKE_REDACT_PATTERNS")
    redact_patterns_file: str | None = Field(
        default=None, validation_alias="INTAKE_REDACT_PATTERNS_FILE"
    )
    maskers: str | None = Field(default=None, validation_alias="INTAKE_MASKERS")
    # Serve Prometheus metrics from the worker on this port (off when unset).
    metrics_port: int | None = Field(
        default=None, ge=0, le=65535, validation_alias="INTAKE_METRICS_PORT"
    )
    # The worker's log lines: "json" (one object per line) or "text".
    log_format: str = Field(default="json", validation_alias="INTAKE_LOG_FORMAT")
    log_level: str = Field(default="INFO", validation_alias="INTAKE_LOG_LEVEL")

    @field_validator("log_format")
    @classmethod
    def _a_log_format(cls, value: str) -> str:
        if value not in ("json", "text"):
            raise ValueError(f"must be json or text, not {value!r}")
        return value

    @field_validator("log_level")
    @classmethod
    def _a_logging_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}, not {value!r}")
        return level

    @field_validator("signing_keys_spec")
    @classmethod
    def _signing_keys(cls, value: str | None) -> str | None:
        # Refused at start-up, not by the first batch in a pool process (a worker_lost letter).
        from producers.signing import SigningKeyError, parse_keys

        try:
            parse_keys(value)
        except SigningKeyError:
            raise ValueError(
                "must be id:secret entries, comma-separated, each secret 16+ characters"
            ) from None
        return value

    @field_validator("database_url")
    @classmethod
    def _a_postgresql_url(cls, value: str | None) -> str | None:
        # Refused here, in one line, rather than deep inside SQLAlchemy or a driver import.
        if not value:
            return None
        scheme = _scheme(value)
        if scheme is None:
            raise ValueError("is not a URL: expected postgresql://user:password@host:5432/db")
        if scheme.split("+")[0] not in ("postgresql", "postgres"):
            raise ValueError(f"must be a postgresql:// URL, not a {scheme}:// one")
        return value

    @field_validator("broker_url", "outcome_store_url")
    @classmethod
    def _a_broker_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        scheme = _scheme(value)
        if scheme is None:
            raise ValueError("is not a URL: expected redis://host:6379/0 or amqp://user@host//")
        if scheme not in _BROKER_SCHEMES:
            raise ValueError(f"must be a redis:// or amqp:// URL, not a {scheme}:// one")
        return value

    @property
    def visibility_timeout(self) -> int:
        """Seconds before an unacked message is redelivered: well above a task's worst case."""
        if self.visibility_timeout_setting is not None:
            return self.visibility_timeout_setting
        return max(3600, 4 * (self.task_time_limit + int(self.retry_backoff_max)))

    def max_message_bytes(self, items: int) -> int:
        """The largest body a message of `items` submissions may have.

        A valid submission is at most three texts at the limit, each character JSON-escaped at
        worst (twelve bytes: a surrogate pair of `\\uXXXX` escapes), plus five ids escaped the
        same way and a signature; a message never beyond the contract's MAX_MESSAGE_BYTES (what a
        pool process holds comfortably; producers split bulk sends by it). Bigger bodies
        are refused before they are parsed.
        """
        per_item = 3 * self.max_text_length * 12 + 5 * MAX_ID_LENGTH * 12 + 4096
        return min(MAX_MESSAGE_BYTES, items * per_item + 4096)

    def max_item_bytes(self) -> int:
        """The largest Redis list item worth parsing: a base64 body of the largest message, plus
        headers."""
        body = self.max_message_bytes(MAX_BATCH_SIZE)
        return (body + 2) // 3 * 4 + 64 * 1024

    @property
    def signing_keys(self) -> dict[str, bytes]:
        from producers.signing import parse_keys

        return parse_keys(self.signing_keys_spec)

    @property
    def outcome_store(self) -> str | None:
        if self.outcome_store_url:
            return self.outcome_store_url
        if self.broker_url and self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return None


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_BROKER_SCHEMES = frozenset({"redis", "rediss", "amqp", "amqps", "pyamqp", "sentinel"})


def _scheme(url: str) -> str | None:
    """The scheme of a well-formed `scheme://...` URL (a numeric port, if any), else None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts.scheme.lower() if parts.scheme and "://" in url else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()


def reload_settings() -> Settings:
    """Forget the cached settings (after the embedded servers export their URLs)."""
    get_settings.cache_clear()
    return get_settings()
