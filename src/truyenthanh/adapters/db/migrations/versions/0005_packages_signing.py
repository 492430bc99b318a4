"""Programme packages and trusted signing keys

Revision ID: packages_1
Revises: records_2
Create Date: 2026-11-23 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "packages_1"
down_revision = "records_2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("upstream", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("signer_fingerprint", sa.String(), nullable=True),
        sa.Column("signer_name", sa.String(), nullable=True),
        sa.Column("archive_sha256", sa.String(), nullable=False),
        sa.Column("manifest_sha256", sa.String(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("package_id", "version"),
    )
    op.create_index(op.f("ix_programme_package_package_id"), "programme_package", ["package_id"], unique=False)
    op.create_table(
        "trusted_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("public_key", sa.String(), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("trusted_key")
    op.drop_index(op.f("ix_programme_package_package_id"), table_name="programme_package")
    op.drop_table("programme_package")
