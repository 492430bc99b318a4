"""Station rules: sessions, quiet hours across midnight, weekend rule, storage round trip."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from truyenthanh.domain.enums import WeekendRule
from truyenthanh.domain.station import DEFAULT_RULES, QuietHours, StationRules

HN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_quiet_hours_wrap_past_midnight() -> None:
    night = QuietHours(time(21, 30), time(5, 0))
    assert night.contains(time(23, 0))
    assert night.contains(time(4, 30))
    assert not night.contains(time(5, 0))
    assert not night.contains(time(12, 0))


def test_default_rules_match_a_typical_commune() -> None:
    assert DEFAULT_RULES.session_at(datetime(2026, 11, 23, 5, 45, tzinfo=HN)).name == "Buổi sáng"  # type: ignore[union-attr]
    assert DEFAULT_RULES.session_at(datetime(2026, 11, 23, 12, 0, tzinfo=HN)) is None
    assert DEFAULT_RULES.is_quiet(datetime(2026, 11, 23, 4, 30, tzinfo=HN))


def test_weekend_rule() -> None:
    saturday = datetime(2026, 11, 28, 6, 0, tzinfo=HN)
    sunday = datetime(2026, 11, 29, 6, 0, tzinfo=HN)
    assert StationRules(weekend_rule=WeekendRule.NO_WEEKEND).weekend_forbids(saturday)
    assert not StationRules(weekend_rule=WeekendRule.NO_SUNDAY).weekend_forbids(saturday)
    assert StationRules(weekend_rule=WeekendRule.NO_SUNDAY).weekend_forbids(sunday)
    assert not StationRules().weekend_forbids(sunday)


def test_json_round_trip() -> None:
    assert StationRules.from_json(DEFAULT_RULES.to_json()) == DEFAULT_RULES
    assert StationRules.from_json(None) == StationRules()
