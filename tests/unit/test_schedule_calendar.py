"""Schedules on the Vietnamese calendar: lunar days, holidays (skip, only, swap), seasonal session starts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from truyenthanh.domain.schedule import (
    CalendarRule,
    HolidayPolicy,
    LeapPolicy,
    LunarRule,
    ProgrammeSwap,
    ScheduleSpec,
    check,
    describe,
    expand,
    holiday_name,
    to_lunar,
)
from truyenthanh.domain.station import DayOff, Season, SessionRule, StationRules
from truyenthanh.errors import ScheduleError

HN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = HN) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def lunar_spec(rule: LunarRule, start_at: datetime | None = None, **extra: Any) -> ScheduleSpec:
    return ScheduleSpec(
        id=1,
        programme_id=7,
        title="Bản tin mùng 1 và rằm",
        duration_s=600,
        start_at=start_at or local(date(2026, 1, 1), 5, 30),
        calendar=CalendarRule(lunar=rule, **extra),
    )


def test_every_mung_1_and_ram_over_a_year() -> None:
    found = expand(lunar_spec(LunarRule((1, 15))), local(date(2026, 1, 1), 0), local(date(2027, 1, 1), 0), HN)
    days = [o.start.astimezone(HN).date() for o in found]
    assert all(to_lunar(d).day in (1, 15) for d in days)
    assert date(2026, 2, 17) in days and date(2026, 3, 3) in days  # Tết and rằm tháng Giêng
    assert days[:5] == [date(2026, 1, 3), date(2026, 1, 19), date(2026, 2, 2), date(2026, 2, 17), date(2026, 3, 3)]
    assert len(days) == 25  # 12 or 13 lunar months touch a solar year: here 25 of their 1st and 15th
    assert {o.start.astimezone(HN).time() for o in found} == {time(5, 30)}


def test_one_day_of_one_month_over_2000_to_2100() -> None:
    spec = lunar_spec(LunarRule((23,), (12,)), start_at=local(date(2000, 1, 1), 6, 0))
    found = expand(spec, local(date(2000, 1, 1), 0), local(date(2101, 1, 1), 0), HN)
    assert len(found) == 101  # one 23 tháng Chạp per solar year (lunar 1999 to 2099)
    for occurrence in found:
        lunar = to_lunar(occurrence.start.astimezone(HN).date())
        assert (lunar.month, lunar.day) == (12, 23)
        assert occurrence.start.astimezone(HN).date() + timedelta(days=7) <= date(lunar.year + 1, 2, 20)
    assert date(2026, 2, 10) in {o.start.astimezone(HN).date() for o in found}


def test_leap_month_both_or_regular_only() -> None:
    window = (local(date(2025, 6, 1), 0), local(date(2025, 9, 1), 0))
    first = local(date(2025, 1, 1), 5, 30)
    both = expand(lunar_spec(LunarRule((15,), (6,)), first), *window, HN)
    regular = expand(lunar_spec(LunarRule((15,), (6,), LeapPolicy.REGULAR), first), *window, HN)
    assert [o.start.astimezone(HN).date() for o in both] == [date(2025, 7, 9), date(2025, 8, 8)]
    assert [o.start.astimezone(HN).date() for o in regular] == [date(2025, 7, 9)]


def test_lunar_rule_is_read_as_typed() -> None:
    assert LunarRule.parse("mùng 1, rằm") == LunarRule((1, 15))
    assert LunarRule.parse("23/12") == LunarRule((23,), (12,))
    assert str(LunarRule((1, 15))) == "1,15" and str(LunarRule((23,), (12,))) == "23/12"
    with pytest.raises(ScheduleError) as caught:
        LunarRule.parse("32")
    assert caught.value.field == "lunar"
    with pytest.raises(ScheduleError):
        LunarRule.parse("1/1,15")


def test_lunar_days_are_computed_for_utc_plus_7_whatever_the_station_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # has daylight saving time; Vietnam has none
    spec = lunar_spec(LunarRule((1,)), start_at=local(date(2026, 1, 1), 5, 30, berlin))
    found = expand(spec, local(date(2026, 1, 1), 0, zone=berlin), local(date(2027, 1, 1), 0, zone=berlin), berlin)
    assert {o.start.astimezone(berlin).time() for o in found} == {time(5, 30)}  # wall clock across DST changes
    assert {o.start.utcoffset() for o in found} == {timedelta(0)}
    assert all(to_lunar(o.start.astimezone(berlin).date()).day == 1 for o in found)
    in_hanoi = expand(lunar_spec(LunarRule((1,))), local(date(2026, 1, 1), 0), local(date(2027, 1, 1), 0), HN)
    assert all(o.start.astimezone(HN).utcoffset() == timedelta(hours=7) for o in in_hanoi)


def test_public_holidays_have_vietnamese_names_and_station_days_off_count() -> None:
    assert holiday_name(date(2026, 9, 2), None) == "Quốc khánh"
    assert holiday_name(date(2026, 2, 17), None) == "Tết Nguyên Đán"
    assert holiday_name(date(2026, 3, 10), None) is None
    rules = StationRules(days_off=(DayOff(date(2026, 3, 10), "Nghỉ bù theo thông báo của Chính phủ"),))
    assert holiday_name(date(2026, 3, 10), rules) == "Nghỉ bù theo thông báo của Chính phủ"


def _daily(session_name: str | None = None, **extra: Any) -> ScheduleSpec:
    return ScheduleSpec(
        id=2,
        programme_id=8,
        title="Bản tin sáng",
        duration_s=900,
        start_at=local(date(2026, 8, 29), 5, 30),
        rrule="FREQ=DAILY",
        session_name=session_name,
        calendar=CalendarRule(**extra),
    )


def test_holidays_skip_only_and_swap() -> None:
    window = (local(date(2026, 8, 29), 0), local(date(2026, 9, 5), 0))
    every = [o.start.astimezone(HN).date() for o in expand(_daily(), *window, HN)]
    skipped = [o.start.astimezone(HN).date() for o in expand(_daily(holidays=HolidayPolicy.SKIP), *window, HN)]
    only = [o.start.astimezone(HN).date() for o in expand(_daily(holidays=HolidayPolicy.ONLY), *window, HN)]
    assert len(every) == 7
    assert only == [date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)]  # day off in lieu and Quốc khánh
    assert skipped == [d for d in every if d not in only]
    swap = ProgrammeSwap(9, "Chương trình mừng Quốc khánh", 1200)
    swapped = expand(_daily(holidays=HolidayPolicy.SWAP, holiday_swap=swap), *window, HN)
    by_day = {o.start.astimezone(HN).date(): o for o in swapped}
    assert len(swapped) == 7
    assert by_day[date(2026, 9, 2)].programme_id == 9 and by_day[date(2026, 9, 2)].duration_s == 1200
    assert by_day[date(2026, 9, 2)].title == "Chương trình mừng Quốc khánh"
    assert by_day[date(2026, 9, 3)].programme_id == 8


WINTER = Season("Mùa đông", (11, 1), (3, 31), time(6, 0), time(7, 30))
MORNING = SessionRule("Buổi sáng", time(5, 30), time(7, 0), 60, seasons=(WINTER,))
RULES = StationRules(sessions=(MORNING,))


def test_seasonal_change_over_day() -> None:
    spec = ScheduleSpec(
        id=3,
        programme_id=8,
        title="Bản tin sáng",
        duration_s=900,
        start_at=local(date(2026, 10, 30), 5, 30),
        rrule="FREQ=DAILY",
        session_name="Buổi sáng",
        calendar=CalendarRule(at_session_start=True),
    )
    autumn = expand(spec, local(date(2026, 10, 30), 0), local(date(2026, 11, 3), 0), HN, RULES)
    assert [o.start.astimezone(HN).strftime("%d/%m %H:%M") for o in autumn] == [
        "30/10 05:30",
        "31/10 05:30",
        "01/11 06:00",
        "02/11 06:00",
    ]
    spring = expand(spec, local(date(2027, 3, 31), 0), local(date(2027, 4, 2), 0), HN, RULES)
    assert [o.start.astimezone(HN).strftime("%d/%m %H:%M") for o in spring] == ["31/03 06:00", "01/04 05:30"]
    assert RULES.session_at(datetime(2026, 11, 1, 5, 45)) is None  # the winter session has not started yet
    assert RULES.session_at(datetime(2026, 11, 1, 7, 15)) == MORNING
    assert StationRules.from_json(RULES.to_json()) == RULES


def test_rules_checks_know_the_season() -> None:
    at_0545 = ScheduleSpec(
        id=None,
        programme_id=8,
        title="Tin 05:45",
        duration_s=60 * 80,
        start_at=local(date(2026, 11, 2), 6, 0),
    )
    report = check(at_0545, [], RULES, HN, local(date(2026, 11, 1), 0))
    assert any("06:00–07:30" in c.message for c in report.conflicts)  # 80 minutes > the 60 allowed in winter


def test_descriptions_in_vietnamese() -> None:
    rule = lunar_spec(LunarRule((1, 15)), holidays=HolidayPolicy.SKIP)
    assert describe(rule, HN) == "Lúc 05:30 ngày mùng 1 và rằm hằng tháng (âm lịch), trừ ngày lễ"
    tao = lunar_spec(LunarRule((23,), (12,), LeapPolicy.REGULAR))
    assert describe(tao, HN) == "Lúc 05:30 ngày 23 tháng Chạp (âm lịch, không tính tháng nhuận)"
    swap = _daily(holidays=HolidayPolicy.SWAP, holiday_swap=ProgrammeSwap(9, "Mừng lễ", 60))
    assert describe(swap, HN) == "Hằng ngày, 05:30, ngày lễ phát «Mừng lễ» thay thế"
    seasonal = _daily(session_name="Buổi sáng", at_session_start=True, holidays=HolidayPolicy.ONLY)
    assert describe(seasonal, HN) == "Hằng ngày, 05:30, lúc bắt đầu buổi sáng (theo mùa), chỉ ngày lễ"
