"""Index outcome times with BRIN: cheaper to keep up on every insert than a btree.

Revision ID: 0005_brin_outcome_time
Revises: 0004_operations
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005_brin_outcome_time"
down_revision = "0004_operations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_intake_outcomes_recorded_at", table_name="intake_outcomes")
    op.create_index(
        "ix_intake_outcomes_recorded_at",
        "intake_outcomes",
        ["recorded_at"],
        postgresql_using="brin",
    )


def downgrade() -> None:
    op.drop_index("ix_intake_outcomes_recorded_at", table_name="intake_outcomes")
    op.create_index("ix_intake_outcomes_recorded_at", "intake_outcomes", ["recorded_at"])
