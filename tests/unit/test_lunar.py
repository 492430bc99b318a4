"""The Vietnamese lunar calendar, checked against published dates (UTC+7, not China's UTC+8)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from truyenthanh.domain.schedule.lunar import LunarDate, leap_month, tet, to_lunar, to_solar

# Tết Nguyên Đán in Vietnam where it differs from the Chinese New Year (published Vietnamese calendars).
TET_DIFFERENT_FROM_CHINA = {
    1968: date(1968, 1, 29),  # China: 30 January
    1969: date(1969, 2, 16),  # China: 17 February
    1985: date(1985, 1, 21),  # China: 20 February (Vietnam's 1984 had no leap month at the end)
    2007: date(2007, 2, 17),  # China: 18 February
    2030: date(2030, 2, 2),  # China: 3 February
    2053: date(2053, 2, 18),  # China: 19 February
}

# A sample of published mùng 1 / rằm / other lunar dates (lịch vạn niên).
PUBLISHED = {
    date(2024, 2, 10): LunarDate(2024, 1, False, 1),  # Tết Giáp Thìn
    date(2025, 1, 29): LunarDate(2025, 1, False, 1),  # Tết Ất Tỵ
    date(2026, 2, 17): LunarDate(2026, 1, False, 1),  # Tết Bính Ngọ
    date(2025, 2, 12): LunarDate(2025, 1, False, 15),  # rằm tháng Giêng
    date(2024, 2, 24): LunarDate(2024, 1, False, 15),
    date(2024, 8, 18): LunarDate(2024, 7, False, 15),  # rằm tháng 7 (Vu Lan)
    date(2025, 9, 6): LunarDate(2025, 7, False, 15),
    date(2024, 9, 17): LunarDate(2024, 8, False, 15),  # Tết Trung thu
    date(2025, 10, 6): LunarDate(2025, 8, False, 15),
    date(2025, 1, 22): LunarDate(2024, 12, False, 23),  # ông Công ông Táo
    date(2026, 2, 10): LunarDate(2025, 12, False, 23),
    date(2025, 4, 7): LunarDate(2025, 3, False, 10),  # Giỗ Tổ Hùng Vương
    date(2025, 6, 25): LunarDate(2025, 6, False, 1),
    date(2025, 7, 25): LunarDate(2025, 6, True, 1),  # mùng 1 tháng 6 nhuận Ất Tỵ
    date(2025, 8, 23): LunarDate(2025, 7, False, 1),
    date(2023, 3, 22): LunarDate(2023, 2, True, 1),  # mùng 1 tháng 2 nhuận Quý Mão
}


def _published_tet(year: int) -> date:
    """Tết from the holidays library's Vietnamese table (its own source, corrected for UTC+7)."""
    found = holidays.country_holidays("VN", years=year, language="vi")
    return next(day for day, name in found.items() if name == "Tết Nguyên Đán")


def test_tet_matches_the_published_table_from_2000_to_2100() -> None:
    wrong = {year: (tet(year), _published_tet(year)) for year in range(2000, 2101) if tet(year) != _published_tet(year)}
    assert wrong == {}


@pytest.mark.parametrize(("year", "expected"), sorted(TET_DIFFERENT_FROM_CHINA.items()))
def test_tet_in_years_where_vietnam_differs_from_china(year: int, expected: date) -> None:
    assert tet(year) == expected
    assert to_lunar(expected) == LunarDate(year, 1, False, 1)
    assert to_lunar(expected - timedelta(days=1)).year == year - 1


@pytest.mark.parametrize(("solar", "lunar"), sorted(PUBLISHED.items()))
def test_published_lunar_dates_both_ways(solar: date, lunar: LunarDate) -> None:
    assert to_lunar(solar) == lunar
    assert to_solar(lunar) == solar


def test_leap_years_and_their_months() -> None:
    assert leap_month(2025) == 6
    assert leap_month(2023) == 2
    assert leap_month(2020) == 4
    assert leap_month(2024) is None
    assert to_solar(LunarDate(2024, 6, True, 1)) is None  # 2024 has no leap month
    assert to_solar(LunarDate(2025, 5, True, 1)) is None  # 2025 repeats the 6th, not the 5th


def test_every_day_converts_back_and_months_have_29_or_30_days() -> None:
    day = date(2000, 1, 1)
    previous = to_lunar(day - timedelta(days=1))
    while day < date(2101, 1, 1):
        lunar = to_lunar(day)
        if lunar.day == 1:
            assert previous.day in (29, 30), day
        else:
            assert lunar.day == previous.day + 1 and lunar.month == previous.month, day
        day += timedelta(days=1)
        previous = lunar


def test_a_30th_exists_only_in_months_of_30_days() -> None:
    lengths = {}
    for month in range(1, 12):
        first, following = to_solar(LunarDate(2026, month, False, 1)), to_solar(LunarDate(2026, month + 1, False, 1))
        assert first is not None and following is not None
        lengths[month] = (following - first).days
        assert (to_solar(LunarDate(2026, month, False, 30)) is None) == (lengths[month] == 29)
    assert set(lengths.values()) == {29, 30}


def test_wording_of_lunar_dates() -> None:
    assert str(to_lunar(date(2026, 2, 17))) == "mùng 1 tháng Giêng năm 2026"
    assert str(to_lunar(date(2025, 8, 8))) == "rằm tháng 6 nhuận năm 2025"
    assert to_lunar(date(2025, 8, 8)).short == "15/6n"
