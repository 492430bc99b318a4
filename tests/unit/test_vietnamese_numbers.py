"""Reading numbers aloud: cardinals with mốt/tư/lăm/linh, both variants, decimals, digits, Roman numerals."""

from __future__ import annotations

import itertools

import pytest

from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.vietnamese.numbers import cardinal, decimal, digits, month_name, ordinal, roman_value

NORTH = ReadingVariant.NORTH
SOUTH = ReadingVariant.SOUTH

CARDINALS_NORTH = [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (19, "mười chín"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi tư"),
    (25, "hai mươi lăm"),
    (27, "hai mươi bảy"),
    (31, "ba mươi mốt"),
    (44, "bốn mươi tư"),
    (55, "năm mươi lăm"),
    (68, "sáu mươi tám"),
    (91, "chín mươi mốt"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (150, "một trăm năm mươi"),
    (164, "một trăm sáu mươi tư"),
    (215, "hai trăm mười lăm"),
    (250, "hai trăm năm mươi"),
    (350, "ba trăm năm mươi"),
    (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm linh một"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1050, "một nghìn không trăm năm mươi"),
    (1100, "một nghìn một trăm"),
    (1785, "một nghìn bảy trăm tám mươi lăm"),
    (2000, "hai nghìn"),
    (2008, "hai nghìn không trăm linh tám"),
    (2016, "hai nghìn không trăm mười sáu"),
    (2021, "hai nghìn không trăm hai mươi mốt"),
    (2025, "hai nghìn không trăm hai mươi lăm"),
    (2026, "hai nghìn không trăm hai mươi sáu"),
    (4937, "bốn nghìn chín trăm ba mươi bảy"),
    (10_000, "mười nghìn"),
    (25_000, "hai mươi lăm nghìn"),
    (100_000, "một trăm nghìn"),
    (105_000, "một trăm linh năm nghìn"),
    (1_000_000, "một triệu"),
    (1_000_005, "một triệu không trăm linh năm"),
    (1_200_000, "một triệu hai trăm nghìn"),
    (2_340_000, "hai triệu ba trăm bốn mươi nghìn"),
    (10_500_000, "mười triệu năm trăm nghìn"),
    (1_000_000_000, "một tỷ"),
    (2_500_000_000, "hai tỷ năm trăm triệu"),
    (1_000_000_000_000, "một nghìn tỷ"),
    (-5, "âm năm"),
]

SOUTH_DIFFERENCES = [
    (24, "hai mươi bốn"),
    (105, "một trăm lẻ năm"),
    (1000, "một ngàn"),
    (2021, "hai ngàn không trăm hai mươi mốt"),
    (2008, "hai ngàn không trăm lẻ tám"),
    (164, "một trăm sáu mươi bốn"),
    (14, "mười bốn"),
    (25_000, "hai mươi lăm ngàn"),
]


@pytest.mark.parametrize(("number", "spoken"), CARDINALS_NORTH)
def test_cardinal_north(number: int, spoken: str) -> None:
    assert cardinal(number, NORTH) == spoken


@pytest.mark.parametrize(("number", "spoken"), SOUTH_DIFFERENCES)
def test_cardinal_south(number: int, spoken: str) -> None:
    assert cardinal(number, SOUTH) == spoken


def test_every_number_below_ten_thousand_reads_without_gaps_or_digits() -> None:
    for number in range(10_000):
        spoken = cardinal(number)
        assert spoken == spoken.strip()
        assert "  " not in spoken
        assert not any(ch.isdigit() for ch in spoken)
        # "mốt" only after "mươi"; "lăm" only after "mười"/"mươi".
        words = spoken.split()
        for before, word in itertools.pairwise(words):
            if word == "mốt":
                assert before == "mươi", number
            if word == "lăm":
                assert before in ("mười", "mươi"), number


@pytest.mark.parametrize(
    ("number", "spoken"),
    [(1, "nhất"), (2, "hai"), (4, "tư"), (7, "bảy"), (13, "mười ba"), (14, "mười bốn"), (21, "hai mươi mốt")],
)
def test_ordinal(number: int, spoken: str) -> None:
    assert ordinal(number) == spoken


@pytest.mark.parametrize(
    ("whole", "fraction", "spoken"),
    [
        ("68", "5", "sáu mươi tám phẩy năm"),
        ("0", "03", "không phẩy không ba"),
        ("0", "5", "không phẩy năm"),
        ("1", "25", "một phẩy hai mươi lăm"),
        ("3", "14", "ba phẩy mười bốn"),
        ("2", "105", "hai phẩy một trăm linh năm"),
        ("3", "14159", "ba phẩy một bốn một năm chín"),
        ("12", "0", "mười hai phẩy không"),
    ],
)
def test_decimal(whole: str, fraction: str, spoken: str) -> None:
    assert decimal(whole, fraction) == spoken


def test_digits_one_by_one() -> None:
    assert digits("0912 000 113") == "không chín một hai không không không một một ba"


@pytest.mark.parametrize(("month", "spoken"), [(1, "một"), (4, "tư"), (10, "mười"), (11, "mười một"), (12, "mười hai")])
def test_month_name(month: int, spoken: str) -> None:
    assert month_name(month) == spoken


@pytest.mark.parametrize(
    ("roman", "value"),
    [("I", 1), ("IV", 4), ("IX", 9), ("XII", 12), ("XIII", 13), ("XIV", 14), ("XIX", 19), ("XXI", 21), ("XL", 40)],
)
def test_roman_value(roman: str, value: int) -> None:
    assert roman_value(roman) == value


@pytest.mark.parametrize("not_roman", ["", "IIII", "VX", "IC", "ABC", "XIIII"])
def test_not_roman(not_roman: str) -> None:
    assert roman_value(not_roman) is None
