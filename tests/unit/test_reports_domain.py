"""Reporting periods, Vietnamese number formats and the logbook's session names."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.reports import (
    clock_duration,
    half_year,
    iso_week,
    language_label,
    session_name,
    vn_number,
    whole_year,
)
from truyenthanh.domain.station import DEFAULT_RULES

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_iso_weeks_run_monday_to_sunday_in_local_time() -> None:
    week = iso_week("2026-W48")
    assert (week.first, week.last, week.slug, week.name) == (
        date(2026, 11, 23),
        date(2026, 11, 29),
        "2026-W48",
        "tuần 48 năm 2026",
    )
    start, end = week.bounds(ZONE)
    assert start.astimezone(UTC) == datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    assert iso_week("2020w53").first == date(2020, 12, 28)


@pytest.mark.parametrize(
    ("text", "message"),
    [("48", "không đúng dạng NĂM-WSỐ"), ("2026-W54", "Năm 2026 không có tuần 54"), ("2026-W00", "không có tuần 0")],
)
def test_bad_weeks_are_refused_in_vietnamese(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        iso_week(text)


def test_halves_and_years() -> None:
    first, second = half_year(2026, 1), half_year(2026, 2)
    assert (first.last, second.first, second.name) == (date(2026, 6, 30), date(2026, 7, 1), "6 tháng cuối năm 2026")
    assert [m for _, m in second.months()] == [7, 8, 9, 10, 11, 12]
    assert len(whole_year(2026).months()) == 12
    with pytest.raises(ValueError, match="Nửa năm phải là 1 hoặc 2"):
        half_year(2026, 3)


def test_numbers_and_durations_the_vietnamese_way() -> None:
    assert vn_number(1234.5) == "1.234,50"
    assert vn_number(1785, 0) == "1.785"
    assert clock_duration(3725.4) == "1:02:05"
    assert language_label("hmn") == "Tiếng H'Mông" and language_label("xyz") == "xyz"


def test_session_names_follow_the_station_rules() -> None:
    morning = datetime(2026, 3, 2, 5, 45, tzinfo=ZONE)
    afternoon_break_in = datetime(2026, 3, 2, 14, 0, tzinfo=ZONE)
    assert session_name(DEFAULT_RULES, morning, Priority.NORMAL) == "Buổi sáng"
    assert session_name(DEFAULT_RULES, afternoon_break_in, Priority.EMERGENCY) == "Khẩn cấp"
    assert session_name(DEFAULT_RULES, afternoon_break_in, Priority.NORMAL) == "Ngoài buổi"


def test_reasons_read_plainly() -> None:
    from truyenthanh.domain.reports import plain_reason

    assert plain_reason("dịch vụ phát dừng theo tín hiệu SIGTERM (ở giây 3.7).") == (
        "Dịch vụ phát được tắt (sau 4 giây phát)."
    )
    assert plain_reason("Vào muộn. Bắt đầu từ giây 12.3 của mục.") == "Vào muộn. Bắt đầu từ giây thứ 12 của mục."
    assert plain_reason("Người vận hành bỏ qua ở giây 75.0.") == "Người vận hành bỏ qua sau 1 phút 15 giây phát."


def test_times_round_to_the_second_and_datelines_follow_the_decree() -> None:
    from truyenthanh.domain.reports import Heading, Report, local_clock

    assert local_clock(datetime(2026, 3, 1, 18, 49, 59, 999000, tzinfo=UTC), ZONE) == "01:50:00"
    heading = Heading(authority="UBND xã Tân Lập", station="Đài", place="Tân Lập", issued=date(2026, 2, 5))
    report = Report(heading=heading, title="BÁO CÁO", subtitle="", period=whole_year(2026), tables=[])
    assert report.dateline == "Tân Lập, ngày 05 tháng 02 năm 2026"
    later = Report(
        heading=Heading(authority="", station="", place="", issued=date(2026, 11, 23)),
        title="",
        subtitle="",
        period=whole_year(2026),
        tables=[],
    )
    assert later.dateline == "…………, ngày 23 tháng 11 năm 2026" and later.heading.number == "Số: …………/BC-…………"
    assert whole_year(2026).title(date(2026, 5, 5)) == "năm 2026 (tính đến ngày 05/05/2026)"
    assert whole_year(2026).title(date(2027, 1, 2)) == "năm 2026"
