"""The broadcast log in the database: appending chained rows and reading them back as domain values."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from truyenthanh.adapters.db import chains
from truyenthanh.adapters.db.models import BroadcastLog
from truyenthanh.domain.broadcast_log import LogEntry, LoggedBroadcast
from truyenthanh.domain.enums import Outcome
from truyenthanh.domain.records import ChainReport, broadcast_content
from truyenthanh.domain.upstream import ShippedRow
from truyenthanh.errors import TamperedRecordError

_ENTRY_FIELDS = tuple(f.name for f in dataclasses.fields(LogEntry))


def logged(row: BroadcastLog) -> LoggedBroadcast:
    """A stored row in domain form."""
    values = {name: getattr(row, name) for name in _ENTRY_FIELDS}
    values["outages"] = tuple(row.outages or ())
    return LoggedBroadcast(
        **values, id=row.id or 0, recorded_at=row.recorded_at, prev_hash=row.prev_hash, row_hash=row.row_hash
    )


class SqlBroadcastLog:
    """The broadcast log inside one session (see :class:`truyenthanh.services.unit_of_work.BroadcastLogRepository`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, entry: LogEntry, *, recorded_at: datetime) -> LoggedBroadcast:
        """Write one row at the end of the chain (SQLite's write lock is taken before its tail is read)."""
        values = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
        values["outages"] = list(entry.outages)
        row = chains.append_broadcast(self._session, BroadcastLog(**values, recorded_at=recorded_at))
        return logged(row)

    def rows(self) -> list[LoggedBroadcast]:
        """Every row in chain order.

        Raises:
            TamperedRecordError: a row holds a value the program never writes (it names the row and field).
        """
        try:
            return [logged(row) for row in self._session.exec(select(BroadcastLog).order_by(col(BroadcastLog.id)))]
        except chains.UNREADABLE as exc:
            self._session.expunge_all()
            why = self._first_unreadable(exc)
        raise TamperedRecordError(
            f"Nhật ký phát thanh trong {self._session.get_bind().engine.url.database}, {why}: dữ liệu đã bị sửa "
            "ngoài chương trình. Chạy «truyenthanh audit verify» để xem mọi chỗ bị can thiệp."
        )

    def after(self, row_id: int, limit: int) -> list[ShippedRow]:
        """Up to ``limit`` rows after ``row_id``, in chain order, with their hashed content made JSON-ready."""
        found = self._session.exec(
            select(BroadcastLog).where(col(BroadcastLog.id) > row_id).order_by(col(BroadcastLog.id)).limit(limit)
        ).all()
        return [ShippedRow(row.id or 0, row.prev_hash, row.row_hash, broadcast_content(row)) for row in found]

    def misses_since(self, instant: datetime) -> int:
        """How many rows record a missed airing at or after ``instant`` (one counting query)."""
        query = select(func.count()).where(
            col(BroadcastLog.outcome) == Outcome.MISSED, col(BroadcastLog.recorded_at) >= instant
        )
        return int(self._session.exec(query).one())

    def _first_unreadable(self, exc: Exception) -> str:
        """The first row that cannot be read back, and why."""
        ids = self._session.connection().execute(text("SELECT id FROM broadcast_log ORDER BY id")).scalars()
        for row_id in ids.all():
            try:
                self._session.exec(select(BroadcastLog).where(BroadcastLog.id == row_id)).one()
            except chains.UNREADABLE as error:
                return chains.unreadable(self._session, BroadcastLog, row_id, error)
        return f"không đọc được ({exc})"

    def logged_keys(self, since: datetime) -> set[tuple[int, datetime]]:
        """``(schedule_id, scheduled_start)`` of every row about a scheduled airing since ``since``."""
        query = select(BroadcastLog.schedule_id, BroadcastLog.scheduled_start).where(
            col(BroadcastLog.scheduled_start) >= since, col(BroadcastLog.schedule_id).is_not(None)
        )
        return {(sid, at) for sid, at in self._session.exec(query) if sid is not None and at is not None}

    def check(self) -> ChainReport:
        """Check the whole broadcast log chain against its hashes and its anchor."""
        return chains.check(self._session, BroadcastLog)

    def head(self, up_to: int | None = None) -> tuple[int, str]:
        """See :func:`truyenthanh.adapters.db.chains.head_fingerprint`."""
        return chains.head_fingerprint(self._session, BroadcastLog, up_to)


__all__ = ["SqlBroadcastLog", "logged"]
