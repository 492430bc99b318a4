"""Seasonal session times and announced days off in the station's rules file."""

from __future__ import annotations

from datetime import date, time

import pytest

from truyenthanh.domain.rules_file import RulesFileError, parse, render
from truyenthanh.domain.station import DayOff, Season, SessionRule, StationRules

RULES = StationRules(
    sessions=(
        SessionRule(
            "Buổi sáng",
            time(5, 30),
            time(7, 0),
            60,
            seasons=(Season("Mùa đông", (11, 1), (3, 31), time(6, 0), time(7, 30)),),
        ),
    ),
    days_off=(DayOff(date(2027, 2, 5), "Nghỉ Tết Nguyên Đán (theo thông báo)"),),
)


def test_seasons_and_days_off_round_trip() -> None:
    text = render(RULES)
    assert 'from = "01/11"' in text and 'to = "31/03"' in text and "[[day_off]]" in text
    assert parse(text, "quy-dinh.toml") == RULES


def test_errors_name_the_line_and_field() -> None:
    text = """weekend = "allowed"
[[session]]
name = "Buổi sáng"
start = "05:30"
end = "07:00"
max_minutes = 60
[[session.season]]
name = "Mùa đông"
from = "31/02"
to = "31/03"
start = "06:00"
end = "05:00"
[[day_off]]
date = "hôm qua"
name = "Nghỉ bù"
"""
    with pytest.raises(RulesFileError) as caught:
        parse(text, "quy-dinh.toml")
    message = caught.value.message
    assert "quy-dinh.toml" in message
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (9, "session[1].season[1].from"),
        (14, "day_off[1].date"),
    ]
    assert 'cần ngày dạng "NN/TT"' in message
