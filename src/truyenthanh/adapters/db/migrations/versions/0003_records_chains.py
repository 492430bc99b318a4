"""Records: chain anchors kept by triggers (SQLite or PostgreSQL); relay outages and item kind in the broadcast log

Revision ID: records_1
Revises: 0002
Create Date: 2026-11-23 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "records_1"
down_revision = "0002"
branch_labels = None
depends_on = None

CHAINS = ("broadcast_log", "audit_entry")


def _triggers(chain: str) -> list[str]:
    # The anchor follows every insert, whoever writes the row; a deleted last row leaves it pointing past
    # the end of the chain, which verification reports. SET expressions all see the row before the update.
    return [
        f"""
        CREATE TRIGGER {chain}_anchor_insert AFTER INSERT ON {chain}
        BEGIN
            INSERT INTO chain_anchor (chain, last_id, last_hash, length)
            VALUES ('{chain}', NEW.id, NEW.row_hash, 1)
            ON CONFLICT(chain) DO UPDATE SET
                length = length + 1,
                last_id = CASE WHEN NEW.id >= last_id THEN NEW.id ELSE last_id END,
                last_hash = CASE WHEN NEW.id >= last_id THEN NEW.row_hash ELSE last_hash END;
        END
        """,
        f"""
        CREATE TRIGGER {chain}_anchor_update AFTER UPDATE OF row_hash ON {chain}
        WHEN NEW.id = (SELECT last_id FROM chain_anchor WHERE chain = '{chain}')
        BEGIN
            UPDATE chain_anchor SET last_hash = NEW.row_hash WHERE chain = '{chain}';
        END
        """,
    ]


def _postgres_triggers(chain: str) -> list[str]:
    # The same two triggers in PostgreSQL's form: a trigger runs a function, and its WHEN may not hold a
    # subquery (the last-row test moves into the UPDATE). ON CONFLICT's SET must name the stored row (``a``).
    # The upsert also locks the anchor's row until commit, so concurrent appends to a chain queue there.
    return [
        f"""
        CREATE FUNCTION {chain}_anchor_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO chain_anchor AS a (chain, last_id, last_hash, length)
            VALUES ('{chain}', NEW.id, NEW.row_hash, 1)
            ON CONFLICT (chain) DO UPDATE SET
                length = a.length + 1,
                last_id = CASE WHEN NEW.id >= a.last_id THEN NEW.id ELSE a.last_id END,
                last_hash = CASE WHEN NEW.id >= a.last_id THEN NEW.row_hash ELSE a.last_hash END;
            RETURN NULL;
        END
        $$
        """,
        f"""
        CREATE TRIGGER {chain}_anchor_insert AFTER INSERT ON {chain}
        FOR EACH ROW EXECUTE FUNCTION {chain}_anchor_insert()
        """,
        f"""
        CREATE FUNCTION {chain}_anchor_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE chain_anchor SET last_hash = NEW.row_hash WHERE chain = '{chain}' AND last_id = NEW.id;
            RETURN NULL;
        END
        $$
        """,
        f"""
        CREATE TRIGGER {chain}_anchor_update AFTER UPDATE OF row_hash ON {chain}
        FOR EACH ROW EXECUTE FUNCTION {chain}_anchor_update()
        """,
    ]


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "chain_anchor",
        sa.Column("chain", sa.String(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain"),
    )
    with op.batch_alter_table("broadcast_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "item_kind",
                sa.Enum("AUDIO", "ANNOUNCEMENT", "JINGLE", "SILENCE", "RELAY", name="itemkind"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("outages", sa.JSON(), nullable=False, server_default="[]"))
    for chain in CHAINS:
        op.execute(
            f"INSERT INTO chain_anchor (chain, last_id, last_hash, length) "
            f"SELECT '{chain}', MAX(id), (SELECT row_hash FROM {chain} ORDER BY id DESC LIMIT 1), COUNT(*) "
            f"FROM {chain} HAVING COUNT(*) > 0"
        )
        for statement in _postgres_triggers(chain) if _postgres() else _triggers(chain):
            op.execute(statement)


def downgrade() -> None:
    for chain in CHAINS:
        for trigger in (f"{chain}_anchor_insert", f"{chain}_anchor_update"):
            if _postgres():
                op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {chain}")
                op.execute(f"DROP FUNCTION IF EXISTS {trigger}()")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table("broadcast_log", schema=None) as batch_op:
        batch_op.drop_column("outages")
        batch_op.drop_column("item_kind")
    op.drop_table("chain_anchor")
