"""Scheduling: saving schedules under the station's rules, listing airings, and (in the daemon) firing them.

:class:`SchedulingService` is used by the CLI, the TUI and the daemon. :class:`AirScheduler` is the daemon's
timer: APScheduler 3.x jobs rebuilt from the database whenever the schedules change. This is the only module
that imports APScheduler (an import-linter contract checks it).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.models import (
    Announcement,
    AudioAsset,
    Programme,
    ProgrammeItem,
    Schedule,
    Station,
)
from truyenthanh.config import Settings
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.enums import ItemKind, Priority
from truyenthanh.domain.schedule import (
    ConflictReport,
    Misfire,
    Planned,
    Resolution,
    ScheduleSpec,
    check,
    describe,
    describe_moment,
    expand,
    expand_all,
    normalise_rrule,
    plan,
)
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import NotFoundError, ScheduleError, StorageError
from truyenthanh.locations import Locations
from truyenthanh.services import audit
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.approvals import ApprovalService
from truyenthanh.services.ports import Clock

logger = logging.getLogger(__name__)


class ScheduleConflictError(ScheduleError):
    """A schedule breaks the station's rules; :attr:`report` holds the conflicts and the choices."""

    def __init__(self, report: ConflictReport, zone: ZoneInfo) -> None:
        super().__init__("Không lưu lịch phát vì:\n" + report.explain(zone))
        self.report = report


@dataclass(frozen=True)
class ScheduleView:
    """A saved schedule as the CLI and the TUI show it."""

    id: int
    programme_id: int
    programme_title: str
    summary: str
    """Vietnamese recurrence summary (``Thứ Hai đến Thứ Sáu, 05:30``)."""
    start_at: datetime
    rrule: str | None
    priority: Priority
    misfire: Misfire
    session_name: str | None
    enabled: bool
    duration_s: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "programme_id": self.programme_id,
            "programme": self.programme_title,
            "summary": self.summary,
            "start_at": self.start_at.isoformat(),
            "rrule": self.rrule,
            "priority": self.priority.value,
            "misfire": str(self.misfire),
            "session": self.session_name,
            "enabled": self.enabled,
            "duration_s": round(self.duration_s, 3),
        }


@dataclass(frozen=True)
class SavedSchedule:
    """The result of :meth:`SchedulingService.add` and :meth:`SchedulingService.update`."""

    schedule: ScheduleView
    forced: tuple[str, ...] = ()
    """Conflicts saved anyway with ``force`` (Vietnamese)."""
    note: str = ""
    """What a resolution changed (Vietnamese), e.g. the new start after ``shift``."""


def programme_duration(session: Session, programme_id: int) -> float:
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


class SchedulingService:
    """Schedules of one station: add (under the rules), remove, list, expand. Thread-safe.

    Every change (schedules, the station's rules) is authorised and audited with the record before and after,
    in the same transaction as the change.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        locations: Locations,
        db: Database,
        clock: Clock,
        accounts: AccountService,
        approvals: ApprovalService,
    ) -> None:
        self._settings = settings
        self._locations = locations
        self._db = db
        self._clock = clock
        self._accounts = accounts
        self._approvals = approvals

    def _record(
        self,
        session: Session,
        actor: Actor,
        action: str,
        entity: str,
        entity_id: int | None,
        *,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        audit.record(
            session,
            at=self._clock.now(),
            actor=actor.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )

    @property
    def zone(self) -> ZoneInfo:
        """The station's time zone."""
        return self._settings.zone

    def rules(self) -> StationRules:
        """The station's broadcasting rules (sessions, quiet hours, weekend)."""
        with self._db.session() as session:
            station = session.exec(select(Station)).first()
        return StationRules.from_json(station.rules if station else None)

    def set_rules(self, actor: Actor, rules: StationRules) -> None:
        """Replace the station's rules (sessions, quiet hours, weekend).

        Raises:
            PermissionDeniedError: ``actor`` may not change the station's settings.
            StorageError: the station has not been initialised.
        """
        self._accounts.require(actor, Permission.MANAGE_STATION)
        with self._db.session() as session:
            station = session.exec(select(Station)).first()
            if station is None:
                raise StorageError("Chưa có đài nào. Hãy chạy «truyenthanh init».")
            before = audit.snapshot(station)
            station.rules = rules.to_json()
            session.add(station)
            session.flush()
            self._record(
                session, actor, "station.rules", "station", station.id, before=before, after=audit.snapshot(station)
            )

    # --- reading -------------------------------------------------------------------------------------------------

    def _spec(
        self, session: Session, row: Schedule, durations: dict[int, float], titles: dict[int, str]
    ) -> ScheduleSpec:
        if row.programme_id not in durations:
            durations[row.programme_id] = programme_duration(session, row.programme_id)
            programme = session.get(Programme, row.programme_id)
            titles[row.programme_id] = programme.title if programme else f"Chương trình {row.programme_id}"
        return ScheduleSpec(
            id=row.id,
            programme_id=row.programme_id,
            title=titles[row.programme_id],
            duration_s=durations[row.programme_id],
            start_at=row.start_at,
            rrule=row.rrule,
            exdates=tuple(datetime.fromisoformat(x).astimezone(UTC) for x in row.exdates),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            priority=row.priority,
            misfire=Misfire.parse(row.misfire),
            session_name=row.session_name,
            enabled=row.enabled,
        )

    def specs(self, *, include_disabled: bool = False) -> list[ScheduleSpec]:
        """Every schedule in domain form, in the order they were saved."""
        with self._db.session() as session:
            rows = session.exec(select(Schedule).order_by(col(Schedule.id))).all()
            durations: dict[int, float] = {}
            titles: dict[int, str] = {}
            found = [self._spec(session, row, durations, titles) for row in rows]
        return [s for s in found if include_disabled or s.enabled]

    def spec(self, schedule_id: int) -> ScheduleSpec:
        """One schedule in domain form (enabled or not).

        Raises:
            NotFoundError: no schedule has this id.
        """
        with self._db.session() as session:
            row = session.get(Schedule, schedule_id)
            if row is None:
                raise NotFoundError(
                    f"Không có lịch phát số {schedule_id}. Xem danh sách: «truyenthanh schedule list --schedules»."
                )
            return self._spec(session, row, {}, {})

    def _view(self, spec: ScheduleSpec) -> ScheduleView:
        assert spec.id is not None
        return ScheduleView(
            id=spec.id,
            programme_id=spec.programme_id,
            programme_title=spec.title,
            summary=describe(spec, self.zone),
            start_at=spec.start_at,
            rrule=spec.rrule,
            priority=spec.priority,
            misfire=spec.misfire,
            session_name=spec.session_name,
            enabled=spec.enabled,
            duration_s=spec.duration_s,
        )

    def schedules(self) -> list[ScheduleView]:
        """Every saved schedule (enabled or not), with its Vietnamese summary."""
        return [self._view(spec) for spec in self.specs(include_disabled=True)]

    def get(self, schedule_id: int) -> ScheduleView:
        """One schedule.

        Raises:
            NotFoundError: no schedule has this id.
        """
        return self._view(self.spec(schedule_id))

    def occurrences(self, start: datetime, end: datetime) -> list[Planned]:
        """Airings of every enabled schedule starting in ``[start, end)``, placed by priority within sessions."""
        specs = self.specs()
        rules = self.rules()
        longest = max((s.duration_s for s in specs), default=0.0)
        # Expand beyond the window on both sides so priority placement sees whole sessions.
        margin = timedelta(seconds=longest) + timedelta(hours=6)
        planned = plan(expand_all(specs, start - margin, end + margin, self.zone), rules, self.zone)
        return [p for p in planned if start <= p.start < end]

    def change_counter(self) -> int:
        """Changes whenever another connection commits to the database (cheap to poll)."""
        return self._db.change_counter()

    def fingerprint(self) -> str:
        """A digest of everything that decides when airings happen; changes whenever a schedule, a programme's
        items or the station's rules change (the daemon polls it to rebuild its jobs)."""
        digest = hashlib.sha256()
        with self._db.session() as session:
            for row in session.exec(select(Schedule).order_by(col(Schedule.id))):
                digest.update(row.model_dump_json().encode())
            for item in session.exec(select(ProgrammeItem).order_by(col(ProgrammeItem.id))):
                digest.update(item.model_dump_json().encode())
            station = session.exec(select(Station)).first()
            if station is not None:
                digest.update(repr(station.rules).encode())
        return digest.hexdigest()

    # --- writing -------------------------------------------------------------------------------------------------

    def find_programme(self, programme: int | str) -> Programme:
        """A programme by id or exact title.

        Raises:
            NotFoundError: none matches.
        """
        with self._db.session() as session:
            found: Programme | None = None
            if isinstance(programme, int) or str(programme).isdigit():
                found = session.get(Programme, int(programme))
            if found is None:
                found = session.exec(select(Programme).where(Programme.title == str(programme))).first()
        if found is None:
            raise NotFoundError(f"Không có chương trình «{programme}» (theo số hoặc tên chính xác).")
        return found

    def add(
        self,
        actor: Actor,
        programme: int | str,
        *,
        at: datetime | None = None,
        rrule: str | None = None,
        time_of_day: time | None = None,
        priority: Priority = Priority.NORMAL,
        misfire: Misfire | None = None,
        session_name: str | None = None,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
        resolve: Resolution | None = None,
    ) -> SavedSchedule:
        """Save a one-off (``at``) or recurring (``rrule`` + ``time_of_day``, from ``valid_from`` or today)
        schedule after checking it against the others and the station's rules.

        Args:
            actor: who saves it (recorded as its author and in the audit trail).
            resolve: what to do about conflicts; ``None`` refuses to save a schedule that has any.

        Raises:
            PermissionDeniedError: ``actor`` may not edit the schedule.
            ScheduleConflictError: conflicts and no (working) resolution; nothing is saved.
            ScheduleError: the times or the rule are invalid.
            NotFoundError: the programme does not exist.
        """
        return self._save(
            actor,
            None,
            programme,
            at=at,
            rrule=rrule,
            time_of_day=time_of_day,
            priority=priority,
            misfire=misfire,
            session_name=session_name,
            valid_from=valid_from,
            valid_to=valid_to,
            resolve=resolve,
        )

    def update(
        self,
        actor: Actor,
        schedule_id: int,
        *,
        programme: int | str | None = None,
        at: datetime | None = None,
        rrule: str | None = None,
        time_of_day: time | None = None,
        priority: Priority = Priority.NORMAL,
        misfire: Misfire | None = None,
        session_name: str | None = None,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
        resolve: Resolution | None = None,
    ) -> SavedSchedule:
        """Change a saved schedule's timing, recurrence, priority, misfire policy or session (and its programme
        if ``programme`` is given), under the same rules and checks as :meth:`add`; the schedule is not checked
        against itself. The change and any resolution are one transaction; the daemon notices it by itself.

        The arguments are the schedule's new values, as for :meth:`add` (not a patch), except ``valid_to``:
        ``None`` keeps the current end of validity. Dates it was told to skip (``exdates``) and whether it is
        enabled are kept.

        Raises:
            PermissionDeniedError: ``actor`` may not edit the schedule.
            ScheduleConflictError: conflicts and no (working) resolution; nothing is changed.
            ScheduleError: the times or the rule are invalid.
            NotFoundError: no schedule has this id, or the programme does not exist.
        """
        current = self.spec(schedule_id)
        return self._save(
            actor,
            schedule_id,
            current.programme_id if programme is None else programme,
            at=at,
            rrule=rrule,
            time_of_day=time_of_day,
            priority=priority,
            misfire=misfire,
            session_name=session_name,
            valid_from=valid_from,
            valid_to=current.valid_to if valid_to is None else valid_to,
            resolve=resolve,
        )

    def _save(
        self,
        actor: Actor,
        schedule_id: int | None,
        programme: int | str,
        *,
        at: datetime | None,
        rrule: str | None,
        time_of_day: time | None,
        priority: Priority,
        misfire: Misfire | None,
        session_name: str | None,
        valid_from: datetime | None,
        valid_to: datetime | None,
        resolve: Resolution | None,
    ) -> SavedSchedule:
        """Check and write a new schedule (``schedule_id`` ``None``) or new values for a saved one."""
        self._accounts.require(actor, Permission.EDIT_SCHEDULE)
        found = self.find_programme(programme)
        assert found.id is not None
        zone = self.zone
        now = self._clock.now()
        if (at is None) == (rrule is None):
            raise ScheduleError("Cần đúng một trong hai: --at (phát một lần) hoặc --rrule/--daily/--weekdays/--days.")
        rule = normalise_rrule(rrule) if rrule else None
        if rule is not None:
            if time_of_day is None:
                raise ScheduleError("Lịch lặp cần giờ phát: --time GG:PP.")
            first_day = (valid_from or now).astimezone(zone).date()
            start_at = datetime.combine(first_day, time_of_day, tzinfo=zone).astimezone(UTC)
        else:
            assert at is not None
            start_at = at.astimezone(UTC)
            if start_at < now - timedelta(seconds=1):
                raise ScheduleError(f"Thời điểm {start_at.astimezone(zone):%H:%M:%S %d/%m/%Y} đã qua.")
        if valid_from and valid_to and valid_to <= valid_from:
            raise ScheduleError("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
        rules = self.rules()
        if session_name is not None and session_name not in {s.name for s in rules.sessions}:
            names = ", ".join(f"«{s.name}»" for s in rules.sessions) or "(đài chưa đặt buổi nào)"
            raise ScheduleError(f"Không có buổi «{session_name}». Các buổi của đài: {names}.")
        everything = self.specs(include_disabled=True)
        edited = next((s for s in everything if s.id == schedule_id), None) if schedule_id is not None else None
        with self._db.session() as session:
            duration = programme_duration(session, found.id)
        candidate = ScheduleSpec(
            id=schedule_id,
            programme_id=found.id,
            title=found.title,
            duration_s=duration,
            start_at=start_at,
            rrule=rule,
            exdates=edited.exdates if edited is not None and rule is not None else (),
            valid_from=valid_from,
            valid_to=valid_to,
            priority=priority,
            misfire=misfire or Misfire(),
            session_name=session_name,
        )
        existing = [s for s in everything if s.enabled and s.id != schedule_id]
        report = check(candidate, existing, rules, zone, now)
        note = ""
        forced: tuple[str, ...] = ()
        exdates_for: dict[int, list[datetime]] = {}
        if report.conflicts:
            if resolve is None:
                raise ScheduleConflictError(report, zone)
            if resolve is Resolution.FORCE:
                forced = tuple(c.message for c in report.conflicts)
            elif resolve in (Resolution.SHIFT, Resolution.AFTER):
                target = report.shift_to if resolve is Resolution.SHIFT else report.after
                if target is None:
                    raise ScheduleConflictError(report, zone)
                first = report.conflicts[0].occurrence.start
                candidate = replace(candidate, start_at=candidate.start_at + (target - first))
                note = f"Đã dời giờ phát sang {describe_moment(target, zone)}."
                again = check(candidate, existing, rules, zone, now)
                if again.conflicts:
                    raise ScheduleConflictError(again, zone)
            elif resolve is Resolution.REPLACE:
                if not report.replace_ids or any(c.other is None for c in report.conflicts):
                    raise ScheduleConflictError(report, zone)
                for conflict in report.conflicts:
                    assert conflict.other is not None and conflict.other.schedule_id is not None
                    exdates_for.setdefault(conflict.other.schedule_id, []).append(conflict.other.start)
                note = "Đã bỏ các lần phát bị trùng của lịch số " + ", ".join(map(str, sorted(exdates_for))) + "."
        with self._db.session() as session:
            for other_id, moments in exdates_for.items():
                other = session.get(Schedule, other_id)
                if other is None:
                    continue
                before = audit.snapshot(other)
                if other.rrule:
                    other.exdates = [*other.exdates, *(m.astimezone(UTC).isoformat() for m in moments)]
                else:
                    other.enabled = False
                session.add(other)
                session.flush()
                self._record(
                    session, actor, "schedule.edit", "schedule", other_id, before=before, after=audit.snapshot(other)
                )
            timing: dict[str, Any] = {
                "programme_id": candidate.programme_id,
                "start_at": candidate.start_at,
                "rrule": candidate.rrule,
                "exdates": [x.astimezone(UTC).isoformat() for x in candidate.exdates],
                "valid_from": valid_from,
                "valid_to": valid_to,
                "priority": priority,
                "misfire": str(candidate.misfire),
                "session_name": session_name,
            }
            if schedule_id is None:
                row = Schedule(**timing, created_by=actor.username, created_at=now)
                before_row = None
                action = "schedule.add"
            else:
                stored = session.get(Schedule, schedule_id)
                if stored is None:  # removed by someone else meanwhile
                    raise NotFoundError(f"Không có lịch phát số {schedule_id}.")
                row = stored
                before_row = audit.snapshot(row)
                for name, value in timing.items():
                    setattr(row, name, value)
                action = "schedule.edit"
            session.add(row)
            session.flush()
            self._record(session, actor, action, "schedule", row.id, before=before_row, after=audit.snapshot(row))
            saved = replace(candidate, id=row.id, enabled=row.enabled)
        return SavedSchedule(schedule=self._view(saved), forced=forced, note=note)

    def remove(self, actor: Actor, schedule_id: int) -> ScheduleView:
        """Delete a schedule (the broadcast log keeps its history).

        Raises:
            PermissionDeniedError: ``actor`` may not edit the schedule.
            NotFoundError: no schedule has this id.
        """
        self._accounts.require(actor, Permission.EDIT_SCHEDULE)
        view = self.get(schedule_id)
        with self._db.session() as session:
            row = session.get(Schedule, schedule_id)
            if row is not None:
                self._record(
                    session, actor, "schedule.remove", "schedule", schedule_id, before=audit.snapshot(row), after=None
                )
                session.delete(row)
        return view

    def next_airing(self, schedule: ScheduleView) -> datetime | None:
        """The next start of a schedule after now, if any within a year."""
        now = self._clock.now()
        try:
            spec = self.spec(schedule.id)
        except NotFoundError:
            return None
        found = expand(spec, now, now + timedelta(days=366), self.zone)
        return found[0].start if found else None

    def programme_for_asset(self, actor: Actor, asset_id: int, *, title: str | None = None) -> int:
        """Make a one-item programme that plays one library asset, sent for approval (approved at once in
        single-operator mode); returns its id.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: no asset has this id.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        now = self._clock.now()
        with self._db.session() as session:
            asset = session.get(AudioAsset, asset_id)
            if asset is None:
                raise NotFoundError(f"Không có tệp âm thanh số {asset_id} trong thư viện.")
            programme = Programme(
                title=title or asset.title,
                category=asset.category,
                language=asset.language,
                created_by=actor.username,
                created_at=now,
            )
            session.add(programme)
            session.flush()
            assert programme.id is not None
            session.add(
                ProgrammeItem(
                    programme_id=programme.id, position=0, kind=ItemKind.AUDIO, title=asset.title, asset_id=asset.id
                )
            )
            session.flush()
            self._record(
                session,
                actor,
                "programme.add",
                "programme",
                programme.id,
                before=None,
                after=audit.programme_snapshot(session, programme),
            )
            self._approvals.send_new(session, actor, programme)
            return programme.id


__all__ = [
    "SavedSchedule",
    "ScheduleConflictError",
    "ScheduleView",
    "SchedulingService",
    "programme_duration",
]
