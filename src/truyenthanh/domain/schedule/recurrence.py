"""Recurrence: RFC 5545 rules and lunar days (expanded in the station's local time), holidays and seasonal session
starts applied, weekday shorthands, and reading times as an operator types them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from truyenthanh.domain.schedule.days_off import holiday_name
from truyenthanh.domain.schedule.lunar import LunarDate, to_lunar
from truyenthanh.domain.schedule.model import (
    WEEKDAY_CODES,
    HolidayPolicy,
    LeapPolicy,
    LunarRule,
    Occurrence,
    ScheduleSpec,
)
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import ScheduleError

_ALLOWED_RRULE_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "BYYEARDAY",
    "BYWEEKNO",
    "WKST",
    "BYHOUR",
    "BYMINUTE",
}
_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}


def normalise_rrule(raw: str) -> str:
    """Check an RRULE body and return it in canonical form (upper case, no ``RRULE:`` prefix).

    Raises:
        ScheduleError: unknown parts, a missing or unsupported FREQ, or a rule dateutil cannot read.
    """
    text = raw.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: list[str] = []
    keys: set[str] = set()
    for chunk in filter(None, text.split(";")):
        if "=" not in chunk:
            raise ScheduleError(f"Quy tắc lặp «{raw}»: phần «{chunk}» thiếu dấu «=» (dạng KHÓA=GIÁ_TRỊ).")
        key, value = chunk.split("=", 1)
        key = key.strip().upper()
        if key not in _ALLOWED_RRULE_PARTS:
            raise ScheduleError(
                f"Quy tắc lặp «{raw}»: không hỗ trợ phần «{key}». Dùng: {', '.join(sorted(_ALLOWED_RRULE_PARTS))}."
            )
        if key in keys:
            raise ScheduleError(f"Quy tắc lặp «{raw}»: phần «{key}» xuất hiện hai lần.")
        keys.add(key)
        parts.append(f"{key}={value.strip().upper()}")
    freq = next((p.split("=", 1)[1] for p in parts if p.startswith("FREQ=")), None)
    if freq is None:
        raise ScheduleError(f"Quy tắc lặp «{raw}»: thiếu FREQ (ví dụ FREQ=DAILY hoặc FREQ=WEEKLY;BYDAY=MO,WE,FR).")
    if freq not in _FREQUENCIES:
        raise ScheduleError(f"Quy tắc lặp «{raw}»: FREQ={freq} không hỗ trợ; dùng DAILY, WEEKLY, MONTHLY hoặc YEARLY.")
    body = ";".join(parts)
    try:
        _rule(body, datetime(2026, 1, 1, 5, 30), ZoneInfo("UTC"))
    except (ValueError, TypeError) as exc:
        raise ScheduleError(f"Quy tắc lặp «{raw}» không hợp lệ: {exc}.") from exc
    return body


def _rule(body: str, dtstart_local: datetime, zone: ZoneInfo) -> rrule:
    """Build a dateutil rule over naive local times; a UTC UNTIL is converted to local time first."""

    body = re.sub(r"UNTIL=([0-9TZ]+)", lambda m: "UNTIL=" + f"{until_local(m.group(1), zone):%Y%m%dT%H%M%S}", body)
    rule = rrulestr(body, dtstart=dtstart_local)
    assert isinstance(rule, rrule)
    return rule


def until_local(raw: str, zone: ZoneInfo) -> datetime:
    """An RRULE UNTIL value as a naive local time (a date alone means the end of that day)."""
    try:
        moment = datetime.strptime(raw.rstrip("Z"), "%Y%m%dT%H%M%S" if "T" in raw else "%Y%m%d")
    except ValueError as exc:
        raise ValueError(f"UNTIL={raw} không phải ngày giờ dạng YYYYMMDD hoặc YYYYMMDDTHHMMSSZ") from exc
    if raw.endswith("Z"):
        return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    if "T" not in raw:
        return moment.replace(hour=23, minute=59, second=59)
    return moment


def rule_parts(body: str) -> dict[str, str]:
    """The ``KEY=VALUE`` parts of a canonical RRULE body, by key."""
    return dict(chunk.split("=", 1) for chunk in body.split(";") if "=" in chunk)


def lunar_matches(rule: LunarRule, lunar: LunarDate) -> bool:
    """Whether a lunar date is one a lunar rule airs on."""
    if lunar.day not in rule.days or (rule.months and lunar.month not in rule.months):
        return False
    return not (lunar.leap and rule.leap is LeapPolicy.REGULAR)


def _local_starts(spec: ScheduleSpec, low: datetime, high: datetime, zone: ZoneInfo) -> Iterator[datetime]:
    """Naive local starts of a recurring schedule around ``[low, high)`` (a day's margin on both sides)."""
    dtstart_local = spec.start_at.astimezone(zone).replace(tzinfo=None)
    margin = timedelta(days=1)
    local_low = low.astimezone(zone).replace(tzinfo=None) - margin
    local_high = high.astimezone(zone).replace(tzinfo=None) + margin
    if spec.lunar is None:
        assert spec.rrule is not None
        yield from _rule(spec.rrule, dtstart_local, zone).between(local_low, local_high, inc=True)
        return
    day = max(local_low.date(), dtstart_local.date())
    while day <= local_high.date():
        if lunar_matches(spec.lunar, to_lunar(day)):
            yield datetime.combine(day, dtstart_local.time())
        day += timedelta(days=1)


def _occurrence(spec: ScheduleSpec, moment: datetime, holiday: str | None) -> Occurrence:
    swap = spec.holiday_swap if holiday is not None and spec.holidays is HolidayPolicy.SWAP else None
    return Occurrence(
        schedule_id=spec.id,
        programme_id=swap.programme_id if swap else spec.programme_id,
        title=swap.title if swap else spec.title,
        start=moment,
        duration_s=swap.duration_s if swap else spec.duration_s,
        priority=spec.priority,
        misfire=spec.misfire,
        order=spec.order,
        session_name=spec.session_name,
        targets=spec.targets,
    )


def expand(
    spec: ScheduleSpec, start: datetime, end: datetime, zone: ZoneInfo, rules: StationRules | None = None
) -> list[Occurrence]:
    """Occurrences of one schedule that start in ``[start, end)``, in time order.

    Exception dates, the validity window and ``enabled`` are applied. A recurring schedule (an RRULE or lunar
    days) is expanded in the station's local time from DTSTART, then each occurrence is converted to UTC. With
    ``rules``, a schedule placed at the start of its session follows the session's seasonal start, and the
    station's announced days off count as holidays; without them, the session start saved on the schedule and
    the public holidays alone are used.
    """
    if not spec.enabled:
        return []
    low = max(start, spec.valid_from) if spec.valid_from else start
    high = min(end, spec.valid_to) if spec.valid_to else end
    if low >= high:
        return []
    excluded = {moment.astimezone(UTC).replace(microsecond=0) for moment in spec.exdates}
    if not spec.recurring:
        local_starts: Iterable[datetime] = [spec.start_at.astimezone(zone).replace(tzinfo=None)]
    else:
        local_starts = _local_starts(spec, low, high, zone)
    session = rules.session_named(spec.session_name) if rules and spec.session_name and spec.at_session_start else None
    found: list[Occurrence] = []
    for found_start in local_starts:
        naive = found_start
        if session is not None and spec.recurring:
            naive = datetime.combine(naive.date(), session.times_on(naive.date())[0])
        moment = naive.replace(tzinfo=zone).astimezone(UTC) if spec.recurring else spec.start_at.astimezone(UTC)
        if not low <= moment < high or moment.replace(microsecond=0) in excluded:
            continue
        holiday = holiday_name(naive.date(), rules) if spec.holidays is not HolidayPolicy.ALWAYS else None
        if (spec.holidays is HolidayPolicy.SKIP and holiday) or (spec.holidays is HolidayPolicy.ONLY and not holiday):
            continue
        found.append(_occurrence(spec, moment, holiday))
    return found


def expand_all(
    specs: Iterable[ScheduleSpec],
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    rules: StationRules | None = None,
) -> list[Occurrence]:
    """Occurrences of every schedule starting in ``[start, end)``, ordered by start then operator order (see
    :func:`expand` for ``rules``)."""
    found = [occurrence for spec in specs for occurrence in expand(spec, start, end, zone, rules)]
    return sorted(found, key=lambda o: (o.start, o.order))


_DAY_ALIASES = {
    **{code.lower(): code for code in WEEKDAY_CODES},
    **{f"t{n}": WEEKDAY_CODES[n - 2] for n in range(2, 8)},
    **{str(n): WEEKDAY_CODES[n - 2] for n in range(2, 8)},
    "cn": "SU",
    "8": "SU",
    "mon": "MO",
    "tue": "TU",
    "wed": "WE",
    "thu": "TH",
    "fri": "FR",
    "sat": "SA",
    "sun": "SU",
}


def rrule_for_days(days: str) -> str:
    """Turn a list of days into a weekly RRULE: ``"t2,t4,t6"``, ``"2,4,6"``, ``"mo,we,fr"``, ``"cn"``.

    Vietnamese numbering: Thứ 2 is Monday ... Thứ 7 is Saturday, CN is Sunday.

    Raises:
        ScheduleError: a day is not recognised.
    """
    codes: list[str] = []
    for token in re.split(r"[,\s]+", days.strip().lower()):
        if not token:
            continue
        code = _DAY_ALIASES.get(token.replace("thứ", "t").replace(" ", ""))
        if code is None:
            raise ScheduleError(
                f"Không hiểu ngày «{token}». Dùng t2..t7 và cn (hoặc 2..7, cn; hoặc mo, tu, we, th, fr, sa, su)."
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ScheduleError("Cần ít nhất một ngày trong tuần (ví dụ: t2,t4,t6).")
    codes.sort(key=WEEKDAY_CODES.index)
    return "FREQ=WEEKLY;BYDAY=" + ",".join(codes)


DAILY_RRULE = "FREQ=DAILY"
"""Every day."""
WEEKDAYS_RRULE = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
"""Monday to Friday."""


def local_datetime(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local date and wall-clock time as an aware UTC instant."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def parse_when(raw: str, zone: ZoneInfo, now: datetime) -> datetime:
    """Read a start time the way an operator types it, in the station's zone; returns UTC.

    Accepts ``2026-11-24 05:30``, ``24/11/2026 05:30``, ISO 8601 with or without an offset, ``05:30`` (the next
    such time, today or tomorrow), and ``+90s``, ``+5m``, ``+2h`` (from now). Seconds and milliseconds are kept.

    Raises:
        ScheduleError: the text is none of these.
    """
    text = raw.strip()
    relative = re.fullmatch(r"\+(\d+(?:\.\d+)?)\s*([smh])", text.lower())
    if relative:
        unit = {"s": "seconds", "m": "minutes", "h": "hours"}[relative.group(2)]
        return (now + timedelta(**{unit: float(relative.group(1))})).astimezone(UTC)
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?", text)
    if clock:
        seconds = float(clock.group(3) or 0)
        wanted = time(int(clock.group(1)), int(clock.group(2)), int(seconds), min(999_999, round(seconds % 1 * 1e6)))
        local_now = now.astimezone(zone)
        moment = datetime.combine(local_now.date(), wanted, tzinfo=zone)
        if moment <= local_now:
            moment = datetime.combine(local_now.date() + timedelta(days=1), wanted, tzinfo=zone)
        return moment.astimezone(UTC)
    dmy = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T](.+)", text)
    if dmy:
        text = f"{dmy.group(3)}-{int(dmy.group(2)):02d}-{int(dmy.group(1)):02d} {dmy.group(4)}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ScheduleError(
            f"Không hiểu thời điểm «{raw}». Ví dụ đúng: «2026-11-24 05:30», «24/11/2026 05:30», «05:30», «+5m»."
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_time_of_day(raw: str) -> time:
    """``HH:MM`` or ``HH:MM:SS`` as a wall-clock time.

    Raises:
        ScheduleError: not a valid time of day.
    """
    try:
        return time.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ScheduleError(f"Giờ «{raw}» không hợp lệ; dùng dạng GG:PP, ví dụ 05:30.") from exc
