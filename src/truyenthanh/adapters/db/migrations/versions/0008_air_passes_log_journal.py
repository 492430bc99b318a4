"""Air passes (session tokens and single-use emergency permits) and the marks of log-journal lines written

Revision ID: air_passes_1
Revises: schedule_calendar_1
Create Date: 2026-11-25 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "air_passes_1"
down_revision = "schedule_calendar_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "air_pass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("single_operator", sa.Boolean(), nullable=False),
        sa.Column("issued_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("used_at", sa.String(length=32), nullable=True),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("announcement_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "log_journal_mark",
        sa.Column("journal_id", sa.String(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=True),
        sa.Column("committed_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("journal_id"),
    )


def downgrade() -> None:
    op.drop_table("log_journal_mark")
    op.drop_table("air_pass")
