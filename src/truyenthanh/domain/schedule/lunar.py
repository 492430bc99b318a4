"""The Vietnamese lunar calendar (âm lịch): solar dates to lunar dates and back.

Hồ Ngọc Đức's algorithm (the reference for the Vietnamese calendar, after Jean Meeus' *Astronomical
Algorithms*), computed for UTC+7. The Vietnamese calendar differs from the Chinese one (UTC+8) in some years
because a new moon or a solar term falls on a different day: Tết 1985 was 21 January in Vietnam and 20 February
in China, Tết 2007 17 and 18 February. No well-kept Python library implements the Vietnamese calendar (``lunardate``
and ``lunarcalendar`` are Chinese); the results are checked against the Tết table of the ``holidays`` library for
1901-2100 in ``tests/unit/test_lunar.py``.

Pure and cached: each new moon and each 11th month is computed once per process.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

VIETNAM_UTC_OFFSET_HOURS = 7.0
"""The Vietnamese calendar is computed for UTC+7 (no daylight saving time since 1975)."""

_JD_OFFSET = 1721425
"""``date.toordinal() + _JD_OFFSET`` is the Julian day number of that date (proleptic Gregorian)."""
_SYNODIC_MONTH = 29.530588853
_K_EPOCH = 2415021.076998695
"""Julian day of the new moon of 1 January 1900, from which new moons are counted."""

MONTH_NAMES = {1: "tháng Giêng", 12: "tháng Chạp"}
"""Traditional names of the first and last lunar months; the others are ``tháng N``."""


@dataclass(frozen=True, order=True)
class LunarDate:
    """A date in the Vietnamese lunar calendar."""

    year: int
    """The lunar year (the solar year in which its Tết falls)."""
    month: int
    """1 (tháng Giêng) to 12 (tháng Chạp)."""
    leap: bool
    """Whether the month is the leap month (tháng nhuận) that repeats ``month``."""
    day: int
    """1 (mùng 1) to 29 or 30; 15 is rằm."""

    def __str__(self) -> str:
        """``mùng 1 tháng Giêng năm 2026``, ``rằm tháng 6 nhuận năm 2025``."""
        leap = " nhuận" if self.leap else ""
        return f"{day_name(self.day)} {month_name(self.month)}{leap} năm {self.year}"

    @property
    def short(self) -> str:
        """``1/1``, ``15/6n`` (leap): the lunar date as a calendar prints it beside the solar one."""
        return f"{self.day}/{self.month}{'n' if self.leap else ''}"


def day_name(day: int) -> str:
    """How a lunar day is said: ``mùng 1`` to ``mùng 10``, ``rằm`` for the 15th, else ``ngày 23``... without
    ``ngày`` (``23``)."""
    if day <= 10:
        return f"mùng {day}"
    if day == 15:
        return "rằm"
    return str(day)


def month_name(month: int) -> str:
    """``tháng Giêng``, ``tháng 2`` ... ``tháng Chạp``."""
    return MONTH_NAMES.get(month, f"tháng {month}")


def _int(value: float) -> int:
    return math.floor(value)


@lru_cache(maxsize=8192)
def _new_moon(k: int) -> float:
    """Julian day (UT) of the k-th new moon after 1 January 1900."""
    t = k / 1236.85
    t2 = t * t
    t3 = t2 * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


def _new_moon_day(k: int) -> int:
    """Julian day number of the local (UTC+7) day on which the k-th new moon falls."""
    return _int(_new_moon(k) + 0.5 + VIETNAM_UTC_OFFSET_HOURS / 24)


def _sun_longitude_sector(day_number: int) -> int:
    """Which of the 12 thirty-degree sectors the sun's longitude is in at local midnight starting that day."""
    jdn = day_number - 0.5 - VIETNAM_UTC_OFFSET_HOURS / 24
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl = dl + (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    longitude = (l0 + dl) * dr
    longitude -= math.pi * 2 * _int(longitude / (math.pi * 2))
    return _int(longitude / math.pi * 6)


@lru_cache(maxsize=512)
def _month11(year: int) -> int:
    """Julian day number of the first day of the 11th lunar month (the one holding the winter solstice) that
    starts in solar ``year``."""
    off = date(year, 12, 31).toordinal() + _JD_OFFSET - 2415021
    k = _int(off / _SYNODIC_MONTH)
    new_moon = _new_moon_day(k)
    if _sun_longitude_sector(new_moon) >= 9:
        new_moon = _new_moon_day(k - 1)
    return new_moon


@lru_cache(maxsize=512)
def _leap_offset(a11: int) -> int:
    """How many months after the 11th month starting on ``a11`` the leap month comes (the first month without a
    major solar term)."""
    k = _int((a11 - _K_EPOCH) / _SYNODIC_MONTH + 0.5)
    i = 1
    arc = _sun_longitude_sector(_new_moon_day(k + i))
    while True:
        last = arc
        i += 1
        arc = _sun_longitude_sector(_new_moon_day(k + i))
        if arc == last or i >= 14:
            break
    return i - 1


@lru_cache(maxsize=4096)
def to_lunar(day: date) -> LunarDate:
    """The Vietnamese lunar date of a solar date."""
    day_number = day.toordinal() + _JD_OFFSET
    k = _int((day_number - _K_EPOCH) / _SYNODIC_MONTH) + 1
    # The mean-month estimate can be one month off either way when a new moon falls near local midnight (the
    # published algorithm then gives day 0, e.g. on 7 May 2054): step to the new moon that starts this month.
    while _new_moon_day(k) > day_number:
        k -= 1
    while _new_moon_day(k + 1) <= day_number:
        k += 1
    month_start = _new_moon_day(k)
    a11 = _month11(day.year)
    b11 = a11
    if a11 >= month_start:
        lunar_year = day.year
        a11 = _month11(day.year - 1)
    else:
        lunar_year = day.year + 1
        b11 = _month11(day.year + 1)
    lunar_day = day_number - month_start + 1
    diff = _int((month_start - a11) / 29)
    leap = False
    lunar_month = diff + 11
    if b11 - a11 > 365:
        leap_diff = _leap_offset(a11)
        if diff >= leap_diff:
            lunar_month = diff + 10
            leap = diff == leap_diff
    if lunar_month > 12:
        lunar_month -= 12
    if lunar_month >= 11 and diff < 4:
        lunar_year -= 1
    return LunarDate(lunar_year, lunar_month, leap, lunar_day)


def to_solar(lunar: LunarDate) -> date | None:
    """The solar date of a lunar date; ``None`` if that date does not exist (a leap month the year does not
    have, or a 30th in a month of 29 days)."""
    if lunar.month < 11:
        a11, b11 = _month11(lunar.year - 1), _month11(lunar.year)
    else:
        a11, b11 = _month11(lunar.year), _month11(lunar.year + 1)
    k = _int(0.5 + (a11 - _K_EPOCH) / _SYNODIC_MONTH)
    off = lunar.month - 11
    if off < 0:
        off += 12
    if b11 - a11 > 365:
        leap_off = _leap_offset(a11)
        leap_month = leap_off - 2
        if leap_month < 0:
            leap_month += 12
        if lunar.leap and lunar.month != leap_month:
            return None
        if lunar.leap or off >= leap_off:
            off += 1
    elif lunar.leap:
        return None
    month_start = _new_moon_day(k + off)
    found = date.fromordinal(month_start + lunar.day - 1 - _JD_OFFSET)
    return found if to_lunar(found) == lunar else None


def leap_month(year: int) -> int | None:
    """The month that lunar ``year`` repeats as a leap month (tháng nhuận), if it has one."""
    for month in range(1, 13):
        if to_solar(LunarDate(year, month, True, 1)) is not None:
            return month
    return None


def tet(year: int) -> date:
    """The first day of lunar ``year`` (mùng 1 Tết Nguyên Đán)."""
    found = to_solar(LunarDate(year, 1, False, 1))
    assert found is not None
    return found


__all__ = [
    "MONTH_NAMES",
    "VIETNAM_UTC_OFFSET_HOURS",
    "LunarDate",
    "day_name",
    "leap_month",
    "month_name",
    "tet",
    "to_lunar",
    "to_solar",
]
