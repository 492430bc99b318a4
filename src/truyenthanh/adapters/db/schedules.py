"""Schedules and the station's rules in the SQLite database: the one mapping between a :class:`ScheduleSpec` and
its :class:`~truyenthanh.adapters.db.models.Schedule` row, and the repositories that read and write them inside
one session (a unit of work's).

Writes return a :class:`~truyenthanh.domain.changes.RecordChange` (the row before and after) for the audit
trail; they flush, they never commit: the unit of work does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from truyenthanh.adapters.db.models import (
    Announcement,
    AudioAsset,
    Programme,
    ProgrammeItem,
    Schedule,
    Station,
    Zone,
)
from truyenthanh.domain import records
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule import CalendarRule, Misfire, ProgrammeRef, ProgrammeSwap, ScheduleSpec, ZoneRef
from truyenthanh.domain.station import StationRules


def _programme_duration(session: Session, programme_id: int) -> float:
    """Length of a programme in seconds: its items' lengths less the crossfades between them.

    Announcements not rendered yet count as zero; they are rendered ahead of air.
    """
    total = 0.0
    items = session.exec(
        select(ProgrammeItem).where(ProgrammeItem.programme_id == programme_id).order_by(col(ProgrammeItem.position))
    ).all()
    for index, item in enumerate(items):
        length = item.duration_s
        if length is None and item.asset_id is not None:
            asset = session.get(AudioAsset, item.asset_id)
            length = asset.duration_s if asset else 0.0
        if length is None and item.announcement_id is not None:
            announcement = session.get(Announcement, item.announcement_id)
            asset = session.get(AudioAsset, announcement.asset_id) if announcement and announcement.asset_id else None
            length = asset.duration_s if asset else 0.0
        total += (length or 0.0) - (item.crossfade_s if index else 0.0)
    return max(0.0, total)


def spec_of(row: Schedule, programme: ProgrammeRef | None, swap: ProgrammeRef | None = None) -> ScheduleSpec:
    """A stored schedule in domain form (``programme``: the one it plays, if it still exists; ``swap``: the one it
    plays on holidays instead, if it names one)."""
    holiday = ProgrammeSwap(swap.id, swap.title, swap.duration_s) if swap is not None else None
    return ScheduleSpec(
        id=row.id,
        programme_id=row.programme_id,
        title=programme.title if programme else f"Chương trình {row.programme_id}",
        duration_s=programme.duration_s if programme else 0.0,
        start_at=row.start_at,
        rrule=row.rrule,
        exdates=tuple(datetime.fromisoformat(x).astimezone(UTC) for x in row.exdates),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        priority=row.priority,
        misfire=Misfire.parse(row.misfire),
        session_name=row.session_name,
        enabled=row.enabled,
        calendar=CalendarRule.from_json(row.calendar, holiday),
        targets=Targets(local=row.target_local, zones=None if row.target_zones is None else tuple(row.target_zones)),
    )


def write_spec(row: Schedule, spec: ScheduleSpec) -> Schedule:
    """Copy a schedule's domain values onto its row (not its id, package, author or creation time)."""
    row.programme_id = spec.programme_id
    row.start_at = spec.start_at.astimezone(UTC)
    row.rrule = spec.rrule
    row.exdates = [moment.astimezone(UTC).isoformat() for moment in spec.exdates]
    row.valid_from = spec.valid_from
    row.valid_to = spec.valid_to
    row.priority = spec.priority
    row.misfire = str(spec.misfire)
    row.session_name = spec.session_name
    row.enabled = spec.enabled
    row.calendar = spec.calendar.to_json()
    row.target_local = spec.targets.local
    row.target_zones = None if spec.targets.zones is None else list(spec.targets.zones)
    return row


def new_row(spec: ScheduleSpec, *, created_by: str, created_at: datetime, package_id: str | None = None) -> Schedule:
    """A new row for a schedule (``package_id``: the package or calendar import it came from)."""
    return write_spec(
        Schedule(
            programme_id=spec.programme_id,
            start_at=spec.start_at,
            package_id=package_id,
            created_by=created_by,
            created_at=created_at,
        ),
        spec,
    )


def snapshot(row: SQLModel) -> dict[str, Any]:
    """A JSON-ready copy of a row for the audit trail (the same form ``services.audit.snapshot`` gives)."""
    data = records.plain(row.model_dump())
    assert isinstance(data, dict)
    return data


class SqlScheduleRepository:
    """The station's schedules inside one session (see :class:`truyenthanh.services.unit_of_work.ScheduleRepository`
    for the contract)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._programmes: dict[int, ProgrammeRef | None] = {}

    def programme(self, programme_id: int) -> ProgrammeRef | None:
        """A programme by id, with its length (cached for the session's life)."""
        if programme_id not in self._programmes:
            row = self._session.get(Programme, programme_id)
            self._programmes[programme_id] = (
                None
                if row is None
                else ProgrammeRef(
                    programme_id, row.title, _programme_duration(self._session, programme_id), row.category.label
                )
            )
        return self._programmes[programme_id]

    def find_programme(self, programme: int | str) -> ProgrammeRef | None:
        """A programme by id (a number, or digits) or else by exact title."""
        if isinstance(programme, int) or str(programme).isdigit():
            found = self.programme(int(programme))
            if found is not None:
                return found
        row = self._session.exec(select(Programme).where(Programme.title == str(programme))).first()
        return self.programme(row.id) if row is not None and row.id is not None else None

    def programmes(self) -> list[ProgrammeRef]:
        """Every programme of the station, in id order."""
        ids = self._session.exec(select(Programme.id).order_by(col(Programme.id))).all()
        return [ref for pid in ids if pid is not None and (ref := self.programme(pid)) is not None]

    def zones(self) -> list[ZoneRef]:
        """The station's enabled zones (cụm loa), in slug order (Vietnamese letters sort right that way): what
        "every zone" of a schedule's targets means."""
        rows = self._session.exec(select(Zone).where(col(Zone.enabled)).order_by(col(Zone.slug))).all()
        return [ZoneRef(row.slug, row.name) for row in rows]

    def specs(self) -> list[ScheduleSpec]:
        """Every schedule (enabled or not), in the order they were saved."""
        rows = self._session.exec(select(Schedule).order_by(col(Schedule.id))).all()
        return [self._spec(row) for row in rows]

    def _spec(self, row: Schedule) -> ScheduleSpec:
        swap_id = (row.calendar or {}).get("holiday_programme_id")
        swap = self.programme(int(swap_id)) if swap_id else None
        return spec_of(row, self.programme(row.programme_id), swap)

    def get(self, schedule_id: int) -> ScheduleSpec | None:
        """One schedule, or ``None``."""
        row = self._session.get(Schedule, schedule_id)
        return self._spec(row) if row is not None else None

    def origins(self) -> dict[int, str | None]:
        """The package (or calendar import) each schedule came from, by schedule id."""
        rows = self._session.exec(select(Schedule)).all()
        return {row.id: row.package_id for row in rows if row.id is not None}

    def add(
        self, spec: ScheduleSpec, *, created_by: str, created_at: datetime, package_id: str | None = None
    ) -> RecordChange:
        """Store a new schedule; the change's ``entity_id`` is its new id."""
        row = new_row(spec, created_by=created_by, created_at=created_at, package_id=package_id)
        self._session.add(row)
        self._session.flush()
        return RecordChange("schedule", row.id, None, snapshot(row))

    def put(self, schedule_id: int, spec: ScheduleSpec) -> RecordChange | None:
        """Replace a saved schedule's values with ``spec``'s; ``None`` if it no longer exists."""
        row = self._session.get(Schedule, schedule_id)
        if row is None:
            return None
        before = snapshot(row)
        self._session.add(write_spec(row, spec))
        self._session.flush()
        return RecordChange("schedule", schedule_id, before, snapshot(row))

    def drop_airings(self, schedule_id: int, starts: Iterable[datetime]) -> RecordChange | None:
        """Skip some airings of a schedule: a recurring one gains them as exception dates, a one-off is
        disabled. ``None`` if it no longer exists."""
        row = self._session.get(Schedule, schedule_id)
        if row is None:
            return None
        before = snapshot(row)
        if row.rrule or (row.calendar or {}).get("lunar"):
            row.exdates = [*row.exdates, *(m.astimezone(UTC).isoformat() for m in starts)]
        else:
            row.enabled = False
        self._session.add(row)
        self._session.flush()
        return RecordChange("schedule", schedule_id, before, snapshot(row))

    def remove(self, schedule_id: int) -> RecordChange | None:
        """Delete a schedule; ``None`` if it did not exist."""
        row = self._session.get(Schedule, schedule_id)
        if row is None:
            return None
        change = RecordChange("schedule", schedule_id, snapshot(row), None)
        self._session.delete(row)
        self._session.flush()
        return change

    def timing_digest(self) -> str:
        """A digest of everything that decides when airings happen: every schedule, every programme item and
        the station's rules."""
        digest = hashlib.sha256()
        for row in self._session.exec(select(Schedule).order_by(col(Schedule.id))):
            digest.update(row.model_dump_json().encode())
        for item in self._session.exec(select(ProgrammeItem).order_by(col(ProgrammeItem.id))):
            digest.update(item.model_dump_json().encode())
        station = self._session.exec(select(Station)).first()
        if station is not None:
            digest.update(repr(station.rules).encode())
        return digest.hexdigest()


class SqlStationRepository:
    """The station's own record inside one session: its rules and identity."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def identity(self) -> tuple[int, str, datetime] | None:
        """The station's id, name and creation time; ``None`` before ``truyenthanh init``."""
        station = self._session.exec(select(Station)).first()
        if station is None or station.id is None:
            return None
        return station.id, station.name, station.created_at

    def rules(self) -> StationRules:
        """The station's broadcasting rules (the defaults before ``truyenthanh init``)."""
        station = self._session.exec(select(Station)).first()
        return StationRules.from_json(station.rules if station else None)

    def set_rules(self, rules: StationRules) -> RecordChange | None:
        """Replace the station's rules; ``None`` if the station has not been initialised."""
        station = self._session.exec(select(Station)).first()
        if station is None:
            return None
        before = snapshot(station)
        station.rules = rules.to_json()
        self._session.add(station)
        self._session.flush()
        return RecordChange("station", station.id, before, snapshot(station))


__all__ = [
    "SqlScheduleRepository",
    "SqlStationRepository",
    "new_row",
    "snapshot",
    "spec_of",
    "write_spec",
]
