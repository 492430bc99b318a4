"""Schedule targets in iCalendar (issue 18): export writes ``X-TRUYENTHANH-TARGETS``, import reads it (zones by
slug or name, checked against the station's zones), with the real icalendar library and real station databases."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.people import ADMIN
from tests.services.test_calendar import _programme, _second_station
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Zone
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule import format_targets, parse_targets
from truyenthanh.errors import ScheduleError


def _zones(station: bootstrap.Container) -> None:
    with station.db.session() as session:
        session.add(Zone(name="Thôn Đông", slug="thon-dong"))
        session.add(Zone(name="Thôn Tây", slug="thon-tay"))


def test_the_targets_line_reads_back() -> None:
    for targets in (Targets(), Targets(zones=()), Targets(local=False), Targets(local=False, zones=("thon-dong",))):
        assert parse_targets(format_targets(targets)) == targets
    assert format_targets(Targets()) == "local,*"
    assert format_targets(Targets(zones=("thon-dong",))) == "local,thon-dong"
    assert parse_targets(" LOCAL , Thôn Tây ") == Targets(local=True, zones=("Thôn Tây",))


def test_targets_round_trip_through_a_calendar(container: bootstrap.Container, tmp_path: Path) -> None:
    _zones(container)
    morning = _programme(container, "Bản tin sáng")
    container.scheduling.add(ADMIN, morning, rrule="FREQ=DAILY", time_of_day=time(5, 45),
                             targets=Targets(local=False, zones=("thon-tay",)))  # fmt: skip
    container.scheduling.add(ADMIN, morning, at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    document = container.calendar.export_ics()
    events = list(Calendar.from_ical(document).walk("VEVENT"))
    assert [str(e["x-truyenthanh-targets"]) for e in events] == ["thon-tay", "local,*"]
    for other in _second_station(tmp_path):
        _zones(other)
        _programme(other, "Bản tin sáng")
        result = other.calendar.import_ics(document, "lich.ics", actor=ADMIN)
        assert result.imported
        assert [v.targets for v in other.scheduling.schedules()] == [
            Targets(local=False, zones=("thon-tay",)),
            Targets(),
        ]


def test_an_unknown_zone_in_a_calendar_is_reported_and_nothing_written(container: bootstrap.Container) -> None:
    _zones(container)
    _programme(container, "Bản tin sáng")
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//VI\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Bản tin sáng\r\nDTSTART;TZID=Asia/Ho_Chi_Minh:20261124T070000\r\n"
        "X-TRUYENTHANH-TARGETS:Thôn Đông\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Bản tin sáng\r\nDTSTART;TZID=Asia/Ho_Chi_Minh:20261124T080000\r\n"
        "X-TRUYENTHANH-TARGETS:local,thon-bac\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    with pytest.raises(ScheduleError) as caught:
        container.calendar.import_ics(text, "cum-loa.ics", actor=ADMIN)
    message = caught.value.message
    assert "sự kiện 2 «Bản tin sáng»: X-TRUYENTHANH-TARGETS «local,thon-bac»: Không có cụm loa «thon-bac»" in message
    assert container.scheduling.schedules() == []
    fixed = text.replace(b"local,thon-bac", b"local")
    assert container.calendar.import_ics(fixed, "cum-loa.ics", actor=ADMIN).imported
    assert [v.targets for v in container.scheduling.schedules()] == [
        Targets(local=False, zones=("thon-dong",)),
        Targets(local=True, zones=()),
    ]
