"""Text pasted from old documents: the TCVN3 (ABC) and VNI font encodings, and UTF-8 read as Windows-1252.

Word documents typed with the ``.VnTime`` (TCVN3) or ``VNI-Times`` fonts paste as Latin-1 look-alikes:
"Th«ng b¸o" (TCVN3) or "Thoâng baùo" (VNI) for "Thông báo". :func:`repair` recognises such text and converts
it; real Unicode Vietnamese is never touched, because it always holds letters (ă, đ, ơ, ư, ạ, ả, ...) that
the legacy encodings cannot produce.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
"""Combining marks in the order both legacy tables use: huyền, sắc, hỏi, ngã, nặng."""

# TCVN3: each base vowel followed by its five toned forms, in the order of _TONES. A base of None means the
# toneless vowel is plain ASCII.
_TCVN3_ROWS = {
    "a": (None, "µ¸¶·¹"),
    "ă": ("¨", "»¾¼½Æ"),
    "â": ("©", "ÇÊÈÉË"),
    "e": (None, "ÌÐÎÏÑ"),
    "ê": ("ª", "ÒÕÓÔÖ"),
    "i": (None, "×ÝØÜÞ"),
    "o": (None, "ßãáâä"),
    "ô": ("«", "åèæçé"),
    "ơ": ("¬", "êíëìî"),
    "u": (None, "ïóñòô"),
    "ư": ("\u00ad", "õøö÷ù"),
    "y": (None, "úýûüþ"),
}
_TCVN3_EXTRA = {"®": "đ", "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư"}


def _tcvn3_table() -> dict[str, str]:
    table = dict(_TCVN3_EXTRA)
    for vowel, (plain, toned) in _TCVN3_ROWS.items():
        if plain is not None:
            table[plain] = vowel
        for code, tone in zip(toned, _TONES, strict=True):
            table[code] = unicodedata.normalize("NFC", vowel + tone)
    return table


# VNI: a base letter followed by one mark character. Toned forms of i and y-dot-below are single characters.
_VNI_TONE_MARKS = "øùûõï"  # huyền, sắc, hỏi, ngã, nặng after a, e, o, u, y, ơ, ư
_VNI_HAT_MARKS = "àáåãä"  # the same tones after â, ê, ô (base + hat + tone in one character)
_VNI_BREVE_MARKS = "èéúüë"  # the same tones after ă


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(source: str, target: str) -> None:
        table[source] = target
        upper_source = source.upper()
        table[upper_source] = target.upper()

    for base, vni_base in (("a", "a"), ("e", "e"), ("o", "o"), ("u", "u"), ("y", "y"), ("ơ", "ô"), ("ư", "ö")):
        for mark, tone in zip(_VNI_TONE_MARKS, _TONES, strict=True):
            add(vni_base + mark, unicodedata.normalize("NFC", base + tone))
    for base, hat in (("a", "â"), ("e", "ê"), ("o", "ô")):
        add(base + "â", hat)
        for mark, tone in zip(_VNI_HAT_MARKS, _TONES, strict=True):
            add(base + mark, unicodedata.normalize("NFC", hat + tone))
    add("aê", "ă")
    for mark, tone in zip(_VNI_BREVE_MARKS, _TONES, strict=True):
        add("a" + mark, unicodedata.normalize("NFC", "ă" + tone))
    for single, target in (("ô", "ơ"), ("ö", "ư"), ("æ", "ỉ"), ("ó", "ĩ"), ("ò", "ị"), ("î", "ỵ"), ("ñ", "đ")):
        add(single, target)
    # í and ì are the same code points in VNI and Unicode.
    return table


TCVN3 = _tcvn3_table()
"""TCVN3 (ABC) character → Unicode."""
VNI = _vni_table()
"""VNI-Windows sequence (one or two characters) → Unicode."""

_VNI_PATTERN = re.compile("|".join(re.escape(key) for key in sorted(VNI, key=len, reverse=True)))
# Letters only Unicode Vietnamese has (never produced by reading a legacy file as Latin-1).
_UNICODE_ONLY = re.compile(r"[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
# Characters TCVN3 text is full of and Vietnamese (or any Latin-script) prose never uses.
_TCVN3_SIGNS = re.compile(r"[¡¢£¤¥¦§¨©ª«¬®µ¶·¸¹»¼½¾]")
# Latin-1 letters VNI text is full of that are not Vietnamese letters, and a vowel followed by a VNI tone
# character (no Vietnamese syllable has "aù" or "yù").
_VNI_SIGNS = re.compile(r"[øûïöñåäëüæîØÛÏÖÑÅÄËÜÆÎ]|[aeouyAEOUYôöÔÖ][ùÙõÕ]")
# Lead bytes of UTF-8 Vietnamese seen through Windows-1252; a cheap test before trying to decode.
_MOJIBAKE = re.compile(r"[ÃÄÅÆá][\u0080-\u00bf\u0152-\u2122]")


class Encoding(Enum):
    """How a piece of text was encoded before it reached us."""

    UNICODE = "unicode"
    TCVN3 = "tcvn3"
    VNI = "vni"
    MOJIBAKE = "utf8-as-cp1252"


def detect(text: str) -> Encoding:
    """Guess whether ``text`` is Unicode, TCVN3, VNI, or UTF-8 bytes that were decoded as Windows-1252."""
    if _MOJIBAKE.search(text) and _unmojibake(text) != text:
        return Encoding.MOJIBAKE
    if _UNICODE_ONLY.search(text):
        return Encoding.UNICODE
    if _TCVN3_SIGNS.search(text):
        return Encoding.TCVN3
    signs = len(_VNI_SIGNS.findall(text))
    if signs:
        converted = to_unicode(text, Encoding.VNI)
        # Real VNI text converts completely: no character only VNI uses is left over (Müller, naïve stay).
        leftover = re.search(r"[øûïöñåäëüæîØÛÏÖÑÅÄËÜÆÎ]", converted)
        if converted != text and leftover is None and (signs >= 2 or _UNICODE_ONLY.search(converted)):
            return Encoding.VNI
    return Encoding.UNICODE


def _unmojibake(text: str) -> str:
    raw = bytearray()
    for ch in text:
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            # Bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) survive as C1 controls.
            if ord(ch) > 0xFF:
                return text
            raw.append(ord(ch))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return text


def to_unicode(text: str, encoding: Encoding) -> str:
    """Convert text from ``encoding`` to NFC Unicode."""
    if encoding is Encoding.TCVN3:
        converted = "".join(TCVN3.get(ch, ch) for ch in text)
    elif encoding is Encoding.VNI:
        converted = _VNI_PATTERN.sub(lambda m: VNI[m.group(0)], text)
    elif encoding is Encoding.MOJIBAKE:
        converted = _unmojibake(text)
    else:
        converted = text
    return unicodedata.normalize("NFC", converted)


def repair(text: str) -> str:
    """NFC Unicode for any text: legacy encodings are detected and converted, Unicode is only normalised."""
    return to_unicode(text, detect(text))


__all__ = ["TCVN3", "VNI", "Encoding", "detect", "repair", "to_unicode"]
