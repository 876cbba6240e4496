"""A tenant's text policy for golden examples: faithful (default) or html (rich-text editors).

Revision ID: 0006_golden_text_policy
Revises: 0005_brin_outcome_time
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_golden_text_policy"
down_revision = "0005_brin_outcome_time"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "intake_tenant_capture",
        sa.Column(
            "golden_text_policy", sa.Text(), server_default=sa.text("'faithful'"), nullable=False
        ),
    )
    op.create_check_constraint(
        "ck_intake_tenant_capture_golden_text_policy_known",
        "intake_tenant_capture",
        "golden_text_policy IN ('faithful', 'html')",
    )


def downgrade() -> None:
    op.drop_constraint(
        "ck_intake_tenant_capture_golden_text_policy_known", "intake_tenant_capture", type_="check"
    )
    op.drop_column("intake_tenant_capture", "golden_text_policy")
