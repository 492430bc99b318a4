"""Airings queued behind others at the same minute: handed over on time, but the ones that sound after the
on-time tolerance are logged late with the reason, never "Đã phát"."""

from __future__ import annotations

from datetime import timedelta

from tests.daemon.conftest import Station, approved_programme, hn
from tests.people import ADMIN
from truyenthanh.domain.enums import Outcome
from truyenthanh.domain.schedule import Misfire
from truyenthanh.domain.schedule.conflicts import Resolution
from truyenthanh.domain.schedule.misfire import ON_TIME_TOLERANCE, late_start_reason


def test_same_minute_airings_behind_the_first_are_logged_late(station: Station) -> None:
    for title in ("Một", "Hai", "Ba"):
        approved_programme(station.container, title, 20.0, 5.0)
        # The operator keeps the collision on purpose (the trial's fifty programmes at one minute).
        station.container.scheduling.add(
            ADMIN, title, at=hn(10, 10), misfire=Misfire.parse("late:5"), resolve=Resolution.FORCE
        )
    station.start()
    station.clock.set(hn(10, 9, 57))
    station.tick()
    for _ in range(80):
        station.tick(1.0)
    rows = station.log()
    assert [(r.programme_title, r.item_title, r.outcome) for r in rows] == [
        ("Một", "Mục 1", Outcome.PLAYED),
        ("Một", "Mục 2", Outcome.PLAYED),
        ("Hai", "Mục 1", Outcome.LATE),
        ("Hai", "Mục 2", Outcome.LATE),
        ("Ba", "Mục 1", Outcome.LATE),
        ("Ba", "Mục 2", Outcome.LATE),
    ]
    assert rows[2].actual_start == hn(10, 10, 25) and rows[4].actual_start == hn(10, 10, 50)
    assert rows[2].reason.startswith("Trễ 25 giây so với giờ đã định")
    assert rows[5].reason.startswith("Trễ 50 giây so với giờ đã định")


def test_the_late_start_reason_counts_only_beyond_the_tolerance() -> None:
    start = hn(10)
    assert late_start_reason(start, start + ON_TIME_TOLERANCE) == ""
    assert late_start_reason(start, start - timedelta(seconds=1)) == ""
    assert late_start_reason(start, start + timedelta(seconds=49)).startswith("Trễ 49 giây")
    assert late_start_reason(start, start + timedelta(minutes=2, seconds=3)).startswith("Trễ 2 phút 3 giây")
