"""SQLAlchemy models of the platform's tables and of this service's own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, JSONB, TIMESTAMP
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names keep migrations and autogenerate in agreement.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The platform stores timestamps as timestamptz(3): millisecond precision.
Timestamp = TIMESTAMP(timezone=True, precision=3)
NOW = text("CURRENT_TIMESTAMP")
TRAINING_EXAMPLE = "training_example"


def _timestamp_now() -> Mapped[datetime]:
    return mapped_column(Timestamp, nullable=False, server_default=NOW)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    slug: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    created_at: Mapped[datetime] = _timestamp_now()
    updated_at: Mapped[datetime] = _timestamp_now()


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(
        Text, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'member'"))
    created_at: Mapped[datetime] = _timestamp_now()
    updated_at: Mapped[datetime] = _timestamp_now()


class Skill(Base):
    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("tenant_id", "slug", name="uq_skills_tenant_id_slug"),)

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(
        Text, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(Text, nullable=False)
    slug: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(Text, ForeignKey("users.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = _timestamp_now()
    updated_at: Mapped[datetime] = _timestamp_now()


class SiteSettings(Base):
    __tablename__ = "site_settings"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(
        Text, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    training_data_capture_enabled: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default=text("false")
    )
    created_at: Mapped[datetime] = _timestamp_now()
    updated_at: Mapped[datetime] = _timestamp_now()


class UserPreferences(Base):
    __tablename__ = "user_preferences"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(
        Text, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[str] = mapped_column(
        Text, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    preferences: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    updated_at: Mapped[datetime] = _timestamp_now()


class SkillFeedback(Base):
    """All feedback on a skill; training examples are rows with feedback_type 'training_example'."""

    __tablename__ = "skill_feedback"
    __table_args__ = (
        CheckConstraint(
            "quality_score IS NULL OR quality_score BETWEEN 1 AND 10", name="quality_score_range"
        ),
        # The reads: a skill's training examples newest first, and their count.
        Index(
            "ix_skill_feedback_training_examples_by_skill",
            "skill_id",
            text("created_at DESC"),
            text("id DESC"),
            postgresql_where=text("feedback_type = 'training_example'"),
        ),
        # This service's idempotency key for usage capture: one row per usage event in a tenant.
        Index(
            "uq_skill_feedback_training_usage_event",
            "tenant_id",
            "usage_event_id",
            unique=True,
            postgresql_where=text(
                "feedback_type = 'training_example' AND usage_event_id IS NOT NULL"
            ),
        ),
        Index("ix_skill_feedback_tenant_id", "tenant_id"),
        Index("ix_skill_feedback_user_id", "user_id"),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(
        Text, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )
    skill_id: Mapped[str] = mapped_column(
        Text, ForeignKey("skills.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[str | None] = mapped_column(Text, ForeignKey("users.id", ondelete="SET NULL"))
    usage_event_id: Mapped[str | None] = mapped_column(Text)
    feedback_type: Mapped[str] = mapped_column(Text, nullable=False)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    example_input: Mapped[str | None] = mapped_column(Text)
    example_output: Mapped[str | None] = mapped_column(Text)
    expected_output: Mapped[str | None] = mapped_column(Text)
    quality_score: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'pending'"))
    source: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("'web'"))
    reviewed_by: Mapped[str | None] = mapped_column(
        Text, ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    review_notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _timestamp_now()
    updated_at: Mapped[datetime] = _timestamp_now()


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
    recorded_at: Mapped[datetime] = _timestamp_now()


class DeadLetter(Base):
    """A message or submission kept for inspection and replay (undecodable, or failed)."""

    __tablename__ = "intake_dead_letters"
    __table_args__ = (
        Index("ix_intake_dead_letters_created_at", "created_at"),
        Index("ix_intake_dead_letters_submission_id", "submission_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
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
    created_at: Mapped[datetime] = _timestamp_now()
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
    changed_at: Mapped[datetime] = _timestamp_now()


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
    updated_at: Mapped[datetime] = _timestamp_now()
    updated_by: Mapped[str | None] = mapped_column(Text)
