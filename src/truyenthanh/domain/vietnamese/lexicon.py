"""Abbreviations of the administration and the words a station wants read its own way.

The built-in lexicon covers the abbreviations that fill commune announcements and provincial plans. A station
extends or overrides it with a TOML file (setting ``lexicon_file``)::

    # Viết tắt: khớp đúng chữ hoa/thường, cả từ.
    [abbreviations]
    "HTX" = "hợp tác xã"
    "TDP" = "tổ dân phố"

    # Từ, địa danh: khớp không phân biệt chữ hoa/thường, cả từ.
    [words]
    "Ea H'leo" = "Ê a Hơ-lê-ô"

    # Viết tắt đọc theo ngữ cảnh: "BCH" đứng trước "Quân sự" hay "PCTT" đọc là "Ban Chỉ huy".
    # followed_by / preceded_by: các từ đứng ngay sau / ngay trước (không phân biệt hoa/thường);
    # "<số>" là một con số, "<tên người>" là một tên người, "<địa danh>" là một từ viết hoa.
    [[context]]
    written = "BCH"
    followed_by = ["Quân sự", "PCTT"]
    reading = "Ban Chỉ huy"
    reason = "Ban Chỉ huy Quân sự, Ban Chỉ huy Phòng chống thiên tai"   # không bắt buộc

The station's context forms are tried before the built-in ones of :mod:`.context`. The built-in abbreviations
are :data:`ABBREVIATIONS` plus the sourced table of :mod:`.administrative`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from truyenthanh.domain.vietnamese.administrative import ENTRIES
from truyenthanh.domain.vietnamese.context import ContextRule, ContextRules
from truyenthanh.errors import ConfigError

# Abbreviations of bodies, documents and programmes, as an announcer expands them.
ABBREVIATIONS: dict[str, str] = {
    # Party, state and mass organisations
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "MTTQ": "Mặt trận Tổ quốc",
    "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
    "MTTQVN": "Mặt trận Tổ quốc Việt Nam",
    "CHXHCN": "Cộng hòa xã hội chủ nghĩa",
    "CHXHCNVN": "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "BCH": "Ban Chấp hành",
    "BTV": "Ban Thường vụ",
    "BCĐ": "Ban Chỉ đạo",
    "BQL": "Ban Quản lý",
    "BTC": "Ban Tổ chức",
    "ĐU": "Đảng ủy",
    "TU": "Tỉnh ủy",
    "HU": "Huyện ủy",
    "TW": "Trung ương",
    "TƯ": "Trung ương",
    "QH": "Quốc hội",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "VPCP": "Văn phòng Chính phủ",
    "CCB": "Cựu chiến binh",
    "LHPN": "Liên hiệp Phụ nữ",
    "HLHPN": "Hội Liên hiệp Phụ nữ",
    "HND": "Hội Nông dân",
    "ĐTN": "Đoàn Thanh niên",
    "TNCS": "Thanh niên Cộng sản",
    "HTX": "hợp tác xã",
    "CAND": "Công an nhân dân",
    "QĐND": "Quân đội nhân dân",
    "BCHQS": "Ban Chỉ huy Quân sự",
    "NVQS": "nghĩa vụ quân sự",
    "DQTV": "dân quân tự vệ",
    "ANTT": "an ninh trật tự",
    "TTATGT": "trật tự an toàn giao thông",
    "ATGT": "an toàn giao thông",
    "PCCC": "phòng cháy chữa cháy",
    "CNCH": "cứu nạn cứu hộ",
    "PCTT": "phòng chống thiên tai",
    "TKCN": "tìm kiếm cứu nạn",
    "PCTT&TKCN": "phòng chống thiên tai và tìm kiếm cứu nạn",
    "PCTT-TKCN": "phòng chống thiên tai và tìm kiếm cứu nạn",
    "KTTV": "khí tượng thủy văn",
    "ATTP": "an toàn thực phẩm",
    "VSATTP": "vệ sinh an toàn thực phẩm",
    # Ministries, departments, offices
    "TTTT": "Thông tin và Truyền thông",
    "TT&TT": "Thông tin và Truyền thông",
    "TT-TT": "Thông tin và Truyền thông",
    "BTTTT": "Bộ Thông tin và Truyền thông",
    "STTTT": "Sở Thông tin và Truyền thông",
    "VHTTDL": "Văn hóa, Thể thao và Du lịch",
    "VH-TT-DL": "Văn hóa, Thể thao và Du lịch",
    "VHTT": "Văn hóa - Thông tin",
    "VH-TT": "Văn hóa - Thông tin",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "SVHTTDL": "Sở Văn hóa, Thể thao và Du lịch",
    "BYT": "Bộ Y tế",
    "SYT": "Sở Y tế",
    "BCA": "Bộ Công an",
    "BQP": "Bộ Quốc phòng",
    "BNV": "Bộ Nội vụ",
    "BTP": "Bộ Tư pháp",
    "BCT": "Bộ Công Thương",
    "BXD": "Bộ Xây dựng",
    "BGTVT": "Bộ Giao thông vận tải",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BTNMT": "Bộ Tài nguyên và Môi trường",
    "TNMT": "tài nguyên và môi trường",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "GDĐT": "giáo dục và đào tạo",
    "GD&ĐT": "giáo dục và đào tạo",
    "GD-ĐT": "giáo dục và đào tạo",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "LĐTBXH": "Lao động - Thương binh và Xã hội",
    "LĐ-TB&XH": "Lao động - Thương binh và Xã hội",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "NNPTNT": "nông nghiệp và phát triển nông thôn",
    "NN&PTNT": "nông nghiệp và phát triển nông thôn",
    "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "NHNN": "Ngân hàng Nhà nước",
    "NHCSXH": "Ngân hàng Chính sách xã hội",
    "KBNN": "Kho bạc Nhà nước",
    "VKSND": "Viện Kiểm sát nhân dân",
    "TAND": "Tòa án nhân dân",
    "THADS": "thi hành án dân sự",
    "TTYT": "Trung tâm Y tế",
    "TYT": "Trạm Y tế",
    "YT": "Y tế",
    "CDC": "Trung tâm Kiểm soát bệnh tật",
    "TT-TH": "Truyền thanh - Truyền hình",
    "PT-TH": "Phát thanh - Truyền hình",
    "PTTH": "Phát thanh - Truyền hình",
    "VOV": "Đài Tiếng nói Việt Nam",
    "VTV": "Đài Truyền hình Việt Nam",
    "TTXVN": "Thông tấn xã Việt Nam",
    # Society, economy, programmes
    "KT-XH": "kinh tế - xã hội",
    "KTXH": "kinh tế - xã hội",
    "VH-XH": "văn hóa - xã hội",
    "QP-AN": "quốc phòng - an ninh",
    "QPAN": "quốc phòng - an ninh",
    "ANQP": "an ninh quốc phòng",
    "BHYT": "bảo hiểm y tế",
    "BHXH": "bảo hiểm xã hội",
    "BHTN": "bảo hiểm thất nghiệp",
    "NTM": "nông thôn mới",
    "XDNTM": "xây dựng nông thôn mới",
    "OCOP": "Ô cốp",
    "MTQG": "mục tiêu quốc gia",
    "CTMTQG": "chương trình mục tiêu quốc gia",
    "CNH-HĐH": "công nghiệp hóa, hiện đại hóa",
    "CNH, HĐH": "công nghiệp hóa, hiện đại hóa",
    "KHKT": "khoa học kỹ thuật",
    "KH&CN": "khoa học và công nghệ",
    "KHCN": "khoa học công nghệ",
    "CNTT": "công nghệ thông tin",
    "CĐS": "chuyển đổi số",
    "DVC": "dịch vụ công",
    "CCCD": "căn cước công dân",
    "CMND": "chứng minh nhân dân",
    "GCN": "giấy chứng nhận",
    "QSDĐ": "quyền sử dụng đất",
    "GCNQSDĐ": "giấy chứng nhận quyền sử dụng đất",
    "GPMB": "giải phóng mặt bằng",
    "XKLĐ": "xuất khẩu lao động",
    "HSSV": "học sinh, sinh viên",
    "CBCCVC": "cán bộ, công chức, viên chức",
    "CBCC": "cán bộ, công chức",
    "CB, CC, VC": "cán bộ, công chức, viên chức",
    "MN": "mầm non",
    "TH": "tiểu học",
    "THCS": "trung học cơ sở",
    "THPT": "trung học phổ thông",
    "GDTX": "giáo dục thường xuyên",
    "GDNN": "giáo dục nghề nghiệp",
    "TTGDNN-GDTX": "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên",
    "CĐ": "cao đẳng",
    "ĐH": "đại học",
    "ThS": "thạc sĩ",
    "TS": "tiến sĩ",
    "PGS": "phó giáo sư",
    "GS": "giáo sư",
    "BS": "bác sĩ",
    "KS": "kỹ sư",
    "ĐBQH": "đại biểu Quốc hội",
    "HĐND-UBND": "Hội đồng nhân dân - Ủy ban nhân dân",
    "TDP": "tổ dân phố",
    "KDC": "khu dân cư",
    "KCN": "khu công nghiệp",
    "CCN": "cụm công nghiệp",
    "VN": "Việt Nam",
    "VNĐ": "đồng",
    "VND": "đồng",
    "USD": "đô la Mỹ",
    "ĐT": "điện thoại",
    "SĐT": "số điện thoại",
    "Đ/c": "đồng chí",
    "đ/c": "đồng chí",
    "TP.HCM": "thành phố Hồ Chí Minh",
    "Tp.HCM": "thành phố Hồ Chí Minh",
    "TPHCM": "thành phố Hồ Chí Minh",
    "HCM": "Hồ Chí Minh",
    "KP": "khu phố",
    "TP.": "thành phố",
    "TP": "thành phố",
    "Tp.": "thành phố",
    "TX": "thị xã",
    "CN": "Chủ nhật",
    "COVID-19": "Cô-vít mười chín",
    "Covid-19": "Cô-vít mười chín",
    "SARS-CoV-2": "Sát Cô-vi hai",
    "H5N1": "hát năm en một",
    "ASF": "dịch tả lợn châu Phi",
    "PM2.5": "pê em hai chấm năm",
    "PM2,5": "pê em hai chấm năm",
    "PM10": "pê em mười",
    "4G": "bốn gờ",
    "5G": "năm gờ",
    "3G": "ba gờ",
    "GPS": "gờ pê ét",
    "SMS": "tin nhắn",
    "Zalo": "Da-lô",
    "CLB": "câu lạc bộ",
    "SN": "sinh năm",
    "STK": "số tài khoản",
    "BKS": "biển kiểm soát",
    "24/7": "hai mươi tư trên bảy",
    "T2": "thứ hai",
    "T3": "thứ ba",
    "T4": "thứ tư",
    "T5": "thứ năm",
    "T6": "thứ sáu",
    "T7": "thứ bảy",
    "QL": "quốc lộ",
}
"""Built-in abbreviations: matched case-sensitively, as whole words."""

# The sourced table grows the lexicon; where both have a key, the reading above (older, tested) is kept.
ABBREVIATIONS = {**{entry.written: entry.reading for entry in ENTRIES}, **ABBREVIATIONS}

# Keys that only make sense inside a document symbol (Số: 12/QĐ-BTC): the same letters mean other things alone.
DOCUMENT_TYPES: dict[str, str] = {
    "QĐ": "quyết định",
    "KH": "kế hoạch",
    "TB": "thông báo",
    "NĐ": "nghị định",
    "TT": "thông tư",
    "TTLT": "thông tư liên tịch",
    "CT": "chỉ thị",
    "NQ": "nghị quyết",
    "CV": "công văn",
    "BC": "báo cáo",
    "TTr": "tờ trình",
    "HD": "hướng dẫn",
    "HĐ": "hợp đồng",
    "GM": "giấy mời",
    "GP": "giấy phép",
    "CĐ": "công điện",
    "QC": "quy chế",
    "QyĐ": "quy định",
    "CTr": "chương trình",
    "ĐA": "đề án",
    "L": "luật",
    "PL": "pháp lệnh",
    "BB": "biên bản",
    "KL": "kết luận",
}
"""Kinds of documents as they appear before the issuer in a document symbol."""

ISSUERS: dict[str, str] = {
    "BTC": "Bộ Tài chính",
    "VX": "Văn xã",
    "VP": "Văn phòng",
    "TH": "tổng hợp",
    "KT": "kinh tế",
    "NC": "nội chính",
    "ĐU": "Đảng ủy",
    "BCĐ": "Ban Chỉ đạo",
    "BCH": "Ban Chỉ huy",
    "TCCB": "Tổ chức cán bộ",
    "SNN": "Sở Nông nghiệp",
    "STC": "Sở Tài chính",
    "SNV": "Sở Nội vụ",
    "SGDĐT": "Sở Giáo dục và Đào tạo",
    "TTYT": "Trung tâm Y tế",
    "QH": "Quốc hội",
    "BCSĐ": "Ban cán sự đảng",
    "BTG": "Ban Tuyên giáo",
    "BTGTW": "Ban Tuyên giáo Trung ương",
    "BDV": "Ban Dân vận",
    "BDVTW": "Ban Dân vận Trung ương",
    "BTCTW": "Ban Tổ chức Trung ương",
    "UBKTTW": "Ủy ban Kiểm tra Trung ương",
}
"""Issuers and offices inside document symbols, where they differ from :data:`ABBREVIATIONS`."""

# Only before a road number (ĐT 641, QL1A, ĐH.12): alone, ĐT is "điện thoại" and ĐH "đại học".
ROAD_CODES: dict[str, str] = {
    "QL": "quốc lộ",
    "ĐT": "đường tỉnh",
    "ĐH": "đường huyện",
    "TL": "tỉnh lộ",
    "HL": "hương lộ",
}
"""Kinds of numbered roads, as written before the road's number, and how they are read."""

VESSEL_PROVINCES: dict[str, str] = {
    "QN": "Quảng Ninh",
    "HP": "Hải Phòng",
    "TB": "Thái Bình",
    "NĐ": "Nam Định",
    "NB": "Ninh Bình",
    "TH": "Thanh Hóa",
    "NA": "Nghệ An",
    "HT": "Hà Tĩnh",
    "QB": "Quảng Bình",
    "QT": "Quảng Trị",
    "TTH": "Thừa Thiên Huế",
    "ĐNa": "Đà Nẵng",
    "QNa": "Quảng Nam",
    "QNg": "Quảng Ngãi",
    "BĐ": "Bình Định",
    "PY": "Phú Yên",
    "KH": "Khánh Hòa",
    "NT": "Ninh Thuận",
    "BTh": "Bình Thuận",
    "BV": "Bà Rịa - Vũng Tàu",
    "TG": "Tiền Giang",
    "BT": "Bến Tre",
    "TV": "Trà Vinh",
    "ST": "Sóc Trăng",
    "BL": "Bạc Liêu",
    "CM": "Cà Mau",
    "KG": "Kiên Giang",
}
"""Province codes that start a fishing vessel's registration number (QNg 90123 TS), read as the province."""


def _check_entries(raw: object, table: str, source: str, text: str = "") -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError(f"Tệp từ điển {source}: mục [{table}] phải là một bảng «viết tắt» = «cách đọc».")
    entries: dict[str, str] = {}
    for key, value in raw.items():
        line = entry_line(text, table, key)
        where = f", dòng {line}" if line else ""
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"Tệp từ điển {source}{where}, mục [{table}], từ «{key}»: cách đọc phải là một chuỗi chữ không rỗng."
            )
        if not key.strip():
            raise ConfigError(f"Tệp từ điển {source}{where}, mục [{table}]: có một từ rỗng.")
        entries[unicodedata.normalize("NFC", key.strip())] = unicodedata.normalize("NFC", value.strip())
    return entries


_CONTEXT_FIELDS = {"written", "reading", "followed_by", "preceded_by", "reason"}


def entry_line(text: str, table: str, which: str | int, key: str | None = None) -> int | None:
    """The line (counted from 1) of an entry of a lexicon file: the key ``which`` of ``[table]``, or the
    ``which``-th ``[[table]]`` entry (the line of its ``key`` when given, else its header); ``None``: not found."""
    lines = text.splitlines()
    header = re.compile(
        r"\s*\[\[\s*" + re.escape(table) + r"\s*\]\]"
        if isinstance(which, int)
        else r"\s*\[\s*" + re.escape(table) + r"\s*\]"
    )
    headers = [n for n, line in enumerate(lines) if header.match(line)]
    if isinstance(which, str):
        if not headers:
            return None
        start, key = headers[0], which
    elif which < len(headers):
        start = headers[which]
    else:
        return None
    if key is None:
        return start + 1
    for n in range(start + 1, len(lines)):
        if re.match(r"\s*\[", lines[n]):
            break
        if re.match(r"\s*[\"']?" + re.escape(key) + r"[\"']?\s*=", lines[n]):
            return n + 1
    return None if isinstance(which, str) else start + 1


def _line_of(text: str, index: int, key: str | None) -> int | None:
    """The line of the ``index``-th ``[[context]]`` entry's ``key`` (or of its header), counted from 1."""
    return entry_line(text, "context", index, key)


def _context_rules(raw: object, text: str, source: str) -> list[ContextRule]:
    if not isinstance(raw, list):
        raise ConfigError(f"Tệp từ điển {source}: «context» phải là các mục [[context]].")
    rules = []
    for index, entry in enumerate(raw):

        def fail(key: str | None, problem: str, index: int = index) -> ConfigError:
            line = _line_of(text, index, key)
            where = f", dòng {line}" if line else ""
            field_name = f", trường «{key}»" if key else ""
            return ConfigError(f"Tệp từ điển {source}{where}, mục [[context]] thứ {index + 1}{field_name}: {problem}")

        if not isinstance(entry, dict):
            raise fail(None, "phải là một bảng.")
        unknown = sorted(set(entry) - _CONTEXT_FIELDS)
        if unknown:
            raise fail(unknown[0], "không biết trường này; chỉ có " + ", ".join(sorted(_CONTEXT_FIELDS)) + ".")
        for key in ("written", "reading"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise fail(key, "phải là một chuỗi chữ không rỗng.")
        neighbours: dict[str, tuple[str, ...]] = {}
        for key in ("followed_by", "preceded_by"):
            value = entry.get(key, [])
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise fail(key, "phải là một danh sách các chuỗi chữ không rỗng.")
            neighbours[key] = tuple(unicodedata.normalize("NFC", v.strip()) for v in value)
        reason = entry.get("reason", "")
        if not isinstance(reason, str):
            raise fail("reason", "phải là một chuỗi chữ.")
        line = _line_of(text, index, None)
        rules.append(
            ContextRule(
                written=unicodedata.normalize("NFC", entry["written"].strip()),
                reading=unicodedata.normalize("NFC", entry["reading"].strip()),
                followed_by=neighbours["followed_by"],
                preceded_by=neighbours["preceded_by"],
                reason=reason or "theo từ điển của đài",
                source=f"{source}, dòng {line}" if line else source,
            )
        )
    return rules


@dataclass(frozen=True)
class Lexicon:
    """Written forms and how to read them.

    Attributes:
        abbreviations: matched case-sensitively as whole words (UBND, HTX).
        words: matched case-insensitively as whole words (place names, hamlet names).
        context: abbreviations read by their neighbours, tried before the other two (see :mod:`.context`).
    """

    abbreviations: Mapping[str, str] = field(default_factory=lambda: dict(ABBREVIATIONS))
    words: Mapping[str, str] = field(default_factory=dict)
    context: ContextRules = field(default_factory=ContextRules)

    @classmethod
    def builtin(cls) -> Lexicon:
        """The lexicon every station starts with."""
        return cls()

    def extended(
        self,
        *,
        abbreviations: Mapping[str, str] | None = None,
        words: Mapping[str, str] | None = None,
        context: list[ContextRule] | None = None,
    ) -> Lexicon:
        """A new lexicon with these entries added (a station's entries win over the built-in ones)."""
        return Lexicon(
            abbreviations={**self.abbreviations, **(abbreviations or {})},
            words={**self.words, **(words or {})},
            context=self.context.with_station(context or []),
        )

    def with_toml(self, text: str, *, source: str = "từ điển") -> Lexicon:
        """Extend with a station's TOML lexicon (tables ``[abbreviations]``, ``[words]``, ``[[context]]``).

        Raises:
            ConfigError: the text is not valid TOML or the tables are malformed; the message names ``source``
                and, for syntax errors and context entries, the line (and the field).
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            where = re.search(r"line (\d+)", str(exc))
            line = f", dòng {where.group(1)}" if where else ""
            raise ConfigError(f"Tệp từ điển {source}{line}: sai cú pháp TOML ({exc}).") from exc
        unknown = sorted(set(data) - {"abbreviations", "words", "context"})
        if unknown:
            raise ConfigError(
                f"Tệp từ điển {source}: không biết mục [{unknown[0]}]; chỉ có [abbreviations], [words] và [[context]]."
            )
        return self.extended(
            abbreviations=_check_entries(data.get("abbreviations", {}), "abbreviations", source, text),
            words=_check_entries(data.get("words", {}), "words", source, text),
            context=_context_rules(data.get("context", []), text, source),
        )

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """One regular expression matching every entry as a whole word, longest first (``None``: empty)."""
        # Grouped by first character (one branch per letter instead of hundreds tried at every position).
        groups: dict[str, list[str]] = {}
        for key in sorted(self.abbreviations, key=len, reverse=True):
            groups.setdefault(key[0], []).append(re.escape(key[1:]))
        alternatives = [re.escape(first) + "(?:" + "|".join(rest) + ")" for first, rest in groups.items()]
        alternatives += ["(?i:" + re.escape(key) + ")" for key in sorted(self.words, key=len, reverse=True)]
        if not alternatives:
            return None
        return re.compile(r"(?<![\w/])(?:" + "|".join(alternatives) + r")(?![\w/])")

    def lookup(self, found: str) -> str:
        """How to read a string the :attr:`pattern` matched."""
        if found in self.abbreviations:
            return self.abbreviations[found]
        folded = found.casefold()
        for key, value in self.words.items():
            if key.casefold() == folded:
                return value
        return found


__all__ = ["ABBREVIATIONS", "DOCUMENT_TYPES", "ISSUERS", "ROAD_CODES", "VESSEL_PROVINCES", "Lexicon", "entry_line"]
