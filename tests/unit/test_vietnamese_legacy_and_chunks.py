"""Legacy encodings (TCVN3, VNI, mojibake) and cutting spoken text into gTTS-sized chunks."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from truyenthanh.domain.vietnamese import normalize, split_for_speech
from truyenthanh.domain.vietnamese.legacy import TCVN3, VNI, Encoding, detect, repair, to_unicode

VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


def test_tcvn3_table_covers_every_lowercase_vietnamese_letter() -> None:
    produced = set(TCVN3.values())
    for letter in VIETNAMESE_LETTERS:
        assert letter in produced or letter.isascii(), letter


def test_vni_table_covers_every_vietnamese_letter_in_both_cases() -> None:
    produced = set(VNI.values())
    for letter in VIETNAMESE_LETTERS:
        if letter.isascii() or letter in "íì":
            continue
        assert letter in produced, letter
        assert letter.upper() in produced, letter.upper()


def _to_vni(text: str) -> str:
    reverse = {target: source for source, target in VNI.items()}
    return "".join(reverse.get(ch, ch) for ch in text)


def _to_tcvn3(text: str) -> str:
    reverse = {target: source for source, target in TCVN3.items()}
    return "".join(reverse.get(ch, ch) for ch in text)


SENTENCES = [
    "Thông báo của Ủy ban nhân dân xã về việc tiêm chủng mở rộng",
    "Đề nghị các hộ dân ở ven suối khẩn trương di dời đến nơi an toàn",
    "Hội Nông dân xã phối hợp Trạm Khuyến nông mở lớp tập huấn kỹ thuật",
    "Nguy cơ cao xảy ra lũ quét, sạt lở đất ở những vùng trũng thấp",
    "Người tham gia bảo hiểm xã hội tự nguyện được hỗ trợ mức đóng",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_vni_text_round_trips(sentence: str) -> None:
    legacy_text = _to_vni(sentence)
    assert legacy_text != sentence
    assert detect(legacy_text) is Encoding.VNI
    assert repair(legacy_text) == sentence


@pytest.mark.parametrize("sentence", [s.lower() for s in SENTENCES])
def test_tcvn3_text_round_trips(sentence: str) -> None:
    legacy_text = _to_tcvn3(sentence)
    assert detect(legacy_text) is Encoding.TCVN3
    assert repair(legacy_text) == sentence


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


@pytest.mark.parametrize("sentence", SENTENCES)
def test_utf8_read_as_windows_1252_is_repaired(sentence: str) -> None:
    # As a Windows program shows UTF-8 bytes: Windows-1252, undefined bytes kept as C1 controls.
    garbled = "".join(_cp1252_char(byte) for byte in sentence.encode("utf-8"))
    assert garbled != sentence
    assert detect(garbled) is Encoding.MOJIBAKE
    assert repair(garbled) == sentence


@pytest.mark.parametrize(
    "text",
    [
        *SENTENCES,
        "Chủ tịch UBND xã Tân Phú",
        "Hoà Bình, Thuỵ Khuê, Quý, Thuý",
        "Café au lait, naïve, Müller",
        "Kế hoạch số 215/KH-UBND",
    ],
)
def test_unicode_and_foreign_text_is_left_alone(text: str) -> None:
    assert detect(text) is Encoding.UNICODE
    assert repair(text) == unicodedata.normalize("NFC", text)


def test_to_unicode_of_unicode_only_normalises() -> None:
    assert to_unicode(unicodedata.normalize("NFD", "Ủy ban"), Encoding.UNICODE) == "Ủy ban"


CORPUS = Path("/work/shared/corpus/announcements.md")


def _spoken_corpus() -> list[str]:
    if not CORPUS.exists():
        return [normalize(s + ". ") * 4 for s in SENTENCES]
    blocks = CORPUS.read_text(encoding="utf-8").split("---")[1:]
    return [normalize(block.strip()) for block in blocks if block.strip()]


@pytest.mark.parametrize("limit", [100, 60])
def test_chunks_fit_the_limit_and_keep_every_word_in_order(limit: int) -> None:
    for text in _spoken_corpus():
        chunks = split_for_speech(text, limit)
        assert chunks
        assert all(0 < len(chunk) <= limit for chunk in chunks)
        assert " ".join(chunks).split() == text.split()


def test_chunks_end_at_sentence_or_clause_marks_when_they_can() -> None:
    text = (
        "Tin cảnh báo mưa lớn. Theo Đài khí tượng thủy văn tỉnh, từ đêm mười tám tháng mười đến ngày hai mươi "
        "tháng mười, khu vực các xã vùng núi có mưa to đến rất to. Bà con chủ động phòng tránh."
    )
    chunks = split_for_speech(text)
    assert all(chunk[-1] in ".,;:!?" for chunk in chunks), chunks
    assert chunks[0] == "Tin cảnh báo mưa lớn. Theo Đài khí tượng thủy văn tỉnh,"


def test_short_text_is_one_chunk_and_blank_text_none() -> None:
    assert split_for_speech("Xin chào bà con.") == ["Xin chào bà con."]
    assert split_for_speech("   \n ") == []


def test_a_word_longer_than_the_limit_is_cut() -> None:
    chunks = split_for_speech("a" * 250)
    assert [len(c) for c in chunks] == [100, 100, 50]
