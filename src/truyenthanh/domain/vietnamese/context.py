"""Abbreviations whose reading depends on the words around them, decided before the lexicon expands the rest.

The same letters mean different bodies in different places, and an announcer tells them apart by the next word:

* **TT** is *Thường trực* before HĐND, UBND, MTTQ, Thành ủy, Tỉnh ủy, Huyện ủy or Đảng ủy ("TT HĐND xã"),
  *Thông tư* before a number ("TT 15/2024"), *thị trấn* when written "TT." before a place name, and
  *Trung tâm* elsewhere ("TT Y tế").
* **BCH** is *Ban Chỉ huy* before Quân sự or PCTT (the military and disaster-prevention commands) and *Ban Chấp
  hành* before Đoàn, Hội, Công đoàn, Đảng bộ or Chi bộ (elected committees), *Ban Chấp hành* elsewhere.
* **CT** and **PCT** are *Chủ tịch* and *Phó Chủ tịch* before a person's name or a body (UBND, HĐND, MTTQ, Hội);
  alone they are spelled.
* **Q.** is *quận* before a number and *Quyền* before a title (Q. Chủ tịch, Q. Giám đốc).
* Signature headers: **TM.** *Thay mặt*, **KT.** *Ký thay*, **TL.** *Thừa lệnh*, **TUQ.** *Thừa ủy quyền* before
  the name of a body or a title; without the dot the same letters are something else (KT is *kinh tế*).

Each rule is a :class:`ContextRule`: the written form, the words that must follow (or precede) it, and the
reading. The station adds its own in ``lexicon.toml`` (``[[context]]`` entries, see :mod:`.lexicon`). The first
rule that fits wins; station rules are tried before the built-in ones. ``truyenthanh normalize --explain`` prints,
for every abbreviation read this way, the rule that chose its reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

NUMBER = "<số>"
"""A marker in ``followed_by``: the abbreviation is followed by a number (TT 15/2024, Q. 3)."""
NAME = "<tên người>"
"""A marker in ``followed_by``: the abbreviation is followed by a person's name (two or more capitalised words)."""
PLACE = "<địa danh>"
"""A marker in ``followed_by``: the abbreviation is followed by a capitalised word (a place or a body's name)."""

_MARKERS = {
    NUMBER: r"\d",
    # Vietnamese names are two to four capitalised syllables: "Nguyễn Văn An", "Lê Thị Hoa".
    NAME: r"(?:Ông|Bà|ông|bà|đồng chí|Đồng chí)?\s*[A-ZĐ][^\W\d_A-Z]+(?:\s+[A-ZĐ][^\W\d_A-Z]+){1,3}(?![\w])",
    PLACE: r"[A-ZĐ][^\W\d_]",
}

_TITLES = (
    "Chủ tịch", "Phó Chủ tịch", "Giám đốc", "Phó Giám đốc", "Trưởng phòng", "Phó Trưởng phòng", "Trưởng ban",
    "Phó Trưởng ban", "Chánh Văn phòng", "Chánh Thanh tra", "Bí thư", "Phó Bí thư", "Hiệu trưởng", "Viện trưởng",
    "Cục trưởng", "Vụ trưởng", "Tổng cục trưởng", "Bộ trưởng", "Thứ trưởng", "Chi cục trưởng", "Trưởng Công an",
    "Chỉ huy trưởng", "Trạm trưởng", "Giám đốc Sở",
)  # fmt: skip
_BODIES = (
    "ỦY BAN", "UỶ BAN", "Ủy ban", "Uỷ ban", "UBND", "HĐND", "MTTQ", "UBMTTQ", "BCH", "BCĐ", "BTV", "ĐẢNG ỦY",
    "Đảng ủy", "HỘI ĐỒNG", "Hội đồng", "BAN", "Ban", "SỞ", "Sở", "BỘ", "Bộ", "CHỦ TỊCH", "Chủ tịch", "GIÁM ĐỐC",
    "Giám đốc", "TRƯỞNG", "Trưởng", "CHÁNH", "Chánh", "PHÓ", "Phó", "BÍ THƯ", "Bí thư", "VIỆN TRƯỞNG", "CỤC",
    "Cục", "TỔNG", "Tổng", "BỘ TRƯỞNG", "Bộ trưởng", "THỦ TƯỚNG", "Thủ tướng", "VĂN PHÒNG", "Văn phòng", "TRUNG TÂM",
    "Trung tâm", "ĐOÀN", "Đoàn", "THƯỜNG TRỰC", "Thường trực", "TỈNH ỦY", "Tỉnh ủy", "HUYỆN ỦY", "Huyện ủy",
    "CHI CỤC", "Chi cục", "PHÒNG", "Phòng",
)  # fmt: skip


@dataclass(frozen=True)
class ContextRule:
    """One reading of an abbreviation, chosen when the neighbouring words fit.

    Attributes:
        written: the abbreviation as written, matched case-sensitively as a whole word ("BCH", "Q.", "TT").
        reading: what the announcer says for it.
        followed_by: words or phrases that must come right after it (case-insensitive), or the markers
            :data:`NUMBER`, :data:`NAME`, :data:`PLACE`; empty: any following word.
        preceded_by: words or phrases that must come right before it (case-insensitive); empty: any.
        reason: why this reading, in Vietnamese, printed by ``--explain``.
        source: where the rule comes from ("tích hợp", or the station's file and line).
    """

    written: str
    reading: str
    followed_by: tuple[str, ...] = ()
    preceded_by: tuple[str, ...] = ()
    reason: str = ""
    source: str = "tích hợp"

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Where this rule applies: the abbreviation with the required neighbours as lookarounds."""
        before = ""
        if self.preceded_by:
            # Variable-width look-behind is not available: the preceding words are captured and kept.
            before = r"(?P<pre>(?i:" + "|".join(re.escape(p) for p in self.preceded_by) + r")\s+)"
        after = ""
        if self.followed_by:
            options = [_MARKERS.get(f) or "(?i:" + re.escape(f) + r")(?![\w])" for f in self.followed_by]
            after = r"(?=\s*(?:" + "|".join(options) + "))"
        # "TT-TT", "BCH/ĐU": an abbreviation joined to another one is a different word, read by the lexicon.
        end = r"(?!\w)" if self.written[-1:] in ".:" else r"(?![\w/&-])"
        written = re.escape(self.written)
        return re.compile(before + r"(?<![\w/.&-])(?P<abbr>" + written + ")" + end + after)

    def describe(self) -> str:
        """The rule in one Vietnamese line: what is read how, and when."""
        when = []
        if self.followed_by:
            when.append("trước «" + "», «".join(self.followed_by) + "»")
        if self.preceded_by:
            when.append("sau «" + "», «".join(self.preceded_by) + "»")
        condition = " và ".join(when) or "ở mọi chỗ khác"
        return f"«{self.written}» {condition} đọc là «{self.reading}»"


@dataclass(frozen=True)
class ContextHit:
    """One abbreviation read by a context rule (for ``--explain``)."""

    written: str
    reading: str
    rule: ContextRule
    """The rule that chose the reading."""


def _rule(
    written: str, reading: str, reason: str, *, after: Iterable[str] = (), before: Iterable[str] = ()
) -> ContextRule:
    return ContextRule(written, reading, tuple(after), tuple(before), reason)


_UPPER_TITLES = tuple(title.upper() for title in _TITLES)
_STANDING_BODIES = (
    "HĐND",
    "UBND",
    "MTTQ",
    "UBMTTQ",
    "Thành ủy",
    "Tỉnh ủy",
    "Huyện ủy",
    "Đảng ủy",
    "Hội đồng nhân dân",
    "Ủy ban nhân dân",
)
_COMMANDS = (
    "Quân sự",
    "QS",
    "PCTT",
    "PCTT&TKCN",
    "PCTT-TKCN",
    "phòng chống thiên tai",
    "phòng, chống thiên tai",
    "PCCC",
    "Phòng thủ dân sự",
    "PTDS",
    "Bộ đội Biên phòng",
    "BĐBP",
)
_ELECTED = ("Đoàn", "Hội", "Công đoàn", "Đảng bộ", "Chi bộ", "Đảng ủy", "Liên đoàn", "HND", "HLHPN", "CCB", "ĐTN")
_HEADED = (
    "UBND",
    "HĐND",
    "MTTQ",
    "UBMTTQ",
    "Ủy ban",
    "Hội đồng",
    "Hội",
    "HND",
    "HLHPN",
    "CCB",
    "LĐLĐ",
    "Công đoàn",
    "Mặt trận",
    "nước",
)

BUILTIN_RULES: tuple[ContextRule, ...] = (
    _rule("TT", "Thường trực", "TT trước HĐND, UBND, cấp ủy là «Thường trực».", after=_STANDING_BODIES),
    _rule("TT", "Thông tư", "TT trước một số hiệu văn bản là «Thông tư».", after=(NUMBER,)),
    _rule("TT.", "thị trấn", "TT. (có dấu chấm) trước một địa danh là «thị trấn».", after=(PLACE,)),
    _rule("TT", "Trung tâm", "TT ở các chỗ khác là «Trung tâm» (TT Y tế, TT Văn hóa)."),
    _rule("BCH", "Ban Chỉ huy", "BCH trước Quân sự, PCTT là «Ban Chỉ huy».", after=_COMMANDS),
    _rule("BCH", "Ban Chấp hành", "BCH trước Đoàn, Hội, Đảng bộ là «Ban Chấp hành».", after=_ELECTED),
    _rule("PCT", "Phó Chủ tịch", "PCT trước một cơ quan hay một tên người là «Phó Chủ tịch».", after=(*_HEADED, NAME)),
    _rule("CT", "Chủ tịch", "CT trước một cơ quan hay một tên người là «Chủ tịch».", after=(*_HEADED, NAME)),
    _rule("PCT", "Phó Chủ tịch", "PCT sau tên người và dấu phẩy là «Phó Chủ tịch».", before=(",", "-", "–")),
    _rule("CT", "Chủ tịch", "CT sau tên người và dấu phẩy là «Chủ tịch».", before=(",", "-", "–")),
    _rule("Q.", "quận", "Q. trước một số là «quận» (Q. 3).", after=(NUMBER,)),
    _rule("Q.", "Quyền", "Q. trước một chức danh là «Quyền».", after=_TITLES + _UPPER_TITLES),
    _rule("TM.", "Thay mặt", "TM. trước tên một cơ quan (ở chỗ ký) là «Thay mặt».", after=_BODIES),
    _rule("KT.", "Ký thay", "KT. trước một chức danh (ở chỗ ký) là «Ký thay».", after=_BODIES),
    _rule("TL.", "Thừa lệnh", "TL. trước một chức danh (ở chỗ ký) là «Thừa lệnh».", after=_BODIES),
    _rule("TUQ.", "Thừa ủy quyền", "TUQ. trước một chức danh (ở chỗ ký) là «Thừa ủy quyền».", after=_BODIES),
    _rule("T/M", "Thay mặt", "T/M trước tên một cơ quan (ở chỗ ký) là «Thay mặt».", after=_BODIES),
    _rule("K/T", "Ký thay", "K/T trước một chức danh (ở chỗ ký) là «Ký thay».", after=_BODIES),
    _rule("T/L", "Thừa lệnh", "T/L trước một chức danh (ở chỗ ký) là «Thừa lệnh».", after=_BODIES),
)  # fmt: skip
"""The built-in context rules (see the module's docstring), tried in this order."""


@dataclass(frozen=True)
class ContextRules:
    """An ordered set of context rules, with one scan that finds every abbreviation they cover."""

    rules: Sequence[ContextRule] = field(default_factory=lambda: BUILTIN_RULES)

    def with_station(self, station: Sequence[ContextRule]) -> ContextRules:
        """The station's rules first, then these."""
        return ContextRules((*station, *self.rules))

    @cached_property
    def _trigger(self) -> re.Pattern[str] | None:
        written = sorted({rule.written for rule in self.rules}, key=len, reverse=True)
        if not written:
            return None
        return re.compile(r"(?<![\w/.])(?:" + "|".join(re.escape(w) for w in written) + r")(?!\w)")

    def apply(self, text: str, hits: list[ContextHit] | None = None) -> str:
        """Read every abbreviation a rule fits; record each in ``hits`` when given."""
        trigger = self._trigger
        if trigger is None or not trigger.search(text):
            return text
        for rule in self.rules:
            if rule.written not in text:
                continue

            def replace(m: re.Match[str], rule: ContextRule = rule) -> str:
                if hits is not None:
                    hits.append(ContextHit(m["abbr"], rule.reading, rule))
                glued = m.end() < len(m.string) and m.string[m.end()].isalnum() and m["abbr"].endswith(".")
                return (m.groupdict().get("pre") or "") + rule.reading + (" " if glued else "")

            text = rule.pattern.sub(replace, text)
        return text


__all__ = ["BUILTIN_RULES", "NAME", "NUMBER", "PLACE", "ContextHit", "ContextRule", "ContextRules"]
