"""This service's own tables: submission outcomes, dead letters, the usage-event idempotency key.

Revision ID: 0003_intake_tables
Revises: 0002_training_data_capture
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_intake_tables"
down_revision = "0002_training_data_capture"
branch_labels = None
depends_on = None

TS = postgresql.TIMESTAMP(timezone=True, precision=3)
NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "intake_outcomes",
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("recorded_at", TS, server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("submission_id", name="pk_intake_outcomes"),
    )
    op.create_index("ix_intake_outcomes_recorded_at", "intake_outcomes", ["recorded_at"])
    op.create_index(
        "ix_intake_outcomes_tenant_id_recorded_at", "intake_outcomes", ["tenant_id", "recorded_at"]
    )
    op.create_table(
        "intake_dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Text(), nullable=True),
        sa.Column("task_name", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "message_info",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("replayed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_intake_dead_letters"),
    )
    op.create_index("ix_intake_dead_letters_created_at", "intake_dead_letters", ["created_at"])
    op.create_index(
        "ix_intake_dead_letters_submission_id", "intake_dead_letters", ["submission_id"]
    )
    op.create_index(
        "uq_skill_feedback_training_usage_event",
        "skill_feedback",
        ["tenant_id", "usage_event_id"],
        unique=True,
        postgresql_where=sa.text(
            "feedback_type = 'training_example' AND usage_event_id IS NOT NULL"
        ),
    )


def downgrade() -> None:
    op.drop_index("uq_skill_feedback_training_usage_event", table_name="skill_feedback")
    op.drop_table("intake_dead_letters")
    op.drop_table("intake_outcomes")
