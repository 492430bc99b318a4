"""The station's own output airs only schedules that target it: a zone-only schedule is the receivers' to air,
and it is neither played nor logged as missed here (issue 18)."""

from __future__ import annotations

from tests.daemon.conftest import Station, approved_programme, hn
from tests.people import ADMIN
from truyenthanh.adapters.db.models import Zone
from truyenthanh.domain.enums import Outcome
from truyenthanh.domain.fleet import Targets
from truyenthanh.protocol import AiringQueued


def _zone(station: Station, name: str, slug: str) -> None:
    with station.container.db.session() as session:
        session.add(Zone(name=name, slug=slug))


def test_a_zone_only_schedule_is_not_aired_on_the_local_output(station: Station) -> None:
    _zone(station, "Thôn Đông", "thon-dong")
    approved_programme(station.container, "Tin thôn Đông", 20.0)
    approved_programme(station.container, "Bản tin chung", 20.0)
    zone_only = Targets(local=False, zones=("thon-dong",))
    station.container.scheduling.add(ADMIN, "Tin thôn Đông", at=hn(10, 10), targets=zone_only)
    station.container.scheduling.add(ADMIN, "Bản tin chung", at=hn(10, 20))
    station.start()
    station.clock.set(hn(10, 9, 57))
    station.tick()
    station.tick(30.0)
    assert station.fake.commands == []
    assert [e for e in station.events() if isinstance(e, AiringQueued)] == []
    station.clock.set(hn(10, 19, 57))
    station.tick()
    station.tick(30.0)
    queued = [e.programme for e in station.events() if isinstance(e, AiringQueued)]
    assert queued == ["Bản tin chung"]
    rows = station.log()
    assert [(r.programme_title, r.outcome) for r in rows] == [("Bản tin chung", Outcome.PLAYED)]


def test_a_zone_only_airing_passed_while_down_is_not_logged_missed(station: Station) -> None:
    _zone(station, "Thôn Đông", "thon-dong")
    approved_programme(station.container, "Tin thôn Đông", 20.0)
    zone_only = Targets(local=False, zones=("thon-dong",))
    station.container.scheduling.add(ADMIN, "Tin thôn Đông", at=hn(10, 10), targets=zone_only)
    station.clock.set(hn(10, 45))
    station.start()
    station.tick()
    station.tick(60.0)
    assert station.log() == [] and station.fake.commands == []
