"""The worker's configuration: every environment variable it reads, read here and nowhere else."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker.tenancy import WORKER_ROLE


class Settings(BaseSettings):
    """Environment-driven settings; unset URLs mean "use the embedded servers"."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    broker_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CELERY_BROKER_URL", "BROKER_URL")
    )
    # Where producers' `status()`/`wait()` read outcomes; defaults to the broker when it is Redis.
    outcome_store_url: str | None = Field(default=None, validation_alias="INTAKE_OUTCOME_STORE_URL")
    data_dir: Path = Field(default=Path(".intake"), validation_alias="INTAKE_DATA_DIR")

    max_text_length: int = Field(default=5000, ge=1, validation_alias="INTAKE_MAX_TEXT_LENGTH")
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
    prefetch_multiplier: int = Field(
        default=64, ge=1, validation_alias="INTAKE_PREFETCH_MULTIPLIER"
    )
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
    log_format: str = Field(
        default="json", pattern="^(json|text)$", validation_alias="INTAKE_LOG_FORMAT"
    )
    log_level: str = Field(default="INFO", validation_alias="INTAKE_LOG_LEVEL")

    @property
    def visibility_timeout(self) -> int:
        """Seconds before an unacked message is redelivered: well above a task's worst case."""
        if self.visibility_timeout_setting is not None:
            return self.visibility_timeout_setting
        return max(3600, 4 * (self.task_time_limit + int(self.retry_backoff_max)))

    def max_message_bytes(self, items: int) -> int:
        """The largest body a message of `items` submissions can have when it is valid.

        Three texts at the limit, each character escaped at worst (six bytes), plus room for
        ids and the envelope. Bigger bodies are refused before they are parsed.
        """
        return items * (3 * self.max_text_length * 6 + 4096) + 4096

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()


def reload_settings() -> Settings:
    """Forget the cached settings (after the embedded servers export their URLs)."""
    get_settings.cache_clear()
    return get_settings()
