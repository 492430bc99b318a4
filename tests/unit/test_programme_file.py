"""Reading programme files: the examples, every problem at once with its line, and the line locator."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from truyenthanh.domain.enums import Category, ItemKind, Priority
from truyenthanh.domain.programme_file import (
    FORMAT_VERSION,
    ProgrammeFileError,
    ScheduleKind,
    parse_seconds,
    read_programme_file,
    safe_relative_path,
)
from truyenthanh.domain.toml_lines import locate

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"


@pytest.mark.parametrize("name", sorted(p.name for p in SCHEDULES.glob("*.toml")))
def test_every_example_reads(name: str) -> None:
    programme_file = read_programme_file((SCHEDULES / name).read_text(encoding="utf-8"), name)
    assert programme_file.programmes
    for path in programme_file.audio_paths():
        assert (SCHEDULES / path).is_file()


def test_the_storm_warning_repeats_every_two_hours_as_an_emergency() -> None:
    storm = read_programme_file((SCHEDULES / "canh-bao-bao-so-9.toml").read_text(encoding="utf-8"))
    [programme] = storm.programmes
    assert programme.priority is Priority.EMERGENCY
    assert programme.category is Category.EMERGENCY
    once, repeat = programme.schedules
    assert once.kind is ScheduleKind.ONCE
    assert once.start == datetime(2026, 11, 24, 6, 45, tzinfo=UTC)  # 13:45 in Hà Nội
    assert repeat.kind is ScheduleKind.RRULE
    assert repeat.rrule == "FREQ=DAILY;BYHOUR=0,2,4,6,8,10,12,14,16,18,20,22;BYMINUTE=0"
    assert [item.kind for item in programme.items] == [
        ItemKind.JINGLE,
        ItemKind.AUDIO,
        ItemKind.ANNOUNCEMENT,
        ItemKind.JINGLE,
    ]
    # valid_to 2026-11-26 includes that whole day: the end is local midnight after it.
    assert programme.valid_to == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


def test_the_policy_column_airs_in_each_stations_own_session() -> None:
    column = read_programme_file((SCHEDULES / "truyen-thong-chinh-sach-48.toml").read_text(encoding="utf-8"))
    [programme] = column.programmes
    [entry] = programme.schedules
    assert entry.kind is ScheduleKind.SESSION
    assert entry.session == "Buổi chiều"
    assert entry.rrule == "FREQ=WEEKLY;BYDAY=TU,FR"
    assert programme.category is Category.POLICY_LAW  # written as its Vietnamese label
    assert len(column.package.communes) == 7


BAD = """\
format_version = 1

[package]
id = "Tân Lập"
version = 0
title = "x"
upstream = "y"
colour = "red"

[[programme]]
key = "sang"
title = ""
category = "tin vịt"

[[programme.item]]
audio = "../../etc/passwd"

[[programme.item]]
jingle = "nope"

[[programme.item]]
relay = "ftp://x"

[[programme.schedule]]
rrule = "FREQ=HOURLY"
start = 2026-11-23T05:30:00

[[programme]]
key = "sang"
title = "b"
fallback = { audio = "C:/x.mp3" }

[[programme.item]]
silence = -1

[[programme.item]]
announcement = \"\"\"
Dòng một
dòng hai\"\"\"
crossfade = 99
"""


def test_every_problem_is_reported_at_once_with_line_and_field() -> None:
    with pytest.raises(ProgrammeFileError) as caught:
        read_programme_file(BAD, "sai.toml")
    found = {(p.line, p.field) for p in caught.value.problems}
    assert found == {
        (3, "package"),  # author missing: reported at the table's header
        (4, "package.id"),
        (5, "package.version"),
        (8, "package.colour"),
        (12, "programme[1].title"),
        (13, "programme[1].category"),
        (16, "programme[1].item[1].audio"),
        (19, "programme[1].item[2].jingle"),
        (22, "programme[1].item[3].relay"),
        (25, "programme[1].schedule[1].rrule"),
        (29, "programme[2].key"),
        (31, "programme[2].fallback.audio"),
        (34, "programme[2].item[1].silence"),
        (40, "programme[2].item[2].crossfade"),
    }
    message = caught.value.message
    assert message.startswith("Tệp chương trình sai.toml có 14 lỗi:")
    assert "sai.toml:16: programme[1].item[1].audio: đường dẫn «../../etc/passwd» không hợp lệ" in message
    assert "sai.toml:29: programme[2].key: khóa «sang» trùng với chương trình thứ 1" in message


def test_a_toml_syntax_error_names_its_line() -> None:
    with pytest.raises(ProgrammeFileError) as caught:
        read_programme_file('format_version = 1\n[package]\nid = "a\n', "hong.toml")
    [problem] = caught.value.problems
    assert problem.line == 3
    assert "sai cú pháp TOML" in problem.message


def test_a_newer_format_is_refused_with_advice() -> None:
    with pytest.raises(ProgrammeFileError, match="cập nhật truyenthanh"):
        read_programme_file(f"format_version = {FORMAT_VERSION + 1}\n", "moi.toml")


def test_locate_follows_arrays_of_tables_inline_tables_and_multiline_values() -> None:
    text = """\
a = 1
[[p]]
k = '''x
[[p]]
y'''
arr = [
  1,
  2,
]
[[p.item]]
z = { q = 1 }
"s.t" = 2
[[p]]
[p.sub]
w = "# not a comment"
"""
    lines = locate(text)
    assert lines[("a",)] == 1
    assert lines[("p", 0)] == 2
    assert lines[("p", 0, "k")] == 3
    assert lines[("p", 0, "arr")] == 6
    assert lines[("p", 0, "item", 0)] == 10
    assert lines[("p", 0, "item", 0, "z")] == 11
    assert lines[("p", 0, "item", 0, "s.t")] == 12
    assert lines[("p", 1)] == 13
    assert lines[("p", 1, "sub", "w")] == 15


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("audio/ban-tin.mp3", "audio/ban-tin.mp3"),
        ("âm thanh/bản tin.mp3", "âm thanh/bản tin.mp3"),
        ("../x.mp3", None),
        ("audio/../../x.mp3", None),
        ("/etc/passwd", None),
        ("\\\\server\\share.mp3", None),
        ("C:/Windows/x.mp3", None),
        ("c:x.mp3", None),
        ("audio\\x.mp3", None),
        ("audio//x.mp3", None),
        ("./x.mp3", None),
        ("", None),
        ("a\x00b.mp3", None),
    ],
)
def test_safe_relative_path(raw: str, safe: str | None) -> None:
    assert safe_relative_path(raw) == safe


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(900, 900.0), (1.5, 1.5), ("15m", 900.0), ("1h30m", 5400.0), ("90s", 90.0), ("02:30", 150.0), ("x", None)],
)
def test_parse_seconds(raw: object, seconds: float | None) -> None:
    assert parse_seconds(raw) == seconds
