"""Numbers read aloud in Vietnamese: cardinals, ordinals, decimals, digit strings and Roman numerals.

The reading rules (mốt, tư, lăm, linh/lẻ, nghìn/ngàn, "không trăm" inside a number) follow how announcers
and schoolbooks read numbers; the Northern and Southern variants differ only in the words of
:class:`Words`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from truyenthanh.domain.enums import ReadingVariant

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
"""The ten digits as read one by one (phone numbers, codes)."""

_SCALES = ("", "triệu", "tỷ")


@dataclass(frozen=True)
class Words:
    """The words that differ between the Northern and Southern readings."""

    thousand: str
    """nghìn (North) or ngàn (South)."""
    odd: str
    """linh (North) or lẻ (South): the word for a zero tens digit before a unit (105 = một trăm linh năm)."""
    four: str
    """How a 4 after "mươi" is read: tư (North) or bốn (South)."""


WORDS = {
    ReadingVariant.NORTH: Words(thousand="nghìn", odd="linh", four="tư"),
    ReadingVariant.SOUTH: Words(thousand="ngàn", odd="lẻ", four="bốn"),
}


def _below_hundred(n: int, words: Words) -> list[str]:
    tens, unit = divmod(n, 10)
    if tens == 0:
        return [DIGITS[unit]]
    out = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if unit == 1 and tens > 1:
        out.append("mốt")
    elif unit == 4 and tens > 1:
        out.append(words.four)
    elif unit == 5:
        out.append("lăm")
    elif unit:
        out.append(DIGITS[unit])
    return out


def _below_thousand(n: int, words: Words, *, full: bool) -> list[str]:
    """Read 0..999; ``full`` reads a leading "không trăm" (a group inside a larger number)."""
    hundreds, rest = divmod(n, 100)
    out: list[str] = []
    if hundreds or full:
        out += [DIGITS[hundreds], "trăm"]
    if rest == 0:
        return out
    if rest < 10 and out:
        out.append(words.odd)
    return out + _below_hundred(rest, words)


def _below_billion(n: int, words: Words, *, full: bool) -> list[str]:
    """Read 0..999 999 999 as triệu / nghìn / units groups."""
    groups = [(n // 1_000_000, "triệu"), (n // 1000 % 1000, words.thousand), (n % 1000, "")]
    out: list[str] = []
    for value, scale in groups:
        if value == 0:
            continue
        out += _below_thousand(value, words, full=full or bool(out))
        if scale:
            out.append(scale)
    return out


def cardinal(n: int, variant: ReadingVariant = ReadingVariant.NORTH) -> str:
    """Read a whole number: ``2021`` → "hai nghìn không trăm hai mươi mốt".

    Negative numbers start with "âm". Numbers of a thousand billion and more repeat "tỷ" (một nghìn tỷ).
    """
    words = WORDS[variant]
    if n < 0:
        return "âm " + cardinal(-n, variant)
    if n == 0:
        return DIGITS[0]
    billions, rest = divmod(n, 1_000_000_000)
    out: list[str] = []
    if billions:
        out += [cardinal(billions, variant), "tỷ"]
    if rest:
        out += _below_billion(rest, words, full=bool(billions))
    return " ".join(out)


def ordinal(n: int, variant: ReadingVariant = ReadingVariant.NORTH) -> str:
    """The number after "thứ": 1 → "nhất", 4 → "tư", others as cardinals (thứ hai, thứ mười bốn)."""
    if n == 1:
        return "nhất"
    if n == 4:
        return "tư"
    return cardinal(n, variant)


def digits(text: str) -> str:
    """Read a string of digits one by one: ``"113"`` → "một một ba". Non-digits are dropped."""
    return " ".join(DIGITS[int(ch)] for ch in text if ch.isdigit())


def decimal(whole: str, fraction: str, variant: ReadingVariant = ReadingVariant.NORTH) -> str:
    """Read a decimal written with a comma: ``("68", "5")`` → "sáu mươi tám phẩy năm".

    Leading zeros of the fraction are read as "không" (0,05 → không phẩy không năm); a fraction of more than
    three digits is read digit by digit.
    """
    head = cardinal(int(whole), variant)
    if len(fraction) > 3:
        return f"{head} phẩy {digits(fraction)}"
    stripped = fraction.lstrip("0")
    zeros = [DIGITS[0]] * (len(fraction) - len(stripped))
    tail = [cardinal(int(stripped), variant)] if stripped else []
    return " ".join([head, "phẩy", *zeros, *tail])


def month_name(month: int, variant: ReadingVariant = ReadingVariant.NORTH) -> str:
    """The number after "tháng": April is "tư" (tháng tư), every other month its cardinal."""
    return "tư" if month == 4 else cardinal(month, variant)


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN_SHAPE = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


def roman_value(text: str) -> int | None:
    """The value of a well-formed Roman numeral (``"XIII"`` → 13), or ``None`` if it is not one."""
    if not text or not _ROMAN_SHAPE.fullmatch(text):
        return None
    total = 0
    for index, letter in enumerate(text):
        value = _ROMAN[letter]
        following = _ROMAN[text[index + 1]] if index + 1 < len(text) else 0
        total += -value if value < following else value
    return total


__all__ = ["DIGITS", "WORDS", "Words", "cardinal", "decimal", "digits", "month_name", "ordinal", "roman_value"]
