"""Appending to and checking the two hash chains in the database: the broadcast log and the audit trail.

The pure chain logic (what is hashed, how a whole chain is judged) is in :mod:`truyenthanh.domain.records`; this
module reads and writes the rows.

Append inside the caller's session so the new row commits (or rolls back) with the change it records.
The row is inserted first, which takes SQLite's write lock; only then is the previous row read, so two
processes appending at once cannot both link to the same predecessor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

from truyenthanh.adapters.db.models import AuditEntry, BroadcastLog, ChainAnchor
from truyenthanh.domain import records
from truyenthanh.domain.hashchain import GENESIS, row_hash
from truyenthanh.domain.records import ChainReport

Row = TypeVar("Row", BroadcastLog, AuditEntry)

_CONTENT: dict[type[SQLModel], Callable[[Any], dict[str, Any]]] = {
    BroadcastLog: records.broadcast_content,
    AuditEntry: records.audit_content,
}
_CHAIN_OF: dict[type[SQLModel], str] = {BroadcastLog: records.BROADCAST_CHAIN, AuditEntry: records.AUDIT_CHAIN}
_VERIFY_BATCH = 2000


def append(session: Session, row: Row) -> Row:
    """Append ``row`` (a new :class:`BroadcastLog` or :class:`AuditEntry`) to its chain in ``session``.

    Sets ``id``, ``prev_hash`` and ``row_hash``; the caller's session commits it. Datetimes must be aware.
    """
    model = type(row)
    row.prev_hash = ""
    row.row_hash = ""
    session.add(row)
    session.flush()
    previous = session.exec(
        select(model.row_hash).where(col(model.id) < row.id).order_by(col(model.id).desc()).limit(1)
    ).first()
    row.prev_hash = previous or GENESIS
    row.row_hash = row_hash(row.prev_hash, _CONTENT[model](row))
    session.add(row)
    session.flush()
    return row


def append_broadcast(session: Session, row: BroadcastLog) -> BroadcastLog:
    """Append one broadcast log row (the daemon's path for every broadcast and every miss)."""
    return append(session, row)


def _rows(session: Session, model: type[Row]) -> Iterator[tuple[int, str, str, Mapping[str, Any]]]:
    content = _CONTENT[model]
    last = None
    while True:
        query = select(model).order_by(col(model.id)).limit(_VERIFY_BATCH)
        if last is not None:
            query = query.where(col(model.id) > last)
        batch = session.exec(query).all()
        if not batch:
            return
        for row in batch:
            assert row.id is not None
            yield row.id, row.prev_hash, row.row_hash, content(row)
        last = batch[-1].id
        session.expunge_all()


def check(session: Session, model: type[Row]) -> ChainReport:
    """Check one whole chain against its hashes and its anchor (reads in batches; memory stays flat)."""
    chain = _CHAIN_OF[model]
    stored = session.get(ChainAnchor, chain)
    anchor = None if stored is None else records.ChainAnchor(stored.last_id, stored.last_hash, stored.length)
    count, problems = records.check_chain(_rows(session, model), anchor)
    triggers = set(
        session.connection()
        .execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :chain"), {"chain": chain})
        .scalars()
    )
    guarded = {f"{chain}_anchor_insert", f"{chain}_anchor_update"} <= triggers
    return ChainReport(chain=chain, rows=count, problems=problems, guarded=guarded)


__all__ = ["ChainReport", "append", "append_broadcast", "check"]
