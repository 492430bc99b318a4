"""Scheduling: saving schedules under the station's rules, and listing their airings.

:class:`SchedulingService` is used by the CLI, the TUI and the daemon (whose timer is ``daemon.timer``). It reads
and writes through the :class:`~truyenthanh.services.unit_of_work.Store` (schedules behind their repository,
every change audited in its own transaction); it never opens a database session itself.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from truyenthanh.config import Settings
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.content import ItemRecord, ProgrammeRecord
from truyenthanh.domain.enums import ItemKind, Priority
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule import (
    CalendarRule,
    HolidayPolicy,
    Lunar,
    LunarRule,
    Misfire,
    OneOff,
    Planned,
    ProgrammeRef,
    ProgrammeSwap,
    Resolution,
    ScheduleConflictError,
    ScheduleRequest,
    ScheduleSpec,
    ZoneRef,
    describe,
    describe_targets,
    expand,
    expand_all,
    outputs,
    plan,
    resolve_conflicts,
    timing_of,
)
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import NotFoundError, ScheduleError, StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.approvals import send_new
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store, UnitOfWork

logger = logging.getLogger(__name__)


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
    calendar: CalendarRule = field(default_factory=CalendarRule)
    """Lunar days, holidays and the session start, if any."""
    targets: Targets = field(default_factory=Targets)
    """Where it airs (zones by slug)."""
    targets_text: str = "loa tại đài và mọi cụm loa"
    """Where it airs, in Vietnamese (zones by name)."""

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
            "calendar": self.calendar.to_json(),
            "targets": {
                "local": self.targets.local,
                "zones": None if self.targets.zones is None else list(self.targets.zones),
                "text": self.targets_text,
            },
        }


@dataclass(frozen=True)
class AiringInputs:
    """Everything :meth:`SchedulingService.occurrences` plans from, read in one transaction."""

    counter: int
    """The store's change counter read before these were read: while it stands, they are current."""
    specs: tuple[ScheduleSpec, ...]
    """The enabled schedules, in the order they were saved."""
    rules: StationRules
    zones: tuple[ZoneRef, ...]
    """The enabled zones, in slug order."""


@dataclass(frozen=True)
class SavedSchedule:
    """The result of :meth:`SchedulingService.save`."""

    schedule: ScheduleView
    forced: tuple[str, ...] = ()
    """Conflicts saved anyway with ``force`` (Vietnamese)."""
    note: str = ""
    """What a resolution changed (Vietnamese), e.g. the new start after ``shift``."""


class SchedulingService:
    """Schedules of one station: save (under the rules), remove, list, expand. Thread-safe.

    Every change (schedules, the station's rules) is authorised and audited with the record before and after,
    in the same transaction as the change.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        locations: Locations,
        store: Store,
        clock: Clock,
        accounts: AccountService,
    ) -> None:
        """Args:
        settings: the station's settings (its time zone).
        locations: the station's folders.
        store: where schedules, programmes, assets and the station's rules are kept.
        clock: the source of time.
        accounts: who may change schedules and content.
        """
        self._settings = settings
        self._locations = locations
        self._store = store
        self._clock = clock
        self._accounts = accounts
        self._inputs: AiringInputs | None = None
        self._inputs_lock = threading.Lock()

    @property
    def zone(self) -> ZoneInfo:
        """The station's time zone."""
        return self._settings.zone

    def rules(self) -> StationRules:
        """The station's broadcasting rules (sessions, quiet hours, weekend)."""
        with self._store.transaction() as uow:
            return uow.station.rules()

    def set_rules(self, actor: Actor, rules: StationRules) -> None:
        """Replace the station's rules (sessions, quiet hours, weekend).

        Raises:
            PermissionDeniedError: ``actor`` may not change the station's settings.
            StorageError: the station has not been initialised.
        """
        self._accounts.require(actor, Permission.MANAGE_STATION)
        with self._store.transaction() as uow:
            change = uow.station.set_rules(rules)
            if change is None:
                raise StorageError("Chưa có đài nào. Hãy chạy «truyenthanh init».")
            uow.audited(actor.username, "station.rules", change)

    # --- reading -------------------------------------------------------------------------------------------------

    def specs(self, *, include_disabled: bool = False) -> list[ScheduleSpec]:
        """Every schedule in domain form, in the order they were saved."""
        with self._store.transaction() as uow:
            found = uow.schedules.specs()
        return [s for s in found if include_disabled or s.enabled]

    def spec(self, schedule_id: int) -> ScheduleSpec:
        """One schedule in domain form (enabled or not).

        Raises:
            NotFoundError: no schedule has this id.
        """
        with self._store.transaction() as uow:
            found = uow.schedules.get(schedule_id)
        if found is None:
            raise NotFoundError(f"Không có lịch phát số {schedule_id}. Xem danh sách lịch phát đã lưu.")
        return found

    def zones(self) -> list[ZoneRef]:
        """The station's enabled loudspeaker zones (cụm loa), in slug order: what a schedule may target."""
        with self._store.transaction() as uow:
            return uow.schedules.zones()

    def _view(self, spec: ScheduleSpec, zones: list[ZoneRef] | None = None) -> ScheduleView:
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
            calendar=spec.calendar,
            targets=spec.targets,
            targets_text=describe_targets(spec.targets, self.zones() if zones is None else zones),
        )

    def schedules(self) -> list[ScheduleView]:
        """Every saved schedule (enabled or not), with its Vietnamese summary."""
        zones = self.zones()
        return [self._view(spec, zones) for spec in self.specs(include_disabled=True)]

    def get(self, schedule_id: int) -> ScheduleView:
        """One schedule.

        Raises:
            NotFoundError: no schedule has this id.
        """
        return self._view(self.spec(schedule_id))

    def occurrences(self, start: datetime, end: datetime, *, output: str | None = None) -> list[Planned]:
        """Airings of every enabled schedule starting in ``[start, end)``, placed by priority within sessions;
        each carries its schedule's targets (``occurrence.targets``: the daemon's own output airs only those with
        ``local``).

        Args:
            output: only the airings that reach this output, placed among themselves (a priority item moves
                ahead only the items of its own loudspeakers): :data:`~truyenthanh.domain.schedule.LOCAL_OUTPUT`
                for the station's own, a zone's slug for that zone; ``None``: every airing, placed together.
        """
        inputs = self.airing_inputs()
        specs = list(inputs.specs)
        if output is not None:
            specs = [s for s in specs if output in outputs(s.targets, inputs.zones)]
        rules = inputs.rules
        longest = max((s.duration_s for s in specs), default=0.0)
        # Expand beyond the window on both sides so priority placement sees whole sessions.
        margin = timedelta(seconds=longest) + timedelta(hours=6)
        planned = plan(expand_all(specs, start - margin, end + margin, self.zone, rules), rules, self.zone)
        return [p for p in planned if start <= p.start < end]

    def airing_inputs(self) -> AiringInputs:
        """The enabled schedules, the station's rules and its zones, read again only when the store's change
        counter moved since the last read (the timer asks several times a second)."""
        counter = self._store.change_counter()  # before reading: a commit in between moves it again
        with self._inputs_lock:
            cached = self._inputs
        if cached is not None and cached.counter == counter:
            return cached
        with self._store.transaction() as uow:
            specs = tuple(s for s in uow.schedules.specs() if s.enabled)
            fresh = AiringInputs(counter, specs, uow.station.rules(), tuple(uow.schedules.zones()))
        with self._inputs_lock:
            self._inputs = fresh
        return fresh

    def change_counter(self) -> int:
        """Changes whenever anyone (this process included) commits a change to the database (cheap to poll)."""
        return self._store.change_counter()

    def fingerprint(self) -> str:
        """A digest of everything that decides when airings happen; changes whenever a schedule, a programme's
        items or the station's rules change (the daemon polls it to rebuild its jobs)."""
        with self._store.transaction() as uow:
            return uow.schedules.timing_digest()

    # --- writing -------------------------------------------------------------------------------------------------

    def find_programme(self, programme: int | str) -> ProgrammeRecord:
        """A programme's own values (not its items) by id or exact title.

        Raises:
            NotFoundError: none matches.
        """
        with self._store.transaction() as uow:
            found = uow.programmes.find(programme)
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
        lunar: LunarRule | None = None,
        holidays: HolidayPolicy = HolidayPolicy.ALWAYS,
        targets: Targets | None = None,
    ) -> SavedSchedule:
        """:meth:`save` a new schedule given as keyword arguments: a shorthand for tests that set up airings
        (the CLI and the TUI build a :class:`ScheduleRequest`).

        Raises:
            As :meth:`save`; ``ScheduleError`` also when the timing is neither a one-off nor a rule with a time.
        """
        request = ScheduleRequest(
            programme=programme,
            timing=timing_of(at, rrule, time_of_day, lunar),
            priority=priority,
            misfire=misfire or Misfire(),
            session_name=session_name,
            valid_from=valid_from,
            valid_to=valid_to,
            resolve=resolve,
            holidays=holidays,
            targets=targets or Targets(),
        )
        return self.save(actor, request)

    def save(self, actor: Actor, request: ScheduleRequest, *, schedule_id: int | None = None) -> SavedSchedule:
        """Check a schedule against the other enabled ones and the station's rules, settle its conflicts as the
        request asks, and save it: as a new schedule, or as the new values (not a patch) of ``schedule_id``.

        Editing keeps the dates the schedule was told to skip (``exdates``, while it stays recurring) and whether
        it is enabled; it is not checked against itself. The schedule and any other schedules a ``replace``
        changes are written in one transaction, each audited; the daemon notices the change by itself.

        Raises:
            PermissionDeniedError: ``actor`` may not edit the schedule.
            ScheduleConflictError: conflicts and no (working) resolution; nothing is saved.
            ScheduleError: the times, the rule, the session or the targets are invalid (``field`` names which:
                ``zones`` for a zone the station does not have, ``targets`` for no output at all).
            NotFoundError: the programme or the edited schedule does not exist.
        """
        self._accounts.require(actor, Permission.EDIT_SCHEDULE)
        now = self._clock.now()
        # Checked and written in one transaction, so the conflicts settled are those of the schedules it writes over.
        with self._store.transaction() as uow:
            candidate, rules, existing, enabled = self._candidate(uow, request, schedule_id, now)
            zones = uow.schedules.zones()
            candidate = replace(candidate, targets=request.resolved_targets(zones))
            resolved = resolve_conflicts(
                candidate, existing, rules, self.zone, now, resolution=request.resolve, zones=zones
            )
            to_store = replace(resolved.candidate, enabled=enabled)
            for other_id, starts in resolved.dropped.items():
                dropped = uow.schedules.drop_airings(other_id, starts)
                if dropped is not None:
                    uow.audited(actor.username, "schedule.edit", dropped)
            if schedule_id is None:
                change = uow.schedules.add(to_store, created_by=actor.username, created_at=now)
            elif (put := uow.schedules.put(schedule_id, to_store)) is None:
                raise NotFoundError(f"Không có lịch phát số {schedule_id}.")  # removed by someone else meanwhile
            else:
                change = put
            uow.audited(actor.username, "schedule.add" if schedule_id is None else "schedule.edit", change)
            assert isinstance(change.entity_id, int)
            saved = replace(to_store, id=change.entity_id)
        return SavedSchedule(schedule=self._view(saved, zones), forced=resolved.forced, note=resolved.note)

    def _candidate(
        self, uow: UnitOfWork, request: ScheduleRequest, schedule_id: int | None, now: datetime
    ) -> tuple[ScheduleSpec, StationRules, list[ScheduleSpec], bool]:
        """The schedule a request describes (enabled, to be checked), the station's rules, the other enabled
        schedules, and whether it is to be stored enabled (an edited schedule stays as it was)."""
        programme: ProgrammeRef | None = uow.schedules.find_programme(request.programme)
        rule = request.rule()
        start_at = request.start_at(self.zone, now)
        if programme is None:
            raise NotFoundError(
                f"Không có chương trình «{request.programme}» (theo số hoặc tên chính xác).", field="programme"
            )
        rules = uow.station.rules()
        if request.session_name is not None and request.session_name not in {s.name for s in rules.sessions}:
            names = ", ".join(f"«{s.name}»" for s in rules.sessions) or "(đài chưa đặt buổi nào)"
            raise ScheduleError(f"Không có buổi «{request.session_name}». Các buổi của đài: {names}.", field="session")
        everything = uow.schedules.specs()
        edited = next((s for s in everything if s.id == schedule_id), None) if schedule_id is not None else None
        if schedule_id is not None and edited is None:
            raise NotFoundError(f"Không có lịch phát số {schedule_id}.")
        calendar = self._calendar(uow, request, rules)
        session = rules.session_named(request.session_name or "") if calendar.at_session_start else None
        if session is not None:  # the first airing at the session's start, as its season has it that day
            first_day = start_at.astimezone(self.zone).date()
            start_at = datetime.combine(first_day, session.times_on(first_day)[0], tzinfo=self.zone)
        candidate = ScheduleSpec(
            id=schedule_id,
            programme_id=programme.id,
            title=programme.title,
            duration_s=programme.duration_s,
            start_at=start_at.astimezone(UTC),
            rrule=rule,
            exdates=edited.exdates if edited is not None and (rule is not None or calendar.lunar) else (),
            valid_from=request.valid_from,
            valid_to=request.valid_to,
            priority=request.priority,
            misfire=request.misfire,
            session_name=request.session_name,
            calendar=calendar,
        )
        others = [s for s in everything if s.enabled and s.id != schedule_id]
        return candidate, rules, others, edited.enabled if edited is not None else True

    @staticmethod
    def _calendar(uow: UnitOfWork, request: ScheduleRequest, rules: StationRules) -> CalendarRule:
        """The calendar parts a request asks for, its holiday programme looked up.

        Raises:
            ScheduleError: a swap without a holiday programme, or a session start without a session.
            NotFoundError: the holiday programme does not exist (``field="holiday_programme"``).
        """
        swap: ProgrammeSwap | None = None
        if request.holidays is HolidayPolicy.SWAP:
            if request.holiday_programme is None:
                raise ScheduleError(
                    "Đổi chương trình ngày lễ cần chọn chương trình thay thế.", field="holiday_programme"
                )
            found = uow.schedules.find_programme(request.holiday_programme)
            if found is None:
                raise NotFoundError(
                    f"Không có chương trình «{request.holiday_programme}» để phát ngày lễ.", field="holiday_programme"
                )
            swap = ProgrammeSwap(found.id, found.title, found.duration_s)
        if request.at_session_start and isinstance(request.timing, OneOff):
            raise ScheduleError("«Lúc bắt đầu buổi» chỉ dùng cho lịch lặp (hằng ngày, âm lịch...).", field="session")
        if request.at_session_start and request.session_name is None:
            raise ScheduleError("«Lúc bắt đầu buổi» cần tên buổi (ví dụ «Buổi sáng»).", field="session")
        if request.at_session_start and rules.session_named(request.session_name or "") is None:
            raise ScheduleError(f"Không có buổi «{request.session_name}».", field="session")
        return CalendarRule(
            lunar=request.timing.rule if isinstance(request.timing, Lunar) else None,
            holidays=request.holidays,
            holiday_swap=swap,
            at_session_start=request.at_session_start,
        )

    def remove(self, actor: Actor, schedule_id: int) -> ScheduleView:
        """Delete a schedule (the broadcast log keeps its history).

        Raises:
            PermissionDeniedError: ``actor`` may not edit the schedule.
            NotFoundError: no schedule has this id.
        """
        self._accounts.require(actor, Permission.EDIT_SCHEDULE)
        view = self.get(schedule_id)
        with self._store.transaction() as uow:
            change = uow.schedules.remove(schedule_id)
            if change is not None:
                uow.audited(actor.username, "schedule.remove", change)
        return view

    def next_airing(self, schedule: ScheduleView) -> datetime | None:
        """The next start of a schedule after now, if any within a year."""
        now = self._clock.now()
        try:
            spec = self.spec(schedule.id)
        except NotFoundError:
            return None
        found = expand(spec, now, now + timedelta(days=366), self.zone, self.rules())
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
        with self._store.transaction() as uow:
            asset = uow.assets.get(asset_id)
            if asset is None:
                raise NotFoundError(f"Không có tệp âm thanh số {asset_id} trong thư viện.")
            record = ProgrammeRecord(
                title=title or asset.title,
                category=asset.category,
                language=asset.language,
                created_by=actor.username,
                created_at=now,
            )
            change = uow.programmes.add(record, [ItemRecord(kind=ItemKind.AUDIO, title=asset.title, asset_id=asset_id)])
            assert isinstance(change.entity_id, int)
            uow.audited(actor.username, "programme.add", change)
            send_new(uow, actor, change.entity_id, now=now)
            return change.entity_id


__all__ = [
    "AiringInputs",
    "SavedSchedule",
    "ScheduleConflictError",
    "ScheduleRequest",
    "ScheduleView",
    "SchedulingService",
]
