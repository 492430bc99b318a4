"""The hub's copy of its stations' broadcast logs (issue 19)

Revision ID: hub_log_1
Revises: fleet_1
Create Date: 2026-12-07 17:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "hub_log_1"
down_revision = "fleet_1"
branch_labels = None
depends_on = None

_TIME = sa.String(length=32)


def upgrade() -> None:
    op.create_table(
        "hub_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_slug", sa.String(), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("row_hash", sa.String(), nullable=False),
        sa.Column("moment", _TIME, nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("station_slug", "row_id", name="uq_hub_log_station_row"),
    )
    op.create_index("ix_hub_log_station_moment", "hub_log", ["station_slug", "moment"])


def downgrade() -> None:
    op.drop_index("ix_hub_log_station_moment", table_name="hub_log")
    op.drop_table("hub_log")
