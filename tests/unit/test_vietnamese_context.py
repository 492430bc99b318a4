"""Second pass of the normaliser (issue 17): abbreviations read by context, codes, slashes, holidays, citations.

Each table is (written, Northern reading, Southern reading), from sentences as commune announcements, provincial
plans, signature blocks and health and power notices write them.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.vietnamese import Lexicon, normalize
from truyenthanh.domain.vietnamese.administrative import ENTRIES, SOURCES
from truyenthanh.domain.vietnamese.context import BUILTIN_RULES
from truyenthanh.domain.vietnamese.normalizer import CodeLetters, explain, normalize_document, paragraphs
from truyenthanh.errors import ConfigError

NORTH, SOUTH = ReadingVariant.NORTH, ReadingVariant.SOUTH

CONTEXT = [
    ("TT HĐND xã thông báo lịch tiếp xúc cử tri.", "Thường trực Hội đồng nhân dân xã thông báo lịch tiếp xúc cử tri."),
    ("Đồng chí Phó Bí thư TT Đảng ủy dự họp.", "Đồng chí Phó Bí thư Thường trực Đảng ủy dự họp."),
    ("TT UBND xã họp giao ban.", "Thường trực Ủy ban nhân dân xã họp giao ban."),
    ("TT Tỉnh ủy chỉ đạo.", "Thường trực Tỉnh ủy chỉ đạo."),
    ("TT Y tế huyện tổ chức tiêm chủng.", "Trung tâm Y tế huyện tổ chức tiêm chủng."),
    ("TT Văn hóa - Thể thao xã mở lớp bơi.", "Trung tâm Văn hóa - Thể thao xã mở lớp bơi."),
    ("Tại TT. Đông Anh có mưa.", "Tại thị trấn Đông Anh có mưa."),
    ("BCH Quân sự xã triển khai huấn luyện.", "Ban Chỉ huy Quân sự xã triển khai huấn luyện."),
    ("BCH PCTT và TKCN xã trực ban.", "Ban Chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn xã trực ban."),
    ("BCH Đoàn xã phát động.", "Ban Chấp hành Đoàn xã phát động."),
    ("BCH Hội Nông dân họp.", "Ban Chấp hành Hội Nông dân họp."),
    ("BCH Công đoàn cơ sở.", "Ban Chấp hành Công đoàn cơ sở."),
    ("BCH Đảng bộ xã khóa mới.", "Ban Chấp hành Đảng bộ xã khóa mới."),
    ("PCT Nguyễn Văn An phát biểu.", "Phó Chủ tịch Nguyễn Văn An phát biểu."),
    ("CT UBND xã ký ban hành.", "Chủ tịch Ủy ban nhân dân xã ký ban hành."),
    ("Ông Lê Văn Bình, PCT UBND xã.", "Ông Lê Văn Bình, Phó Chủ tịch Ủy ban nhân dân xã."),
    ("CT Hội Cựu chiến binh xã.", "Chủ tịch Hội Cựu chiến binh xã."),
    ("Q. Chủ tịch UBND huyện.", "Quyền Chủ tịch Ủy ban nhân dân huyện."),
    ("Q. GIÁM ĐỐC", "Quyền GIÁM ĐỐC"),
    ("TM. ỦY BAN NHÂN DÂN", "Thay mặt ỦY BAN NHÂN DÂN"),
    ("KT. CHỦ TỊCH", "Ký thay CHỦ TỊCH"),
    ("TL. CHỦ TỊCH", "Thừa lệnh CHỦ TỊCH"),
    ("TUQ. CHỦ TỊCH", "Thừa ủy quyền CHỦ TỊCH"),
    ("T/M BAN THƯỜNG VỤ", "Thay mặt BAN THƯỜNG VỤ"),
    ("Nơi nhận: Lưu: VT, VP.", "Nơi nhận: Lưu: Văn thư, Văn phòng."),
]
"""No number inside: both readings are the same."""

CONTEXT_WITH_NUMBERS = [
    (
        "Theo TT 15/2024 của Bộ Tài chính.",
        "Theo Thông tư mười lăm năm hai nghìn không trăm hai mươi tư của Bộ Tài chính.",
        "Theo Thông tư mười lăm năm hai ngàn không trăm hai mươi bốn của Bộ Tài chính.",
    ),
    ("Số 5, Q. 3", "Số năm, quận ba", "Số năm, quận ba"),
    ("P.5, Q.10", "phường năm, quận mười", "phường năm, quận mười"),
]

LEXICON = [
    ("Phòng chống bệnh LMLM trên gia súc.", "Phòng chống bệnh lở mồm long móng trên gia súc."),
    ("Công tác DS-KHHGĐ năm nay.", "Công tác dân số - kế hoạch hóa gia đình năm nay."),
    ("Khám sàng lọc THA và ĐTĐ.", "Khám sàng lọc tăng huyết áp và đái tháo đường."),
    ("Hệ thống TTCS xã và TTĐT huyện.", "Hệ thống thông tin cơ sở xã và Trang thông tin điện tử huyện."),
    ("Tuyên truyền VBQPPL mới.", "Tuyên truyền văn bản quy phạm pháp luật mới."),
    ("BTG Huyện ủy và BTGTU.", "Ban Tuyên giáo Huyện ủy và Ban Tuyên giáo Tỉnh ủy."),
    ("Ý kiến của TTTU.", "Ý kiến của Thường trực Tỉnh ủy."),
    ("Cắt điện TBA Đồng Xuân để sửa ĐZ trung thế.", "Cắt điện trạm biến áp Đồng Xuân để sửa đường dây trung thế."),
    ("Hỗ trợ GPMB dự án đường.", "Hỗ trợ giải phóng mặt bằng dự án đường."),
    ("UBMTTQ VN xã; HĐND-UBND xã.", "Ủy ban Mặt trận Tổ quốc Việt Nam xã; Hội đồng nhân dân - Ủy ban nhân dân xã."),
    ("Ban KGVX Tỉnh ủy; LĐVP.", "Ban Khoa giáo - Văn xã Tỉnh ủy; Lãnh đạo Văn phòng."),
    ("Phòng chống DTLCP và cúm gia cầm.", "Phòng chống dịch tả lợn châu Phi và cúm gia cầm."),
    ("Vùng ĐBSCL và tỉnh BR-VT.", "Vùng đồng bằng sông Cửu Long và tỉnh Bà Rịa - Vũng Tàu."),
    ("Bảo đảm TTATXH và phòng chống TNXH.", "Bảo đảm trật tự an toàn xã hội và phòng chống tệ nạn xã hội."),
    ("Xây dựng NTMNC, sản phẩm OCOP.", "Xây dựng nông thôn mới nâng cao, sản phẩm Ô cốp."),
    ("Hạt Kiểm lâm nhắc PCCCR mùa khô.", "Hạt Kiểm lâm nhắc phòng cháy chữa cháy rừng mùa khô."),
]

SLASHES_AND_UNITS = [
    (
        "Giá vé 20.000 đồng/lượt.",
        "Giá vé hai mươi nghìn đồng một lượt.",
        "Giá vé hai mươi ngàn đồng một lượt.",
    ),
    (
        "Cước 15.000 đồng/chuyến, 3.000 đồng/bình.",
        "Cước mười lăm nghìn đồng một chuyến, ba nghìn đồng một bình.",
        "Cước mười lăm ngàn đồng một chuyến, ba ngàn đồng một bình.",
    ),
    (
        "Hỗ trợ 500.000 đồng/người/tháng.",
        "Hỗ trợ năm trăm nghìn đồng một người một tháng.",
        "Hỗ trợ năm trăm ngàn đồng một người một tháng.",
    ),
    ("Phun 400 lít/ha.", "Phun bốn trăm lít trên héc-ta.", "Phun bốn trăm lít trên héc-ta."),
    (
        "Giá nước 8.000 đồng/m³, mỗi m3 nước sạch.",
        "Giá nước tám nghìn đồng một mét khối, mỗi mét khối nước sạch.",
        "Giá nước tám ngàn đồng một mét khối, mỗi mét khối nước sạch.",
    ),
    (
        "Đổ 12 m³ bê tông, 5m3 cát.",
        "Đổ mười hai mét khối bê tông, năm mét khối cát.",
        "Đổ mười hai mét khối bê tông, năm mét khối cát.",
    ),
    ("Diện tích 3 km², vết loét 4 cm².", "Diện tích ba ki-lô-mét vuông, vết loét bốn xen-ti-mét vuông.", None),
    ("Đất ở 120m2, giá 2 triệu đồng/m2.", "Đất ở một trăm hai mươi mét vuông, giá hai triệu đồng một mét vuông.", None),
    ("Đơn giá tính theo m², không theo km2.", "Đơn giá tính theo mét vuông, không theo ki-lô-mét vuông.", None),
]

CODES = [
    ("Cúm A/H5N1 ở gia cầm.", "Cúm a hát năm en một ở gia cầm."),
    ("Chủng A/H7N9 và H5N6.", "Chủng a hát bảy en chín và hát năm en sáu."),
    ("Virus cúm B/H3N2.", "Virus cúm bê hát ba en hai."),
]

CODES_SPELLED = [
    # (written, N read "nờ", N read "en")
    ("Cúm A/H5N1.", "Cúm a hát năm nờ một.", "Cúm a hát năm en một."),
    ("biển số 29B-123.45", "biển số hai chín bê, một hai ba bốn năm", "biển số hai chín bê, một hai ba bốn năm"),
    ("xe BKS 51F-678.90", "xe biển kiểm soát năm một ép, sáu bảy tám chín không", None),
    ("xe 77H1-234.56", "xe bảy bảy hát một, hai ba bốn năm sáu", None),
    ("xe 30N-123.45", "xe ba không nờ, một hai ba bốn năm", "xe ba không en, một hai ba bốn năm"),
]

HOLIDAYS = [
    (
        "Nghỉ lễ 30/4 và 1/5 từ ngày 30/4/2026.",
        "Nghỉ lễ ba mươi tháng tư và mùng một tháng năm từ ngày ba mươi tháng tư năm hai nghìn không trăm "
        "hai mươi sáu.",
        "Nghỉ lễ ba mươi tháng tư và mùng một tháng năm từ ngày ba mươi tháng tư năm hai ngàn không trăm hai mươi sáu.",
    ),
    ("Chào mừng Quốc khánh 2/9.", "Chào mừng Quốc khánh mùng hai tháng chín.", None),
    ("Kỷ niệm 27/7, ngày Thương binh - Liệt sĩ.", "Kỷ niệm hai mươi bảy tháng bảy, ngày Thương binh - Liệt sĩ.", None),
    (
        "Dịp Tết 1/1 và Quốc tế Lao động 1/5.",
        "Dịp Tết mùng một tháng một và Quốc tế Lao động mùng một tháng năm.",
        None,
    ),
    ("Kỷ niệm ngày Nhà giáo Việt Nam 20/11.", "Kỷ niệm ngày Nhà giáo Việt Nam hai mươi tháng mười một.", None),
]

CITATIONS = [
    (
        "Quyết định số 123/QĐ- UBND ngày 5/3/2025 của UBND tỉnh.",
        "Quyết định số một trăm hai mươi ba ngày năm tháng ba năm hai nghìn không trăm hai mươi lăm của "
        "Ủy ban nhân dân tỉnh.",
        "Quyết định số một trăm hai mươi ba ngày năm tháng ba năm hai ngàn không trăm hai mươi lăm của "
        "Ủy ban nhân dân tỉnh.",
    ),
    (
        "Nghị định 45/2024/NĐ -CP của Chính phủ.",
        "Nghị định bốn mươi lăm năm hai nghìn không trăm hai mươi tư của Chính phủ.",
        "Nghị định bốn mươi lăm năm hai ngàn không trăm hai mươi bốn của Chính phủ.",
    ),
    (
        "Thực hiện Kế hoạch số 215/KH - UBND, các thôn triển khai.",
        "Thực hiện Kế hoạch số hai trăm mười lăm của Ủy ban nhân dân, các thôn triển khai.",
        None,
    ),
    (
        "Căn cứ Thông tư 07/2016/TT -BNNPTNT.",
        "Căn cứ Thông tư bảy năm hai nghìn không trăm mười sáu của Bộ Nông nghiệp và Phát triển nông thôn.",
        "Căn cứ Thông tư bảy năm hai ngàn không trăm mười sáu của Bộ Nông nghiệp và Phát triển nông thôn.",
    ),
]

SERVICE_NUMBERS = [
    (
        "Khi có cháy, gọi 114; tai nạn gọi 115.",
        "Khi có cháy, gọi một một bốn; tai nạn gọi một một năm.",
    ),
    (
        "Gọi 111, 113, 114, 115 hoặc 1022.",
        "Gọi một một một, một một ba, một một bốn, một một năm hoặc một không hai hai.",
    ),
    ("Đường dây 111 bảo vệ trẻ em.", "Đường dây một một một bảo vệ trẻ em."),
    ("Tổng đài 1022 của tỉnh.", "Tổng đài một không hai hai của tỉnh."),
    ("Số khẩn cấp 112.", "Số khẩn cấp một một hai."),
    ("Tổng đài 1800 1091 miễn phí.", "Tổng đài một tám không không, một không chín một miễn phí."),
    ("Hotline 19001234.", "Hotline một chín không không một hai ba bốn."),
]


def _both(rows: list[tuple[str, str]]) -> list[tuple[str, str, ReadingVariant]]:
    return [(written, spoken, variant) for written, spoken in rows for variant in (NORTH, SOUTH)]


def _variants(rows: list[tuple[str, str, str | None]]) -> list[tuple[str, str, ReadingVariant]]:
    """Each row in both readings; ``None`` for the Southern one: no number word differs."""
    out = []
    for written, north, south in rows:
        out += [(written, north, NORTH), (written, south or north, SOUTH)]
    return out


@pytest.mark.parametrize(
    ("written", "spoken", "variant"),
    _both(CONTEXT + LEXICON + CODES + SERVICE_NUMBERS)
    + _variants(CONTEXT_WITH_NUMBERS + SLASHES_AND_UNITS + HOLIDAYS + CITATIONS),
)
def test_second_pass_reading(written: str, spoken: str, variant: ReadingVariant) -> None:
    assert normalize(written, variant=variant) == spoken


@pytest.mark.parametrize(("written", "with_no", "with_en"), CODES_SPELLED)
def test_code_letters_follow_the_station_setting(written: str, with_no: str, with_en: str | None) -> None:
    assert normalize(written, letters=CodeLetters.NO) == with_no
    assert normalize(written, letters=CodeLetters.EN) == (with_en or with_no)


def test_service_numbers_that_are_counts_stay_counts() -> None:
    assert normalize("Có 113 hộ đăng ký.") == "Có một trăm mười ba hộ đăng ký."
    assert normalize("năm 1022") == "năm một nghìn không trăm hai mươi hai"


def test_context_needs_its_neighbours() -> None:
    # Alone or joined to another abbreviation, the letters are not read by context.
    assert normalize("CT") == "xê tê"
    assert normalize("Đài TT-TH huyện") == "Đài Truyền thanh - Truyền hình huyện"
    assert normalize("BCH") == "Ban Chấp hành"
    assert normalize("KT-XH") == "kinh tế - xã hội"


def test_explain_names_each_rule_and_why() -> None:
    spoken, steps = explain("TT HĐND và BCH Quân sự họp lúc 7h30 ngày 5/3/2026.")
    assert spoken == normalize("TT HĐND và BCH Quân sự họp lúc 7h30 ngày 5/3/2026.")
    by_written = {step.written: step for step in steps}
    assert by_written["TT"].spoken == "Thường trực"
    assert "HĐND" in by_written["TT"].why
    assert by_written["BCH"].spoken == "Ban Chỉ huy"
    assert by_written["HĐND"].rule == "Từ điển viết tắt"
    assert by_written["7h30"].rule == "Giờ"
    assert [step.rule for step in steps] == [
        "Viết tắt đọc theo ngữ cảnh",
        "Viết tắt đọc theo ngữ cảnh",
        "Từ điển viết tắt",
        "Ngày tháng",
        "Giờ",
    ]


def test_explain_of_plain_text_has_no_steps() -> None:
    assert explain("Kính mời bà con đến dự.") == ("Kính mời bà con đến dự.", [])


# --- the station's context forms ---------------------------------------------------------------------------

STATION_TOML = """\
[abbreviations]
"HTX" = "hợp tác xã"

[[context]]
written = "BCĐ"
followed_by = ["389"]
reading = "Ban Chỉ đạo"
reason = "BCĐ 389: Ban Chỉ đạo chống buôn lậu"

[[context]]
written = "TT"
preceded_by = ["Đài"]
reading = "Truyền thanh"
"""


def test_station_context_forms_come_first() -> None:
    lexicon = Lexicon.builtin().with_toml(STATION_TOML, source="lexicon.toml")
    assert normalize("BCĐ 389 xã họp.", lexicon=lexicon) == "Ban Chỉ đạo ba trăm tám mươi chín xã họp."
    assert normalize("Đài TT xã và TT Y tế.", lexicon=lexicon) == "Đài Truyền thanh xã và Trung tâm Y tế."
    _, steps = explain("Đài TT xã.", lexicon=lexicon)
    assert steps[0].why == "theo từ điển của đài"
    assert lexicon.context.rules[0].source == "lexicon.toml, dòng 4"


@pytest.mark.parametrize(
    ("toml", "fragments"),
    [
        ('[[context]]\nwritten = "BCH"\n', ["dòng 1", "«reading»", "[[context]] thứ 1"]),
        (
            '[[context]]\nwritten = "A"\nreading = "a"\n\n[[context]]\nwritten = "BCH"\nreading = 3\n',
            ["dòng 7", "«reading»", "thứ 2"],
        ),
        ('[[context]]\nwritten = "BCH"\nreading = "x"\nfollowed = ["Quân sự"]\n', ["dòng 4", "«followed»"]),
        ('[[context]]\nwritten = "BCH"\nreading = "x"\nfollowed_by = [1]\n', ["dòng 4", "«followed_by»"]),
        ('context = "x"\n', ["[[context]]"]),
    ],
)
def test_malformed_context_forms_name_file_line_and_field(toml: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        Lexicon.builtin().with_toml(toml, source="lexicon.toml")
    assert "lexicon.toml" in caught.value.message
    for fragment in fragments:
        assert fragment in caught.value.message


# --- the lexicon table -------------------------------------------------------------------------------------


def test_every_table_entry_has_a_source_and_nfc_text() -> None:
    assert len(ENTRIES) >= 400
    assert {entry.source for entry in ENTRIES} <= set(SOURCES.values())
    for entry in ENTRIES:
        assert entry.written.strip() and entry.reading.strip(), entry
        assert unicodedata.is_normalized("NFC", entry.written + entry.reading), entry
        assert not any(ch.isdigit() for ch in entry.reading), entry


def test_every_table_entry_reads_as_its_reading() -> None:
    lexicon = Lexicon.builtin()
    # "BCH QS" starts with letters read by context: "Ban Chỉ huy" then "quân sự" from the lexicon.
    by_context = {rule.written for rule in BUILTIN_RULES}
    for entry in ENTRIES:
        if entry.written.split()[0] in by_context:
            continue
        assert normalize(f"về {entry.written} xã", lexicon=lexicon) == f"về {lexicon.abbreviations[entry.written]} xã"


def test_every_builtin_context_rule_explains_itself() -> None:
    for rule in BUILTIN_RULES:
        assert rule.reason and rule.describe().startswith(f"«{rule.written}»")


# --- whole documents ---------------------------------------------------------------------------------------


def test_a_document_is_read_paragraph_by_paragraph() -> None:
    document = "Thực hiện Quyết định số 123/QĐ-\nUBND ngày 5/3/2025.\n\n\n- Tiêm vắc-xin cho trẻ 1-5 tuổi.\r\n"
    assert paragraphs(document) == [
        "Thực hiện Quyết định số 123/QĐ- UBND ngày 5/3/2025.",
        "- Tiêm vắc-xin cho trẻ 1-5 tuổi.",
    ]
    assert normalize_document(document, variant=SOUTH) == [
        "Thực hiện Quyết định số một trăm hai mươi ba của Ủy ban nhân dân ngày năm tháng ba năm hai ngàn "
        "không trăm hai mươi lăm.",
        "- Tiêm vắc-xin cho trẻ một đến năm tuổi.",
    ]


CORPUS = Path("/work/shared/corpus/announcements.md")
SEED_PLANS = Path(__file__).parents[2] / "schedules"
# Real-style paragraphs the shared corpus does not have: signature blocks, health, power, agriculture, holidays.
MORE_TEXTS = [
    "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn An",
    "Nơi nhận:\n- TT HĐND xã;\n- CT, các PCT UBND xã;\n- Lưu: VT, VP.",
    "Căn cứ Nghị định 45/2024/NĐ -CP và Quyết định số 123/QĐ- UBND ngày 5/3/2025 của UBND tỉnh, BCH Quân sự "
    "xã thông báo lịch huấn luyện DQTV năm 2026.",
    "Trạm Y tế xã khám sàng lọc THA, ĐTĐ cho NCT từ 7h30 đến 11h ngày 12/12. Công tác DS-KHHGĐ, TCMR đạt 98,5%.",
    "Điện lực huyện cắt điện TBA Đồng Xuân 2 để sửa ĐZ 35kV từ 7h00 đến 17h00 ngày 20/11. Hotline 19001234.",
    "Chi cục Chăn nuôi và Thú y cảnh báo LMLM, DTLCP và cúm A/H5N1. Tiêm phòng miễn phí, phí dịch vụ 5.000 "
    "đồng/con/lượt.",
    "Nghỉ lễ 30/4 và 1/5 năm 2026 kéo dài 5 ngày. Mọi tin báo về cháy nổ xin gọi 114, cấp cứu gọi 115.",
    "Giá nước sinh hoạt 8.500 đồng/m³; hộ nghèo được giảm 50%. Hồ chứa còn 1,2 triệu m3.",
    "Theo TT 15/2024 của Bộ Tài chính, mức thu 20.000 đồng/hồ sơ. Q. Chủ tịch UBND xã đã ký.",
]


def _seed_paragraphs() -> list[str]:
    texts: list[str] = []
    if CORPUS.exists():
        for block in CORPUS.read_text(encoding="utf-8").split("---")[1:]:
            texts += paragraphs(block)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "announcement" and isinstance(value, str):
                    texts.extend(paragraphs(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for plan in sorted(SEED_PLANS.glob("*.toml")):
        walk(tomllib.loads(plan.read_text(encoding="utf-8")))
    for text in MORE_TEXTS:
        texts += paragraphs(text)
    return texts


# A Vietnamese syllable written in capitals (THÔNG, NGHỊ, KHẨN) is a word; three or more capitals that are not
# one (UBND, TTCS) are an abbreviation nobody read.
_SYLLABLE = re.compile(
    r"(?:NGH|NG|NH|CH|GH|GI|KH|PH|QU|TH|TR|[BCDĐGHKLMNPQRSTVX])?"
    r"[AĂÂEÊIOÔƠUƯYÀ-ỸẠ-Ỹ]+(?:CH|NG|NH|[CMNPTIUOY])?",
)
_CAPITALS = re.compile(r"[^\W\d_]*[A-ZĐ][^\W\d_]*")


def _unknown_capitals(spoken: str) -> list[str]:
    words = [w for w in _CAPITALS.findall(spoken) if sum(ch.isupper() for ch in w) >= 3 and w.isupper()]
    return [w for w in words if not _SYLLABLE.fullmatch(unicodedata.normalize("NFC", w))]


@pytest.mark.parametrize("variant", [NORTH, SOUTH])
def test_corpus_and_seed_plans_leave_no_digit_and_no_unread_abbreviation(variant: ReadingVariant) -> None:
    texts = _seed_paragraphs()
    assert len(texts) >= len(MORE_TEXTS) + 3
    for text in texts:
        spoken = normalize(text, variant=variant)
        assert not re.search(r"[0-9]", spoken), spoken
        assert _unknown_capitals(spoken) == [], spoken


def test_the_capitals_check_catches_an_unread_abbreviation() -> None:
    assert _unknown_capitals("THÔNG BÁO KHẨN của NGHỊ QUYẾT") == []
    assert _unknown_capitals("UBND XYZW và TTCS") == ["UBND", "XYZW", "TTCS"]
