"""The tenant's training-data capture switch (the platform's migration 0034).

Revision ID: 0002_training_data_capture
Revises: 0001_platform_tables
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_training_data_capture"
down_revision = "0001_platform_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A constant default makes this a metadata-only change: no table rewrite, no long lock.
    op.add_column(
        "site_settings",
        sa.Column(
            "training_data_capture_enabled",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("site_settings", "training_data_capture_enabled")
