"""The broadcast log (nhật ký phát thanh): append-only and hash-chained.

Every row the daemon writes goes through :meth:`BroadcastLogService.append`, which chains it with
:func:`truyenthanh.services.chains.append_broadcast` (``prev_hash``/``row_hash`` over
:func:`truyenthanh.domain.records.broadcast_content`). Rows are never updated or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.models import BroadcastLog
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.services import chains
from truyenthanh.services.ports import Clock


@dataclass(frozen=True)
class LogEntry:
    """What one broadcast-log row says. Instants are aware; they are stored in UTC."""

    outcome: Outcome
    programme_title: str = ""
    item_title: str = ""
    """Empty when the row is about the whole programme (a miss, a skip)."""
    item_kind: ItemKind | None = None
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
    outages: tuple[dict[str, str], ...] = ()
    """Relay outages during the item: ``{"start", "end", "cause"}``."""
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

        Several processes may append at once: the chain takes SQLite's write lock before reading its tail.

        Raises:
            StorageError: the database cannot be written.
        """
        row = BroadcastLog(
            schedule_id=entry.schedule_id,
            programme_id=entry.programme_id,
            programme_title=entry.programme_title,
            item_title=entry.item_title,
            item_kind=entry.item_kind,
            category=entry.category,
            language=entry.language,
            priority=entry.priority,
            scheduled_start=entry.scheduled_start,
            actual_start=entry.actual_start,
            end=entry.end,
            outcome=entry.outcome,
            reason=entry.reason,
            outages=list(entry.outages),
            engine=entry.engine,
            operator=entry.operator,
            approver=entry.approver,
            recorded_at=self._clock.now(),
        )
        with self._db.session() as session:
            chains.append_broadcast(session, row)
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


__all__ = ["BroadcastLogService", "LogEntry"]
