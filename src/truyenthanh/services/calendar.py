"""iCalendar (RFC 5545) export and import of the station's schedule, with the ``icalendar`` library, so an editor
can plan in an ordinary calendar application.

Export writes one VEVENT per schedule: DTSTART in the station's zone (with its VTIMEZONE), DURATION of the
programme, RRULE, EXDATE, PRIORITY (1 emergency, 5 priority, 9 normal) and ``X-TRUYENTHANH-*`` properties that
carry what calendars have no field for (programme id, session, misfire policy, validity). Import reads such a
file (or one made by hand in a calendar app): each event names a programme of the station by its title (or by
``X-TRUYENTHANH-PROGRAMME``); all problems are reported at once and nothing is written unless every event is
usable; re-importing the same event (same UID) replaces the schedules it made before.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from truyenthanh import __version__
from truyenthanh.config import Settings
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.enums import Priority
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule import (
    CalendarRule,
    Misfire,
    ProgrammeRef,
    ProgrammeSwap,
    ScheduleSpec,
    ZoneRef,
    check,
    describe,
    expand,
    format_targets,
    normalise_rrule,
    parse_targets,
    resolve_targets,
)
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import PermissionDeniedError, ScheduleError
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.packages import ConflictChoice, retire_schedules
from truyenthanh.services.ports import Clock
from truyenthanh.services.scheduling import SchedulingService
from truyenthanh.services.unit_of_work import Store, UnitOfWork

ICS_PREFIX = "ics:"
"""``Schedule.package_id`` of schedules imported from a calendar: the prefix and a digest of the event's UID."""
_OWN_UID = re.compile(r"^schedule-(\d+)-([0-9a-f]{12})@truyenthanh$")
"""UIDs this program exports (schedule id, station token): importing such an event back into the same station
updates that schedule (calendar round trip); at another station it is a new event like any other."""


def _station_token(station: tuple[int, str, datetime] | None) -> str:
    """Twelve hex digits that tell this station's exports from another's (``station``: id, name, creation)."""
    seed = f"{station[0]}|{station[1]}|{station[2].isoformat()}" if station else "?"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:12]


_PRIORITY_TO_ICS = {Priority.EMERGENCY: 1, Priority.PRIORITY: 5, Priority.NORMAL: 9}


def _ics_id(uid: str) -> str:
    return ICS_PREFIX + hashlib.sha256(uid.encode("utf-8")).hexdigest()[:32]


def _priority_from_ics(value: Any) -> Priority:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return Priority.NORMAL
    if number == 1:
        return Priority.EMERGENCY
    if 2 <= number <= 5:
        return Priority.PRIORITY
    return Priority.NORMAL


@dataclass(frozen=True)
class CalendarImport:
    """What importing a calendar file did (or, for a dry run, would do)."""

    schedules: tuple[str, ...]
    """Vietnamese summaries of the schedules read from the file, in file order."""
    schedule_ids: tuple[int, ...] = ()
    replaced: int = 0
    """Schedules from an earlier import of the same events that were replaced."""
    skipped: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    """Vietnamese descriptions of conflicts with the station's schedule and rules."""
    imported: bool = False

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "imported": self.imported,
            "schedules": list(self.schedules),
            "schedule_ids": list(self.schedule_ids),
            "replaced": self.replaced,
            "skipped": list(self.skipped),
            "conflicts": list(self.conflicts),
        }


@dataclass
class _Candidate:
    uid: str
    label: str
    spec: ScheduleSpec
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class _ImportPlan:
    """A calendar file read and checked, ready to write."""

    candidates: list[_Candidate]
    package_ids: set[str]
    """The origin marks (``ics:...``) of the file's events."""
    own: dict[str, int]
    """Events this station exported: schedule id by UID."""
    updated: set[int]
    """Schedules that events exported from them update in place."""
    previous: set[int]
    """Schedules an earlier import of the same events made (retired)."""


class CalendarService:
    """Exports the station's schedule as iCalendar and imports schedules from iCalendar files."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        clock: Clock,
        scheduling: SchedulingService,
        accounts: AccountService,
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._scheduling = scheduling
        self._accounts = accounts

    def export_ics(self) -> bytes:
        """Every schedule of the station as an iCalendar document (UTF-8 bytes)."""
        calendar = Calendar()
        calendar.add("prodid", f"-//truyenthanh {__version__}//VI")
        calendar.add("version", "2.0")
        with self._store.transaction() as uow:
            station = uow.station.identity()
            specs = uow.schedules.specs()
            rules = uow.station.rules()
            programmes = {spec.programme_id: uow.schedules.programme(spec.programme_id) for spec in specs}
        token = _station_token(station)
        calendar.add("x-wr-calname", station[1] if station else "Lịch phát")
        calendar.add("x-wr-timezone", self._settings.timezone)
        for spec in specs:
            calendar.add_component(self._event(spec, programmes[spec.programme_id], token, rules))
        calendar.add_missing_timezones()
        document: bytes = calendar.to_ical()
        return document

    def _event(self, spec: ScheduleSpec, programme: ProgrammeRef | None, token: str, rules: StationRules) -> Event:
        """One schedule as a VEVENT."""
        zone = self._settings.zone
        assert spec.id is not None
        event = Event()
        event.add("uid", f"schedule-{spec.id}-{token}@truyenthanh")
        event.add("dtstamp", self._clock.now())
        event.add("summary", spec.title)
        event.add("dtstart", spec.start_at.astimezone(zone))
        event.add("duration", timedelta(seconds=round(max(spec.duration_s, 1.0))))
        calendar = spec.calendar.to_json()
        if calendar is not None:
            self._expanded(event, spec, calendar, rules)
        elif spec.rrule:
            event.add("rrule", vRecur.from_ical(_with_until(spec.rrule, spec.valid_to)))
        for moment in spec.exdates:
            event.add("exdate", moment.astimezone(zone))
        event.add("priority", _PRIORITY_TO_ICS[spec.priority])
        if programme is not None:
            event.add("categories", [programme.category_label])
        event.add("x-truyenthanh-programme", str(spec.programme_id))
        event.add("x-truyenthanh-priority", spec.priority.value)
        event.add("x-truyenthanh-misfire", str(spec.misfire))
        if spec.session_name:
            event.add("x-truyenthanh-session", spec.session_name)
        if spec.valid_from:
            event.add("x-truyenthanh-valid-from", spec.valid_from.isoformat())
        if spec.valid_to:
            event.add("x-truyenthanh-valid-to", spec.valid_to.isoformat())
        event.add("x-truyenthanh-targets", format_targets(spec.targets))
        if not spec.enabled:
            event.add("status", "CANCELLED")
        return event

    def _expanded(self, event: Event, spec: ScheduleSpec, calendar: dict[str, Any], rules: StationRules) -> None:
        """A lunar, holiday or seasonal schedule as explicit dates (RDATE) for the coming years, which calendar
        apps cannot compute themselves; the rule itself rides along for our own import."""
        zone = self._settings.zone
        now = self._clock.now()
        until = now + EXPANSION_HORIZON
        airings = expand(spec, now, until, zone, rules)
        event.add(
            "comment",
            f"{describe(spec, zone)}. Lịch này theo âm lịch, ngày lễ hoặc giờ theo mùa: các lần phát đã được mở rộng "
            f"thành ngày cụ thể đến {until.astimezone(zone):%d/%m/%Y}.",
        )
        if airings:
            event.pop("dtstart")
            event.add("dtstart", airings[0].start.astimezone(zone))
            if len(airings) > 1:
                event.add("rdate", [a.start.astimezone(zone) for a in airings[1:]])
        event.add("x-truyenthanh-calendar", json.dumps(calendar, ensure_ascii=False, sort_keys=True))
        event.add("x-truyenthanh-start", spec.start_at.isoformat())
        if spec.rrule:
            event.add("x-truyenthanh-rrule", spec.rrule)

    def import_ics(
        self,
        raw: bytes,
        source: str,
        *,
        actor: Actor | None = None,
        choice: ConflictChoice = ConflictChoice.REFUSE,
        dry_run: bool = False,
    ) -> CalendarImport:
        """Add the schedules of an iCalendar file, all in one transaction, for ``actor`` (each schedule added or
        changed is audited with its record before and after). A ``dry_run`` needs no actor.

        Raises:
            PermissionDeniedError: ``actor`` may not edit the schedule, or is missing for a real import.
            ScheduleError: the file cannot be read, an event is unusable (every problem listed), or there are
                conflicts and ``choice`` is ``refuse``; nothing is written.
        """
        now = self._clock.now()
        plan = self._plan(raw, source, now)
        conflicts = tuple(f"{c.label}: {m}" for c in plan.candidates for m in c.conflicts)
        summaries = tuple(c.label for c in plan.candidates)
        replaced = len(plan.previous) + len(plan.updated)
        if dry_run:
            return CalendarImport(schedules=summaries, conflicts=conflicts, replaced=replaced)
        if actor is None:
            raise PermissionDeniedError("Nhập lịch cần biết ai nhập: hãy đăng nhập.")
        self._accounts.require(actor, Permission.EDIT_SCHEDULE)
        if conflicts and choice is ConflictChoice.REFUSE:
            raise ScheduleError(
                f"Chưa nhập lịch nào từ {source} vì có xung đột:\n  "
                + "\n  ".join(conflicts)
                + "\nCó thể chọn: "
                + "; ".join(c.label for c in (ConflictChoice.SKIP, ConflictChoice.FORCE))
                + "."
            )
        with self._store.transaction() as uow:
            saved, skipped = self._write(uow, plan, actor, choice, now)
            uow.note(
                actor.username,
                "schedule.import_ics",
                "schedule",
                ",".join(str(i) for i in saved),
                {"source": source, "schedules": saved, "replaced": sorted(plan.previous), "skipped": skipped},
            )
        return CalendarImport(
            schedules=summaries,
            schedule_ids=tuple(saved),
            replaced=replaced,
            skipped=tuple(skipped),
            conflicts=conflicts,
            imported=True,
        )

    def _plan(self, raw: bytes, source: str, now: datetime) -> _ImportPlan:
        """Read a calendar file, match its events to schedules they replace, and check them."""
        zone = self._settings.zone
        candidates = self._read(raw, source, zone)
        ids = {_ics_id(c.uid) for c in candidates}
        with self._store.transaction() as uow:
            stored = uow.schedules.specs()
            origins = uow.schedules.origins()
            token = _station_token(uow.station.identity())
            rules = uow.station.rules()
            zones = uow.schedules.zones()
        own = {c.uid: int(m.group(1)) for c in candidates if (m := _OWN_UID.match(c.uid)) and m.group(2) == token}
        # An exported event comes back to update its schedule, if that schedule still exists for the same programme.
        same_programme = {c.uid: c.spec.programme_id for c in candidates}
        updated = {
            spec.id
            for spec in stored
            if spec.id is not None
            and any(spec.id == own.get(uid) and spec.programme_id == pid for uid, pid in same_programme.items())
        }
        previous = {sid for sid, origin in origins.items() if origin in ids}
        others = [s for s in stored if s.enabled and s.id not in previous | updated]
        accepted: list[ScheduleSpec] = []
        for candidate in candidates:
            report = check(candidate.spec, [*others, *accepted], rules, zone, now, zones=zones)
            candidate.conflicts = tuple(c.message for c in report.conflicts[:5])
            accepted.append(candidate.spec)
        return _ImportPlan(candidates, ids, own, updated, previous)

    def _write(
        self, uow: UnitOfWork, plan: _ImportPlan, actor: Actor, choice: ConflictChoice, now: datetime
    ) -> tuple[list[int], list[str]]:
        """Retire the schedules an earlier import of the same events made, then save each candidate (in place,
        for an event this station exported); returns the ids saved and the labels skipped."""
        saved: list[int] = []
        skipped: list[str] = []
        for package_id in plan.package_ids:
            retire_schedules(
                uow,
                package_id,
                now,
                self._settings.zone,
                actor=actor.username,
            )
        for candidate in plan.candidates:
            if candidate.conflicts and choice is ConflictChoice.SKIP:
                skipped.append(candidate.label)
                continue
            schedule_id = plan.own.get(candidate.uid)
            if schedule_id in plan.updated:
                # An event this station exported comes back edited: change that schedule in place, so it keeps
                # its id (and its package, which a newer version of the package still replaces).
                change = uow.schedules.put(schedule_id, candidate.spec)
                assert change is not None
                uow.audited(actor.username, "schedule.edit", change)
                saved.append(schedule_id)
                continue
            change = uow.schedules.add(
                candidate.spec, created_by=actor.username, created_at=now, package_id=_ics_id(candidate.uid)
            )
            uow.audited(actor.username, "schedule.add", change)
            assert isinstance(change.entity_id, int)
            saved.append(change.entity_id)
        return saved, skipped

    @staticmethod
    def _calendar_of(event: Any, by_id: dict[int, ProgrammeRef]) -> CalendarRule | None:
        """The lunar, holiday and session-start rule an exported event carries, if any."""
        raw = event.get("x-truyenthanh-calendar")
        return _calendar_of_json(str(raw), by_id) if raw is not None else None

    def _read(self, raw: bytes, source: str, zone: ZoneInfo) -> list[_Candidate]:
        try:
            text = raw.decode("utf-8-sig")
            calendar = Calendar.from_ical(text)
        except UnicodeDecodeError as exc:
            raise ScheduleError(f"Tệp {source} không phải văn bản UTF-8 (byte thứ {exc.start}).") from exc
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ScheduleError(f"Tệp {source} không phải tệp iCalendar đọc được ({exc}).") from exc
        with self._store.transaction() as uow:
            programmes = uow.schedules.programmes()
            zones = uow.schedules.zones()
        by_id = {p.id: p for p in programmes}
        by_title = {unicodedata.normalize("NFC", p.title).strip(): p for p in programmes}
        problems: list[str] = []
        candidates: list[_Candidate] = []
        events = list(calendar.walk("VEVENT"))
        if not events:
            raise ScheduleError(f"Tệp {source} không có sự kiện (VEVENT) nào.")
        for number, event in enumerate(events, start=1):
            summary = unicodedata.normalize("NFC", str(event.get("summary", ""))).strip()
            where = f"sự kiện {number} «{summary or '(không tên)'}»"
            try:
                candidate = self._candidate(event, summary=summary, by_id=by_id, by_title=by_title, zone=zone)
                candidate.spec = replace(candidate.spec, targets=_targets_of(event, zones))
                candidates.append(candidate)
            except ScheduleError as exc:
                problems.append(f"{where}: {exc.message}")
        if problems:
            raise ScheduleError(f"Tệp {source} có {len(problems)} sự kiện không dùng được:\n  " + "\n  ".join(problems))
        return candidates

    def _candidate(
        self,
        event: Any,
        *,
        summary: str,
        by_id: dict[int, ProgrammeRef],
        by_title: dict[str, ProgrammeRef],
        zone: ZoneInfo,
    ) -> _Candidate:
        programme = None
        marker = event.get("x-truyenthanh-programme")
        if marker is not None and str(marker).isdigit():
            programme = by_id.get(int(str(marker)))
            if programme is not None and programme.title != summary:
                programme = None
        programme = programme or by_title.get(summary)
        if programme is None:
            raise ScheduleError(
                "không có chương trình nào của đài mang tên này (tên sự kiện phải đúng tên chương trình)"
            )
        uid = str(event.get("uid", "")).strip()
        if not uid:
            raise ScheduleError("thiếu UID")
        if "dtstart" not in event:
            raise ScheduleError("thiếu DTSTART (giờ phát)")
        start = event.decoded("dtstart")
        if not isinstance(start, datetime):
            raise ScheduleError("là sự kiện cả ngày; cần giờ phát cụ thể")
        start = (start if start.tzinfo else start.replace(tzinfo=zone)).astimezone(UTC)
        rrule = None
        marker_rule = event.get("x-truyenthanh-rrule")
        calendar = self._calendar_of(event, by_id)
        if calendar is not None:
            start = _moment(event.get("x-truyenthanh-start")) or start
            rrule = normalise_rrule(str(marker_rule)) if marker_rule else None
        elif event.get("rrule") is not None:
            rule = event.get("rrule")
            if isinstance(rule, list):
                raise ScheduleError("có nhiều RRULE; chỉ hỗ trợ một")
            rrule = normalise_rrule(rule.to_ical().decode("ascii"))
        exdates: list[datetime] = []
        raw_ex = event.get("exdate")
        for group in raw_ex if isinstance(raw_ex, list) else [raw_ex] if raw_ex is not None else []:
            for value in group.dts:
                moment = value.dt
                if isinstance(moment, datetime):
                    exdates.append((moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC))
                elif isinstance(moment, date):
                    exdates.append(datetime.combine(moment, start.astimezone(zone).time(), tzinfo=zone))
        declared = event.get("x-truyenthanh-priority")
        try:
            priority = Priority(str(declared)) if declared is not None else _priority_from_ics(event.get("priority"))
        except ValueError:
            priority = _priority_from_ics(event.get("priority"))
        misfire = Misfire.parse(str(event.get("x-truyenthanh-misfire", "late:5")))
        valid_from = _moment(event.get("x-truyenthanh-valid-from"))
        valid_to = _moment(event.get("x-truyenthanh-valid-to"))
        session_name = event.get("x-truyenthanh-session")
        spec = ScheduleSpec(
            id=None,
            programme_id=programme.id,
            title=programme.title,
            duration_s=programme.duration_s,
            start_at=start,
            rrule=rrule,
            exdates=tuple(exdates),
            valid_from=valid_from,
            valid_to=valid_to,
            priority=priority,
            misfire=misfire,
            session_name=str(session_name) if session_name else None,
            enabled=str(event.get("status", "")).upper() != "CANCELLED",
            calendar=calendar or CalendarRule(),
        )
        return _Candidate(uid=uid, label=f"«{programme.title}»: {describe(spec, zone)}", spec=spec)


EXPANSION_HORIZON = timedelta(days=2 * 366)
"""How far ahead lunar, holiday and seasonal schedules are written out as explicit dates."""


def _calendar_of_json(raw: str, by_id: dict[int, ProgrammeRef]) -> CalendarRule:
    try:
        data = json.loads(raw)
        swap_id = data.get("holiday_programme_id")
        swap_ref = by_id.get(int(swap_id)) if swap_id else None
        swap = ProgrammeSwap(swap_ref.id, swap_ref.title, swap_ref.duration_s) if swap_ref else None
        if swap_id and swap is None:
            raise ScheduleError(f"không có chương trình số {swap_id} để phát ngày lễ")
        return CalendarRule.from_json(data, swap)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ScheduleError(f"X-TRUYENTHANH-CALENDAR không đọc được ({exc})") from exc


def _targets_of(event: Any, zones: list[ZoneRef]) -> Targets:
    """Where an event airs: its ``X-TRUYENTHANH-TARGETS`` (zones by slug or name), else local and every zone."""
    raw = event.get("x-truyenthanh-targets")
    if raw is None:
        return Targets()
    try:
        return resolve_targets(parse_targets(str(raw)), zones)
    except ScheduleError as exc:
        raise ScheduleError(f"X-TRUYENTHANH-TARGETS «{raw}»: {exc.message}") from exc


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ScheduleError(f"ngày giờ «{value}» không hợp lệ") from exc
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _with_until(rule: str, valid_to: datetime | None) -> str:
    """The rule with the validity end as UNTIL, so calendar apps stop showing airings where the station stops."""
    if valid_to is None or "UNTIL=" in rule or "COUNT=" in rule:
        return rule
    until = (valid_to - timedelta(seconds=1)).astimezone(UTC)
    return f"{rule};UNTIL={until:%Y%m%dT%H%M%SZ}"


__all__ = ["ICS_PREFIX", "CalendarImport", "CalendarService"]
