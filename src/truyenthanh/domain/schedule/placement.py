"""Placement: which session an airing belongs to, and priority items moved ahead within their session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.schedule.model import Occurrence, Planned
from truyenthanh.domain.station import SessionRule, StationRules


@dataclass(frozen=True)
class SessionWindow:
    """One session on one local date."""

    rule: SessionRule
    day: date
    start: datetime
    """UTC."""
    end: datetime
    """UTC."""


def session_window(occurrence: Occurrence, rules: StationRules, zone: ZoneInfo) -> SessionWindow | None:
    """The session an occurrence belongs to: the one named on its schedule, else the one its start falls in."""
    local = occurrence.start.astimezone(zone)
    session: SessionRule | None = None
    if occurrence.session_name:
        session = next((s for s in rules.sessions if s.name == occurrence.session_name), None)
    if session is None:
        session = rules.session_at(local)
    if session is None:
        return None
    day = local.date()
    session_start, session_end = session.times_on(day)
    begin = datetime.combine(day, session_start, tzinfo=zone).astimezone(UTC)
    finish = datetime.combine(day, session_end, tzinfo=zone).astimezone(UTC)
    if finish <= begin:
        finish += timedelta(days=1)
    return SessionWindow(rule=session, day=day, start=begin, end=finish)


def plan(occurrences: Sequence[Occurrence], rules: StationRules, zone: ZoneInfo) -> list[Planned]:
    """Give every occurrence its planned start.

    Within one session on one day, priority items play first, at the earliest scheduled start of the session's
    items, in the operator's order; normal items follow at their scheduled start or as soon as the items before
    them end. Items outside any session and emergency items keep their scheduled start.
    """
    groups: dict[tuple[date, str], list[Occurrence]] = {}
    planned: list[Planned] = []
    for occurrence in occurrences:
        window = session_window(occurrence, rules, zone) if occurrence.priority is not Priority.EMERGENCY else None
        if window is None:
            planned.append(Planned(occurrence, occurrence.start))
            continue
        groups.setdefault((window.day, window.rule.name), []).append(occurrence)
    for (_day, name), members in groups.items():
        ahead = sorted((o for o in members if o.priority is Priority.PRIORITY), key=lambda o: (o.order, o.start))
        normal = sorted((o for o in members if o.priority is Priority.NORMAL), key=lambda o: (o.start, o.order))
        cursor = min(o.start for o in members)
        for occurrence in ahead:
            planned.append(Planned(occurrence, cursor, name))
            cursor += timedelta(seconds=occurrence.duration_s)
        for occurrence in normal:
            begin = max(occurrence.start, cursor)
            planned.append(Planned(occurrence, begin, name))
            cursor = begin + timedelta(seconds=occurrence.duration_s)
    return sorted(planned, key=lambda p: (p.start, p.occurrence.order))
