"""The broadcast log (nhật ký phát thanh): append-only and hash-chained.

Every row is written through :class:`BroadcastLogService.append`, which fills ``prev_hash`` and ``row_hash``
(:func:`truyenthanh.domain.hashchain.row_hash` over :func:`content`). Rows are never updated or deleted; an
inspector's check recomputes the chain with :func:`truyenthanh.domain.hashchain.verify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.models import BroadcastLog
from truyenthanh.domain import hashchain
from truyenthanh.domain.enums import Category, Outcome, Priority
from truyenthanh.services.ports import Clock

HASHED_FIELDS = (
    "schedule_id",
    "programme_id",
    "programme_title",
    "item_title",
    "category",
    "language",
    "priority",
    "scheduled_start",
    "actual_start",
    "end",
    "outcome",
    "reason",
    "engine",
    "operator",
    "approver",
    "recorded_at",
)
"""The columns covered by ``row_hash``: every column but ``id``, ``prev_hash`` and ``row_hash``."""


def content(row: BroadcastLog) -> dict[str, Any]:
    """The part of a row its hash covers (see :data:`HASHED_FIELDS`)."""
    return {name: getattr(row, name) for name in HASHED_FIELDS}


@dataclass(frozen=True)
class LogEntry:
    """What one broadcast-log row says. Instants are aware; they are stored in UTC."""

    outcome: Outcome
    programme_title: str = ""
    item_title: str = ""
    """Empty when the row is about the whole programme (a miss, a skip)."""
    schedule_id: int | None = None
    programme_id: int | None = None
    category: Category | None = None
    language: str = "vi"
    priority: Priority = Priority.NORMAL
    scheduled_start: datetime | None = None
    actual_start: datetime | None = None
    """When the first sample reached the output, to the millisecond."""
    end: datetime | None = None
    reason: str = ""
    """Vietnamese explanation (why late, missed, cut or failed)."""
    engine: str | None = None
    """Speech engine of a spoken item."""
    operator: str | None = None
    approver: str | None = None


class BroadcastLogService:
    """Appends to and reads the broadcast log. Thread-safe; several processes may append at once."""

    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def append(self, entry: LogEntry) -> BroadcastLog:
        """Write one row at the end of the chain and return it (with its id and hashes).

        The row is chained inside an immediate (write-locked) transaction so two writers can never give two
        rows the same predecessor.

        Raises:
            StorageError: the database cannot be written.
        """
        with self._db.session() as session:
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            last = session.exec(select(BroadcastLog.row_hash).order_by(col(BroadcastLog.id).desc()).limit(1)).first()
            row = BroadcastLog(
                schedule_id=entry.schedule_id,
                programme_id=entry.programme_id,
                programme_title=entry.programme_title,
                item_title=entry.item_title,
                category=entry.category,
                language=entry.language,
                priority=entry.priority,
                scheduled_start=entry.scheduled_start,
                actual_start=entry.actual_start,
                end=entry.end,
                outcome=entry.outcome,
                reason=entry.reason,
                engine=entry.engine,
                operator=entry.operator,
                approver=entry.approver,
                recorded_at=self._clock.now(),
            )
            # Hash what the database will give back: UTC, microseconds.
            for name in ("scheduled_start", "actual_start", "end", "recorded_at"):
                value = getattr(row, name)
                if value is not None:
                    setattr(row, name, value.astimezone(UTC))
            row.prev_hash = last or hashchain.GENESIS
            row.row_hash = hashchain.row_hash(row.prev_hash, content(row))
            session.add(row)
        return row

    def rows(self, start: datetime | None = None, end: datetime | None = None) -> list[BroadcastLog]:
        """Rows in chain order whose scheduled (or, failing that, actual) start falls in ``[start, end)``."""
        with self._db.session() as session:
            query = select(BroadcastLog).order_by(col(BroadcastLog.id))
            found = list(session.exec(query))
        if start is None and end is None:
            return found

        def moment(row: BroadcastLog) -> datetime | None:
            return row.scheduled_start or row.actual_start or row.recorded_at

        return [
            row
            for row in found
            if (m := moment(row)) is not None and (start is None or m >= start) and (end is None or m < end)
        ]

    def logged_keys(self, since: datetime) -> set[tuple[int, datetime]]:
        """``(schedule_id, scheduled_start)`` of every row about a scheduled airing since ``since``."""
        with self._db.session() as session:
            query = select(BroadcastLog.schedule_id, BroadcastLog.scheduled_start).where(
                col(BroadcastLog.scheduled_start) >= since, col(BroadcastLog.schedule_id).is_not(None)
            )
            return {(sid, at) for sid, at in session.exec(query) if sid is not None and at is not None}

    def verify(self) -> hashchain.ChainBreak | None:
        """Check the whole chain; ``None`` when every row verifies."""
        return hashchain.verify((row.id, row.prev_hash, row.row_hash, content(row)) for row in self.rows())


__all__ = ["HASHED_FIELDS", "BroadcastLogService", "LogEntry", "content"]
