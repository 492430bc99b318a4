"""Schedule targets through the scheduling service over a real SQLite station (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Programme, ProgrammeItem, Schedule, Zone
from truyenthanh.domain.enums import ItemKind, Priority
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule import LOCAL_OUTPUT, OneOff, ScheduleRequest
from truyenthanh.errors import ScheduleError
from truyenthanh.services.scheduling import ScheduleConflictError


def _programme(container: bootstrap.Container, title: str, minutes: float) -> None:
    with container.db.session() as session:
        row = Programme(title=title)
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add(ProgrammeItem(programme_id=row.id, position=0, kind=ItemKind.SILENCE, duration_s=minutes * 60))


def _zones(container: bootstrap.Container) -> None:
    with container.db.session() as session:
        session.add(Zone(name="Thôn Đông", slug="thon-dong"))
        session.add(Zone(name="Thôn Tây", slug="thon-tay"))


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def test_targets_round_trip_through_the_database(container: bootstrap.Container) -> None:
    _zones(container)
    _programme(container, "Tin thôn", 10)
    service = container.scheduling
    asked = ScheduleRequest("Tin thôn", OneOff(_local(24, 8)), targets=Targets(local=False, zones=("Thôn Tây",)))
    saved = service.save(ADMIN, asked)
    assert saved.schedule.targets == Targets(local=False, zones=("thon-tay",))
    assert saved.schedule.targets_text == "cụm loa Thôn Tây"
    assert saved.schedule.to_json()["targets"] == {"local": False, "zones": ["thon-tay"], "text": "cụm loa Thôn Tây"}
    with container.db.session() as session:
        row = session.exec(select(Schedule)).one()
        assert (row.target_local, row.target_zones) == (False, ["thon-tay"])
    assert service.get(saved.schedule.id).targets == saved.schedule.targets
    [planned] = service.occurrences(_local(24, 0), _local(25, 0))
    assert planned.occurrence.targets == Targets(local=False, zones=("thon-tay",))
    default = service.add(ADMIN, "Tin thôn", rrule="FREQ=DAILY", time_of_day=time(17, 0))
    assert default.schedule.targets == Targets() and default.schedule.targets_text == "loa tại đài và mọi cụm loa"
    assert [z.slug for z in service.zones()] == ["thon-dong", "thon-tay"]


def test_conflicts_are_checked_per_target(container: bootstrap.Container) -> None:
    _zones(container)
    _programme(container, "Tin thôn", 10)
    service = container.scheduling
    service.add(ADMIN, "Tin thôn", at=_local(24, 8), targets=Targets(local=False, zones=("thon-dong",)))
    beside = service.add(ADMIN, "Tin thôn", at=_local(24, 8, 5), targets=Targets(local=True, zones=("thon-tay",)))
    assert beside.forced == ()
    with pytest.raises(ScheduleConflictError, match="trên cụm loa Thôn Đông"):
        service.add(ADMIN, "Tin thôn", at=_local(24, 8, 2))


def test_an_unknown_zone_or_no_output_is_refused_and_nothing_saved(container: bootstrap.Container) -> None:
    _zones(container)
    _programme(container, "Tin thôn", 10)
    service = container.scheduling
    with pytest.raises(ScheduleError, match="Không có cụm loa «Thôn Bắc»") as unknown:
        service.add(ADMIN, "Tin thôn", at=_local(24, 8), targets=Targets(zones=("Thôn Bắc",)))
    assert unknown.value.field == "zones"
    with pytest.raises(ScheduleError) as nowhere:
        service.add(ADMIN, "Tin thôn", at=_local(24, 8), targets=Targets(local=False, zones=()))
    assert nowhere.value.field == "targets"
    assert service.schedules() == []


def test_airings_of_one_output_are_placed_among_themselves(container: bootstrap.Container) -> None:
    _zones(container)
    _programme(container, "Bản tin sáng", 20)
    _programme(container, "Tin khẩn của thôn", 10)
    service = container.scheduling
    service.add(ADMIN, "Bản tin sáng", at=_local(24, 5, 30), targets=Targets(local=True, zones=()))
    service.add(ADMIN, "Tin khẩn của thôn", at=_local(24, 5, 50), priority=Priority.PRIORITY,
                targets=Targets(local=False, zones=("thon-dong",)))  # fmt: skip
    together = {p.occurrence.title: p.start for p in service.occurrences(_local(24, 0), _local(25, 0))}
    assert together["Bản tin sáng"] == _local(24, 5, 40)  # moved behind a priority item it never shares a speaker with
    local = service.occurrences(_local(24, 0), _local(25, 0), output=LOCAL_OUTPUT)
    assert [(p.occurrence.title, p.start) for p in local] == [("Bản tin sáng", _local(24, 5, 30))]
    east = service.occurrences(_local(24, 0), _local(25, 0), output="thon-dong")
    assert [(p.occurrence.title, p.start) for p in east] == [("Tin khẩn của thôn", _local(24, 5, 50))]
    assert service.occurrences(_local(24, 0), _local(25, 0), output="thon-tay") == []
