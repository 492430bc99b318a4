"""The days off a package brings: the Tết and bridge days the government announces each year, which an upstream
may send to its stations with a package ("[[day_off]]" in the programme file) so that schedules that skip, keep
to or swap on holidays know them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.station import DayOff, StationRules
from truyenthanh.services.unit_of_work import StationRepository

DAYS_OFF_ACTION = "station.days_off"
"""Audit action of a station's days off changed by a package import."""


def with_days_off(rules: StationRules, days: Iterable[DayOff]) -> tuple[StationRules, tuple[DayOff, ...]]:
    """The station's rules with a package's days off added, and those of them that change the station's list
    (new dates, or a known date under another name: the package's name wins, as the newer announcement).

    The station's other days off stay; the list stays in date order.
    """
    known = {day.day: day for day in rules.days_off}
    changed = tuple(day for day in days if known.get(day.day) != day)
    if not changed:
        return rules, ()
    merged = {**known, **{day.day: day for day in changed}}
    return replace(rules, days_off=tuple(sorted(merged.values(), key=lambda d: d.day))), changed


def import_days_off(station: StationRepository, days: Iterable[DayOff]) -> RecordChange | None:
    """Add a package's days off to the station's list inside the caller's unit of work; returns the station's
    change for the audit trail, or ``None`` when nothing changes (or the station is not initialised)."""
    rules, changed = with_days_off(station.rules(), days)
    if not changed:
        return None
    return station.set_rules(rules)


def days_off_text(days: Iterable[DayOff]) -> str:
    """``05/02/2027 Nghỉ Tết Nguyên Đán; 06/02/2027 Nghỉ Tết Nguyên Đán``."""
    return "; ".join(f"{day.day:%d/%m/%Y} {day.name}" for day in days)


__all__ = ["DAYS_OFF_ACTION", "days_off_text", "import_days_off", "with_days_off"]
