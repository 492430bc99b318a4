"""What an operator asks to save: a schedule request with its timing, built the same way by the CLI and the TUI,
and turned into a candidate :class:`ScheduleSpec` here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.fleet import Targets, slug
from truyenthanh.domain.schedule.conflicts import Resolution
from truyenthanh.domain.schedule.model import HolidayPolicy, LunarRule, Misfire, ZoneRef
from truyenthanh.domain.schedule.recurrence import normalise_rrule
from truyenthanh.errors import ScheduleError


@dataclass(frozen=True)
class OneOff:
    """Air once, at ``at``."""

    at: datetime
    """The start (aware; any zone)."""


@dataclass(frozen=True)
class Recurring:
    """Air by an RFC 5545 rule at a wall-clock time, from the validity start (or today) on."""

    rrule: str
    """RRULE body (``FREQ=WEEKLY;BYDAY=MO,WE,FR``); checked by :func:`~.recurrence.normalise_rrule`."""
    time_of_day: time
    """Wall-clock time in the station's zone."""


@dataclass(frozen=True)
class Lunar:
    """Air on lunar days (âm lịch) at a wall-clock time, from the validity start (or today) on."""

    rule: LunarRule
    time_of_day: time
    """Wall-clock time in the station's zone."""


Timing = OneOff | Recurring | Lunar
"""When a requested schedule airs."""


def timing_of(
    at: datetime | None,
    rrule: str | None,
    time_of_day: time | None,
    lunar: LunarRule | None = None,
    *,
    at_session_start: bool = False,
) -> Timing:
    """The timing that a one-off start, a rule or lunar days (with a time of day) describe: exactly one of them.

    Args:
        at_session_start: the schedule airs at the start of its session, so a rule needs no time of day (the
            session's start is used).

    Raises:
        ScheduleError: none or several are given (``field="timing"``), or a rule has no time (``field="time"``).
    """
    if sum(x is not None for x in (at, rrule, lunar)) != 1:
        raise ScheduleError(
            "Cần đúng một trong hai: thời điểm phát (lịch một lần) hoặc cách lặp lại (lịch lặp: quy tắc hoặc ngày "
            "âm lịch).",
            field="timing",
        )
    if at is not None:
        return OneOff(at)
    if time_of_day is None and not at_session_start:
        raise ScheduleError("Lịch lặp cần giờ phát (GG:PP) hoặc «lúc bắt đầu buổi».", field="time")
    clock = time_of_day or time(0, 0)
    if lunar is not None:
        return Lunar(lunar, clock)
    assert rrule is not None
    return Recurring(rrule, clock)


@dataclass(frozen=True)
class ScheduleRequest:
    """A schedule to save: new, or new values (not a patch) for a saved one."""

    programme: int | str
    """The programme, by id or exact title."""
    timing: Timing
    priority: Priority = Priority.NORMAL
    misfire: Misfire = field(default_factory=Misfire)
    session_name: str | None = None
    """The session it belongs to; ``None``: whichever its start falls in."""
    valid_from: datetime | None = None
    """Start of validity; for a recurring schedule also its first day (default: today)."""
    valid_to: datetime | None = None
    """End of validity (exclusive)."""
    resolve: Resolution | None = None
    """What to do about conflicts; ``None`` refuses to save a schedule that has any."""
    holidays: HolidayPolicy = HolidayPolicy.ALWAYS
    holiday_programme: int | str | None = None
    """What plays on holidays instead (by id or exact title); needed for :attr:`HolidayPolicy.SWAP` only."""
    at_session_start: bool = False
    """Air at the start of ``session_name`` each day, following its seasonal times (recurring schedules)."""
    targets: Targets = field(default_factory=Targets)
    """Where it airs; its zones by slug or name (:meth:`resolved_targets` turns names into slugs)."""

    def resolved_targets(self, zones: Sequence[ZoneRef]) -> Targets:
        """:attr:`targets` with each zone as the station's slug (matched by slug, name, or the slug of the name).

        Raises:
            ScheduleError: a zone the station does not have (``field="zones"``), or no output at all
                (``field="targets"``).
        """
        return resolve_targets(self.targets, zones)

    def start_at(self, zone: ZoneInfo, now: datetime) -> datetime:
        """The one-off start, or the recurrence's first start (DTSTART), as UTC.

        Raises:
            ScheduleError: a one-off start has passed (``field="at"``), or the validity window is empty
                (``field="valid_to"``).
        """
        if isinstance(self.timing, Recurring | Lunar):
            first_day = (self.valid_from or now).astimezone(zone).date()
            start = datetime.combine(first_day, self.timing.time_of_day, tzinfo=zone).astimezone(UTC)
        else:
            start = self.timing.at.astimezone(UTC)
            if start < now - timedelta(seconds=1):
                raise ScheduleError(f"Thời điểm {start.astimezone(zone):%H:%M:%S %d/%m/%Y} đã qua.", field="at")
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ScheduleError("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.", field="valid_to")
        return start

    def rule(self) -> str | None:
        """The canonical RRULE body, or ``None`` for a one-off.

        Raises:
            ScheduleError: the rule is invalid (``field="rrule"``).
        """
        if not isinstance(self.timing, Recurring):
            return None
        try:
            return normalise_rrule(self.timing.rrule)
        except ScheduleError as exc:
            raise ScheduleError(exc.message, field="rrule") from exc


def match_zone(wanted: str, zones: Sequence[ZoneRef]) -> ZoneRef | None:
    """The station's zone that ``wanted`` names: by slug, by exact name, or by the slug of the name
    (``Thôn Đông`` and ``thon-dong`` both find the zone ``thon-dong``)."""
    text = wanted.strip()
    return (
        next((z for z in zones if z.slug == text), None)
        or next((z for z in zones if z.name == text), None)
        or next((z for z in zones if z.slug == slug(text)), None)
    )


def resolve_targets(targets: Targets, zones: Sequence[ZoneRef]) -> Targets:
    """``targets`` with each zone as the station's slug, in the station's order.

    Raises:
        ScheduleError: a zone the station does not have (``field="zones"``), or no output at all
            (``field="targets"``).
    """
    if targets.zones is None:
        resolved = None
    else:
        found: set[str] = set()
        for wanted in targets.zones:
            zone = match_zone(wanted, zones)
            if zone is None:
                names = ", ".join(f"«{z.name}» ({z.slug})" for z in zones) or "(đài chưa có cụm loa nào)"
                raise ScheduleError(f"Không có cụm loa «{wanted}». Các cụm loa của đài: {names}.", field="zones")
            found.add(zone.slug)
        resolved = tuple(z.slug for z in zones if z.slug in found)
    if not targets.local and resolved == ():
        raise ScheduleError("Lịch phát phải phát ở ít nhất một nơi: loa tại đài hoặc một cụm loa.", field="targets")
    return Targets(local=targets.local, zones=resolved)


@dataclass(frozen=True)
class ProgrammeRef:
    """A programme as schedules see it: what a request names and what a schedule plays."""

    id: int
    title: str
    duration_s: float
    """Its length in seconds (items less crossfades; announcements not yet rendered count as zero)."""
    category_label: str = ""
    """Its content category, in Vietnamese."""


__all__ = [
    "Lunar",
    "OneOff",
    "ProgrammeRef",
    "Recurring",
    "ScheduleRequest",
    "Timing",
    "match_zone",
    "resolve_targets",
    "timing_of",
]
