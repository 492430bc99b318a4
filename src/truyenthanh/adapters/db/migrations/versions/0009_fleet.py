"""IP loudspeaker clusters: zone slugs, schedule targets, receivers, enrolment codes, per-zone plays, commands

Revision ID: fleet_1
Revises: air_passes_1
Create Date: 2026-12-07 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from truyenthanh.domain.fleet import slug

revision = "fleet_1"
down_revision = "air_passes_1"
branch_labels = None
depends_on = None

_TIME = sa.String(length=32)


def upgrade() -> None:
    with op.batch_alter_table("zone") as batch:
        batch.add_column(sa.Column("slug", sa.String(), nullable=True))
    connection = op.get_bind()
    taken: set[str] = set()
    for zone_id, name in connection.execute(sa.text("SELECT id, name FROM zone ORDER BY id")).all():
        base = slug(str(name))
        value, n = base, 2
        while value in taken:
            value, n = f"{base}-{n}", n + 1
        taken.add(value)
        connection.execute(sa.text("UPDATE zone SET slug = :slug WHERE id = :id"), {"slug": value, "id": zone_id})
    with op.batch_alter_table("zone") as batch:
        batch.alter_column("slug", existing_type=sa.String(), nullable=False)
        batch.create_unique_constraint("uq_zone_slug", ["slug"])
    with op.batch_alter_table("schedule") as batch:
        batch.add_column(sa.Column("target_local", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("target_zones", sa.JSON(), nullable=True))
    op.create_table(
        "receiver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("zone_slug", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("enrolled_at", _TIME, nullable=False),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("last_seen", _TIME, nullable=True),
        sa.Column("last_status", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_index("ix_receiver_zone_slug", "receiver", ["zone_slug"])
    op.create_table(
        "enrolment_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(), nullable=False),
        sa.Column("zone_slug", sa.String(), nullable=False),
        sa.Column("issued_by", sa.String(), nullable=False),
        sa.Column("issued_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("used_at", _TIME, nullable=True),
        sa.Column("receiver_slug", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_table(
        "zone_play",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("receiver_slug", sa.String(), nullable=False),
        sa.Column("zone_slug", sa.String(), nullable=False),
        sa.Column("airing_id", sa.String(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("started_at", _TIME, nullable=True),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id"),
    )
    for column in ("receiver_slug", "zone_slug", "airing_id", "schedule_id"):
        op.create_index(f"ix_zone_play_{column}", "zone_play", [column])
    op.create_table(
        "fleet_command",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("receiver_slug", sa.String(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.String(), nullable=False),
        sa.Column("issued_at", _TIME, nullable=False),
        sa.Column("acks", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("command_id"),
    )
    op.create_table(
        "fleet_sequence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("fleet_sequence")
    op.drop_table("fleet_command")
    op.drop_table("zone_play")
    op.drop_table("enrolment_code")
    op.drop_table("receiver")
    with op.batch_alter_table("schedule") as batch:
        batch.drop_column("target_zones")
        batch.drop_column("target_local")
    with op.batch_alter_table("zone") as batch:
        batch.drop_constraint("uq_zone_slug", type_="unique")
        batch.drop_column("slug")
