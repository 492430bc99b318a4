"""The files a hub offers its stations (packages, recorded bulletins), kept in the database, and the fingerprint of
the chain key of a database shared by several machines (issue 19)

Revision ID: hub_files_1
Revises: hub_log_1
Create Date: 2026-12-07 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "hub_files_1"
down_revision = "hub_log_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Kept out of line and uncompressed: PostgreSQL's substr() then reads only the TOAST chunks it needs,
        # instead of decompressing the whole file for each part served (packages are compressed already).
        op.execute("ALTER TABLE hub_file ALTER COLUMN content SET STORAGE EXTERNAL")
    op.create_table(
        "chain_key_record",
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("key_file", sa.String(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("chain_key_record")
    op.drop_table("hub_file")
