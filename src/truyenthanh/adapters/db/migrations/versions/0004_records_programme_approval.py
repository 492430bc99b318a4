"""Records: who wrote a programme, when it was approved, why it was rejected

Revision ID: records_2
Revises: records_1
Create Date: 2026-11-23 04:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "records_2"
down_revision = "records_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("approved_at", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("rejected_reason", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("rejected_reason")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("created_by")
