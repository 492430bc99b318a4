"""Wording: schedules, moments and durations described in Vietnamese."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from truyenthanh.domain.schedule.model import WEEKDAY_CODES, WEEKDAY_NAMES, ScheduleSpec
from truyenthanh.domain.schedule.recurrence import rule_parts, until_local


def clock_text(moment: datetime, zone: ZoneInfo) -> str:
    """``05:30``, or ``05:30:12`` when the seconds matter."""
    local = moment.astimezone(zone)
    return local.strftime("%H:%M:%S" if local.second or local.microsecond else "%H:%M")


def describe_moment(moment: datetime, zone: ZoneInfo) -> str:
    """``05:30 Thứ Hai 23/11/2026`` in the station's zone."""
    local = moment.astimezone(zone)
    return f"{clock_text(moment, zone)} {WEEKDAY_NAMES[local.weekday()]} {local:%d/%m/%Y}"


def duration_text(delta: timedelta) -> str:
    """A length of time in Vietnamese: ``45 giây``, ``3 phút 20 giây``, ``2 giờ 5 phút``."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} giây"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} phút {seconds} giây" if seconds else f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} giờ {minutes} phút"


def _days_phrase(codes: Sequence[str]) -> str:
    indexes = sorted({WEEKDAY_CODES.index(code[-2:]) for code in codes})
    if indexes == list(range(7)):
        return "Hằng ngày"
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    pieces: list[str] = []
    for run in runs:
        if len(run) >= 3:
            pieces.append(f"{WEEKDAY_NAMES[run[0]]} đến {WEEKDAY_NAMES[run[-1]]}")
        else:
            pieces.extend(WEEKDAY_NAMES[i] for i in run)
    if len(pieces) == 1:
        return pieces[0]
    return ", ".join(pieces[:-1]) + " và " + pieces[-1]


def describe(spec: ScheduleSpec, zone: ZoneInfo) -> str:
    """A Vietnamese summary of when a schedule airs: ``Thứ Hai đến Thứ Sáu, 05:30``, ``Hằng ngày, 17:00``,
    ``Một lần, 05:30 Thứ Hai 23/11/2026``, with the count, end and validity window where set."""
    local = spec.start_at.astimezone(zone)
    if not spec.rrule:
        return f"Một lần, {describe_moment(spec.start_at, zone)}"
    parts = rule_parts(spec.rrule)
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1") or 1)
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    hours = [int(h) for h in parts.get("BYHOUR", "").split(",") if h]
    minutes = [int(m) for m in parts.get("BYMINUTE", "").split(",") if m] or [local.minute]
    times = [f"{h:02d}:{m:02d}" for h in hours for m in minutes] if hours else [clock_text(spec.start_at, zone)]
    clock = " và ".join(times)
    if freq == "DAILY" and not days:
        when = "Hằng ngày" if interval == 1 else f"Mỗi {interval} ngày"
    elif freq in ("DAILY", "WEEKLY"):
        plain_days = days or [WEEKDAY_CODES[local.weekday()]]
        when = _days_phrase(plain_days)
        if interval > 1:
            when += f", mỗi {interval} tuần"
        elif len(plain_days) == 1:
            when += " hằng tuần"
    elif freq == "MONTHLY":
        month_days = parts.get("BYMONTHDAY", "") or str(local.day)
        when = f"Ngày {month_days} hằng tháng" if interval == 1 else f"Ngày {month_days}, mỗi {interval} tháng"
        if days:
            when = f"{_days_phrase(days)} hằng tháng"
    else:
        when = f"Ngày {local:%d/%m} hằng năm"
    text = f"{when}, {clock}"
    extras = []
    if "COUNT" in parts:
        extras.append(f"{parts['COUNT']} lần")
    if "UNTIL" in parts:
        extras.append(f"đến {until_local(parts['UNTIL'], zone):%d/%m/%Y}")
    if spec.valid_from is not None:
        extras.append(f"từ {spec.valid_from.astimezone(zone):%d/%m/%Y}")
    if spec.valid_to is not None:
        extras.append(f"hết hiệu lực {spec.valid_to.astimezone(zone):%d/%m/%Y}")
    if spec.exdates:
        extras.append(f"trừ {len(spec.exdates)} ngày")
    return text + (f" ({'; '.join(extras)})" if extras else "")
