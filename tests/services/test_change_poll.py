"""What the store's change counter drives, over a real SQLite station: the scheduling service reads its inputs
again only after a commit, and the daemon's timer notices a commit made in its own process (a package import by
the upstream part, any service call) through its change poll, with nobody asking it to rebuild."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.people import ADMIN
from tests.services.test_scheduling import programme
from truyenthanh import bootstrap
from truyenthanh.adapters.clock import SystemClock
from truyenthanh.adapters.db.models import Zone
from truyenthanh.daemon.timer import AirScheduler
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule import LOCAL_OUTPUT, Planned
from truyenthanh.domain.station import StationRules


def test_airing_inputs_are_read_again_only_after_a_commit(container: bootstrap.Container) -> None:
    service = container.scheduling
    programme(container, "Tin thôn", 2)
    at = container.clock.now() + timedelta(hours=1)
    service.add(ADMIN, "Tin thôn", at=at, targets=Targets(local=False, zones=None))
    first = service.airing_inputs()
    assert service.airing_inputs() is first  # nothing committed: the same read serves the timer's next dispatch
    assert service.occurrences(at - timedelta(minutes=1), at + timedelta(minutes=1), output="thon-bac") == []
    with container.db.session() as session:  # a new zone: "every zone" now reaches it
        session.add(Zone(name="Thôn Bắc", slug="thon-bac"))
    again = service.airing_inputs()
    assert again is not first and [z.slug for z in again.zones] == ["thon-bac"]
    [planned] = service.occurrences(at - timedelta(minutes=1), at + timedelta(minutes=1), output="thon-bac")
    assert planned.occurrence.title == "Tin thôn"
    assert service.occurrences(at - timedelta(minutes=1), at + timedelta(minutes=1), output=LOCAL_OUTPUT) == []


class Prepared:
    """What the timer handed over to be prepared, and a way to wait for an airing by title."""

    def __init__(self) -> None:
        self.planned: list[Planned] = []
        self.changed = threading.Condition()

    def __call__(self, planned: list[Planned]) -> None:
        with self.changed:
            self.planned.extend(planned)
            self.changed.notify_all()

    def wait_for(self, title: str, timeout_s: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: any(p.occurrence.title == title for p in self.planned), timeout_s)


@pytest.fixture
def running(container: bootstrap.Container) -> Iterator[tuple[AirScheduler, Prepared]]:
    """The daemon's timer on the wall clock, its watchdog polling every 50 ms, over the station's own store."""
    container.scheduling.set_rules(ADMIN, StationRules())
    prepared = Prepared()
    timer = AirScheduler(
        service=container.scheduling,
        clock=SystemClock(),
        on_due=lambda _decisions: None,
        on_prepare=prepared,
        handled=lambda _key: False,
        poll_s=0.05,
    )
    timer.start()
    try:
        yield timer, prepared
    finally:
        timer.stop()


def test_a_commit_in_the_timer_s_own_process_reaches_it_through_the_poll(
    container: bootstrap.Container, running: tuple[AirScheduler, Prepared]
) -> None:
    """A schedule saved by a service of the same container (as the upstream part's package import is) is
    picked up by the watchdog's change poll: its airing, within the preparation lead, is handed over to be
    prepared, and nobody called ``rebuild``."""
    timer, prepared = running
    programme(container, "Bản tin trưa", 2)
    at = SystemClock().now() + timedelta(minutes=30)
    container.scheduling.add(ADMIN, "Bản tin trưa", at=at)
    assert prepared.wait_for("Bản tin trưa", timeout_s=10), "the poll did not see the daemon's own commit"
    assert [p.occurrence.title for p in timer.upcoming()] == ["Bản tin trưa"]


def test_upcoming_is_current_at_once_after_an_own_commit(container: bootstrap.Container) -> None:
    """The daemon's status (its next airing, reported upward right after a package is applied) does not wait
    for the next poll."""
    container.scheduling.set_rules(ADMIN, StationRules())
    timer = AirScheduler(
        service=container.scheduling,
        clock=container.clock,
        on_due=lambda _decisions: None,
        on_prepare=lambda _planned: None,
        handled=lambda _key: False,
    )
    timer.rebuild()
    assert timer.upcoming() == []
    programme(container, "Bản tin chiều", 2)
    container.scheduling.add(ADMIN, "Bản tin chiều", at=container.clock.now() + timedelta(hours=1))
    assert [p.occurrence.title for p in timer.upcoming()] == ["Bản tin chiều"]
    assert timer.refresh() is False  # already current: nothing more to rebuild
