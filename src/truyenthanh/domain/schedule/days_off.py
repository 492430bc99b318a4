"""Public holidays of Vietnam (from the ``holidays`` library, with Vietnamese names) and the station's announced
days off, as schedules see them."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from truyenthanh.domain.station import StationRules


@lru_cache(maxsize=256)
def public_holidays(year: int) -> dict[date, str]:
    """Vietnam's public holidays in a solar year (with the days off in lieu), by date, with Vietnamese names."""
    # Imported here: the holidays package loads every country's module on first use (about 0.2 s), which only
    # stations that schedule by holidays should pay for.
    import holidays

    found = holidays.country_holidays("VN", years=year, language="vi")
    return {day: str(name) for day, name in found.items()}


def holiday_name(day: date, rules: StationRules | None) -> str | None:
    """The holiday or announced day off on a local date (the station's list first), or ``None``."""
    announced = rules.day_off(day) if rules is not None else None
    if announced is not None:
        return announced.name
    return public_holidays(day.year).get(day)


__all__ = ["holiday_name", "public_holidays"]
