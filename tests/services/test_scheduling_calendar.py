"""Lunar, holiday and seasonal schedules saved through the scheduling service into a real SQLite station."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from tests.people import ADMIN
from tests.services.test_scheduling import programme
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Schedule
from truyenthanh.domain.schedule import HolidayPolicy, Lunar, LunarRule, Recurring, ScheduleRequest, to_lunar
from truyenthanh.domain.station import Season
from truyenthanh.errors import NotFoundError, ScheduleError

HN_OFFSET = timedelta(hours=7)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - HN_OFFSET


def test_lunar_schedule_is_stored_listed_and_described(container: bootstrap.Container) -> None:
    programme(container, "Bản tin mùng 1 và rằm", 10)
    service = container.scheduling
    saved = service.save(
        ADMIN,
        ScheduleRequest("Bản tin mùng 1 và rằm", Lunar(LunarRule((1, 15)), time(5, 30)), holidays=HolidayPolicy.SKIP),
    )
    assert saved.schedule.summary.startswith("Lúc 05:30 ngày mùng 1 và rằm hằng tháng (âm lịch), trừ ngày lễ")
    with container.db.session() as session:
        row = session.exec(select(Schedule)).one()
    assert row.rrule is None and row.calendar == {
        "lunar": {"days": [1, 15], "months": [], "leap": "both"},
        "holidays": "skip",
    }
    airings = service.occurrences(local(date(2026, 11, 23), 0), local(date(2027, 3, 1), 0))
    days = [p.start.astimezone(UTC) + HN_OFFSET for p in airings]
    assert all(to_lunar(d.date()).day in (1, 15) for d in days)
    assert date(2027, 2, 6) not in {d.date() for d in days}  # Tết 2027 is mùng 1, but a holiday: skipped
    assert date(2027, 2, 20) in {d.date() for d in days}  # rằm tháng Giêng 2027
    assert service.next_airing(saved.schedule) == local(date(2026, 12, 9), 5, 30)  # mùng 1 tháng 11 âm lịch
    assert service.get(saved.schedule.id).to_json()["calendar"]["lunar"]["days"] == [1, 15]


def test_holiday_swap_needs_a_programme_that_exists(container: bootstrap.Container) -> None:
    programme(container, "Bản tin sáng", 10)
    programme(container, "Mừng năm mới", 15)
    service = container.scheduling
    daily = Recurring("FREQ=DAILY", time(6, 0))
    with pytest.raises(ScheduleError) as missing:
        service.save(ADMIN, ScheduleRequest("Bản tin sáng", daily, holidays=HolidayPolicy.SWAP))
    assert missing.value.field == "holiday_programme"
    with pytest.raises(NotFoundError):
        service.save(
            ADMIN, ScheduleRequest("Bản tin sáng", daily, holidays=HolidayPolicy.SWAP, holiday_programme="Không có")
        )
    saved = service.save(
        ADMIN, ScheduleRequest("Bản tin sáng", daily, holidays=HolidayPolicy.SWAP, holiday_programme="Mừng năm mới")
    )
    assert saved.schedule.summary == "Hằng ngày, 06:00, ngày lễ phát «Mừng năm mới» thay thế"
    new_year = service.occurrences(local(date(2026, 12, 31), 0), local(date(2027, 1, 2), 0))
    assert [(p.occurrence.title, p.occurrence.duration_s) for p in new_year] == [
        ("Bản tin sáng", 600),
        ("Mừng năm mới", 900),
    ]


def test_session_start_follows_the_season(container: bootstrap.Container) -> None:
    programme(container, "Bản tin sáng", 10)
    service = container.scheduling
    rules = service.rules()
    morning = rules.sessions[0]
    winter = Season("Mùa đông", (12, 1), (2, 28), time(6, 0), time(7, 30))
    service.set_rules(ADMIN, replace(rules, sessions=(replace(morning, seasons=(winter,)), *rules.sessions[1:])))
    saved = service.save(
        ADMIN,
        ScheduleRequest(
            "Bản tin sáng", Recurring("FREQ=DAILY", time(0, 0)), session_name=morning.name, at_session_start=True
        ),
    )
    airings = service.occurrences(local(date(2026, 11, 29), 0), local(date(2026, 12, 3), 0))
    assert [p.start for p in airings] == [
        local(date(2026, 11, 29), 5, 30),
        local(date(2026, 11, 30), 5, 30),
        local(date(2026, 12, 1), 6, 0),
        local(date(2026, 12, 2), 6, 0),
    ]
    assert "lúc bắt đầu buổi sáng (theo mùa)" in saved.schedule.summary
    with pytest.raises(ScheduleError) as one_off:
        service.save(
            ADMIN,
            ScheduleRequest("Bản tin sáng", Recurring("FREQ=DAILY", time(5, 0)), at_session_start=True),
        )
    assert one_off.value.field == "session"
