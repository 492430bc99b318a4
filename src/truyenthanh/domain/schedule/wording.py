"""Wording: schedules, moments and durations described in Vietnamese."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule.lunar import day_name, month_name
from truyenthanh.domain.schedule.model import (
    WEEKDAY_CODES,
    WEEKDAY_NAMES,
    HolidayPolicy,
    LeapPolicy,
    LunarRule,
    ScheduleSpec,
    ZoneRef,
)
from truyenthanh.domain.schedule.recurrence import rule_parts, until_local

LOCAL_LABEL = "loa tại đài"
"""The station's own output, in Vietnamese."""


def output_label(output: str, zones: Sequence[ZoneRef]) -> str:
    """One output in Vietnamese: «loa tại đài» for the station's own (``""``), else «cụm loa Thôn Đông» (the
    zone's name, or its slug when the station has no such zone)."""
    if not output:
        return LOCAL_LABEL
    name = next((z.name for z in zones if z.slug == output), output)
    return f"cụm loa {name}"


def describe_targets(targets: Targets, zones: Sequence[ZoneRef]) -> str:
    """Where a schedule airs, in Vietnamese: «loa tại đài và mọi cụm loa», «loa tại đài», «mọi cụm loa»,
    «cụm loa Thôn Đông và cụm loa Thôn Tây»; «không phát ở đâu» when it reaches nothing. At a station without
    zones (a wired or FM one), "every zone" goes unsaid beside the station's own loudspeaker."""
    pieces = [LOCAL_LABEL] if targets.local else []
    if targets.zones is not None:
        pieces.extend(output_label(slug, zones) for slug in targets.zones)
    elif zones or not targets.local:
        pieces.append("mọi cụm loa")
    return _joined(pieces) if pieces else "không phát ở đâu"


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


def _joined(pieces: Sequence[str]) -> str:
    return pieces[0] if len(pieces) == 1 else ", ".join(pieces[:-1]) + " và " + pieces[-1]


def describe_lunar(rule: LunarRule) -> str:
    """``ngày mùng 1 và rằm hằng tháng (âm lịch)``, ``ngày 23 tháng Chạp (âm lịch)``."""
    days = _joined([day_name(d) for d in rule.days])
    months = "hằng tháng" if not rule.months else _joined([month_name(m) for m in rule.months])
    leap = ", không tính tháng nhuận" if rule.leap is LeapPolicy.REGULAR else ""
    return f"ngày {days} {months} (âm lịch{leap})"


def _calendar_suffix(spec: ScheduleSpec) -> str:
    if spec.holidays is HolidayPolicy.SWAP and spec.holiday_swap is not None:
        return f", ngày lễ phát «{spec.holiday_swap.title}» thay thế"
    return f", {spec.holidays.label}" if spec.holidays is not HolidayPolicy.ALWAYS else ""


def describe(spec: ScheduleSpec, zone: ZoneInfo) -> str:
    """A Vietnamese summary of when a schedule airs: ``Thứ Hai đến Thứ Sáu, 05:30``, ``Hằng ngày, 17:00``,
    ``Một lần, 05:30 Thứ Hai 23/11/2026``, ``Lúc 05:30 ngày mùng 1 và rằm hằng tháng (âm lịch), trừ ngày lễ``,
    with the count, end, validity window, holidays and session start where set."""
    text = _describe_timing(spec, zone)
    if spec.at_session_start and spec.session_name and spec.recurring:
        text += f", lúc bắt đầu {spec.session_name.lower()} (theo mùa)"
    return text + _calendar_suffix(spec)


def _describe_timing(spec: ScheduleSpec, zone: ZoneInfo) -> str:
    local = spec.start_at.astimezone(zone)
    if spec.lunar is not None:
        text = f"Lúc {clock_text(spec.start_at, zone)} {describe_lunar(spec.lunar)}"
        return text + _validity(spec, zone, {})
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
    return f"{when}, {clock}" + _validity(spec, zone, parts)


def _validity(spec: ScheduleSpec, zone: ZoneInfo, parts: dict[str, str]) -> str:
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
    return f" ({'; '.join(extras)})" if extras else ""
