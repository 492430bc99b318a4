"""Vietnam's provinces and centrally-run cities since 1 July 2025 (Resolution 202/2025/QH15): 34 in all, and no
districts below them, so a commune belongs directly to one of these.

Names are written as the resolution writes them, in NFC; :func:`find_province` accepts what an operator types
(any case, with or without diacritics or the "tỉnh"/"thành phố" prefix).
"""

from __future__ import annotations

import unicodedata

CITIES = ("Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Thành phố Hồ Chí Minh", "Cần Thơ")
"""The six centrally-run cities (thành phố trực thuộc trung ương)."""

PROVINCES = (
    *CITIES,
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Ninh Bình",
    "Quảng Trị",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Đồng Nai",
    "Tây Ninh",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
)
"""Every province-level unit since 1 July 2025: the six cities first, then the 28 provinces, north to south."""

_PREFIXES = ("thanh pho ", "tp. ", "tp ", "tinh ")


def _key(text: str) -> str:
    """Lower case without diacritics or the "tỉnh"/"thành phố" prefix, for matching what was typed."""
    folded = unicodedata.normalize("NFD", " ".join(text.split()).casefold().replace("đ", "d"))
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    for prefix in _PREFIXES:
        if plain.startswith(prefix) and plain != "thanh pho ho chi minh":
            return plain.removeprefix(prefix)
    return plain


_BY_KEY = {_key(name): name for name in PROVINCES} | {"ho chi minh": "Thành phố Hồ Chí Minh"}


def find_province(typed: str) -> str | None:
    """The province's name as written in :data:`PROVINCES` for what an operator typed ("phu tho", "Tỉnh Phú
    Thọ", "TP Hồ Chí Minh"), or ``None`` when it names none of them (a former province, a misspelling)."""
    return _BY_KEY.get(_key(typed))


def is_city(province: str) -> bool:
    """Whether ``province`` is a centrally-run city (its communes are "phường" or "xã" of a "thành phố")."""
    return province in CITIES


__all__ = ["CITIES", "PROVINCES", "find_province", "is_city"]
