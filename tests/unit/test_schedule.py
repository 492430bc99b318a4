"""Schedule domain: expansion, placement, rule checks, misfire decisions, Vietnamese descriptions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from truyenthanh.domain.enums import Priority, WeekendRule
from truyenthanh.domain.schedule import (
    ConflictKind,
    Misfire,
    MisfireKind,
    Occurrence,
    Planned,
    Resolution,
    ScheduleSpec,
    Verdict,
    check,
    decide,
    describe,
    expand,
    expand_all,
    normalise_rrule,
    plan,
    rrule_for_days,
)
from truyenthanh.domain.station import DEFAULT_RULES, QuietHours, SessionRule, StationRules
from truyenthanh.errors import ScheduleError

HN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 in Hà Nội


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A Hà Nội wall-clock time in November 2026 as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=HN).astimezone(UTC)


def spec(
    sid: int | None, start: datetime, minutes: float = 15, rule: str | None = None, **extra: object
) -> ScheduleSpec:
    return ScheduleSpec(
        id=sid,
        programme_id=sid or 99,
        title=f"Chương trình {sid}",
        duration_s=minutes * 60,
        start_at=start,
        rrule=rule,
        **extra,  # type: ignore[arg-type]
    )


def test_daily_rule_expands_in_local_time_and_stores_utc() -> None:
    daily = spec(1, at(23, 5, 30), rule="FREQ=DAILY")
    found = expand(daily, at(23, 0), at(26, 0), HN)
    assert [o.start for o in found] == [at(23, 5, 30), at(24, 5, 30), at(25, 5, 30)]
    assert all(o.start.tzinfo is UTC for o in found)
    assert found[0].start.hour == 22  # 05:30 in Hà Nội is 22:30 UTC the day before


def test_weekdays_exdates_and_validity_window() -> None:
    weekdays = spec(
        1,
        at(23, 17),
        rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        exdates=(at(25, 17),),
        valid_to=at(30, 0),
    )
    found = expand(weekdays, at(23, 0), at(30, 23), HN)
    assert [o.start.astimezone(HN).day for o in found] == [23, 24, 26, 27]  # 25th excluded; weekend; valid_to


def test_one_off_and_disabled() -> None:
    once = spec(2, at(24, 6))
    assert [o.start for o in expand(once, at(23, 0), at(25, 0), HN)] == [at(24, 6)]
    assert expand(once, at(25, 0), at(26, 0), HN) == []
    off = ScheduleSpec(**{**once.__dict__, "enabled": False})
    assert expand(off, at(23, 0), at(25, 0), HN) == []


def test_until_in_utc_is_respected() -> None:
    rule = spec(1, at(23, 5, 30), rule="FREQ=DAILY;UNTIL=20261124T223000Z")  # 25/11 05:30 local
    assert len(expand(rule, at(23, 0), at(30, 0), HN)) == 3


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("BYDAY=MO", "thiếu FREQ"),
        ("FREQ=HOURLY", "không hỗ trợ"),
        ("FREQ=DAILY;FOO=1", "không hỗ trợ phần «FOO»"),
        ("FREQ=WEEKLY;BYDAY=XX", "không hợp lệ"),
        ("FREQ=DAILY;FREQ=WEEKLY", "hai lần"),
    ],
)
def test_bad_rules_are_explained(raw: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as error:
        normalise_rrule(raw)
    assert fragment in error.value.message


def test_normalise_rrule() -> None:
    assert normalise_rrule("rrule:freq=weekly;byday=mo,we") == "FREQ=WEEKLY;BYDAY=MO,WE"


@pytest.mark.parametrize(
    ("rule", "summary"),
    [
        ("FREQ=DAILY", "Hằng ngày, 05:30"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Thứ Hai đến Thứ Sáu, 05:30"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "Thứ Hai, Thứ Tư và Thứ Sáu, 05:30"),
        ("FREQ=WEEKLY;BYDAY=SA,SU", "Thứ Bảy và Chủ nhật, 05:30"),
        ("FREQ=WEEKLY", "Thứ Hai hằng tuần, 05:30"),
        ("FREQ=DAILY;INTERVAL=2;COUNT=10", "Mỗi 2 ngày, 05:30 (10 lần)"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "Ngày 1 hằng tháng, 05:30"),
        ("FREQ=DAILY;BYHOUR=5,17;BYMINUTE=30", "Hằng ngày, 05:30 và 17:30"),
    ],
)
def test_vietnamese_summaries(rule: str, summary: str) -> None:
    assert describe(spec(1, at(23, 5, 30), rule=rule), HN) == summary


def test_one_off_summary() -> None:
    assert describe(spec(1, at(23, 5, 30)), HN) == "Một lần, 05:30 Thứ Hai 23/11/2026"


def test_days_shorthand() -> None:
    assert rrule_for_days("t2,t4,t6") == "FREQ=WEEKLY;BYDAY=MO,WE,FR"
    assert rrule_for_days("cn 7") == "FREQ=WEEKLY;BYDAY=SA,SU"
    assert rrule_for_days("fr,mo") == "FREQ=WEEKLY;BYDAY=MO,FR"
    with pytest.raises(ScheduleError, match="t9"):
        rrule_for_days("t9")


def test_misfire_parsing() -> None:
    assert Misfire.parse("late:10") == Misfire(MisfireKind.LATE, 10)
    assert str(Misfire.parse("JOIN:3")) == "join:3"
    assert Misfire.parse("skip").kind is MisfireKind.SKIP
    with pytest.raises(ScheduleError, match="late:PHÚT"):
        Misfire.parse("later")


def test_priority_items_move_ahead_within_their_session_in_operator_order() -> None:
    normal = spec(1, at(23, 5, 30), minutes=20)
    first = spec(2, at(23, 6, 10), minutes=5, priority=Priority.PRIORITY)
    second = spec(3, at(23, 6, 0), minutes=5, priority=Priority.PRIORITY)
    outside = spec(4, at(23, 12, 0), minutes=5, priority=Priority.PRIORITY)
    planned = plan(expand_all([normal, first, second, outside], at(23, 0), at(24, 0), HN), DEFAULT_RULES, HN)
    order = [(p.occurrence.schedule_id, p.start) for p in planned]
    assert order == [
        (2, at(23, 5, 30)),  # saved first: the operator's order holds over scheduled times
        (3, at(23, 5, 35)),
        (1, at(23, 5, 40)),  # the normal programme follows the priority items
        (4, at(23, 12, 0)),  # outside any session: stays where it was scheduled
    ]
    assert planned[0].session == "Buổi sáng"


def test_overlap_is_refused_with_choices() -> None:
    existing = spec(1, at(23, 5, 30), minutes=20, rule="FREQ=DAILY")
    candidate = spec(None, at(24, 5, 40), minutes=10)
    report = check(candidate, [existing], DEFAULT_RULES, HN, NOW)
    assert [c.kind for c in report.conflicts] == [ConflictKind.OVERLAP]
    assert "trùng với «Chương trình 1» (05:30–05:50, lịch số 1)" in report.conflicts[0].message
    assert report.after == at(24, 5, 50)
    assert report.shift_to == at(24, 5, 50)
    assert report.replace_ids == (1,)
    assert report.choices == (Resolution.SHIFT, Resolution.AFTER, Resolution.REPLACE, Resolution.FORCE)
    text = report.explain(HN)
    assert "phát ngay sau mục bị trùng, lúc 05:50" in text and "vẫn lưu như vậy" in text and "dời sang 05:50" in text
    assert "--" not in text  # the choices are told in words; each interface names them its own way
    named = report.explain(HN, choice_names={Resolution.AFTER: "--resolve after", Resolution.FORCE: "--force"})
    assert "lúc 05:50 (--resolve after)" in named and "vẫn lưu như vậy (--force)." in named


def test_priority_in_the_same_session_is_not_an_overlap() -> None:
    existing = spec(1, at(23, 5, 30), minutes=20, rule="FREQ=DAILY")
    candidate = spec(None, at(24, 5, 40), minutes=10, priority=Priority.PRIORITY)
    assert check(candidate, [existing], DEFAULT_RULES, HN, NOW).conflicts == ()


def test_quiet_hours_and_weekend() -> None:
    rules = StationRules(quiet_hours=(QuietHours(time(21, 30), time(5, 0)),), weekend_rule=WeekendRule.NO_SUNDAY)
    report = check(spec(None, at(24, 4, 30)), [], rules, HN, NOW)
    assert [c.kind for c in report.conflicts] == [ConflictKind.QUIET_HOURS]
    assert "giờ yên tĩnh 21:30–05:00" in report.conflicts[0].message
    assert report.shift_to == at(24, 5, 0)
    sunday = check(spec(None, at(29, 8)), [], rules, HN, NOW)
    assert [c.kind for c in sunday.conflicts] == [ConflictKind.WEEKEND]
    assert "Không phát Chủ nhật" in sunday.conflicts[0].message
    emergency = check(spec(None, at(24, 4, 30), priority=Priority.EMERGENCY), [], rules, HN, NOW)
    assert emergency.conflicts == ()


def test_session_overrun_by_end_and_by_total() -> None:
    rules = StationRules(sessions=(SessionRule("Buổi sáng", time(5, 30), time(6, 30), max_minutes=30),))
    past_end = check(spec(None, at(24, 6, 20), minutes=15), [], rules, HN, NOW)
    assert [c.kind for c in past_end.conflicts] == [ConflictKind.SESSION_OVERRUN]
    assert "kết thúc lúc 06:35, quá giờ kết thúc của Buổi sáng (05:30–06:30)" in past_end.conflicts[0].message
    existing = spec(1, at(24, 5, 30), minutes=20)
    total = check(spec(None, at(24, 6, 0), minutes=15), [existing], rules, HN, NOW)
    assert [c.kind for c in total.conflicts] == [ConflictKind.SESSION_OVERRUN]
    assert "35 phút, vượt mức tối đa 30 phút" in total.conflicts[0].message


def _planned(minutes_ago: float, misfire: str, duration_min: float = 10, sid: int = 1) -> Planned:
    start = NOW - timedelta(minutes=minutes_ago)
    occurrence = Occurrence(sid, sid, f"Chương trình {sid}", start, duration_min * 60, Priority.NORMAL,
                            Misfire.parse(misfire), sid)  # fmt: skip
    return Planned(occurrence, start)


def test_misfire_decisions() -> None:
    on_time = decide([_planned(-0.01, "skip")], NOW, HN)[0]
    assert on_time.verdict is Verdict.ON_TIME
    late = decide([_planned(3, "late:5")], NOW, HN)[0]
    assert late.verdict is Verdict.LATE and late.offset_s == 0
    assert "Trễ 3 phút; phát lại từ đầu" in late.reason
    joined = decide([_planned(2, "join:5")], NOW, HN)[0]
    assert joined.verdict is Verdict.JOIN and joined.offset_s == pytest.approx(120)
    too_late = decide([_planned(6, "late:5")], NOW, HN)[0]
    assert too_late.verdict is Verdict.MISSED and "Quá giờ phát 6 phút" in too_late.reason
    skipped = decide([_planned(0.5, "skip")], NOW, HN)[0]
    assert skipped.verdict is Verdict.MISSED and "không phát trễ" in skipped.reason
    over = decide([_planned(12, "join:30", duration_min=10)], NOW, HN)[0]
    assert over.verdict is Verdict.MISSED  # it would already have ended


def test_downtime_never_plays_a_backlog() -> None:
    gap = [_planned(50, "late:60", sid=1), _planned(20, "late:60", sid=2), _planned(90, "late:5", sid=3)]
    decisions = {d.planned.occurrence.schedule_id: d for d in decide(gap, NOW, HN, cause="máy tắt từ 08:30")}
    assert decisions[2].verdict is Verdict.LATE
    assert decisions[1].verdict is Verdict.MISSED and "không phát dồn" in decisions[1].reason
    assert decisions[3].verdict is Verdict.MISSED and "máy tắt từ 08:30" in decisions[3].reason
