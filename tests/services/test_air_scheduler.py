"""The daemon's timer over a real station database, driven by a frozen clock (no wall-clock waits):
downtime accounting, clock jumps, no double play, priority placement at dispatch time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.fakes import FrozenClock
from tests.people import ADMIN
from tests.services.test_scheduling import programme
from truyenthanh import bootstrap
from truyenthanh.daemon.timer import AirScheduler
from truyenthanh.domain.enums import Priority
from truyenthanh.domain.schedule import Decision, Misfire, Verdict


def hn(hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A time on 2026-11-23 in Hà Nội, as UTC."""
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)


class Collector:
    """Receives the scheduler's verdicts."""

    def __init__(self) -> None:
        self.decisions: list[Decision] = []

    def __call__(self, decisions: list[Decision]) -> None:
        self.decisions.extend(decisions)

    def verdicts(self) -> list[tuple[str, Verdict]]:
        return [(d.planned.occurrence.title, d.verdict) for d in self.decisions]


def air(container: bootstrap.Container, clock: FrozenClock, seen: Collector) -> AirScheduler:
    return AirScheduler(
        service=container.scheduling,
        clock=clock,
        on_due=seen,
        on_prepare=lambda _planned: None,
        handled=lambda _key: False,
        lead_s=3.0,
    )


def test_downtime_is_accounted_once_and_never_played_as_a_backlog(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    for title in ("A", "B", "C"):
        programme(container, title, 2)
    container.scheduling.add(ADMIN, "A", at=hn(10, 10), misfire=Misfire.parse("skip"))
    container.scheduling.add(ADMIN, "B", at=hn(10, 20), misfire=Misfire.parse("late:30"))
    container.scheduling.add(ADMIN, "C", at=hn(10, 40), misfire=Misfire.parse("late:30"))
    clock.set(hn(10, 45))
    seen = Collector()
    timer = air(container, clock, seen)
    timer.account_downtime(hn(10, 5))
    timer.dispatch()
    assert seen.verdicts() == [("A", Verdict.MISSED), ("B", Verdict.MISSED), ("C", Verdict.LATE)]
    reasons = [d.reason for d in seen.decisions]
    assert "dịch vụ phát không chạy từ 10:05 Thứ Hai 23/11/2026 đến 10:45 Thứ Hai 23/11/2026" in reasons[0]
    assert "lịch này không phát trễ" in reasons[0]
    assert "không phát dồn" in reasons[1]
    assert reasons[2].startswith("Trễ 5 phút")
    timer.dispatch()
    assert len(seen.decisions) == 3  # dispatched once only


def test_clock_jumps_forward_and_back(container: bootstrap.Container, clock: FrozenClock) -> None:
    programme(container, "Sớm", 2)
    programme(container, "Muộn", 2)
    container.scheduling.add(ADMIN, "Sớm", at=hn(10, 10), misfire=Misfire.parse("late:5"))
    container.scheduling.add(ADMIN, "Muộn", at=hn(10, 30), misfire=Misfire.parse("late:5"))
    seen = Collector()
    timer = air(container, clock, seen)
    timer.dispatch()
    assert seen.decisions == []
    clock.set(hn(10, 20))
    timer.clock_jumped(20 * 60)
    assert seen.verdicts() == [("Sớm", Verdict.MISSED)]
    assert "đồng hồ máy nhảy tới từ 10:00 Thứ Hai 23/11/2026 lên 10:20" in seen.decisions[0].reason
    clock.set(hn(10, 5))
    timer.clock_jumped(-15 * 60)
    assert len(seen.decisions) == 1  # nothing replayed after going back
    clock.set(hn(10, 29, 58))
    timer.dispatch()
    assert seen.verdicts()[-1] == ("Muộn", Verdict.ON_TIME)
    assert seen.decisions[-1].planned.start == hn(10, 30)
    clock.set(hn(10, 15))
    timer.clock_jumped(-15 * 60)
    clock.set(hn(10, 31))
    timer.dispatch()
    assert len(seen.decisions) == 2  # the 10:30 airing is not played a second time


def test_only_due_airings_are_dispatched_with_the_lead(container: bootstrap.Container, clock: FrozenClock) -> None:
    programme(container, "Tin", 1)
    container.scheduling.add(ADMIN, "Tin", at=hn(10, 0, 10))
    seen = Collector()
    timer = air(container, clock, seen)
    clock.set(hn(10, 0, 6))
    timer.dispatch()
    assert seen.decisions == []
    clock.set(hn(10, 0, 7))  # three seconds before the start: handed to the engine now
    timer.dispatch()
    assert seen.verdicts() == [("Tin", Verdict.ON_TIME)]


def test_handled_by_an_earlier_run_is_not_dispatched(container: bootstrap.Container, clock: FrozenClock) -> None:
    programme(container, "Tin", 1)
    saved = container.scheduling.add(ADMIN, "Tin", at=hn(10, 10))
    clock.set(hn(10, 12))
    seen = Collector()
    key = f"{saved.schedule.id}@{hn(10, 10).isoformat(timespec='seconds')}"
    timer = AirScheduler(
        service=container.scheduling,
        clock=clock,
        on_due=seen,
        on_prepare=lambda _planned: None,
        handled=lambda candidate: candidate == key,
    )
    timer.account_downtime(hn(10, 0))
    timer.dispatch()
    assert seen.decisions == []


def test_priority_item_added_during_its_session_plays_next(container: bootstrap.Container, clock: FrozenClock) -> None:
    programme(container, "Bản tin", 20)
    programme(container, "Thông báo gấp", 1)
    clock.set(hn(5, 0))
    container.scheduling.add(ADMIN, "Bản tin", at=hn(5, 30))
    clock.set(hn(5, 35))  # the bulletin is on air
    container.scheduling.add(ADMIN, "Thông báo gấp", at=hn(6, 0), priority=Priority.PRIORITY)
    seen = Collector()
    timer = air(container, clock, seen)
    timer.dispatch()
    assert seen.verdicts() == [("Thông báo gấp", Verdict.ON_TIME)]
    assert seen.decisions[0].planned.start == hn(5, 35)
    assert seen.decisions[0].planned.start - clock.now() == timedelta(0)
