"""Schedules: the Vietnamese calendar (lunar days, holidays, session start) of each schedule

Revision ID: schedule_calendar_1
Revises: records_3
Create Date: 2026-11-24 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "schedule_calendar_1"
down_revision = "records_3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.drop_column("calendar")
