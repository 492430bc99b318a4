"""iCalendar export and import of lunar and holiday schedules: explicit dates for the coming years, read back."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from typing import Any

from icalendar import Calendar

from tests.people import ADMIN
from tests.services.test_calendar import START, _programme, _second_station
from truyenthanh import bootstrap
from truyenthanh.domain.schedule import HolidayPolicy, LunarRule, to_lunar
from truyenthanh.services.packages import expanded_schedule


def test_lunar_schedule_round_trips_with_the_same_airings_for_two_years(
    container: bootstrap.Container, tmp_path: Path
) -> None:
    bulletin = _programme(container, "Bản tin mùng 1 và rằm")
    container.scheduling.add(
        ADMIN, bulletin, lunar=LunarRule((1, 15)), time_of_day=time(5, 30), holidays=HolidayPolicy.SKIP
    )
    document = container.calendar.export_ics()
    [event] = Calendar.from_ical(document).walk("VEVENT")
    assert "rrule" not in event
    assert "mở rộng thành ngày cụ thể" in str(event["comment"])
    assert str(event["comment"]).startswith("Lúc 05:30 ngày mùng 1 và rằm hằng tháng (âm lịch), trừ ngày lễ")
    dates = [event.decoded("dtstart")] + [d.dt for group in _groups(event.get("rdate")) for d in group.dts]
    assert len(dates) > 40  # about 24 a year, less holidays
    assert all(to_lunar(d.date()).day in (1, 15) for d in dates)
    end = START + timedelta(days=2 * 365)
    for other in _second_station(tmp_path):
        _programme(other, "Bản tin mùng 1 và rằm")
        result = other.calendar.import_ics(document, "am-lich.ics", actor=ADMIN)
        assert result.imported and len(result.schedule_ids) == 1
        assert expanded_schedule(other.scheduling, START, end) == expanded_schedule(container.scheduling, START, end)
        [view] = other.scheduling.schedules()
        assert view.calendar.lunar == LunarRule((1, 15)) and view.calendar.holidays is HolidayPolicy.SKIP


def _groups(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
