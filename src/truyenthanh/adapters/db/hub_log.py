"""The hub's copy of its stations' broadcast logs (issue 19): rows stored once, in each station's chain order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, text
from sqlmodel import Session, col, select

from truyenthanh.adapters.db.models import HubLog
from truyenthanh.domain.hashchain import GENESIS
from truyenthanh.domain.reports import LogRow
from truyenthanh.domain.upstream import ShippedRow


class SqlHubLog:
    """The hub's log rows inside one session (see :class:`truyenthanh.services.unit_of_work.HubLogRepository`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def head(self, station: str) -> tuple[int, str]:
        """The last row held of ``station`` (``(0, GENESIS)`` when none). On PostgreSQL it first takes the station's
        advisory lock to the end of the transaction, so two hub processes storing one station's rows take turns
        (SQLite's write lock does the same there)."""
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.connection().execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"truyenthanh.hub_log.{station}"}
            )
        found = self._session.exec(
            select(HubLog.row_id, HubLog.row_hash)
            .where(HubLog.station_slug == station)
            .order_by(col(HubLog.row_id).desc())
            .limit(1)
        ).first()
        return (found[0], found[1]) if found else (0, GENESIS)

    def add(
        self,
        station: str,
        rows: Sequence[ShippedRow],
        *,
        received_at: datetime,
        moments: Sequence[datetime] | None = None,
    ) -> int:
        """Store rows the caller accepted (:func:`truyenthanh.domain.upstream.accept` after :meth:`head`) in one
        bulk ``INSERT`` (no ORM objects: building them was a third of the cost); returns how many.

        ``moments``, when given, are the rows' :attr:`LogRow.moment` as the caller already read them (one per
        row, in order), so the content is not read twice.

        Raises:
            FleetError: a row's content is unreadable (naming the row and field), when ``moments`` is not given.
            ValueError: ``moments`` is not one per row.
        """
        if not rows:
            return 0
        if moments is None:
            moments = [row.log_row().moment for row in rows]
        elif len(moments) != len(rows):
            raise ValueError(f"hub_log.add: {len(moments)} moments for {len(rows)} rows")
        values = [
            {
                "station_slug": station,
                "row_id": row.row_id,
                "prev_hash": row.prev_hash,
                "row_hash": row.row_hash,
                "moment": moment,
                "content": dict(row.content),
                "received_at": received_at,
            }
            for row, moment in zip(rows, moments, strict=True)
        ]
        table = HubLog.__table__  # type: ignore[attr-defined]
        self._session.connection().execute(insert(table), values)
        return len(rows)

    def rows(self, station: str, start: datetime, end: datetime) -> list[LogRow]:
        """``station``'s rows whose moment is in ``[start, end)`` (aware), in its chain order."""
        found = self._session.exec(
            select(HubLog.row_id, HubLog.prev_hash, HubLog.row_hash, HubLog.content)
            .where(HubLog.station_slug == station, col(HubLog.moment) >= start, col(HubLog.moment) < end)
            .order_by(col(HubLog.row_id))
        ).all()
        return [ShippedRow(row_id, prev, digest, content).log_row() for row_id, prev, digest, content in found]

    def counts(self) -> dict[str, int]:
        """How many rows the hub holds of each station."""
        found = self._session.exec(select(HubLog.station_slug, func.count()).group_by(HubLog.station_slug)).all()
        return {station: int(count) for station, count in found}
