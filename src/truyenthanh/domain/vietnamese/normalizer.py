"""The administrative-text normaliser: written Vietnamese in, the words an announcer says out.

Rules run in a fixed order, each rewriting the spans it recognises into words (never digits), so a later rule
cannot misread what an earlier one produced:

1. legacy encodings (TCVN3, VNI) are converted, everything becomes NFC;
2. document numbers and legal citations (Quyết định số 52/2016/QĐ-TTg), e-mail and web addresses, codes:
   road numbers (ĐT 641, QL1A), flood alarm levels (BĐ2), fishing vessels (QNg 90123 TS), vehicle plates
   (29A-123.45);
3. abbreviations read by their neighbours (TT HĐND, BCH Quân sự, Q. Chủ tịch: see :mod:`.context`), then the
   lexicon (UBND, HĐND, the station's own entries);
4. phone and hotline numbers, digit by digit; house numbers (số 12/3, ngõ 45/2) and fractions (1/3 diện tích);
5. dates, then times (with their ranges);
6. quantities: money, percentages and units (with ranges and "/kg");
7. counts with "/" (164/164 xã reads "trên"); Roman numerals after words that take them; "thứ" and "tháng";
8. every other number, then acronyms nobody expanded, spelled letter by letter.

Text with none of these passes through unchanged (apart from NFC). :func:`explain` runs the same rules and
says, in Vietnamese, which of them changed what (``truyenthanh normalize --explain``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.vietnamese import legacy
from truyenthanh.domain.vietnamese.context import ContextHit
from truyenthanh.domain.vietnamese.lexicon import (
    ABBREVIATIONS,
    DOCUMENT_TYPES,
    ISSUERS,
    ROAD_CODES,
    VESSEL_PROVINCES,
    Lexicon,
)
from truyenthanh.domain.vietnamese.numbers import DIGITS, cardinal, decimal, digits, month_name, ordinal, roman_value

# A number as written in Vietnamese documents: "." groups thousands, "," is the decimal mark.
NUM = r"(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)"
_BEFORE = r"(?<![\w.,/])"
_AFTER = r"(?![\w]|[.,/]\d)"
_DASH = r"\s*[-–—]\s*"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:1[89]\d{2}|2\d{3})"

UNITS: dict[str, str] = {
    "%": "phần trăm",
    "đ": "đồng",
    "Đ": "đồng",
    "đồng": "đồng",
    "VNĐ": "đồng",
    "VND": "đồng",
    "vnđ": "đồng",
    "USD": "đô la Mỹ",
    "mm": "mi-li-mét",
    "cm": "xen-ti-mét",
    "m": "mét",
    "km": "ki-lô-mét",
    "m2": "mét vuông",
    "m²": "mét vuông",
    "km2": "ki-lô-mét vuông",
    "km²": "ki-lô-mét vuông",
    "cm2": "xen-ti-mét vuông",
    "cm²": "xen-ti-mét vuông",
    "mm2": "mi-li-mét vuông",
    "mm²": "mi-li-mét vuông",
    "dm2": "đề-xi-mét vuông",
    "dm²": "đề-xi-mét vuông",
    "m3": "mét khối",
    "m³": "mét khối",
    "cm3": "xen-ti-mét khối",
    "cm³": "xen-ti-mét khối",
    "dm3": "đề-xi-mét khối",
    "dm³": "đề-xi-mét khối",
    "km3": "ki-lô-mét khối",
    "km³": "ki-lô-mét khối",
    "ha": "héc-ta",
    "kg": "ki-lô-gam",
    "g": "gam",
    "mg": "mi-li-gam",
    "ml": "mi-li-lít",
    "l": "lít",
    "°C": "độ xê",
    "ºC": "độ xê",
    "oC": "độ xê",
    "độ C": "độ xê",
    "°": "độ",
    "kV": "ki-lô-vôn",
    "V": "vôn",
    "kW": "ki-lô-oát",
    "kWh": "ki-lô-oát giờ",
    "MW": "mê-ga-oát",
    "W": "oát",
    "km/h": "ki-lô-mét trên giờ",
    "m/s": "mét trên giây",
}
"""Units written after a number, and how they are read."""

_MONEY = {"đồng", "đô la Mỹ"}
# Words that can follow "/" after a quantity ("đồng/tháng", "tạ/ha"): read "một" after money, "trên" otherwise.
_PER_WORDS = {
    "h": "giờ",
    "giờ": "giờ",
    "ngày": "ngày",
    "tháng": "tháng",
    "năm": "năm",
    "tuần": "tuần",
    "người": "người",
    "hộ": "hộ",
    "suất": "suất",
    "lượt": "lượt",
    "buổi": "buổi",
    "con": "con",
    "cây": "cây",
    "học viên": "học viên",
    "sào": "sào",
    "ha": "héc-ta",
    "kg": "ki-lô-gam",
    "tấn": "tấn",
    "lít": "lít",
    "m2": "mét vuông",
    "m²": "mét vuông",
    "m3": "mét khối",
    "m³": "mét khối",
    "km2": "ki-lô-mét vuông",
    "km²": "ki-lô-mét vuông",
    "cm2": "xen-ti-mét vuông",
    "cm²": "xen-ti-mét vuông",
    "km": "ki-lô-mét",
    "m": "mét",
    "kWh": "ki-lô-oát giờ",
    "s": "giây",
    "giây": "giây",
    "phút": "phút",
    "ca": "ca",
    "lần": "lần",
    "chiếc": "chiếc",
    "xã": "xã",
    "vụ": "vụ",
    "khẩu": "khẩu",
    "bao": "bao",
    "gói": "gói",
    "lớp": "lớp",
}
_WORD_UNITS = (
    "tạ", "tấn", "yến", "lít", "mét", "cây", "con", "người", "hộ", "đồng", "ki-lô-gam", "héc-ta",
    "triệu", "nghìn", "ngàn", "tỷ", "tỉ",
)  # fmt: skip
_MONEY_WORDS = {"đồng", "triệu", "nghìn", "ngàn", "tỷ", "tỉ"}

LETTERS = {
    "A": "a",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "lờ",
    "M": "mờ",
    "N": "nờ",
    "O": "o",
    "P": "pê",
    "Q": "quy",
    "R": "rờ",
    "S": "ét",
    "T": "tê",
    "U": "u",
    "V": "vê",
    "W": "vê kép",
    "X": "ích",
    "Y": "i",
    "Z": "dét",
}
"""Letter names used to spell an acronym nobody expanded."""


class CodeLetters(StrEnum):
    """How letters inside codes (vehicle plates, strain names) are read: a station setting.

    ``AS_WRITTEN`` leaves a plate's letters for the engine, as before this setting existed, and reads N in a
    strain "en"; ``NO`` and ``EN`` spell every code letter the Vietnamese way (B "bê", F "ép", H "hát") and read
    N "nờ" or "en".
    """

    AS_WRITTEN = "as-written"
    NO = "nờ"
    EN = "en"


@dataclass(frozen=True)
class Step:
    """One rule that changed the text, for ``--explain``: its name, what it read and how (in Vietnamese)."""

    rule: str
    written: str
    spoken: str
    why: str = ""


@dataclass(frozen=True)
class _Context:
    """What every rule needs: the reading variant, the lexicon and how code letters are read."""

    variant: ReadingVariant
    lexicon: Lexicon
    letters: CodeLetters = CodeLetters.AS_WRITTEN
    hits: list[ContextHit] | None = field(default=None, compare=False)
    """Abbreviations read by context, collected only when explaining."""

    def letter(self, ch: str) -> str:
        """The name of one code letter (N follows the station's choice)."""
        if ch.upper() == "N":
            return "nờ" if self.letters is CodeLetters.NO else "en"
        return LETTERS.get(ch.upper(), ch)

    def number(self, written: str) -> str:
        """Read a number written with "." thousands and "," decimals."""
        whole, _, fraction = written.partition(",")
        whole = whole.replace(".", "")
        if fraction:
            return decimal(whole, fraction, self.variant)
        return cardinal(int(whole), self.variant)


# Most rules need a digit (or a "/") to find anything; these checks skip their scans on text without one.
_DIGIT = re.compile(r"\d")
_TLD = re.compile(r"\.(?:vn|com|net|org|info|gov|edu)")
_ROMAN_TOKEN = re.compile(r"(?<![\w])[IVXLC]+(?![\w])")


def _letters(token: str) -> str:
    return " ".join(LETTERS.get(ch.upper(), ch) for ch in token if ch.isalpha())


def _ends_with(text: str, end: int, pattern: str) -> bool:
    """Whether the text just before ``end`` matches ``pattern`` (case-insensitive)."""
    return re.search(pattern + r"\s*$", text[max(0, end - 40) : end], re.IGNORECASE) is not None


# --- 2. document numbers and legal citations ---------------------------------------------------------------

_CITATION = re.compile(
    r"(?P<pre>\b[Ss]ố\s*:?\s*)?"
    r"(?<![\w/])(?P<num>\d+)(?:/(?P<year>" + _YEAR + r"))?"
    r"/(?P<sym>[A-ZĐ][A-Za-zĐđƯư&]*(?:-[A-ZĐ][A-Za-zĐđƯư0-9&]*)+|[A-ZĐ][A-Za-zĐđ]*[A-ZĐ][A-Za-zĐđ]*\d*)"
    r"(?![\w-])"
)
# Party documents put the kind before the slash: "Nghị quyết số 18-NQ/TW", "Kết luận 127-KL/TW".
_PARTY_CITATION = re.compile(
    r"(?P<pre>\b[Ss]ố\s*:?\s*)?(?<![\w/])(?P<num>\d+)-(?P<kind>[A-ZĐ][A-Za-zĐđ]{0,3})/(?P<sym>[A-ZĐ][A-Za-zĐđ]*)(?![\w-])"
)
# In Party symbols QĐ is as often a "quy định" as a "quyết định": either word said before it will do.
_KIND_SAID: dict[str, tuple[str, ...]] = {"quyết định": ("quyết định", "quy định")}
_LAW_ISSUER = re.compile(r"(?P<body>QH|HĐND|UBTVQH)(?P<term>\d+)")


def _issuer(part: str, ctx: _Context) -> str:
    law = _LAW_ISSUER.fullmatch(part)
    if law:
        body = ISSUERS.get(law["body"]) or ctx.lexicon.abbreviations.get(law["body"]) or _letters(law["body"])
        return f"{body} khóa {cardinal(int(law['term']), ctx.variant)}"
    return ISSUERS.get(part) or ctx.lexicon.abbreviations.get(part) or _letters(part)


# "123/QĐ- UBND", "45/2024/NĐ -CP": a symbol broken by a stray space around its dash is read as one symbol.
_CITATION_GAP = re.compile(
    r"(?P<head>(?<![\w/])\d+(?:/" + _YEAR + r")?/[A-ZĐ][A-Za-zĐđ]{0,4})(?:\s+[-–]\s*|\s*[-–]\s+)(?=[A-ZĐ])"
)


def _citation(text: str, ctx: _Context) -> str:
    if "/" not in text:
        return text
    if " -" in text or "- " in text:
        text = _CITATION_GAP.sub(r"\g<head>-", text)

    def replace(m: re.Match[str]) -> str:
        parts = m["sym"].split("-")
        kind = DOCUMENT_TYPES.get(parts[0]) if len(parts) > 1 or parts[0] in DOCUMENT_TYPES else None
        return spoken(m, kind, parts[1:] if kind else parts)

    def party(m: re.Match[str]) -> str:
        kind = DOCUMENT_TYPES.get(m["kind"])
        return m.group(0) if kind is None else spoken(m, kind, [m["sym"]], kind_said=_KIND_SAID.get(kind, ()))

    def spoken(m: re.Match[str], kind: str | None, issuers: list[str], kind_said: tuple[str, ...] = ()) -> str:
        out = []
        if m["pre"]:
            out.append(m["pre"].rstrip(": \t").rstrip())
        out.append(cardinal(int(m["num"]), ctx.variant))
        if m.re is _CITATION and m["year"]:
            out += ["năm", cardinal(int(m["year"]), ctx.variant)]
        said_before = text[max(0, m.start() - 30) : m.start()].casefold()
        if kind and not any(word in said_before for word in kind_said or (kind,)):
            out[-1] += ","
            out.append(kind)
        sentence_rest = re.split(r"[.;\n]", text[m.end() : m.end() + 80], maxsplit=1)[0]
        if issuers and not re.search(r"\bcủa\b", sentence_rest, re.IGNORECASE):
            body = " và ".join(_issuer(p, ctx) for p in issuers) if kind == "thông tư liên tịch" else None
            out += ["của", body or _issuer(issuers[0], ctx)]
        return " ".join(out)

    text = _CITATION.sub(replace, text)
    return _PARTY_CITATION.sub(party, text)


# --- 2b. e-mail and web addresses --------------------------------------------------------------------------

_ADDRESS = re.compile(
    r"(?<![\w@.])(?:[\w.+-]+@)?(?:[a-zA-Z0-9-]+\.)+(?:vn|com|net|org|info|gov|edu)(?:\.vn)?(?:/[\w/-]*)?(?![\w])"
)


def _addresses(text: str, ctx: _Context) -> str:
    if not _TLD.search(text):
        return text

    def spell(m: re.Match[str]) -> str:
        address = m.group(0)
        for mark, word in (("@", " a còng "), (".", " chấm "), ("/", " xuyệt "), ("-", " gạch ngang ")):
            address = address.replace(mark, word)
        return " ".join(address.split())

    return _ADDRESS.sub(spell, text)


# --- 2c. codes: road numbers, flood alarm levels, fishing vessels and vehicle plates -----------------------

# At most three digits (ĐT 741, QL 279) and no further digit group: "ĐT 0912 345 678" and "ĐT 1900 9068" are
# telephone numbers, "ĐH 2025" is a university entrance year.
_ROAD = re.compile(
    r"(?<![\w-])(?P<kind>" + "|".join(ROAD_CODES) + r")(?P<sep>\.\s?|\s?-\s?|\s)?"
    r"(?P<num>[1-9]\d{0,2})(?P<suffix>[A-Z]?)(?![\w]|[.,\s-]?\d)"
)
_EMERGENCY_NUMBERS = {"111", "112", "113", "114", "115", "116"}
_PLATE = re.compile(
    r"(?<![\w.,/-])(?P<province>\d{2})-?(?P<series>[A-ZĐ]{1,2}\d?)(?P<sep>\s*[-–]\s*|\s+)"
    r"(?P<num>\d{3}\.\d{2}|\d{4,5})(?![\w]|[.,]\d)"
)
_PLATE_WORDS = r"(?:(?i:biển\s+(?:số|kiểm\s+soát)|biển)|BKS|BS)\s*:?"
# Flood alarm levels in water-level bulletins: "trên BĐ2", "dưới BĐ III".
_ALARM = re.compile(r"(?<![\w-])BĐ\s?(?P<level>[1-3]|I{1,3})(?![\w])")
# Influenza strains, with or without their type: "H5N1", "A/H7N9", "cúm A/H5N6".
_STRAIN_HINT = re.compile(r"H\d")
_STRAIN = re.compile(r"(?<![\w/])(?:(?P<type>[AB])/)?H(?P<h>\d{1,2})N(?P<n>\d{1,2})(?![\w])")
# Fishing vessels: province code, five digits, TS (thủy sản): "QNg 90123 TS", "BĐ-97123-TS".
_VESSEL = re.compile(r"(?<![\w-])(?P<province>[A-ZĐ][A-Za-zĐđ]{0,2})[\s-]?(?P<num>\d{4,5})[\s-]?TS(?![\w])")


def _codes(text: str, ctx: _Context) -> str:
    def alarm(m: re.Match[str]) -> str:
        level = m["level"]
        value = int(level) if level.isdigit() else roman_value(level) or len(level)
        return f"báo động {cardinal(value, ctx.variant)}"

    if "BĐ" in text:
        text = _ALARM.sub(alarm, text)
    if not _DIGIT.search(text):
        return text

    def vessel(m: re.Match[str]) -> str:
        province = VESSEL_PROVINCES.get(m["province"]) or _letters(m["province"])
        return f"{province} {digits(m['num'])} tê ét"

    text = _VESSEL.sub(vessel, text)

    def strain(m: re.Match[str]) -> str:
        kind = f"{ctx.letter(m['type'])} " if m["type"] else ""
        h, n = cardinal(int(m["h"]), ctx.variant), cardinal(int(m["n"]), ctx.variant)
        return f"{kind}{ctx.letter('H')} {h} {ctx.letter('N')} {n}"

    if _STRAIN_HINT.search(text):
        text = _STRAIN.sub(strain, text)

    def road(m: re.Match[str]) -> str:
        kind, number = m["kind"], m["num"]
        # "ĐT 113": the police line after a "telephone" label, not provincial road 113.
        if kind == "ĐT" and number in _EMERGENCY_NUMBERS and not (m["sep"] or "").startswith("."):
            return m.group(0)
        spoken = ROAD_CODES[kind]
        # "đường ĐT 641" is said once: "đường tỉnh ...", not "đường đường tỉnh ...".
        if spoken.startswith("đường ") and _ends_with(m.string, m.start(), r"\bđường"):
            spoken = spoken.removeprefix("đường ")
        spoken += f" {cardinal(int(number), ctx.variant)}"
        return spoken + (f" {m['suffix']}" if m["suffix"] else "")

    text = _ROAD.sub(road, text)

    def plate(m: re.Match[str]) -> str:
        # "29A-123.45" and "29A-12345" are plates wherever they stand; "29A 12345" only after "biển số".
        shaped = "." in m["num"] or m["sep"].strip()
        if not shaped and not _ends_with(m.string, m.start(), _PLATE_WORDS):
            return m.group(0)
        if ctx.letters is CodeLetters.AS_WRITTEN:
            series = re.sub(r"\d", lambda d: f" {DIGITS[int(d.group(0))]}", m["series"])
        else:
            series = " ".join(DIGITS[int(ch)] if ch.isdigit() else ctx.letter(ch) for ch in m["series"])
        return f"{digits(m['province'])} {series}, {digits(m['num'])}"

    return _PLATE.sub(plate, text)


# --- 3. lexicon --------------------------------------------------------------------------------------------


def _context(text: str, ctx: _Context) -> str:
    return ctx.lexicon.context.apply(text, ctx.hits)


def _lexicon(text: str, ctx: _Context) -> str:
    pattern = ctx.lexicon.pattern
    if pattern is None:
        return text
    return pattern.sub(lambda m: ctx.lexicon.lookup(m.group(0)), text)


# --- 4. phone numbers --------------------------------------------------------------------------------------

_PHONE_KEYWORDS = (
    r"(?:số\s+)?điện\s+thoại|đường\s+dây\s+nóng|hotline|tổng\s+đài|số\s+máy|fax|zalo|"
    r"gọi(?:\s+(?:ngay|điện|số))?|liên\s+hệ(?:\s+số)?|nhắn\s+tin(?:\s+đến)?"
)
_PHONE_AFTER_KEYWORD = re.compile(
    r"(?P<kw>\b(?:" + _PHONE_KEYWORDS + r"))(?P<gap>\s*(?:số\s*)?:?\s*)"
    r"(?P<num>\+?\(?\d[\d\s.\-()]{0,18}\d|\d)(?![\w]|[.,]\d)",
    re.IGNORECASE,
)
_PHONE_SHAPE = re.compile(
    _BEFORE + r"(?P<num>(?:\+84|\(0\d{2,3}\)|0)\s?\d{2,4}(?:[\s.\-]?\d{2,4}){1,3}|1[89]00[\s.]?\d{3,4}(?:[\s.]?\d{2})?)"
    r"(?![\w]|[.,]\d)"
)


# Service numbers (111 child protection, 112 rescue, 113 police, 114 fire, 115 ambulance, 1022 public services,
# 1800/1900 lines) are said digit by digit after a word that calls them, alone or in a list: "gọi 113, 114
# hoặc 115", "đường dây 111".
_SERVICE_NUMBER = r"(?:11[1-6]|1022|1[89]00[\s.]?\d{4}(?:\d{2})?)"
_SERVICE_LIST = re.compile(
    r"(?P<kw>\b(?:" + _PHONE_KEYWORDS + r"|đường\s+dây|số|đầu\s+số|khẩn\s+cấp))(?P<gap>\s*(?:số\s*)?:?\s*)"
    r"(?P<list>" + _SERVICE_NUMBER + r"(?:\s*(?:,|hoặc|và|/)\s*" + _SERVICE_NUMBER + r")*)(?![\w]|[.,]\d)",
    re.IGNORECASE,
)
_SERVICE_ONE = re.compile(_SERVICE_NUMBER)
_SERVICE_HINT = re.compile(r"1(?:1[1-6]|022|[89]00)")


def _read_phone(raw: str) -> str:
    """Digits one by one, with a pause where the writer grouped them (4-3-3 when they did not)."""
    plus = raw.strip().startswith("+")
    groups = [g for g in re.split(r"[\s.\-()]+", raw) if g]
    if len(groups) == 1 and len(groups[0]) >= 9:
        only = groups[0]
        groups = [only[:4], only[4:7], only[7:]]
    spoken = ", ".join(digits(g) for g in groups)
    return f"cộng {spoken}" if plus else spoken


def _phones(text: str, ctx: _Context) -> str:
    if not _DIGIT.search(text):
        return text

    def after_keyword(m: re.Match[str]) -> str:
        number = m["num"]
        count = sum(ch.isdigit() for ch in number)
        # "gọi 2 lần", "liên hệ 3 hộ": a short count is not a phone number (113, 114, 115 are).
        if count < 3:
            return m.group(0)
        return f"{m['kw']}{m['gap']}{_read_phone(number)}"

    def services(m: re.Match[str]) -> str:
        spoken = _SERVICE_ONE.sub(lambda n: _read_phone(n.group(0)), m["list"])
        return f"{m['kw']}{m['gap']}{spoken}"

    if _SERVICE_HINT.search(text):
        text = _SERVICE_LIST.sub(services, text)
    text = _PHONE_AFTER_KEYWORD.sub(after_keyword, text)

    def shaped(m: re.Match[str]) -> str:
        number = m["num"]
        if not 8 <= sum(ch.isdigit() for ch in number) <= 12:
            return number
        return _read_phone(number)

    return _PHONE_SHAPE.sub(shaped, text)


# "P.5, Q.3": ward and district numbers in addresses.
_WARD = re.compile(r"(?<![\w.])(?P<kind>[PQ])\.\s?(?P<num>\d{1,2})(?![\w]|[.,]\d)")
_WARD_KINDS = {"P": "phường", "Q": "quận"}


# --- 4b. house numbers and fractions -----------------------------------------------------------------------

# "số 12/3 đường Lê Lợi", "ngõ 45/2", "hẻm 25/7/3": a house number, never a date nor a count.
_HOUSE_NUMBER = re.compile(r"(?<![\w.,/])(?P<num>\d{1,4}[A-Z]?(?:/\d{1,4}[A-Z]?)+)(?![\w/]|[.,]\d)")
_HOUSE_WORDS = r"\b(?:nhà|số|ngõ|ngách|hẻm|kiệt|địa\s+chỉ)\s*:?"
_PART = re.compile(r"(?P<n>\d+)(?P<letter>[A-Z]?)")
# "1/3 diện tích": a part of a whole reads "một phần ba" (a count such as 45/52 hộ reads "trên").
_FRACTION = re.compile(
    _BEFORE + r"(?P<a>[1-9])/(?P<b>[2-9]|10)(?=\s+(?i:diện\s+tích|số|tổng\s+số|dân\s+số|lượng|sản\s+lượng|"
    r"khối\s+lượng|kinh\s+phí|giá\s+trị|thời\s+gian|quãng\s+đường|chiều\s+dài)\b)"
)


def _house_numbers_and_fractions(text: str, ctx: _Context) -> str:
    if "." in text:
        text = _WARD.sub(lambda m: f"{_WARD_KINDS[m['kind']]} {cardinal(int(m['num']), ctx.variant)}", text)
    if "/" not in text:
        return text

    def house(m: re.Match[str]) -> str:
        parts = [_PART.fullmatch(part) for part in m["num"].split("/")]
        # "số 05/2026" is a document or an issue of a year, read with the months and years below.
        if not _ends_with(m.string, m.start(), _HOUSE_WORDS) or any(
            re.fullmatch(_YEAR, part[0]) for part in parts[1:] if part
        ):
            return m.group(0)
        spoken = [
            cardinal(int(part["n"]), ctx.variant) + (f" {part['letter']}" if part["letter"] else "")
            for part in parts
            if part
        ]
        return " trên ".join(spoken)

    text = _HOUSE_NUMBER.sub(house, text)

    def fraction(m: re.Match[str]) -> str:
        numerator, denominator = int(m["a"]), int(m["b"])
        if numerator >= denominator:
            return m.group(0)
        return f"{cardinal(numerator, ctx.variant)} phần {cardinal(denominator, ctx.variant)}"

    return _FRACTION.sub(fraction, text)


# --- 5. dates and times ------------------------------------------------------------------------------------

_DAY_RANGE = re.compile(
    _BEFORE + r"(?P<d1>" + _DAY + r")" + _DASH + r"(?P<d2>" + _DAY + r")(?P<s>[/.])(?P<m>" + _MONTH + r")"
    r"(?:(?P=s)(?P<y>" + _YEAR + r"))?" + _AFTER
)
_FULL_DATE = re.compile(
    _BEFORE + r"(?P<d>" + _DAY + r")(?P<s>[/.\-])(?P<m>" + _MONTH + r")(?P=s)(?P<y>" + _YEAR + r")" + _AFTER
)
_MONTH_YEAR = re.compile(_BEFORE + r"(?P<m>" + _MONTH + r")[/\-](?P<y>" + _YEAR + r")" + _AFTER)
_SHORT_DATE = re.compile(_BEFORE + r"(?P<d>" + _DAY + r")/(?P<m>" + _MONTH + r")" + _AFTER)
_DATE_WORDS = (
    r"(?:ngày|đêm|hôm|sáng|trưa|chiều|tối|từ|đến|tới|trước|sau|khoảng|vào|đầu|cuối|giữa|hạn|mồng|mùng|tức|"
    r"thứ\s+\S+,?|chủ\s+nhật,?|lúc\s+\S+(?:\s+\S+)?|giờ(?:\s+\S+)?|,|và|hoặc|\()"
)
# After these a date is read without adding "ngày" (đêm 18/10 → "đêm mười tám tháng mười"; "ngày 18 và
# 19/10"; street names such as "đường 3/2").
_DAY_WORD = (
    r"(?:ngày|mồng|mùng|rằm|đêm|sáng|trưa|chiều|tối|hôm|đường|phố|"
    r"ngày\s+\d{1,2}(?:\s*(?:,|và|hoặc)\s*\d{1,2})*\s*(?:,|và|hoặc)|(?<![/\d])\d{1,2}\s+(?:đến|tới))"
)
# "18/10 - 20/10/2026": a dash between two dates reads "đến".
_DATE_DASH = re.compile(
    _BEFORE
    + r"(?P<first>"
    + _DAY
    + r"/"
    + _MONTH
    + r"(?:/"
    + _YEAR
    + r")?)"
    + _DASH
    + r"(?="
    + _DAY
    + r"/"
    + _MONTH
    + r")"
)


# Days the whole country marks, written with a dash (Quốc khánh 2-9, Nhà giáo Việt Nam 20-11).
_COMMEMORATIONS = {
    (1, 1), (6, 1), (9, 1), (3, 2), (27, 2), (8, 3), (26, 3), (30, 4), (1, 5), (7, 5), (19, 5), (1, 6),
    (28, 6), (27, 7), (19, 8), (2, 9), (10, 10), (13, 10), (14, 10), (15, 10), (20, 10), (18, 11), (20, 11),
    (22, 12),
}  # fmt: skip
_DASHED_DAY = re.compile(
    _BEFORE + r"(?P<d>" + _DAY + r")\s?[-–]\s?(?P<m>" + _MONTH + r")" + _AFTER + r"(?!\s*(?:[-–]\s*\d|tháng))"
)
# Only right after "ngày" (not "các ngày": days 1 to 5), a holiday's name or another such date: "từ 1-5 tuổi",
# "tỷ số 3-2" and "tổ 1-6" stay ranges and scores.
_DASHED_DAY_BEFORE = (
    r"(?:(?<!các )(?<!những )(?<!\d )\bngày|\b(?:Quốc\s+khánh|Tết|lễ|dịp|kỷ\s+niệm|Việt\s+Nam|Phụ\s+nữ|Lao\s+động|"
    r"Thiếu\s+nhi|[Ll]iệt\s+sĩ|miền\s+Nam|Thủ\s+đô|Đảng)|\d{1,2}\s?[-–]\s?\d{1,2}\s*(?:,|và))"
)


# A holiday written day/month after its name: "lễ 30/4 và 1/5", "Quốc khánh 2/9"; days 1 to 10 take "mùng".
_HOLIDAY_NAME = (
    r"\b(?:Quốc\s+khánh|Tết|[Ll]ễ|dịp|[Kk]ỷ\s+niệm|Giải\s+phóng\s+miền\s+Nam|Quốc\s+tế\s+Lao\s+động|Lao\s+động|"
    r"Thiếu\s+nhi|Phụ\s+nữ(?:\s+Việt\s+Nam)?|Nhà\s+giáo(?:\s+Việt\s+Nam)?|Thầy\s+thuốc(?:\s+Việt\s+Nam)?|"
    r"[Tt]hương\s+binh\s*[-,]?\s*[Ll]iệt\s+sĩ|[Cc]hiến\s+thắng(?:\s+Điện\s+Biên\s+Phủ)?|thành\s+lập\s+Đảng)"
)
_HOLIDAY_DATES = re.compile(
    r"(?P<name>" + _HOLIDAY_NAME + r")(?P<gap>\s+)(?P<list>" + _DAY + "/" + _MONTH
    + r"(?:\s*(?:,|và|hoặc)\s*" + _DAY + "/" + _MONTH + r")*)" + _AFTER
)  # fmt: skip
_DAY_MONTH = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})")


def _holiday_words(m: re.Match[str], ctx: _Context) -> str:
    def one(date: re.Match[str]) -> str:
        day = int(date["d"])
        spoken = cardinal(day, ctx.variant)
        return f"{'mùng ' if day <= 10 else ''}{spoken} tháng {month_name(int(date['m']), ctx.variant)}"

    return m["name"] + m["gap"] + _DAY_MONTH.sub(one, m["list"])


_DOCUMENT_WORDS = (
    r"\b(?i:thông\s+tư(?:\s+liên\s+tịch)?|nghị\s+định|quyết\s+định|nghị\s+quyết|chỉ\s+thị|luật|pháp\s+lệnh|"
    r"công\s+văn|kế\s+hoạch|thông\s+báo|công\s+điện)"
)


def _date_words(day: str, month: str, year: str | None, ctx: _Context) -> str:
    out = f"{cardinal(int(day), ctx.variant)} tháng {month_name(int(month), ctx.variant)}"
    if year:
        out += f" năm {cardinal(int(year), ctx.variant)}"
    return out


def _dates(text: str, ctx: _Context) -> str:
    if not _DIGIT.search(text):
        return text

    def with_day_word(m: re.Match[str], spoken: str) -> str:
        return spoken if _ends_with(m.string, m.start(), _DAY_WORD) else f"ngày {spoken}"

    text = _DATE_DASH.sub(lambda m: f"{m['first']} đến ", text)

    def day_range(m: re.Match[str]) -> str:
        first = cardinal(int(m["d1"]), ctx.variant)
        return with_day_word(m, f"{first} đến {_date_words(m['d2'], m['m'], m['y'], ctx)}")

    text = _DAY_RANGE.sub(day_range, text)
    text = _FULL_DATE.sub(lambda m: with_day_word(m, _date_words(m["d"], m["m"], m["y"], ctx)), text)

    def month_year(m: re.Match[str]) -> str:
        year = cardinal(int(m["y"]), ctx.variant)
        # "đợt 2/2026", "số 05/2026": the second round, the fifth issue of the year, not a month.
        if _ends_with(m.string, m.start(), r"\b(?:đợt|kỳ|lần|số)|" + _DOCUMENT_WORDS):
            return f"{cardinal(int(m['m']), ctx.variant)} năm {year}"
        spoken = f"{month_name(int(m['m']), ctx.variant)} năm {year}"
        return spoken if _ends_with(m.string, m.start(), "tháng") else f"tháng {spoken}"

    text = _MONTH_YEAR.sub(month_year, text)

    def dashed_day(m: re.Match[str]) -> str:
        day, month = int(m["d"]), int(m["m"])
        # "ngày 10-11" is how newspapers write 10 November; "các ngày 10-11" are two days.
        after_day = _ends_with(m.string, m.start(), r"(?<!các )(?<!những )(?<!\d )\bngày")
        if not after_day and not (
            (day, month) in _COMMEMORATIONS and _ends_with(m.string, m.start(), _DASHED_DAY_BEFORE)
        ):
            return m.group(0)
        return _date_words(m["d"], m["m"], None, ctx)

    text = _DASHED_DAY.sub(dashed_day, text)
    if "/" in text:
        text = _HOLIDAY_DATES.sub(lambda m: _holiday_words(m, ctx), text)

    def short_date(m: re.Match[str]) -> str:
        after = m.string[m.end() : m.end() + 20]
        is_date = (
            _ends_with(m.string, m.start(), _DATE_WORDS)
            or not re.match(r"\s+[a-zà-ỹđ]", after)
            or re.match(r"\s+(?:âm|dương)\s+lịch", after) is not None
        )
        if not is_date:
            return f"{cardinal(int(m['d']), ctx.variant)} trên {cardinal(int(m['m']), ctx.variant)}"
        return with_day_word(m, _date_words(m["d"], m["m"], None, ctx))

    return _SHORT_DATE.sub(short_date, text)


_HOUR = r"(?:[01]?\d|2[0-4])"
_CLOCK_H = r"(?P<{h}>" + _HOUR + r")\s?(?:h|giờ(?=\d)|g(?=\d))(?P<{m}>[0-5]\d)?(?:'|’|\s?phút)?"
_CLOCK_COLON = r"(?P<{h}>" + _HOUR + r"):(?P<{m}>[0-5]\d)(?::(?P<{s}>[0-5]\d))?"
_TIME = re.compile(
    _BEFORE
    + "(?:"
    + _CLOCK_H.format(h="h1", m="m1")
    + "|"
    + _CLOCK_COLON.format(h="h2", m="m2", s="s2")
    + ")"
    + "(?:"
    + _DASH
    + "(?:"
    + _CLOCK_H.format(h="h3", m="m3")
    + "|"
    + _CLOCK_COLON.format(h="h4", m="m4", s="s4")
    + "))?"
    + r"(?![\w])"
)


def _clock(hour: str, minute: str | None, second: str | None, ctx: _Context) -> str:
    out = f"{cardinal(int(hour), ctx.variant)} giờ"
    if minute and int(minute):
        value = int(minute)
        out += f" {cardinal(value, ctx.variant)}" + (" phút" if value < 10 or second else "")
    if second and int(second):
        out += f" {cardinal(int(second), ctx.variant)} giây"
    return out


# "7-9h", "7 - 9h30": the hour of the range's first end is written once, after the second.
_HOUR_RANGE = re.compile(
    _BEFORE + r"(?P<a>" + _HOUR + r")" + _DASH + r"(?=" + _HOUR + r"\s?h(?P<m>[0-5]\d)?(?![^\W\d_]))"
)


# "trong 48h tới", "24-72h": more hours than a day has is a duration, not a time of day.
_LONG_HOURS = re.compile(_BEFORE + r"(?:(?P<a>\d{1,3})" + _DASH + r")?(?P<b>\d{2,3})\s?h(?![\w])")


def _times(text: str, ctx: _Context) -> str:
    if not _DIGIT.search(text):
        return text

    def long_hours(m: re.Match[str]) -> str:
        if int(m["b"]) <= 24:
            return m.group(0)
        first = f"{cardinal(int(m['a']), ctx.variant)} đến " if m["a"] else ""
        return f"{first}{cardinal(int(m['b']), ctx.variant)} giờ"

    text = _LONG_HOURS.sub(long_hours, text)
    text = _HOUR_RANGE.sub(lambda m: f"{cardinal(int(m['a']), ctx.variant)}{' giờ' if m['m'] else ''} đến ", text)

    def replace(m: re.Match[str]) -> str:
        first = _clock(m["h1"] or m["h2"], m["m1"] or m["m2"], m["s2"], ctx)
        if m["h3"] is None and m["h4"] is None:
            return first
        return f"{first} đến {_clock(m['h3'] or m['h4'], m['m3'] or m['m4'], m['s4'], ctx)}"

    return _TIME.sub(replace, text)


# --- 6. quantities -----------------------------------------------------------------------------------------

_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# After the listed words, any lowercase noun can follow the "/" ("đồng/chuyến", "lít/bình"): read as written.
_PER_ALT = "|".join(re.escape(u) for u in sorted(_PER_WORDS, key=len, reverse=True)) + r"|(?-i:[a-zđà-ỹ][^\W\d_]*)"
_QUANTITY = re.compile(
    r"(?P<neg>(?:(?<=\s)|^|(?<=\())[-−](?=\d))?"
    + _BEFORE
    + r"(?P<a>"
    + NUM
    + r")(?:"
    + _DASH
    + r"(?P<b>"
    + NUM
    + r"))?\s?(?P<unit>"
    + _UNIT_ALT
    + r")(?:/(?P<per>"
    + _PER_ALT
    + r"))?(?![\w])",
    re.MULTILINE,
)
_WORD_PER = re.compile(
    r"(?<![\w/])(?P<unit>" + "|".join(_WORD_UNITS) + r")/(?P<per>" + _PER_ALT + r")(?![\w])", re.IGNORECASE
)


# Storm positions: "16,0N-112,0E", "15,5°N".
_COORD = r"(?P<{v}>\d{{1,3}}(?:,\d+)?)\s?°?\s?(?P<{h}>[NSEW])(?![\w])"
_POSITION = re.compile(
    _BEFORE + _COORD.format(v="v1", h="h1") + r"(?:\s*[-–;,]\s*" + _COORD.format(v="v2", h="h2") + r")?"
)
_HEMISPHERES = {"N": "độ Vĩ Bắc", "S": "độ Vĩ Nam", "E": "độ Kinh Đông", "W": "độ Kinh Tây"}
_KM_POST = re.compile(r"\b[Kk][Mm]\s?(?P<km>\d+)\s?\+\s?(?P<m>\d+)(?![\w])")
# "tại Km 12": a kilometre post with no metres.
_KM_MARK = re.compile(r"\bKm\s?(?P<km>\d+)(?![\w+]|[.,]\d|\s?\+)")
_PER_CHAIN = re.compile(r"(?P<lead>\b(?P<joiner>một|trên) [^\W\d_]+(?:-[^\W\d_]+)*)/(?P<per>" + _PER_ALT + r")(?![\w])")


def _per_word(per: str) -> str:
    return _PER_WORDS.get(per) or UNITS.get(per) or per


def _per(unit_spoken: str, per: str) -> str:
    joiner = "một" if unit_spoken in _MONEY or unit_spoken in _MONEY_WORDS else "trên"
    return f"{joiner} {_per_word(per)}"


# "m³", "km2" standing without a number ("giá mỗi m3", "(km²)") still read as units.
_BARE_UNIT_HINT = re.compile(r"m[23²³]")
_BARE_UNIT = re.compile(
    r"(?<![\w/])(?P<unit>" + "|".join(u for u in UNITS if re.fullmatch(r"[kcmd]?m[23²³]", u)) + r")(?![\w])"
)


def _quantities(text: str, ctx: _Context) -> str:
    def replace(m: re.Match[str]) -> str:
        first, second, unit, per = m["a"], m["b"], m["unit"], m["per"]
        spoken_unit = UNITS[unit]
        out = ("âm " if m["neg"] else "") + ctx.number(first)
        if second:
            out += f" đến {ctx.number(second)}"
        out += f" {spoken_unit}"
        if per:
            out += f" {_per(spoken_unit, per)}"
        return out

    def position(m: re.Match[str]) -> str:
        # Only a decimal or a degree sign makes "16,0N" a coordinate (not "12N", "5S").
        if "," not in m["v1"] and "°" not in m.group(0):
            return m.group(0)
        spoken = f"{ctx.number(m['v1'])} {_HEMISPHERES[m['h1']]}"
        return spoken + (f", {ctx.number(m['v2'])} {_HEMISPHERES[m['h2']]}" if m["v2"] else "")

    if _DIGIT.search(text):
        text = _POSITION.sub(position, text)
        text = _KM_POST.sub(
            lambda m: f"ki-lô-mét {cardinal(int(m['km']), ctx.variant)} cộng {cardinal(int(m['m']), ctx.variant)}",
            text,
        )
        text = _KM_MARK.sub(lambda m: f"ki-lô-mét {cardinal(int(m['km']), ctx.variant)}", text)
        text = _QUANTITY.sub(replace, text)
    if _BARE_UNIT_HINT.search(text):
        text = _BARE_UNIT.sub(lambda m: UNITS[m["unit"]], text)
    if "/" not in text:
        return text
    # "đồng/người/tháng": each further "/" reads like the first one.
    while True:
        chained = _PER_CHAIN.sub(lambda m: f"{m['lead']} {m['joiner']} {_per_word(m['per'])}", text)
        chained = _WORD_PER.sub(lambda m: f"{m['unit']} {_per(m['unit'].casefold(), m['per'])}", chained)
        if chained == text:
            return chained
        text = chained


# --- 7. counts, Roman numerals, ordinals, months -----------------------------------------------------------

_COUNT = re.compile(_BEFORE + r"(?P<a>" + NUM + r")/(?P<b>" + NUM + r")" + _AFTER)
# "Thông tư 15/2024", "Luật số 18/2008": a document's number and year, not a count.
_DOCUMENT_NUMBER = re.compile(
    r"(?P<kw>" + _DOCUMENT_WORDS + r")(?P<gap>\s+(?:số\s*:?\s*)?)(?P<n>\d+)/(?P<y>" + _YEAR + r")" + _AFTER
)
_ROMAN_AFTER = re.compile(
    r"\b(?P<kw>(?i:khóa|khoá|lần\s+thứ|kỳ\s+họp\s+thứ|thứ|quý|chương|phần|mục|đại\s+hội|thế\s+kỷ|"
    r"nhiệm\s+kỳ|hội\s+nghị|giai\s+đoạn|tập|vùng|khu\s+vực|cấp|điều))\s+"
    r"(?P<r>[IVXLC]+)(?:/(?P<y>" + _YEAR + r"))?(?![\w])"
)
_ROMAN_HEADING = re.compile(r"^(?P<r>[IVX]+)(?P<p>[.)])(?=\s)", re.MULTILINE)
_ORDINAL = re.compile(r"\b(?P<kw>(?i:thứ))\s+(?P<n>\d+)(?:" + _DASH + r"(?P<to>\d+))?(?![\w]|[.,/]\d)")
_MONTH_WORD = re.compile(r"\b(?P<kw>(?i:tháng))\s+(?P<m>0?[1-9]|1[0-2])(?![\w]|[.,/]\d)")


def _counts_and_ordinals(text: str, ctx: _Context) -> str:
    has_digit = _DIGIT.search(text) is not None
    if has_digit and "/" in text:
        text = _DOCUMENT_NUMBER.sub(
            lambda m: (
                f"{m['kw']}{m['gap']}{cardinal(int(m['n']), ctx.variant)} năm {cardinal(int(m['y']), ctx.variant)}"
            ),
            text,
        )
        text = _COUNT.sub(lambda m: f"{ctx.number(m['a'])} trên {ctx.number(m['b'])}", text)
    if not has_digit and not _ROMAN_TOKEN.search(text):
        return text

    def roman(m: re.Match[str]) -> str:
        value = roman_value(m["r"])
        if value is None:
            return m.group(0)
        keyword = m["kw"]
        is_ordinal = keyword.casefold().endswith("thứ")
        spoken = ordinal(value, ctx.variant) if is_ordinal else cardinal(value, ctx.variant)
        year = f" năm {cardinal(int(m['y']), ctx.variant)}" if m["y"] else ""
        return f"{keyword} {spoken}{year}"

    def heading(m: re.Match[str]) -> str:
        value = roman_value(m["r"])
        return m.group(0) if value is None else f"{cardinal(value, ctx.variant)}{m['p']}"

    if _ROMAN_TOKEN.search(text):
        text = _ROMAN_AFTER.sub(roman, text)
        text = _ROMAN_HEADING.sub(heading, text)
    if not has_digit:
        return text

    def ordinal_words(m: re.Match[str]) -> str:
        spoken = f"{m['kw']} {ordinal(int(m['n']), ctx.variant)}"
        if m["to"]:
            spoken += f" đến {m['kw'].lower()} {ordinal(int(m['to']), ctx.variant)}"
        return spoken

    text = _ORDINAL.sub(ordinal_words, text)
    return _MONTH_WORD.sub(lambda m: f"{m['kw']} {month_name(int(m['m']), ctx.variant)}", text)


# --- 8. remaining numbers and acronyms ---------------------------------------------------------------------

_RANGE = re.compile(_BEFORE + r"(?P<a>" + NUM + r")" + _DASH + r"(?P<b>" + NUM + r")" + _AFTER)
_NEGATIVE = re.compile(r"(?:(?<=\s)|^|(?<=\())[-−](?P<n>" + NUM + r")" + _AFTER, re.MULTILINE)
_DOTTED = re.compile(_BEFORE + r"(?P<a>\d+)\.(?P<b>\d{1,2})" + _AFTER)
_NUMBER = re.compile(_BEFORE + r"(?P<n>" + NUM + r")" + _AFTER)
# Eight digits or more with no thousands dots are codes (tax numbers, accounts): read digit by digit.
_CODE = re.compile(_BEFORE + r"(?P<n>\d{8,})" + _AFTER)
_ANY_DIGITS = re.compile(r"\d+")
_ACRONYM = re.compile(r"(?<![\w-])[BCDĐFGHJKLMNPQRSTVWXZ]{2,6}(?![\w-])")


def _numbers(text: str, ctx: _Context) -> str:
    def number_range(m: re.Match[str]) -> str:
        first, second = ctx.number(m["a"]), ctx.number(m["b"])
        low = float(m["a"].replace(".", "").replace(",", "."))
        high = float(m["b"].replace(".", "").replace(",", "."))
        return f"{first} đến {second}" if low < high else f"{first} - {second}"

    if not _DIGIT.search(text):
        return _ACRONYM.sub(lambda m: _letters(m.group(0)), text)
    text = _RANGE.sub(number_range, text)
    text = _NEGATIVE.sub(lambda m: f"âm {ctx.number(m['n'])}", text)

    def dotted(m: re.Match[str]) -> str:
        # "phòng 2.05": a leading zero after the dot is said (hai chấm không năm).
        after = digits(m["b"]) if m["b"].startswith("0") else cardinal(int(m["b"]), ctx.variant)
        return f"{cardinal(int(m['a']), ctx.variant)} chấm {after}"

    text = _DOTTED.sub(dotted, text)
    text = _CODE.sub(lambda m: _read_phone(m["n"]), text)
    text = _NUMBER.sub(lambda m: ctx.number(m["n"]), text)

    def leftover(m: re.Match[str]) -> str:
        # Digits glued to letters (F0, A1, 3A): read the number, keeping it apart from the letters.
        spoken = cardinal(int(m.group(0)), ctx.variant)
        before = m.string[m.start() - 1] if m.start() else " "
        after = m.string[m.end()] if m.end() < len(m.string) else " "
        return (" " if before.isalnum() else "") + spoken + (" " if after.isalnum() else "")

    text = _ANY_DIGITS.sub(leftover, text)
    return _ACRONYM.sub(lambda m: _letters(m.group(0)), text)


_RULES: tuple[Callable[[str, _Context], str], ...] = (
    _citation,
    _addresses,
    _codes,
    _context,
    _lexicon,
    _phones,
    _house_numbers_and_fractions,
    _dates,
    _times,
    _quantities,
    _counts_and_ordinals,
    _numbers,
)


@lru_cache(maxsize=8)
def _builtin_lexicon() -> Lexicon:
    return Lexicon.builtin()


_RULE_NAMES: dict[Callable[[str, _Context], str], str] = {
    _citation: "Số hiệu văn bản",
    _addresses: "Địa chỉ thư điện tử, trang web",
    _codes: "Mã số, biển số, chủng cúm, mốc báo động",
    _context: "Viết tắt đọc theo ngữ cảnh",
    _lexicon: "Từ điển viết tắt",
    _phones: "Số điện thoại, số dịch vụ (đọc từng chữ số)",
    _house_numbers_and_fractions: "Số nhà, phân số",
    _dates: "Ngày tháng",
    _times: "Giờ",
    _quantities: "Số lượng, đơn vị đo",
    _counts_and_ordinals: "Tỉ số, số La Mã, số thứ tự",
    _numbers: "Số còn lại, chữ viết tắt đánh vần",
}


def _run(text: str, ctx: _Context, steps: list[Step] | None) -> str:
    spoken = legacy.repair(text)
    if steps is not None and spoken != text:
        steps.append(Step("Bảng mã cũ (TCVN3, VNI) và Unicode NFC", text, spoken))
    for rule in _RULES:
        before = spoken
        spoken = rule(spoken, ctx)
        if steps is None or spoken == before:
            continue
        if rule is _context and ctx.hits is not None:
            steps += [Step(_RULE_NAMES[rule], hit.written, hit.reading, hit.rule.reason) for hit in ctx.hits]
            continue
        steps += [Step(_RULE_NAMES[rule], old, new) for old, new in _changes(before, spoken)]
    return spoken


def _changes(before: str, after: str) -> list[tuple[str, str]]:
    """The word spans that differ between two versions of a text."""
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [
        (" ".join(old[i1:i2]), " ".join(new[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def normalize(
    text: str,
    *,
    variant: ReadingVariant = ReadingVariant.NORTH,
    lexicon: Lexicon | None = None,
    letters: CodeLetters = CodeLetters.AS_WRITTEN,
) -> str:
    """Turn written Vietnamese into the words an announcer would say.

    Args:
        text: the announcement as typed or pasted (Unicode in any normal form, TCVN3 or VNI).
        variant: Northern (nghìn, linh, hai mươi tư) or Southern (ngàn, lẻ, hai mươi bốn) reading.
        lexicon: the station's lexicon; ``None`` uses the built-in one.
        letters: how letters inside plates and strain names are read (N "nờ" or "en").

    Returns:
        NFC text with no digits left: numbers, dates, times, units, phone numbers, citations and
        abbreviations are written as words. Text without any of these is returned unchanged.
    """
    ctx = _Context(variant=variant, lexicon=lexicon or _builtin_lexicon(), letters=letters)
    return _run(text, ctx, None)


def explain(
    text: str,
    *,
    variant: ReadingVariant = ReadingVariant.NORTH,
    lexicon: Lexicon | None = None,
    letters: CodeLetters = CodeLetters.AS_WRITTEN,
) -> tuple[str, list[Step]]:
    """Like :func:`normalize`, and also every rule that changed the text, in the order they ran.

    Returns:
        The spoken text (the same as :func:`normalize` gives) and one :class:`Step` per change: the rule's
        Vietnamese name, the written and spoken words, and for abbreviations read by context, why.
    """
    ctx = _Context(variant=variant, lexicon=lexicon or _builtin_lexicon(), letters=letters, hits=[])
    steps: list[Step] = []
    return _run(text, ctx, steps), steps


def paragraphs(document: str) -> list[str]:
    """A document's paragraphs (split at blank lines), each on one line.

    Lines inside a paragraph are joined with a space, so a citation or a number broken across lines
    ("số 123/QĐ-" then "UBND") is read once, as one.
    """
    blocks = re.split(r"\n\s*\n", document.replace("\r\n", "\n"))
    return [" ".join(block.split()) for block in blocks if block.strip()]


def normalize_document(
    document: str,
    *,
    variant: ReadingVariant = ReadingVariant.NORTH,
    lexicon: Lexicon | None = None,
    letters: CodeLetters = CodeLetters.AS_WRITTEN,
) -> list[str]:
    """The spoken form of a whole document, paragraph by paragraph (see :func:`paragraphs`)."""
    return [normalize(p, variant=variant, lexicon=lexicon, letters=letters) for p in paragraphs(document)]


__all__ = [
    "ABBREVIATIONS",
    "LETTERS",
    "NUM",
    "UNITS",
    "CodeLetters",
    "Step",
    "explain",
    "normalize",
    "normalize_document",
    "paragraphs",
]
