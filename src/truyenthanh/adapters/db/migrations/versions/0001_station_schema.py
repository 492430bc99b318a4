"""Station schema: station, library, announcements, programmes, schedules, broadcast log

Revision ID: 0001
Revises:
Create Date: 2026-11-23 03:33:15.884641
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audio_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("codec", sa.String(), nullable=False),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("sample_rate", sa.Integer(), nullable=False),
        sa.Column("loudness_lufs", sa.Float(), nullable=True),
        sa.Column("true_peak_dbtp", sa.Float(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "POLICY_LAW",
                "LOCAL_DEVELOPMENT",
                "LOCAL_AFFAIRS",
                "SECURITY_DEFENCE",
                "EMERGENCY",
                "EXEMPLARY",
                "PRODUCTS_SERVICES",
                "ADMINISTRATION",
                "CITIZEN_FEEDBACK",
                "MUSIC",
                "OTHER",
                name="category",
            ),
            nullable=False,
        ),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("IMPORTED", "GENERATED", "TTS", "PACKAGE", "RECORDED", name="assetsource"),
            nullable=False,
        ),
        sa.Column("engine", sa.String(), nullable=True),
        sa.Column("voice", sa.String(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("path"),
    )
    with op.batch_alter_table("audio_asset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audio_asset_sha256"), ["sha256"], unique=True)

    op.create_table(
        "broadcast_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("programme_title", sa.String(), nullable=False),
        sa.Column("item_title", sa.String(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "POLICY_LAW",
                "LOCAL_DEVELOPMENT",
                "LOCAL_AFFAIRS",
                "SECURITY_DEFENCE",
                "EMERGENCY",
                "EXEMPLARY",
                "PRODUCTS_SERVICES",
                "ADMINISTRATION",
                "CITIZEN_FEEDBACK",
                "MUSIC",
                "OTHER",
                name="category",
            ),
            nullable=True,
        ),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("priority", sa.Enum("NORMAL", "PRIORITY", "EMERGENCY", name="priority"), nullable=False),
        sa.Column("scheduled_start", sa.String(length=32), nullable=True),
        sa.Column("actual_start", sa.String(length=32), nullable=True),
        sa.Column("end", sa.String(length=32), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("PLAYED", "PARTIAL", "PREEMPTED", "LATE", "MISSED", "FAILED", "SKIPPED", name="outcome"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("engine", sa.String(), nullable=True),
        sa.Column("operator", sa.String(), nullable=True),
        sa.Column("approver", sa.String(), nullable=True),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("row_hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("broadcast_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broadcast_log_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_broadcast_log_schedule_id"), ["schedule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_broadcast_log_scheduled_start"), ["scheduled_start"], unique=False)

    op.create_table(
        "station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("commune", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("upstream", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("reading_variant", sa.Enum("NORTH", "SOUTH", name="readingvariant"), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("spoken_text", sa.Text(), nullable=False),
        sa.Column("engine", sa.String(), nullable=True),
        sa.Column("voice", sa.String(), nullable=True),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("DRAFT", "WAITING", "APPROVED", "REJECTED", "AIRED", name="contentstatus"),
            nullable=False,
        ),
        sa.Column("priority", sa.Enum("NORMAL", "PRIORITY", "EMERGENCY", name="priority"), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "POLICY_LAW",
                "LOCAL_DEVELOPMENT",
                "LOCAL_AFFAIRS",
                "SECURITY_DEFENCE",
                "EMERGENCY",
                "EXEMPLARY",
                "PRODUCTS_SERVICES",
                "ADMINISTRATION",
                "CITIZEN_FEEDBACK",
                "MUSIC",
                "OTHER",
                name="category",
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("approved_at", sa.String(length=32), nullable=True),
        sa.Column("rejected_reason", sa.String(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["audio_asset.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "POLICY_LAW",
                "LOCAL_DEVELOPMENT",
                "LOCAL_AFFAIRS",
                "SECURITY_DEFENCE",
                "EMERGENCY",
                "EXEMPLARY",
                "PRODUCTS_SERVICES",
                "ADMINISTRATION",
                "CITIZEN_FEEDBACK",
                "MUSIC",
                "OTHER",
                name="category",
            ),
            nullable=False,
        ),
        sa.Column("priority", sa.Enum("NORMAL", "PRIORITY", "EMERGENCY", name="priority"), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("fallback_asset_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("DRAFT", "WAITING", "APPROVED", "REJECTED", "AIRED", name="contentstatus"),
            nullable=False,
        ),
        sa.Column("package_id", sa.String(), nullable=True),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["fallback_asset_id"], ["audio_asset.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_package_id"), ["package_id"], unique=False)

    op.create_table(
        "programme_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("AUDIO", "ANNOUNCEMENT", "JINGLE", "SILENCE", "RELAY", name="itemkind"),
            nullable=False,
        ),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("announcement_id", sa.Integer(), nullable=True),
        sa.Column("relay_url", sa.String(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("gain_db", sa.Float(), nullable=False),
        sa.Column("fade_in_s", sa.Float(), nullable=False),
        sa.Column("fade_out_s", sa.Float(), nullable=False),
        sa.Column("crossfade_s", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["announcement_id"], ["announcement.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["asset_id"], ["audio_asset.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "position"),
    )
    with op.batch_alter_table("programme_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_item_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.String(length=32), nullable=False),
        sa.Column("rrule", sa.String(), nullable=True),
        sa.Column("exdates", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.String(length=32), nullable=True),
        sa.Column("valid_to", sa.String(length=32), nullable=True),
        sa.Column("priority", sa.Enum("NORMAL", "PRIORITY", "EMERGENCY", name="priority"), nullable=False),
        sa.Column("misfire", sa.String(), nullable=False),
        sa.Column("session_name", sa.String(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("package_id", sa.String(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_package_id"), ["package_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedule_programme_id"), ["programme_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_programme_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_package_id"))

    op.drop_table("schedule")
    with op.batch_alter_table("programme_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_item_programme_id"))

    op.drop_table("programme_item")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_package_id"))

    op.drop_table("programme")
    op.drop_table("announcement")
    op.drop_table("station")
    with op.batch_alter_table("broadcast_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcast_log_scheduled_start"))
        batch_op.drop_index(batch_op.f("ix_broadcast_log_schedule_id"))
        batch_op.drop_index(batch_op.f("ix_broadcast_log_programme_id"))

    op.drop_table("broadcast_log")
    with op.batch_alter_table("audio_asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audio_asset_sha256"))

    op.drop_table("audio_asset")
    _drop_enum_types("category", "assetsource", "priority", "outcome", "readingvariant", "contentstatus", "itemkind")


def _drop_enum_types(*names: str) -> None:
    """PostgreSQL keeps an enum's type when its last table goes (SQLite has none): drop them, or the next upgrade
    fails to create them again."""
    if op.get_bind().dialect.name == "postgresql":
        for name in names:
            op.execute(f"DROP TYPE IF EXISTS {name}")
