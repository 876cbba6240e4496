"""This service's operations tables: the settings audit trail and per-tenant capture sampling.

Revision ID: 0004_operations
Revises: 0003_intake_tables
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_operations"
down_revision = "0003_intake_tables"
branch_labels = None
depends_on = None

TS = postgresql.TIMESTAMP(timezone=True, precision=3)
NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "intake_settings_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=True),
        sa.Column("setting", sa.Text(), nullable=False),
        sa.Column("old_value", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("new_value", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("changed_at", TS, server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_intake_settings_audit"),
    )
    op.create_index(
        "ix_intake_settings_audit_tenant_id_changed_at",
        "intake_settings_audit",
        ["tenant_id", "changed_at"],
    )
    op.create_table(
        "intake_tenant_capture",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column(
            "sample_rate",
            postgresql.DOUBLE_PRECISION(),
            server_default=sa.text("1"),
            nullable=False,
        ),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "sample_rate >= 0 AND sample_rate <= 1",
            name="ck_intake_tenant_capture_sample_rate_range",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_intake_tenant_capture_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_intake_tenant_capture"),
    )


def downgrade() -> None:
    op.drop_table("intake_tenant_capture")
    op.drop_index(
        "ix_intake_settings_audit_tenant_id_changed_at", table_name="intake_settings_audit"
    )
    op.drop_table("intake_settings_audit")
