"""Enums carry Vietnamese labels and parse from either form."""

from __future__ import annotations

import unicodedata

import pytest

from truyenthanh.domain import enums
from truyenthanh.domain.enums import Category, LabelledEnum, Priority

ALL = [
    cls
    for cls in vars(enums).values()
    if isinstance(cls, type) and issubclass(cls, LabelledEnum) and cls is not LabelledEnum
]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_member_has_an_nfc_vietnamese_label(cls: type[LabelledEnum]) -> None:
    for member in cls:
        assert member.label != member.value
        assert unicodedata.normalize("NFC", member.label) == member.label


def test_parse_accepts_value_and_label() -> None:
    assert Priority.parse("emergency") is Priority.EMERGENCY
    assert Priority.parse("  khẩn CẤP ") is Priority.EMERGENCY
    assert Category.parse("Khác") is Category.OTHER


def test_parse_error_lists_choices_in_vietnamese() -> None:
    with pytest.raises(ValueError, match=r"Giá trị không hợp lệ: «gấp».*normal \(Thông thường\)"):
        Priority.parse("gấp")


def test_priorities_rank_as_circular_39() -> None:
    assert Priority.NORMAL.rank < Priority.PRIORITY.rank < Priority.EMERGENCY.rank
