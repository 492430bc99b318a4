"""A station's lexicon file listed entry by entry and edited in place: comments and other entries are kept, a
change the normaliser would refuse is refused with the file, line and field."""

from __future__ import annotations

import pytest

from truyenthanh.domain.vietnamese import Lexicon, normalize
from truyenthanh.domain.vietnamese.lexicon_file import (
    NEW_FILE_HEADER,
    EntryKind,
    LexiconEntry,
    station_entries,
    with_entry,
)
from truyenthanh.errors import ConfigError

STATION = """\
# Từ điển của đài xã Tân Lập (ghi chú của người dùng)
[abbreviations]   # viết tắt
"TDP" = "tổ dân phố"  # xóm cũ

# Các từ đọc theo ngữ cảnh
[[context]]
written = "BCĐ"
followed_by = ["389"]
reading = "Ban Chỉ đạo"
"""


def test_entries_are_listed_with_their_lines() -> None:
    entries = station_entries(STATION, source="lexicon.toml")
    assert entries == [
        LexiconEntry(EntryKind.ABBREVIATION, "TDP", "tổ dân phố", line=3),
        LexiconEntry(EntryKind.CONTEXT, "BCĐ", "Ban Chỉ đạo", followed_by=("389",), line=6),
    ]
    assert entries[1].context_text == "đứng trước «389»"


def test_adding_keeps_comments_order_and_places_the_entry_in_its_table() -> None:
    text = with_entry(STATION, LexiconEntry(EntryKind.ABBREVIATION, "HTX", "hợp tác xã dịch vụ"), source="x")
    text = with_entry(text, LexiconEntry(EntryKind.WORD, "Ea H'leo", "Ê a Hơ-lê-ô"), source="x")
    text = with_entry(
        text, LexiconEntry(EntryKind.CONTEXT, "TT", "Truyền thanh", preceded_by=("Đài",), reason="Đài TT"), source="x"
    )
    lines = text.splitlines()
    assert lines[:5] == [
        "# Từ điển của đài xã Tân Lập (ghi chú của người dùng)",
        "[abbreviations]   # viết tắt",
        '"TDP" = "tổ dân phố"  # xóm cũ',
        'HTX = "hợp tác xã dịch vụ"',
        "",
    ]
    assert lines[5:7] == ["# Các từ đọc theo ngữ cảnh", "[[context]]"]  # the comment stays above its table
    lexicon = Lexicon.builtin().with_toml(text)
    assert normalize("HTX ở TDP 3, huyện EA H'LEO; Đài TT xã", lexicon=lexicon) == (
        "hợp tác xã dịch vụ ở tổ dân phố ba, huyện Ê a Hơ-lê-ô; Đài Truyền thanh xã"
    )
    assert [e.kind for e in station_entries(text, source="x")] == [
        EntryKind.ABBREVIATION,
        EntryKind.ABBREVIATION,
        EntryKind.WORD,
        EntryKind.CONTEXT,
        EntryKind.CONTEXT,
    ]


def test_replacing_changes_only_that_entry_even_across_kinds() -> None:
    old_context = station_entries(STATION, source="x")[1]
    text = with_entry(
        STATION,
        LexiconEntry(EntryKind.CONTEXT, "BCĐ", "Ban Chỉ đạo phòng chống", followed_by=("389", "PCTT")),
        replacing=old_context,
        source="x",
    )
    assert 'followed_by = ["389", "PCTT"]' in text and "# Các từ đọc theo ngữ cảnh" in text
    assert text.count("[[context]]") == 1
    old_abbreviation = station_entries(text, source="x")[0]
    text = with_entry(text, LexiconEntry(EntryKind.WORD, "TDP", "tổ dân phố"), replacing=old_abbreviation, source="x")
    entries = station_entries(text, source="x")
    assert [(e.kind, e.written) for e in entries] == [(EntryKind.WORD, "TDP"), (EntryKind.CONTEXT, "BCĐ")]
    assert "# xóm cũ" not in text  # the comment of the line that was removed goes with it; the others stay
    assert "# viết tắt" in text


def test_an_entry_is_added_after_the_last_line_of_a_file() -> None:
    text = with_entry('[words]\n"Krông" = "Krông"   # cuối tệp', LexiconEntry(EntryKind.WORD, "Ea", "Ê a"), source="x")
    assert text == '[words]\n"Krông" = "Krông"   # cuối tệp\nEa = "Ê a"\n'


def test_a_new_file_starts_with_the_format_explained() -> None:
    text = with_entry("", LexiconEntry(EntryKind.ABBREVIATION, "KP", "khu phố"), source="x")
    assert text.startswith(NEW_FILE_HEADER)
    assert station_entries(text, source="x") == [
        LexiconEntry(EntryKind.ABBREVIATION, "KP", "khu phố", line=text.splitlines().index('KP = "khu phố"') + 1)
    ]


@pytest.mark.parametrize(
    ("entry", "fragments"),
    [
        (LexiconEntry(EntryKind.ABBREVIATION, "TDP", " "), ["lexicon.toml, dòng 3", "[abbreviations]", "«TDP»"]),
        (LexiconEntry(EntryKind.CONTEXT, "BCH", ""), ["lexicon.toml, dòng 12", "[[context]] thứ 2", "«reading»"]),
    ],
)
def test_a_change_that_would_not_load_is_refused_with_file_line_and_field(
    entry: LexiconEntry, fragments: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        with_entry(STATION, entry, source="lexicon.toml")
    for fragment in fragments:
        assert fragment in caught.value.message


def test_a_broken_file_is_reported_as_the_normaliser_reports_it() -> None:
    with pytest.raises(ConfigError, match=r"lexicon\.toml, dòng 3"):
        station_entries('[words]\n"A" = "a"\n"B" = 3\n', source="lexicon.toml")
