"""The broadcast log (nhật ký phát thanh): append-only and hash-chained.

Every row the daemon writes goes through :meth:`BroadcastLogService.append`, which appends it through the unit
of work's broadcast log repository (``prev_hash``/``row_hash`` over
:func:`truyenthanh.domain.records.broadcast_content`). Rows are never updated or deleted.
"""

from __future__ import annotations

from datetime import datetime

from truyenthanh.domain.broadcast_log import LogEntry, LoggedBroadcast
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store


class BroadcastLogService:
    """Appends to and reads the broadcast log. Thread-safe; several processes may append at once."""

    def __init__(self, *, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def append(self, entry: LogEntry) -> LoggedBroadcast:
        """Write one row at the end of the chain and return it (with its id and hashes).

        Several processes may append at once: the chain takes SQLite's write lock before reading its tail.

        Raises:
            StorageError: the database cannot be written.
        """
        recorded_at = self._clock.now()
        with self._store.transaction() as uow:
            return uow.broadcast_log.append(entry, recorded_at=recorded_at)

    def rows(self, start: datetime | None = None, end: datetime | None = None) -> list[LoggedBroadcast]:
        """Rows in chain order whose scheduled (or, failing that, actual) start falls in ``[start, end)``."""
        with self._store.transaction() as uow:
            found = uow.broadcast_log.rows()
        if start is None and end is None:
            return found

        def moment(row: LoggedBroadcast) -> datetime | None:
            return row.scheduled_start or row.actual_start or row.recorded_at

        return [
            row
            for row in found
            if (m := moment(row)) is not None and (start is None or m >= start) and (end is None or m < end)
        ]

    def logged_keys(self, since: datetime) -> set[tuple[int, datetime]]:
        """``(schedule_id, scheduled_start)`` of every row about a scheduled airing since ``since``."""
        with self._store.transaction() as uow:
            return uow.broadcast_log.logged_keys(since)


__all__ = ["BroadcastLogService", "LogEntry", "LoggedBroadcast"]
