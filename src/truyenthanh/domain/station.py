"""A station's own broadcasting rules: named sessions (with seasonal start times), quiet hours, weekend rule, and
the days off the government announces each year.

The commune People's Committee fixes these locally; the software enforces them (DOMAIN.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from truyenthanh.domain.enums import WeekendRule


@dataclass(frozen=True)
class Season:
    """A part of the year in which a session starts (and ends) at other times: "mùa đông" from 1 November to
    31 March starts the morning session at 06:00 instead of 05:30."""

    name: str
    """Vietnamese name, e.g. "Mùa đông"."""
    first: tuple[int, int]
    """First day, as (month, day); the range may wrap past the new year."""
    last: tuple[int, int]
    """Last day (inclusive), as (month, day)."""
    start: time
    """The session's start in this season."""
    end: time
    """The session's end in this season."""

    def contains(self, day: date) -> bool:
        """Whether a local date falls in this season."""
        key = (day.month, day.day)
        if self.first <= self.last:
            return self.first <= key <= self.last
        return key >= self.first or key <= self.last

    @property
    def span(self) -> str:
        """``01/11–31/03``."""
        return f"{self.first[1]:02d}/{self.first[0]:02d}–{self.last[1]:02d}/{self.last[0]:02d}"


@dataclass(frozen=True)
class SessionRule:
    """A named broadcasting session (buổi), in the station's local time."""

    name: str
    """Vietnamese name, e.g. "Buổi sáng"."""
    start: time
    """Earliest start of the session."""
    end: time
    """Latest end of the session."""
    max_minutes: int
    """Longest total airtime allowed within the session."""
    seasons: tuple[Season, ...] = ()
    """Parts of the year with other start and end times; the first that holds a date wins."""

    def contains(self, moment: time) -> bool:
        """Whether a local wall-clock time falls inside this session's regular times."""
        return self.start <= moment < self.end

    def season_on(self, day: date) -> Season | None:
        """The season a local date falls in, if any."""
        return next((s for s in self.seasons if s.contains(day)), None)

    def times_on(self, day: date) -> tuple[time, time]:
        """The session's start and end on a local date (the season's, or the regular ones)."""
        season = self.season_on(day)
        return (season.start, season.end) if season is not None else (self.start, self.end)

    def contains_at(self, local: datetime) -> bool:
        """Whether a local date and time falls inside this session, as its season has it that day."""
        start, end = self.times_on(local.date())
        return start <= local.time() < end


@dataclass(frozen=True)
class QuietHours:
    """A window in which nothing but emergencies may be broadcast; may wrap past midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Whether a local wall-clock time falls in the quiet window."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class DayOff:
    """A day off announced for one year (Tết, bridge days): counts as a holiday for schedules."""

    day: date
    name: str
    """Vietnamese name, e.g. "Nghỉ Tết Nguyên Đán"."""


@dataclass(frozen=True)
class StationRules:
    """All of a station's local broadcasting rules."""

    sessions: tuple[SessionRule, ...] = field(default_factory=tuple)
    quiet_hours: tuple[QuietHours, ...] = field(default_factory=tuple)
    weekend_rule: WeekendRule = WeekendRule.ALLOWED
    days_off: tuple[DayOff, ...] = ()
    """Days off announced for the year, beyond the public holidays (the ``holidays`` library knows those)."""

    def session_at(self, local: datetime) -> SessionRule | None:
        """The session a local time falls in (as the season has it that day), if any."""
        return next((s for s in self.sessions if s.contains_at(local)), None)

    def session_named(self, name: str) -> SessionRule | None:
        """A session by its name."""
        return next((s for s in self.sessions if s.name == name), None)

    def day_off(self, day: date) -> DayOff | None:
        """The announced day off on a local date, if any."""
        return next((d for d in self.days_off if d.day == day), None)

    def is_quiet(self, local: datetime) -> bool:
        """Whether a local time falls in quiet hours."""
        return any(q.contains(local.time()) for q in self.quiet_hours)

    def weekend_forbids(self, local: datetime) -> bool:
        """Whether the weekend rule forbids normal broadcasts on this local date."""
        weekday = local.weekday()  # Monday is 0
        if self.weekend_rule is WeekendRule.NO_WEEKEND:
            return weekday >= 5
        if self.weekend_rule is WeekendRule.NO_SUNDAY:
            return weekday == 6
        return False

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form for storage."""
        return {
            "sessions": [
                {
                    "name": s.name,
                    "start": s.start.isoformat("minutes"),
                    "end": s.end.isoformat("minutes"),
                    "max_minutes": s.max_minutes,
                    **({"seasons": [_season_json(x) for x in s.seasons]} if s.seasons else {}),
                }
                for s in self.sessions
            ],
            **(
                {"days_off": [{"day": d.day.isoformat(), "name": d.name} for d in self.days_off]}
                if self.days_off
                else {}
            ),
            "quiet_hours": [
                {"start": q.start.isoformat("minutes"), "end": q.end.isoformat("minutes")} for q in self.quiet_hours
            ],
            "weekend_rule": self.weekend_rule.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> StationRules:
        """Rebuild rules stored by :meth:`to_json` (missing parts take defaults)."""
        if not data:
            return cls()
        return cls(
            sessions=tuple(
                SessionRule(
                    name=s["name"],
                    start=time.fromisoformat(s["start"]),
                    end=time.fromisoformat(s["end"]),
                    max_minutes=int(s["max_minutes"]),
                    seasons=tuple(_season_of(x) for x in s.get("seasons", [])),
                )
                for s in data.get("sessions", [])
            ),
            quiet_hours=tuple(
                QuietHours(start=time.fromisoformat(q["start"]), end=time.fromisoformat(q["end"]))
                for q in data.get("quiet_hours", [])
            ),
            weekend_rule=WeekendRule(data.get("weekend_rule", WeekendRule.ALLOWED.value)),
            days_off=tuple(DayOff(date.fromisoformat(d["day"]), d["name"]) for d in data.get("days_off", [])),
        )


def _season_json(season: Season) -> dict[str, Any]:
    return {
        "name": season.name,
        "first": f"{season.first[0]:02d}-{season.first[1]:02d}",
        "last": f"{season.last[0]:02d}-{season.last[1]:02d}",
        "start": season.start.isoformat("minutes"),
        "end": season.end.isoformat("minutes"),
    }


def _season_of(data: dict[str, Any]) -> Season:
    first_month, first_day = (int(x) for x in data["first"].split("-"))
    last_month, last_day = (int(x) for x in data["last"].split("-"))
    return Season(
        name=data["name"],
        first=(first_month, first_day),
        last=(last_month, last_day),
        start=time.fromisoformat(data["start"]),
        end=time.fromisoformat(data["end"]),
    )


DEFAULT_RULES = StationRules(
    sessions=(
        SessionRule(name="Buổi sáng", start=time(5, 30), end=time(7, 0), max_minutes=60),
        SessionRule(name="Buổi chiều", start=time(17, 0), end=time(18, 30), max_minutes=60),
    ),
    quiet_hours=(QuietHours(start=time(21, 30), end=time(5, 0)),),
    weekend_rule=WeekendRule.ALLOWED,
)
"""Typical rules: morning and afternoon sessions, quiet at night (DOMAIN.md)."""
