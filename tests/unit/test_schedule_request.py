"""Schedule requests and conflict resolution: pure domain functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from truyenthanh.domain.schedule import (
    OneOff,
    Recurring,
    Resolution,
    ScheduleConflictError,
    ScheduleRequest,
    ScheduleSpec,
    resolve_conflicts,
    timing_of,
)
from truyenthanh.domain.station import DEFAULT_RULES
from truyenthanh.errors import ScheduleError

HN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 in Hà Nội


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Hà Nội wall-clock time in November 2026 as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=HN).astimezone(UTC)


def spec(sid: int | None, start: datetime, minutes: float, rule: str | None = None) -> ScheduleSpec:
    """A schedule of ``minutes`` for programme ``sid`` (99 when unsaved)."""
    return ScheduleSpec(
        id=sid, programme_id=sid or 99, title=f"Chương trình {sid}", duration_s=minutes * 60, start_at=start, rrule=rule
    )


DAILY_0530 = spec(1, at(23, 5, 30), minutes=20, rule="FREQ=DAILY")
"""05:30–05:50 every day."""


def test_timing_is_one_off_or_rule_with_time_and_errors_name_the_field() -> None:
    assert timing_of(at(24, 8), None, None) == OneOff(at(24, 8))
    assert timing_of(None, "FREQ=DAILY", time(5, 30)) == Recurring("FREQ=DAILY", time(5, 30))
    with pytest.raises(ScheduleError) as neither:
        timing_of(None, None, None)
    assert neither.value.field == "timing"
    with pytest.raises(ScheduleError) as both:
        timing_of(at(24, 8), "FREQ=DAILY", time(5, 30))
    assert both.value.field == "timing"
    with pytest.raises(ScheduleError) as no_time:
        timing_of(None, "FREQ=DAILY", None)
    assert no_time.value.field == "time"


def test_request_start_and_rule() -> None:
    recurring = ScheduleRequest("Bản tin", Recurring("freq=daily", time(5, 30)), valid_from=at(25, 0))
    assert recurring.start_at(HN, NOW) == at(25, 5, 30)  # first day: the validity start
    assert recurring.rule() == "FREQ=DAILY"
    today = ScheduleRequest("Bản tin", Recurring("FREQ=DAILY", time(5, 30)))
    assert today.start_at(HN, NOW) == at(23, 5, 30)
    one_off = ScheduleRequest(7, OneOff(at(24, 8)))
    assert one_off.start_at(HN, NOW) == at(24, 8) and one_off.rule() is None


def test_request_errors_carry_their_field() -> None:
    with pytest.raises(ScheduleError, match="đã qua") as past:
        ScheduleRequest(7, OneOff(at(22, 8))).start_at(HN, NOW)
    assert past.value.field == "at"
    with pytest.raises(ScheduleError) as window:
        ScheduleRequest(7, OneOff(at(24, 8)), valid_from=at(26, 0), valid_to=at(25, 0)).start_at(HN, NOW)
    assert window.value.field == "valid_to"
    with pytest.raises(ScheduleError) as rule:
        ScheduleRequest(7, Recurring("FREQ=HOURLY", time(5, 30))).rule()
    assert rule.value.field == "rrule"


def test_no_conflict_saves_as_it_is() -> None:
    candidate = spec(None, at(24, 8), minutes=10)
    resolved = resolve_conflicts(candidate, [DAILY_0530], DEFAULT_RULES, HN, NOW, resolution=None)
    assert resolved.candidate == candidate and resolved.note == "" and not resolved.forced and not resolved.dropped


def test_conflict_refused_without_a_resolution() -> None:
    candidate = spec(None, at(24, 5, 40), minutes=10)
    with pytest.raises(ScheduleConflictError) as refused:
        resolve_conflicts(candidate, [DAILY_0530], DEFAULT_RULES, HN, NOW, resolution=None)
    assert refused.value.field == "resolve"
    assert refused.value.report.choices == (Resolution.SHIFT, Resolution.AFTER, Resolution.REPLACE, Resolution.FORCE)


def test_after_and_shift_move_the_candidate() -> None:
    candidate = spec(None, at(24, 5, 40), minutes=10)
    after = resolve_conflicts(candidate, [DAILY_0530], DEFAULT_RULES, HN, NOW, resolution=Resolution.AFTER)
    assert after.candidate.start_at == at(24, 5, 50)
    assert after.note == "Đã dời giờ phát sang 05:50 Thứ Ba 24/11/2026."
    shifted = resolve_conflicts(candidate, [DAILY_0530], DEFAULT_RULES, HN, NOW, resolution=Resolution.SHIFT)
    assert shifted.candidate.start_at == at(24, 5, 50)


def test_force_keeps_the_conflicts_and_replace_drops_the_other_airings() -> None:
    candidate = spec(None, at(24, 5, 35), minutes=10)
    forced = resolve_conflicts(candidate, [DAILY_0530], DEFAULT_RULES, HN, NOW, resolution=Resolution.FORCE)
    assert forced.candidate == candidate
    assert len(forced.forced) == 1 and "trùng với «Chương trình 1»" in forced.forced[0]
    replaced = resolve_conflicts(candidate, [DAILY_0530], DEFAULT_RULES, HN, NOW, resolution=Resolution.REPLACE)
    assert replaced.candidate == candidate
    assert replaced.dropped == {1: (at(24, 5, 30),)}
    assert replaced.note == "Đã bỏ các lần phát bị trùng của lịch số 1."


def test_replace_is_refused_when_nothing_can_be_dropped() -> None:
    quiet = spec(None, at(24, 4, 30), minutes=10)  # quiet hours, no other schedule to drop
    with pytest.raises(ScheduleConflictError, match="giờ yên tĩnh"):
        resolve_conflicts(quiet, [], DEFAULT_RULES, HN, NOW, resolution=Resolution.REPLACE)
