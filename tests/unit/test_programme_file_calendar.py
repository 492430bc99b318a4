"""Programme files, format version 2: lunar days, holidays (skip, only, swap to another programme of the file),
session starts and the announced days off; version 1 files read as before."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from truyenthanh.domain.programme_file import (
    FORMAT_VERSION,
    ProgrammeFileError,
    ScheduleKind,
    read_programme_file,
)
from truyenthanh.domain.schedule import HolidayPolicy, LeapPolicy, LunarRule

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"

HEAD = """format_version = {version}

[package]
id = "thu/am-lich"
version = 1
title = "Thử"
author = "Biên tập"
upstream = "Đài tỉnh"
"""

PROGRAMME = """
[[programme]]
key = "{key}"
title = "{title}"

[[programme.item]]
jingle = "chime"
"""


def _file(version: int, body: str) -> str:
    return HEAD.format(version=version) + PROGRAMME.format(key="nhac", title="Nhắc") + body


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ProgrammeFileError) as caught:
        read_programme_file(text, "thu.toml")
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def test_the_lunar_example_reads_with_its_days_off_and_holiday_swap() -> None:
    example = read_programme_file((SCHEDULES / "ram-mung-mot-tet-2027.toml").read_text(encoding="utf-8"))
    assert example.format_version == FORMAT_VERSION == 2
    assert [(d.day, d.name.split(" (")[0]) for d in example.days_off] == [
        (date(2027, 2, 3), "Nghỉ Tết Nguyên Đán"),
        (date(2027, 2, 11), "Nghỉ bù Tết Nguyên Đán"),
    ]
    fire, kitchen_gods, evening, spring = example.programmes
    [entry] = fire.schedules
    assert (entry.kind, entry.session, entry.rrule) == (ScheduleKind.SESSION, "Buổi sáng", None)
    assert (entry.lunar, entry.holidays) == (LunarRule((1, 15)), HolidayPolicy.SKIP)
    assert entry.start_date == date(2026, 12, 1)  # the package's valid_from
    [entry] = kitchen_gods.schedules
    assert entry.kind is ScheduleKind.LUNAR
    assert entry.lunar == LunarRule((23,), (12,), LeapPolicy.REGULAR)
    assert entry.start == datetime(2026, 12, 1, 10, 30, tzinfo=UTC)  # 17:30 in Hà Nội
    [entry] = evening.schedules
    assert (entry.kind, entry.rrule, entry.holidays, entry.holiday_programme) == (
        ScheduleKind.SESSION,
        "FREQ=DAILY",
        HolidayPolicy.SWAP,
        "chao-xuan",
    )
    assert spring.schedules == ()
    assert evening.canonical()["schedules"][0]["holiday_programme"] == "chao-xuan"


def test_a_version_1_entry_compares_as_it_did_before_the_calendar() -> None:
    column = read_programme_file((SCHEDULES / "truyen-thong-chinh-sach-48.toml").read_text(encoding="utf-8"))
    assert column.format_version == 1 and column.days_off == ()
    canonical = column.programmes[0].canonical()["schedules"][0]
    assert set(canonical) == {"kind", "start", "start_date", "rrule", "session", "exclude", "misfire", "priority"}


def test_calendar_keys_need_format_version_2_and_say_so_on_their_line() -> None:
    text = _file(
        1,
        """
[[programme.schedule]]
lunar = "1,15"
start = 2026-12-01T05:30:00

[[day_off]]
date = 2027-02-03
name = "Nghỉ Tết"
""",
    )
    assert _problems(text) == [
        (18, "programme[1].schedule[1].lunar", "«lunar» cần format_version = 2 ở đầu tệp"),
        (21, "day_off", "[[day_off]] cần format_version = 2 ở đầu tệp"),
    ]


def test_every_calendar_mistake_is_named_with_its_line_and_field() -> None:
    text = _file(
        2,
        """
[[programme.schedule]]
lunar = "32"
start = 2026-12-01T05:30:00

[[programme.schedule]]
lunar = "1,15"
rrule = "FREQ=DAILY"
start = 2026-12-01T05:30:00

[[programme.schedule]]
rrule = "FREQ=DAILY"
start = 2026-12-01T05:30:00
holidays = "swap"

[[programme.schedule]]
session = "Buổi sáng"
holidays = "skip"
holiday_programme = "nhac"
lunar_leap = "sometimes"

[[programme.schedule]]
session = "Buổi chiều"
start = 2026-12-01
holidays = "swap"
holiday_programme = "khong-co"

[[programme.schedule]]
at = 2026-12-01T05:30:00
holidays = "skip"

[[day_off]]
date = 2027-02-03
name = "Nghỉ Tết"

[[day_off]]
date = 2027-02-03
name = "Nghỉ Tết (lần hai)"

[[day_off]]
name = "Không ngày"
""",
    )
    found = _problems(text)
    by_field = {field: (line, message) for line, field, message in found}
    assert by_field["programme[1].schedule[1].lunar"][0] == 18
    assert "Ngày âm lịch phải từ 1 đến 30" in by_field["programme[1].schedule[1].lunar"][1]
    assert by_field["programme[1].schedule[2].lunar"] == (
        22,
        "«lunar» (ngày âm lịch) thay cho «rrule»: chỉ ghi một trong hai",
    )
    assert by_field["programme[1].schedule[3].holidays"][0] == 29
    assert "cần «holiday_programme»" in by_field["programme[1].schedule[3].holidays"][1]
    assert by_field["programme[1].schedule[4].holiday_programme"] == (34, 'chỉ dùng với holidays = "swap"')
    assert by_field["programme[1].schedule[4].lunar_leap"][1].startswith('cần "both" (cả tháng nhuận)')
    assert by_field["programme[1].schedule[5].holiday_programme"] == (
        41,
        "không có chương trình khóa «khong-co» trong tệp (các khóa: nhac)",
    )
    assert by_field["programme[1].schedule[6].holidays"] == (45, "chỉ dùng cho lịch lặp (rrule, lunar hoặc theo buổi)")
    assert by_field["day_off[2].date"] == (52, "ngày 03/02/2027 đã có ở một [[day_off]] khác")
    assert by_field["day_off[3]"] == (55, "thiếu «date» (ngày nghỉ, ví dụ 2027-02-05)")


def test_a_newer_format_is_refused_with_the_version_this_program_reads() -> None:
    [(line, field, message)] = _problems(_file(3, ""))
    assert (line, field) == (1, "format_version")
    assert "chương trình này đọc đến phiên bản 2" in message
