"""Schedules: expanding one-off and RFC 5545 recurring schedules into occurrences, placing priority items within
their session, checking the station's rules, deciding what to do with late occurrences, and describing
recurrences in Vietnamese.

Pure: every function takes the station's time zone and, where time matters, ``now``. Instants are aware UTC
datetimes; recurrence rules are expanded in the station's local time (so "05:30 every day" stays 05:30 local).

The package follows the seams of the subject, each module importing only those listed before it:

- :mod:`.lunar`: the Vietnamese lunar calendar (Hồ Ngọc Đức's algorithm, UTC+7);
- :mod:`.model`: :class:`ScheduleSpec`, :class:`Occurrence`, :class:`Planned`, the misfire policy, lunar days
  (:class:`LunarRule`), holidays (:class:`HolidayPolicy`), and where a schedule airs (its
  :class:`~truyenthanh.domain.fleet.Targets`: the station's own output and/or zones, :class:`ZoneRef`,
  :func:`outputs`, the ``local,thon-dong`` line of :func:`format_targets`);
- :mod:`.days_off`: Vietnam's public holidays (the ``holidays`` library) and the station's days off;
- :mod:`.recurrence`: RRULE and lunar expansion, holidays and seasonal session starts, weekday shorthands,
  reading typed times;
- :mod:`.wording`: Vietnamese descriptions of schedules, moments and durations;
- :mod:`.placement`: sessions, and priority items placed ahead within them;
- :mod:`.conflicts`: rule checks, conflict reports and their resolution (two airings conflict only on an
  output they share; the station's rules apply on every output);
- :mod:`.misfire`: what to do with airings reached late;
- :mod:`.request`: :class:`ScheduleRequest`, what an operator asks to save, and its zones matched to the
  station's (:func:`resolve_targets`).
"""

from truyenthanh.domain.schedule.conflicts import (
    CHECK_HORIZON,
    Conflict,
    ConflictKind,
    ConflictReport,
    Resolution,
    Resolved,
    ScheduleConflictError,
    check,
    quiet_overlap,
    resolve_conflicts,
)
from truyenthanh.domain.schedule.days_off import holiday_name, public_holidays
from truyenthanh.domain.schedule.lunar import LunarDate, to_lunar, to_solar
from truyenthanh.domain.schedule.misfire import ON_TIME_TOLERANCE, Decision, Verdict, decide
from truyenthanh.domain.schedule.model import (
    LOCAL_OUTPUT,
    WEEKDAY_CODES,
    WEEKDAY_NAMES,
    CalendarRule,
    HolidayPolicy,
    LeapPolicy,
    LunarRule,
    Misfire,
    MisfireKind,
    Occurrence,
    Planned,
    ProgrammeSwap,
    ScheduleSpec,
    ZoneRef,
    format_targets,
    outputs,
    parse_targets,
)
from truyenthanh.domain.schedule.placement import SessionWindow, plan, session_window
from truyenthanh.domain.schedule.recurrence import (
    DAILY_RRULE,
    WEEKDAYS_RRULE,
    expand,
    expand_all,
    local_datetime,
    lunar_matches,
    normalise_rrule,
    parse_time_of_day,
    parse_when,
    rrule_for_days,
)
from truyenthanh.domain.schedule.request import (
    Lunar,
    OneOff,
    ProgrammeRef,
    Recurring,
    ScheduleRequest,
    Timing,
    match_zone,
    resolve_targets,
    timing_of,
)
from truyenthanh.domain.schedule.wording import (
    LOCAL_LABEL,
    describe,
    describe_lunar,
    describe_moment,
    describe_targets,
    output_label,
)

__all__ = [
    "CHECK_HORIZON",
    "DAILY_RRULE",
    "LOCAL_LABEL",
    "LOCAL_OUTPUT",
    "ON_TIME_TOLERANCE",
    "WEEKDAYS_RRULE",
    "WEEKDAY_CODES",
    "WEEKDAY_NAMES",
    "CalendarRule",
    "Conflict",
    "ConflictKind",
    "ConflictReport",
    "Decision",
    "HolidayPolicy",
    "LeapPolicy",
    "Lunar",
    "LunarDate",
    "LunarRule",
    "Misfire",
    "MisfireKind",
    "Occurrence",
    "OneOff",
    "Planned",
    "ProgrammeRef",
    "ProgrammeSwap",
    "Recurring",
    "Resolution",
    "Resolved",
    "ScheduleConflictError",
    "ScheduleRequest",
    "ScheduleSpec",
    "SessionWindow",
    "Timing",
    "Verdict",
    "ZoneRef",
    "check",
    "decide",
    "describe",
    "describe_lunar",
    "describe_moment",
    "describe_targets",
    "expand",
    "expand_all",
    "format_targets",
    "holiday_name",
    "local_datetime",
    "lunar_matches",
    "match_zone",
    "normalise_rrule",
    "output_label",
    "outputs",
    "parse_targets",
    "parse_time_of_day",
    "parse_when",
    "plan",
    "public_holidays",
    "quiet_overlap",
    "resolve_conflicts",
    "resolve_targets",
    "rrule_for_days",
    "session_window",
    "timing_of",
    "to_lunar",
    "to_solar",
]
