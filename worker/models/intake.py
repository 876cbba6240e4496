"""This service's own tables: outcomes, dead letters, the settings audit, capture options."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from worker.models.base import Base, Timestamp, timestamp_now


class IntakeOutcome(Base):
    """The one outcome of each submission, keyed by the producer's submission id."""

    __tablename__ = "intake_outcomes"
    __table_args__ = (
        # Outcomes arrive in time order: a BRIN index serves time windows at a fraction of a
        # btree's upkeep on the hot insert path.
        Index("ix_intake_outcomes_recorded_at", "recorded_at", postgresql_using="brin"),
        Index("ix_intake_outcomes_tenant_id_recorded_at", "tenant_id", "recorded_at"),
    )

    submission_id: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    # Machine-readable particulars (secret kinds found, invalid fields); never example text.
    detail: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))
    recorded_at: Mapped[datetime] = timestamp_now()


class DeadLetter(Base):
    """A message or submission set aside, once per `key`, for inspection and (failed) replay."""

    __tablename__ = "intake_dead_letters"
    __table_args__ = (
        Index("ix_intake_dead_letters_created_at", "created_at"),
        Index("ix_intake_dead_letters_submission_id", "submission_id"),
        UniqueConstraint("key", name="uq_intake_dead_letters_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The tenant of a kept submission (row-level security); None when no tenant is known.
    tenant_id: Mapped[str | None] = mapped_column(Text)
    # What makes two sightings the same letter: the reason and a digest of the message (or the
    # submission id). A message fetched again is counted in `seen`, never written twice.
    key: Mapped[str] = mapped_column(Text, nullable=False)
    seen: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))
    last_seen_at: Mapped[datetime] = timestamp_now()
    submission_id: Mapped[str | None] = mapped_column(Text)
    task_name: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    error: Mapped[str | None] = mapped_column(Text)
    # The submission, only when it was valid and failed after retries (so `replay` can resend it).
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    # What is known of the message without its body: content type, size, task id and name.
    message_info: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    created_at: Mapped[datetime] = timestamp_now()
    replayed_at: Mapped[datetime | None] = mapped_column(Timestamp)


class SettingsAudit(Base):
    """One change made through this service: a capture setting of a tenant or a user's consent."""

    __tablename__ = "intake_settings_audit"
    __table_args__ = (
        Index("ix_intake_settings_audit_tenant_id_changed_at", "tenant_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # No foreign key: the trail of who changed what outlives the tenant or user it names.
    tenant_id: Mapped[str] = mapped_column(Text, nullable=False)
    # The user whose preference changed (consent); None for a tenant's setting.
    user_id: Mapped[str | None] = mapped_column(Text)
    setting: Mapped[str] = mapped_column(Text, nullable=False)
    old_value: Mapped[Any] = mapped_column(JSONB, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSONB, nullable=True)
    changed_by: Mapped[str] = mapped_column(Text, nullable=False)
    # Particulars of the change (e.g. how many examples a revocation removed); never example text.
    detail: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    changed_at: Mapped[datetime] = timestamp_now()


class TenantCapture(Base):
    """This service's own capture options of a tenant: the fraction of usage captures kept."""

    __tablename__ = "intake_tenant_capture"
    __table_args__ = (
        CheckConstraint("sample_rate >= 0 AND sample_rate <= 1", name="sample_rate_range"),
        CheckConstraint(
            "golden_text_policy IN ('faithful', 'html')", name="golden_text_policy_known"
        ),
    )

    tenant_id: Mapped[str] = mapped_column(
        Text, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    sample_rate: Mapped[float] = mapped_column(
        DOUBLE_PRECISION, nullable=False, server_default=text("1")
    )
    # How golden examples of this tenant are sanitized: "faithful" (text and code, the default)
    # or "html" (written in a rich-text editor: nh3 with a formatting allowlist).
    golden_text_policy: Mapped[str] = mapped_column(
        Text, nullable=False, server_default=text("'faithful'")
    )
    updated_at: Mapped[datetime] = timestamp_now()
    updated_by: Mapped[str | None] = mapped_column(Text)
