"""What the reports read from the station database: broadcast log rows of a period, the station record and the
whole texts of emergency bulletins (see :class:`truyenthanh.services.reports.ReportSource`).

Read-only. Rows are read as plain columns (no ORM objects): a year is about 20,000 rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal
from sqlalchemy import select as select_columns
from sqlmodel import col, select

from truyenthanh.adapters.db import chains
from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.models import Announcement, BroadcastLog, Station, Zone, ZonePlay
from truyenthanh.adapters.db.types import UTCDateTime
from truyenthanh.domain.fleet_records import ZonePlayCount
from truyenthanh.domain.hashchain import anchor_text
from truyenthanh.domain.reports import LogRow, StationFacts
from truyenthanh.domain.station import StationRules

_COLUMNS: tuple[Any, ...] = (
    col(BroadcastLog.id),
    col(BroadcastLog.programme_title),
    col(BroadcastLog.item_title),
    col(BroadcastLog.item_kind),
    col(BroadcastLog.category),
    col(BroadcastLog.language),
    col(BroadcastLog.priority),
    col(BroadcastLog.scheduled_start),
    col(BroadcastLog.actual_start),
    col(BroadcastLog.end),
    col(BroadcastLog.outcome),
    col(BroadcastLog.reason),
    col(BroadcastLog.outages),
    col(BroadcastLog.operator),
    col(BroadcastLog.approver),
    col(BroadcastLog.recorded_at),
    col(BroadcastLog.schedule_id),
    col(BroadcastLog.programme_id),
)
_EMERGENCY_PREFIX = "Khẩn cấp: "
"""How the daemon titles a spoken emergency bulletin: this, then the first words of its text."""


class SqlReportSource:
    """Reads the broadcast log and the station record for the reports. Thread-safe (a session per call)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def rows(self, start: datetime, end: datetime) -> list[LogRow]:
        """Rows whose moment (scheduled, else actual start, else recording) is in ``[start, end)``, by id."""
        moment = func.coalesce(
            col(BroadcastLog.scheduled_start), col(BroadcastLog.actual_start), col(BroadcastLog.recorded_at)
        )
        query = (
            select_columns(*_COLUMNS)
            .where(moment >= literal(start, UTCDateTime()), moment < literal(end, UTCDateTime()))
            .order_by(col(BroadcastLog.id))
        )
        with self._db.session() as session:
            found = session.execute(query).all()
        return [
            LogRow(
                id=row[0] or 0,
                programme_title=row[1],
                item_title=row[2],
                item_kind=row[3],
                category=row[4],
                language=row[5],
                priority=row[6],
                scheduled_start=row[7],
                actual_start=row[8],
                end=row[9],
                outcome=row[10],
                reason=row[11],
                outages=tuple(row[12] or ()),
                operator=row[13],
                approver=row[14],
                recorded_at=row[15],
                schedule_id=row[16],
                programme_id=row[17],
            )
            for row in found
        ]

    def log_anchor(self) -> str:
        """The broadcast log's anchor as a logbook prints it (see :func:`truyenthanh.domain.hashchain.anchor_text`)."""
        with self._db.session() as session:
            return anchor_text(*chains.head_fingerprint(session, BroadcastLog))

    def zone_counts(self, start: datetime, end: datetime) -> list[ZonePlayCount]:
        """Per zone (its name), the airings its receivers reported in ``[start, end)`` (by the item's start, else
        its arrival): played when at least one item of it played, else failed. Zones by name; a zone with no
        report is left out."""
        moment = func.coalesce(col(ZonePlay.started_at), col(ZonePlay.received_at))
        query = select_columns(
            col(ZonePlay.zone_slug), col(ZonePlay.receiver_slug), col(ZonePlay.airing_id), col(ZonePlay.outcome)
        ).where(moment >= literal(start, UTCDateTime()), moment < literal(end, UTCDateTime()))
        with self._db.session() as session:
            names = {row.slug: row.name for row in session.exec(select(Zone))}
            found = session.execute(query).all()
        airings: dict[tuple[str, str, str], bool] = {}
        for zone, receiver, airing, outcome in found:
            key = (zone, receiver, airing)
            airings[key] = airings.get(key, False) or outcome in ("played", "partial")
        counts: dict[str, list[int]] = {}
        for (zone, _receiver, _airing), played in airings.items():
            counts.setdefault(names.get(zone, zone), [0, 0])[0 if played else 1] += 1
        return [ZonePlayCount(name, played, failed) for name, (played, failed) in sorted(counts.items())]

    def station(self) -> StationFacts:
        """The station's name, commune, province and rules (empty names and default rules without a record)."""
        with self._db.session() as session:
            station = session.exec(select(Station)).first()
        if station is None:
            return StationFacts(name="", commune="", province="", rules=StationRules.from_json(None))
        return StationFacts(
            name=station.name.strip(),
            commune=station.commune.strip(),
            province=station.province.strip(),
            rules=StationRules.from_json(station.rules),
        )

    def emergency_texts(self, titles: Iterable[str]) -> dict[str, str]:
        """The whole text of each emergency bulletin title the log shortened, when exactly one announcement
        starts with it (titles without such an announcement are left out)."""
        found: dict[str, str] = {}
        with self._db.session() as session:
            for title in set(titles):
                prefix = title.removeprefix(_EMERGENCY_PREFIX).strip()
                if len(prefix) < 10:
                    continue
                escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                texts = session.exec(
                    select(Announcement.text).where(col(Announcement.text).like(f"{escaped}%", escape="\\")).limit(2)
                ).all()
                if len(texts) == 1 and texts[0].strip() != title:
                    found[title] = " ".join(texts[0].split())
        return found


__all__ = ["SqlReportSource"]
