"""Planning an import: comparing a verified package with what the station already has, placing each of its
schedules at this station and checking it against the station's schedule and rules. Writes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from truyenthanh.config import Settings
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.package_record import ImportedPackage
from truyenthanh.domain.programme_file import (
    ProgrammeFile,
    ProgrammeSpec,
    ScheduleEntry,
    ScheduleKind,
)
from truyenthanh.domain.schedule import (
    CalendarRule,
    Misfire,
    ProgrammeSwap,
    ScheduleSpec,
    ZoneRef,
    check,
    describe,
    expand,
    match_zone,
)
from truyenthanh.domain.station import StationRules
from truyenthanh.domain.station_profile import StationProfile
from truyenthanh.domain.toml_lines import dotted
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import PackageError
from truyenthanh.services.library import LibraryService
from truyenthanh.services.packages.days_off import with_days_off
from truyenthanh.services.packages.results import ImportAction, ImportPreview, PackageConflict, ProgrammeChange
from truyenthanh.services.packages.verifying import OpenedPackage
from truyenthanh.services.ports import Clock
from truyenthanh.services.scheduling import SchedulingService
from truyenthanh.services.unit_of_work import Store

SPEECH_SECONDS_PER_CHAR = 1 / 14
"""Rough reading speed of Vietnamese TTS, to estimate unrendered announcements when checking session lengths."""
PREVIEW_HORIZON = timedelta(days=62)
"""How far ahead airings are counted and checked."""


@dataclass
class PlannedSchedule:
    """One schedule entry of a package as it would be placed at this station."""

    entry: ScheduleEntry
    spec: ScheduleSpec | None
    """``None`` when it cannot be placed at this station (e.g. unknown session)."""
    where: str
    summary: str
    problems: tuple[str, ...] = ()
    forceable: bool = True


@dataclass
class PlannedProgramme:
    """One programme of a package with its estimated length and its planned schedules."""

    spec: ProgrammeSpec
    duration_s: float
    schedules: list[PlannedSchedule] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What importing a package would do: the preview shown to people and the plan the import writes."""

    preview: ImportPreview
    programmes: list[PlannedProgramme]
    previous: ImportedPackage | None


@dataclass
class _Placement:
    """What placing a package's schedules needs: the station's rules and zone, the file's zone, the station's
    other schedules, and this package's schedules accepted so far (each new one is checked against them all)."""

    rules: StationRules
    file_zone: ZoneInfo
    zone: ZoneInfo
    now: datetime
    others: list[ScheduleSpec]
    accepted: list[ScheduleSpec] = field(default_factory=list)
    swaps: dict[str, ProgrammeSwap] = field(default_factory=dict)
    """The package's programmes by key, as a schedule swapping to them on holidays plays them (id not known
    before the import writes them)."""
    zones: list[ZoneRef] = field(default_factory=list)
    """The station's zones: what a programme's ``zones`` are matched to, and what "every zone" means."""


@dataclass(frozen=True)
class _StationView:
    """What planning reads of the station in one unit of work: who it is, its rules and zones, the earlier
    imports of the package, and the ids of the schedules those imports made."""

    profile: StationProfile | None
    rules: StationRules
    zones: list[ZoneRef]
    previous: list[ImportedPackage]
    """Earlier imported versions of the package, oldest first."""
    package_schedule_ids: set[int]


@dataclass
class _ProgrammePlan:
    """One programme planned: its plan, its conflicts and what changes for it."""

    planned: PlannedProgramme
    conflicts: list[PackageConflict]
    change: ProgrammeChange


class ImportPlanner:
    """Plans imports against the station's schedule, rules and earlier imports."""

    def __init__(
        self, *, settings: Settings, store: Store, clock: Clock, library: LibraryService, scheduling: SchedulingService
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._library = library
        self._scheduling = scheduling

    def plan(self, opened: OpenedPackage) -> ImportPlan:
        """What importing ``opened`` would do.

        Raises:
            PackageError: an older version than one already imported, or the same version with other content.
        """
        info = opened.programme_file.package
        now = self._clock.now()
        canonical = {p.key: p.canonical() for p in opened.programme_file.programmes}
        view = self._station(info.id)
        same, newest = self._earlier_imports(opened, canonical, view.previous)
        # Schedules are checked against the station's rules with the package's days off added, as after the import.
        rules, days_off = with_days_off(view.rules, opened.programme_file.days_off)
        existing_specs = self._scheduling.specs()
        old_ids = view.package_schedule_ids
        placement = _Placement(
            rules=rules,
            file_zone=ZoneInfo(info.timezone),
            zone=self._settings.zone,
            now=now,
            others=[s for s in existing_specs if s.id not in old_ids],
            swaps={
                p.key: ProgrammeSwap(0, p.title, self._duration(p, opened)) for p in opened.programme_file.programmes
            },
            zones=view.zones,
        )
        previous_content: dict[str, Any] = newest.content.get("programmes", {}) if newest and same is None else {}
        planned: list[PlannedProgramme] = []
        conflicts: list[PackageConflict] = []
        changes: list[ProgrammeChange] = []
        for programme in opened.programme_file.programmes:
            programme_plan = self._plan_programme(
                programme, opened, placement, previous_content.get(programme.key), canonical[programme.key]
            )
            planned.append(programme_plan.planned)
            conflicts.extend(programme_plan.conflicts)
            changes.append(programme_plan.change)
        for key, old in previous_content.items():
            if key not in canonical:
                changes.append(ProgrammeChange(key, str(old.get("title", key)), "removed"))
        warnings = self._warnings(opened.programme_file, view.profile, view.zones, changes)
        reused = sum(1 for inspected in opened.audio.values() if self._library.find_by_sha(inspected.sha256))
        preview = ImportPreview(
            package=info,
            archive_sha256=opened.archive_sha256,
            signer=opened.signer,
            action=ImportAction.SAME if same is not None else ImportAction.UPGRADE if newest else ImportAction.NEW,
            previous_version=newest.version if newest and same is None else None,
            programmes=tuple(changes),
            conflicts=tuple(conflicts) if same is None else (),
            warnings=tuple(warnings),
            retired_airings=self._future_airings(old_ids, existing_specs, now, rules) if same is None else 0,
            new_audio=len({a.sha256 for a in opened.audio.values()}) - reused,
            reused_audio=reused,
            days_off=days_off if same is None else (),
        )
        return ImportPlan(preview=preview, programmes=planned, previous=newest)

    def _earlier_imports(
        self, opened: OpenedPackage, canonical: dict[str, dict[str, Any]], previous_rows: list[ImportedPackage]
    ) -> tuple[ImportedPackage | None, ImportedPackage | None]:
        """The earlier import of this very version (if any) and the newest earlier import (``previous_rows``:
        the earlier imports, oldest version first); refuses an older version, and the same version with other
        content."""
        info = opened.programme_file.package
        same = next((row for row in previous_rows if row.version == info.version), None)
        newest = previous_rows[-1] if previous_rows else None
        if newest is not None and newest.version > info.version:
            raise PackageError(
                f"Gói «{info.id}» phiên bản {info.version} cũ hơn phiên bản {newest.version} đài đã nhập: không nhập."
            )
        if (
            same is not None
            and same.archive_sha256 != opened.archive_sha256
            and same.content.get("programmes") != json.loads(json.dumps(canonical))
        ):
            raise PackageError(
                f"Đài đã nhập «{info.id}» phiên bản {info.version} với nội dung khác gói này. Tuyến trên cần "
                f"tăng số phiên bản (version) khi sửa gói."
            )
        return same, newest

    def _plan_programme(
        self,
        programme: ProgrammeSpec,
        opened: OpenedPackage,
        placement: _Placement,
        old: dict[str, Any] | None,
        canonical: dict[str, Any],
    ) -> _ProgrammePlan:
        """Place each schedule of one programme, and compare the programme with its earlier version (``old``)."""
        duration = self._duration(programme, opened)
        entry_plans = []
        conflicts: list[PackageConflict] = []
        airings = 0
        first: datetime | None = None
        summaries = []
        for entry in programme.schedules:
            where = dotted(entry.path)
            spec, reason = self._schedule_spec(
                programme, entry, duration, placement.rules, placement.file_zone, swaps=placement.swaps
            )
            if spec is None:
                assert reason is not None
                entry_plans.append(PlannedSchedule(entry, None, where, where, (reason,), forceable=False))
                conflicts.append(PackageConflict(programme.key, programme.title, where, (reason,), False))
                continue
            spec = replace(spec, targets=programme_targets(programme, placement.zones))
            summary = describe(spec, placement.zone)
            summaries.append(summary)
            messages = _conflict_messages(spec, placement)
            entry_plans.append(PlannedSchedule(entry, spec, where, summary, messages))
            if messages:
                conflicts.append(PackageConflict(programme.key, programme.title, f"{where} ({summary})", messages))
            placement.accepted.append(spec)
            upcoming = expand(spec, placement.now, placement.now + PREVIEW_HORIZON, placement.zone, placement.rules)
            airings += len(upcoming)
            if upcoming and (first is None or upcoming[0].start < first):
                first = upcoming[0].start
        change = "added" if old is None else "unchanged" if old == json.loads(json.dumps(canonical)) else "changed"
        details = _differences(old, canonical) if change == "changed" else ()
        return _ProgrammePlan(
            planned=PlannedProgramme(programme, duration, entry_plans),
            conflicts=conflicts,
            change=ProgrammeChange(
                programme.key, programme.title, change, details, tuple(summaries), airings, first, duration
            ),
        )

    def _station(self, package_id: str) -> _StationView:
        """The station as planning an import of ``package_id`` needs it, read in one unit of work."""
        with self._store.transaction() as uow:
            origins = uow.schedules.origins()
            return _StationView(
                profile=uow.station_profile.profile(),
                rules=uow.station.rules(),
                zones=uow.schedules.zones(),
                previous=uow.packages.versions(package_id),
                package_schedule_ids={sid for sid, origin in origins.items() if origin == package_id},
            )

    def _duration(self, programme: ProgrammeSpec, opened: OpenedPackage) -> float:
        total = 0.0
        for index, item in enumerate(programme.items):
            recording = opened.recording(programme, index, item)
            if recording:
                length = opened.audio[recording].duration_s
            elif item.kind is ItemKind.JINGLE and item.jingle:
                length = TUNES[item.jingle].duration_s
            elif item.kind is ItemKind.ANNOUNCEMENT:
                length = len(item.text or "") * SPEECH_SECONDS_PER_CHAR
            else:
                length = item.duration_s or 0.0
            total += length - (item.crossfade_s if index else 0.0)
        return max(0.0, total)

    def _schedule_spec(
        self,
        programme: ProgrammeSpec,
        entry: ScheduleEntry,
        duration: float,
        rules: StationRules,
        file_zone: ZoneInfo,
        *,
        swaps: dict[str, ProgrammeSwap],
    ) -> tuple[ScheduleSpec | None, str | None]:
        """The station-side schedule for an entry, or why it cannot be placed here. A session entry airs at the
        session's start as its season has it each day; ``swaps``: the package's programmes by key."""
        zone = self._settings.zone
        start = entry.start
        exclude = entry.exclude
        if entry.kind is ScheduleKind.SESSION:
            session_rule = next((s for s in rules.sessions if s.name == entry.session), None)
            if session_rule is None:
                names = ", ".join(f"«{s.name}»" for s in rules.sessions) or "(chưa đặt buổi nào)"
                return None, f"đài không có buổi «{entry.session}» (các buổi của đài: {names}); lịch này sẽ bị bỏ qua"
            assert entry.start_date is not None
            first = session_rule.times_on(entry.start_date)[0]
            start = datetime.combine(entry.start_date, first, tzinfo=zone).astimezone(UTC)
            exclude = tuple(
                datetime.combine(day, session_rule.times_on(day)[0], tzinfo=zone).astimezone(UTC)
                for day in (moment.astimezone(file_zone).date() for moment in entry.exclude)
            )
        assert start is not None
        calendar = CalendarRule(
            lunar=entry.lunar,
            holidays=entry.holidays,
            holiday_swap=swaps.get(entry.holiday_programme) if entry.holiday_programme else None,
            at_session_start=entry.kind is ScheduleKind.SESSION,
        )
        return (
            ScheduleSpec(
                id=None,
                programme_id=0,
                title=programme.title,
                duration_s=duration,
                start_at=start,
                rrule=entry.rrule if entry.kind is not ScheduleKind.ONCE and entry.lunar is None else None,
                exdates=exclude,
                valid_from=programme.valid_from,
                valid_to=programme.valid_to,
                priority=entry.priority or programme.priority,
                misfire=Misfire.parse(entry.misfire),
                session_name=entry.session,
                calendar=calendar,
            ),
            None,
        )

    def _future_airings(self, ids: set[int], specs: list[ScheduleSpec], now: datetime, rules: StationRules) -> int:
        zone = self._settings.zone
        return sum(len(expand(s, now, now + PREVIEW_HORIZON, zone, rules)) for s in specs if s.id in ids)

    def _warnings(
        self,
        programme_file: ProgrammeFile,
        station: StationProfile | None,
        station_zones: list[ZoneRef],
        changes: list[ProgrammeChange],
    ) -> list[str]:
        info = programme_file.package
        warnings = []
        if station is not None and info.communes and station.commune and station.commune not in info.communes:
            warnings.append(
                f"gói dành cho các xã {', '.join(info.communes)}; đài này là xã {station.commune}. "
                "Hãy hỏi lại tuyến trên nếu không chắc."
            )
        unknown = sorted(
            {z for p in programme_file.programmes for z in p.zones if match_zone(z, station_zones) is None}
        )
        if unknown:
            warnings.append(
                f"đài không có khu vực loa {', '.join(unknown)}; các chương trình đó sẽ phát trên toàn bộ hệ thống loa."
            )
        if all(change.airings == 0 for change in changes if change.change != "removed"):
            warnings.append("gói không có lần phát nào từ nay trở đi (đã hết hiệu lực, hoặc chưa có lịch).")
        relays = sum(1 for p in programme_file.programmes for i in p.items if i.kind is ItemKind.RELAY)
        if relays:
            warnings.append(f"có {relays} mục tiếp sóng qua Internet; khi mất mạng, đài phát mục dự phòng.")
        return warnings


def programme_targets(programme: ProgrammeSpec, zones: list[ZoneRef]) -> Targets:
    """Where a package programme's schedules air: the station's own output always (a wired or FM station's output
    is its whole network), and the zones the programme names (by name or slug), or every zone when it names none
    or names one the station does not have (planning warns of that: it then airs on the whole system)."""
    found = [match_zone(name, zones) for name in programme.zones]
    if not programme.zones or any(zone is None for zone in found):
        return Targets()
    slugs = {zone.slug for zone in found if zone is not None}
    return Targets(local=True, zones=tuple(z.slug for z in zones if z.slug in slugs))


def _conflict_messages(spec: ScheduleSpec, placement: _Placement) -> tuple[str, ...]:
    """The first five conflicts of ``spec`` with the station's schedule, its rules and the package's other
    schedules, and how many more there are."""
    report = check(
        spec,
        [*placement.others, *placement.accepted],
        placement.rules,
        placement.zone,
        placement.now,
        horizon=PREVIEW_HORIZON,
        zones=placement.zones,
    )
    messages = tuple(c.message for c in report.conflicts[:5])
    if len(report.conflicts) > 5:
        messages += (f"... và {len(report.conflicts) - 5} xung đột khác.",)
    return messages


def _differences(old: dict[str, Any] | None, new: dict[str, Any]) -> tuple[str, ...]:
    """Vietnamese lines saying what changed between two canonical programmes."""
    if old is None:
        return ()
    labels = {
        "title": "tên",
        "category": "thể loại",
        "priority": "mức ưu tiên",
        "language": "ngôn ngữ",
        "items": "các mục",
        "schedules": "lịch phát",
        "fallback": "mục dự phòng",
        "zones": "khu vực loa",
        "valid_from": "ngày bắt đầu hiệu lực",
        "valid_to": "ngày hết hiệu lực",
    }
    found = []
    for key, label in labels.items():
        if old.get(key) != new.get(key):
            if key == "items":
                found.append(f"đổi {label} ({len(old.get(key) or [])} → {len(new.get(key) or [])} mục)")
            elif isinstance(new.get(key), str | int | float) or new.get(key) is None:
                found.append(f"đổi {label}: {old.get(key)} → {new.get(key)}")
            else:
                found.append(f"đổi {label}")
    return tuple(found)


def expanded_schedule(
    scheduling: SchedulingService, start: datetime, end: datetime
) -> list[tuple[str, str, str, float]]:
    """The station's airings in ``[start, end)`` as comparable tuples (title, scheduled start, priority, length);
    used to show that an import gives the same schedule at every station with the same rules."""
    return [
        (
            planned.occurrence.title,
            planned.occurrence.start.isoformat(),
            planned.occurrence.priority.value,
            round(planned.occurrence.duration_s, 3),
        )
        for planned in scheduling.occurrences(start, end)
    ]
