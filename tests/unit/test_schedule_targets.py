"""Schedule targets (issue 18): airings conflict only on an output they share, the station's rules apply on
every output, and the messages name the output in Vietnamese."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from truyenthanh.domain.enums import WeekendRule
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule import (
    ConflictKind,
    Resolution,
    ScheduleConflictError,
    ScheduleSpec,
    ZoneRef,
    check,
    describe_targets,
    expand,
    outputs,
    resolve_conflicts,
    resolve_targets,
)
from truyenthanh.domain.station import DEFAULT_RULES, QuietHours, SessionRule, StationRules
from truyenthanh.errors import ScheduleError

HN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 in Hà Nội
ZONES = (ZoneRef("thon-dong", "Thôn Đông"), ZoneRef("thon-tay", "Thôn Tây"))
LOCAL_ONLY = Targets(local=True, zones=())
EAST = Targets(local=False, zones=("thon-dong",))
WEST = Targets(local=False, zones=("thon-tay",))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Hà Nội wall-clock time in November 2026 as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=HN).astimezone(UTC)


def spec(sid: int | None, start: datetime, targets: Targets, minutes: float = 15) -> ScheduleSpec:
    return ScheduleSpec(
        id=sid,
        programme_id=sid or 99,
        title=f"Chương trình {sid}",
        duration_s=minutes * 60,
        start_at=start,
        targets=targets,
    )


def test_occurrences_carry_their_schedules_targets() -> None:
    found = expand(spec(1, at(24, 8), EAST), at(24, 0), at(25, 0), HN)
    assert [o.targets for o in found] == [EAST]
    assert outputs(Targets(), ZONES) == ["", "thon-dong", "thon-tay"]
    assert outputs(EAST, ZONES) == ["thon-dong"]


def test_disjoint_targets_do_not_conflict() -> None:
    existing = spec(1, at(24, 8), EAST)
    for candidate_targets in (WEST, LOCAL_ONLY):
        report = check(spec(None, at(24, 8, 5), candidate_targets), [existing], DEFAULT_RULES, HN, NOW, zones=ZONES)
        assert report.conflicts == ()


def test_shared_targets_conflict_and_the_message_names_the_output() -> None:
    existing = spec(1, at(24, 8), EAST)
    report = check(spec(None, at(24, 8, 5), Targets()), [existing], DEFAULT_RULES, HN, NOW, zones=ZONES)
    assert [c.kind for c in report.conflicts] == [ConflictKind.OVERLAP]
    assert report.conflicts[0].message.endswith("(08:00–08:15, lịch số 1) trên cụm loa Thôn Đông.")
    local = check(spec(None, at(24, 8, 5), LOCAL_ONLY), [spec(2, at(24, 8), Targets())], DEFAULT_RULES, HN, NOW)
    assert local.conflicts[0].message.endswith("trên loa tại đài.")


def test_every_zone_means_the_stations_zones() -> None:
    everywhere_but_here = Targets(local=False, zones=None)
    existing = spec(1, at(24, 8), everywhere_but_here)
    clash = check(spec(None, at(24, 8, 5), WEST), [existing], DEFAULT_RULES, HN, NOW, zones=ZONES)
    assert "trên cụm loa Thôn Tây." in clash.conflicts[0].message
    assert check(spec(None, at(24, 8, 5), LOCAL_ONLY), [existing], DEFAULT_RULES, HN, NOW, zones=ZONES).conflicts == ()


def test_the_stations_rules_apply_to_zone_only_schedules() -> None:
    rules = StationRules(quiet_hours=(QuietHours(time(21, 30), time(5, 0)),), weekend_rule=WeekendRule.NO_SUNDAY)
    quiet = check(spec(None, at(24, 4, 30), EAST), [], rules, HN, NOW, zones=ZONES)
    assert [c.kind for c in quiet.conflicts] == [ConflictKind.QUIET_HOURS]
    sunday = check(spec(None, at(29, 8), WEST), [], rules, HN, NOW, zones=ZONES)
    assert [c.kind for c in sunday.conflicts] == [ConflictKind.WEEKEND]


def test_a_sessions_length_is_counted_per_output() -> None:
    rules = StationRules(sessions=(SessionRule("Buổi sáng", time(5, 30), time(6, 30), max_minutes=30),))
    on_east = spec(1, at(24, 5, 30), EAST, minutes=20)
    west = check(spec(None, at(24, 6, 0), WEST, minutes=15), [on_east], rules, HN, NOW, zones=ZONES)
    assert west.conflicts == ()
    both = check(spec(None, at(24, 6, 0), Targets(), minutes=15), [on_east], rules, HN, NOW, zones=ZONES)
    assert [c.kind for c in both.conflicts] == [ConflictKind.SESSION_OVERRUN]
    assert "Buổi sáng (05:30–06:30) ngày 24/11/2026 trên cụm loa Thôn Đông sẽ là 35 phút" in both.conflicts[0].message


def test_resolution_respects_targets() -> None:
    existing = spec(1, at(24, 8), EAST)
    candidate = spec(None, at(24, 8, 5), EAST)
    with pytest.raises(ScheduleConflictError, match="trên cụm loa Thôn Đông"):
        resolve_conflicts(candidate, [existing], DEFAULT_RULES, HN, NOW, resolution=None, zones=ZONES)
    moved = resolve_conflicts(candidate, [existing], DEFAULT_RULES, HN, NOW, resolution=Resolution.AFTER, zones=ZONES)
    assert moved.candidate.start_at == at(24, 8, 15)
    kept = resolve_conflicts(spec(None, at(24, 8, 5), WEST), [existing], DEFAULT_RULES, HN, NOW, resolution=None,
                             zones=ZONES)  # fmt: skip
    assert kept.candidate.start_at == at(24, 8, 5)


def test_zones_are_named_by_slug_or_name_and_checked() -> None:
    asked = Targets(local=False, zones=("Thôn Tây", "thon-dong", "thôn đông"))
    assert resolve_targets(asked, ZONES) == Targets(local=False, zones=("thon-dong", "thon-tay"))
    assert resolve_targets(Targets(), ZONES) == Targets()
    with pytest.raises(ScheduleError, match="Không có cụm loa «Thôn Bắc»") as unknown:
        resolve_targets(Targets(zones=("Thôn Bắc",)), ZONES)
    assert unknown.value.field == "zones"
    with pytest.raises(ScheduleError, match="ít nhất một nơi") as nowhere:
        resolve_targets(Targets(local=False, zones=()), ZONES)
    assert nowhere.value.field == "targets"


def test_targets_in_vietnamese() -> None:
    assert describe_targets(Targets(), ZONES) == "loa tại đài và mọi cụm loa"
    assert describe_targets(LOCAL_ONLY, ZONES) == "loa tại đài"
    assert describe_targets(Targets(local=False), ZONES) == "mọi cụm loa"
    both = Targets(local=True, zones=("thon-dong", "thon-tay"))
    assert describe_targets(both, ZONES) == "loa tại đài, cụm loa Thôn Đông và cụm loa Thôn Tây"


def test_a_station_without_zones_is_told_plainly() -> None:
    assert describe_targets(Targets(), ()) == "loa tại đài"
    assert describe_targets(Targets(local=False), ()) == "mọi cụm loa"
