"""The station's rules as an editable TOML file: written, read back, and every mistake named by line and field."""

from __future__ import annotations

from datetime import time

import pytest

from truyenthanh.domain import rules_file
from truyenthanh.domain.enums import WeekendRule
from truyenthanh.domain.station import DEFAULT_RULES, QuietHours, SessionRule, StationRules


def test_the_exported_file_reads_back_as_the_same_rules() -> None:
    rules = StationRules(
        sessions=(
            SessionRule(name="Buổi sáng", start=time(5, 30), end=time(6, 30), max_minutes=45),
            SessionRule(name='Buổi "tối"', start=time(19, 0), end=time(20, 0), max_minutes=30),
        ),
        quiet_hours=(QuietHours(start=time(22, 0), end=time(5, 0)), QuietHours(start=time(11, 30), end=time(13, 30))),
        weekend_rule=WeekendRule.NO_SUNDAY,
    )
    text = rules_file.render(rules)
    assert text.startswith("# Quy định phát thanh của đài")
    assert rules_file.parse(text, "quy-dinh.toml") == rules
    assert rules_file.parse(rules_file.render(DEFAULT_RULES), "mac-dinh.toml") == DEFAULT_RULES


def test_an_empty_file_means_no_sessions_no_quiet_hours_weekends_allowed() -> None:
    assert rules_file.parse("", "trong.toml") == StationRules()


def test_every_mistake_is_named_by_line_and_field_and_nothing_is_returned() -> None:
    text = "\n".join(
        [
            'weekend = "sometimes"',  # 1
            "[[session]]",  # 2
            'name = "Buổi sáng"',  # 3
            'start = "5h30"',  # 4
            'end = "06:30"',  # 5
            "max_minutes = 60",  # 6
            "[[session]]",  # 7
            'name = "Buổi chiều"',  # 8
            'start = "17:00"',  # 9
            'end = "16:00"',  # 10
            "max_minutes = 30",  # 11
            "[[quiet]]",  # 12
            'start = "22:00"',  # 13
            'end = "22:00"',  # 14
            "colour = 1",  # 15
        ]
    )
    with pytest.raises(rules_file.RulesFileError) as caught:
        rules_file.parse(text, "quy-dinh.toml")
    message = caught.value.message
    assert message.startswith("Tệp quy định quy-dinh.toml có 5 lỗi, chưa lưu gì:")
    assert "quy-dinh.toml:1: weekend: phải là một trong: allowed, no_sunday, no_weekend" in message
    assert 'quy-dinh.toml:4: session[1].start: cần giờ dạng "HH:MM" (ví dụ "05:30")' in message
    assert "quy-dinh.toml:10: session[2].end: phải sau giờ bắt đầu 17:00" in message
    assert "quy-dinh.toml:14: quiet[1].end: giờ kết thúc trùng giờ bắt đầu" in message
    assert "quy-dinh.toml:15: quiet[1].colour: không có trường này" in message


def test_sessions_that_overlap_share_a_name_or_allow_more_than_their_length_are_refused() -> None:
    def problems(*sessions: str) -> str:
        text = "\n".join(f"[[session]]\n{body}" for body in sessions)
        with pytest.raises(rules_file.RulesFileError) as caught:
            rules_file.parse(text, "r.toml")
        return caught.value.message

    morning = 'name = "Buổi sáng"\nstart = "05:30"\nend = "07:00"\nmax_minutes = 60'
    assert "r.toml:5: session[1].max_minutes: 120 phút dài hơn cả buổi (90 phút)" in problems(
        morning.replace("60", "120")
    )
    late = 'name = "Buổi sớm"\nstart = "06:30"\nend = "08:00"\nmax_minutes = 30'
    assert "session[2].start: buổi «Buổi sớm» trùng giờ với «Buổi sáng» (05:30–07:00)" in problems(morning, late)
    twin = morning.replace("05:30", "17:00").replace("07:00", "18:00")
    assert "session[2].name: tên «Buổi sáng» đã dùng cho buổi khác" in problems(morning, twin)


def test_broken_toml_says_where() -> None:
    with pytest.raises(rules_file.RulesFileError) as caught:
        rules_file.parse('[[session]]\nname = "Buổi sáng\n', "hong.toml")
    assert caught.value.message.startswith("Tệp quy định hong.toml có 1 lỗi")
    assert "hong.toml:2: sai cú pháp TOML, cột" in caught.value.message
