"""A station's own broadcasting rules: named sessions, quiet hours, weekend rule.

The commune People's Committee fixes these locally; the software enforces them (DOMAIN.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from truyenthanh.domain.enums import WeekendRule


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

    def contains(self, moment: time) -> bool:
        """Whether a local wall-clock time falls inside this session."""
        return self.start <= moment < self.end


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
class StationRules:
    """All of a station's local broadcasting rules."""

    sessions: tuple[SessionRule, ...] = field(default_factory=tuple)
    quiet_hours: tuple[QuietHours, ...] = field(default_factory=tuple)
    weekend_rule: WeekendRule = WeekendRule.ALLOWED

    def session_at(self, local: datetime) -> SessionRule | None:
        """The session a local time falls in, if any."""
        return next((s for s in self.sessions if s.contains(local.time())), None)

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
                }
                for s in self.sessions
            ],
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
                )
                for s in data.get("sessions", [])
            ),
            quiet_hours=tuple(
                QuietHours(start=time.fromisoformat(q["start"]), end=time.fromisoformat(q["end"]))
                for q in data.get("quiet_hours", [])
            ),
            weekend_rule=WeekendRule(data.get("weekend_rule", WeekendRule.ALLOWED.value)),
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
