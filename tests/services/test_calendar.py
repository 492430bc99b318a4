"""iCalendar export and import with the real icalendar library and real station databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar, vDDDTypes

from tests.fakes import FrozenClock
from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.errors import PermissionDeniedError, ScheduleError
from truyenthanh.services.packages import ConflictChoice, expanded_schedule

AUDIO = Path(__file__).resolve().parents[2] / "schedules" / "audio"
START = datetime(2026, 11, 23, tzinfo=UTC)


def _programme(station: bootstrap.Container, title: str, audio: str = "ban-tin-xa-tan-lap.mp3") -> int:
    report = station.library.add(ADMIN, [AUDIO / audio])
    asset = report.imported[0] if report.imported else report.duplicates[0].duplicate_of
    assert asset is not None
    return station.scheduling.programme_for_asset(ADMIN, asset.id, title=title)


@pytest.fixture
def planned(container: bootstrap.Container) -> bootstrap.Container:
    """A station with a weekday morning bulletin, an evening one-off and an emergency with an exception."""
    morning = _programme(container, "Bản tin sáng")
    container.scheduling.add(ADMIN, morning, rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time_of_day=time(5, 45))
    evening = _programme(container, "Thông báo họp dân", "chuyen-muc-chinh-sach.mp3")
    container.scheduling.add(ADMIN, evening, at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    return container


def _second_station(tmp_path: Path) -> Iterator[bootstrap.Container]:
    folder = tmp_path / "xa-hai"
    folder.mkdir()
    station = bootstrap.build(load_settings(folder), clock=FrozenClock())
    station.station.init()
    yield station
    station.close()


def test_export_is_a_calendar_apps_can_read(planned: bootstrap.Container) -> None:
    document = planned.calendar.export_ics()
    calendar = Calendar.from_ical(document)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Bản tin sáng", "Thông báo họp dân"]
    morning = events[0]
    assert morning.decoded("dtstart").tzinfo is not None
    assert morning.decoded("dtstart").strftime("%H:%M") == "05:45"
    assert morning["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert morning.decoded("duration") == timedelta(seconds=16)
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["tzid"] == "Asia/Ho_Chi_Minh"


def test_export_then_import_on_another_station_gives_the_same_airings(
    planned: bootstrap.Container, tmp_path: Path
) -> None:
    document = planned.calendar.export_ics()
    for other in _second_station(tmp_path):
        _programme(other, "Bản tin sáng")
        _programme(other, "Thông báo họp dân", "chuyen-muc-chinh-sach.mp3")
        result = other.calendar.import_ics(document, "lich.ics", actor=ADMIN)
        assert result.imported and len(result.schedule_ids) == 2
        end = START + timedelta(days=21)
        assert expanded_schedule(other.scheduling, START, end) == expanded_schedule(planned.scheduling, START, end)
        # Importing the same file again replaces what it made: still the same airings, not twice as many.
        again = other.calendar.import_ics(document, "lich.ics", actor=ADMIN)
        assert again.replaced == 2
        assert expanded_schedule(other.scheduling, START, end) == expanded_schedule(planned.scheduling, START, end)


def test_an_event_edited_in_a_calendar_updates_its_schedule(planned: bootstrap.Container) -> None:
    [morning, evening] = planned.scheduling.schedules()
    document = planned.calendar.export_ics()
    calendar = Calendar.from_ical(document)
    event = next(e for e in calendar.walk("VEVENT") if str(e["summary"]) == "Bản tin sáng")
    start = event.decoded("dtstart")
    dtstart = event["dtstart"]
    assert isinstance(dtstart, vDDDTypes)
    dtstart.dt = start.replace(hour=6, minute=0)
    result = planned.calendar.import_ics(calendar.to_ical(), "sua.ics", actor=ADMIN)
    assert set(result.schedule_ids) == {morning.id, evening.id}
    views = {v.id: v for v in planned.scheduling.schedules()}
    assert views[morning.id].start_at.astimezone(planned.settings.zone).time() == time(6, 0)
    assert len(views) == 2
    # The schedule edited through the calendar is audited in the importer's name, before and after.
    edited = planned.audit.entries(entity="schedule", entity_id=str(morning.id))[0]
    assert (edited.action, edited.actor, edited.changed) == ("schedule.edit", "quantri", ["start_at"])
    with pytest.raises(PermissionDeniedError, match="Nhập lịch cần biết ai nhập"):
        planned.calendar.import_ics(calendar.to_ical(), "sua.ics")


def test_problems_in_a_calendar_file_are_all_reported_and_nothing_is_written(planned: bootstrap.Container) -> None:
    before = planned.scheduling.schedules()
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//VI\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Không có chương trình này\r\nDTSTART:20261124T053000\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Bản tin sáng\r\nDTSTART;VALUE=DATE:20261124\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:Bản tin sáng\r\nDTSTART:20261124T053000\r\n"
        "RRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:d\r\nSUMMARY:Bản tin sáng\r\nDTSTART:20261128T200000\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    with pytest.raises(ScheduleError) as caught:
        planned.calendar.import_ics(text.encode(), "tay.ics", actor=ADMIN)
    message = caught.value.message
    assert "có 3 sự kiện không dùng được" in message
    assert "sự kiện 1 «Không có chương trình này»: không có chương trình nào" in message
    assert "sự kiện 2 «Bản tin sáng»: là sự kiện cả ngày" in message
    assert "sự kiện 3 «Bản tin sáng»" in message and "MINUTELY" in message
    assert planned.scheduling.schedules() == before


def test_conflicts_refuse_by_default_and_can_be_skipped(planned: bootstrap.Container) -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//VI\r\n"
        "BEGIN:VEVENT\r\nUID:x1\r\nSUMMARY:Thông báo họp dân\r\nDTSTART;TZID=Asia/Ho_Chi_Minh:20261124T054500\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:x2\r\nSUMMARY:Thông báo họp dân\r\nDTSTART;TZID=Asia/Ho_Chi_Minh:20261124T180000\r\n"
        "PRIORITY:1\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    before = planned.scheduling.schedules()
    with pytest.raises(ScheduleError, match="trùng với «Bản tin sáng»"):
        planned.calendar.import_ics(text, "trung.ics", actor=ADMIN)
    assert planned.scheduling.schedules() == before
    result = planned.calendar.import_ics(text, "trung.ics", actor=ADMIN, choice=ConflictChoice.SKIP)
    assert len(result.schedule_ids) == 1 and len(result.skipped) == 1
    [added] = [v for v in planned.scheduling.schedules() if v.id == result.schedule_ids[0]]
    assert added.priority.value == "emergency"


def test_a_file_that_is_not_a_calendar_is_refused(planned: bootstrap.Container) -> None:
    with pytest.raises(ScheduleError, match="không phải"):
        planned.calendar.import_ics(b"\xff\xfe\x00garbage", "rac.ics", actor=ADMIN)
    with pytest.raises(ScheduleError, match="không có sự kiện"):
        planned.calendar.import_ics(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "rong.ics", actor=ADMIN)
