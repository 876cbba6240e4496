"""Dead letters keyed by what they are: a message fetched again is counted, never written twice.

Revision ID: 0008_keyed_dead_letters
Revises: 0007_tenant_isolation
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_keyed_dead_letters"
down_revision = "0007_tenant_isolation"
branch_labels = None
depends_on = None

TS = postgresql.TIMESTAMP(timezone=True, precision=3)
ROLE = "intake_worker"


def upgrade() -> None:
    op.add_column("intake_dead_letters", sa.Column("key", sa.Text(), nullable=True))
    # Letters written before keys existed keep a key of their own: nothing is merged.
    op.execute("UPDATE intake_dead_letters SET key = 'legacy:' || id")
    op.alter_column("intake_dead_letters", "key", nullable=False)
    op.create_unique_constraint("uq_intake_dead_letters_key", "intake_dead_letters", ["key"])
    op.add_column(
        "intake_dead_letters",
        sa.Column("seen", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column(
        "intake_dead_letters",
        sa.Column("last_seen_at", TS, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
    )
    # The pipeline records a batch's refusals (forged or anonymous invalid items) in the batch's
    # own transaction, as the worker role; a letter seen again is counted (UPDATE).
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON intake_dead_letters TO {ROLE}")
    op.execute(f"GRANT USAGE ON SEQUENCE intake_dead_letters_id_seq TO {ROLE}")


def downgrade() -> None:
    op.execute(f"REVOKE USAGE ON SEQUENCE intake_dead_letters_id_seq FROM {ROLE}")
    op.execute(f"REVOKE SELECT, INSERT, UPDATE ON intake_dead_letters FROM {ROLE}")
    op.drop_column("intake_dead_letters", "last_seen_at")
    op.drop_column("intake_dead_letters", "seen")
    op.drop_constraint("uq_intake_dead_letters_key", "intake_dead_letters", type_="unique")
    op.drop_column("intake_dead_letters", "key")
