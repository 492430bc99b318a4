"""A station's own lexicon file (``lexicon.toml``), listed entry by entry and edited without losing anything.

The TUI's "Từ điển đọc" screen lists the station's entries and adds or changes one at a time. The file is the
station's: it may carry the user's comments, blank lines and entries in any order, and all of that is kept
(``tomlkit`` rewrites only what changed). Every change is checked by reading the new text exactly as the
normaliser loads it (:meth:`Lexicon.with_toml`), so a change the normaliser would refuse is refused before
anything is written, with the same Vietnamese message (file, line, field).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table

from truyenthanh.domain.vietnamese.lexicon import Lexicon, entry_line
from truyenthanh.errors import ConfigError

NEW_FILE_HEADER = """\
# Từ điển đọc của đài: cách đọc riêng cho chữ viết tắt, địa danh, tên riêng.
# [abbreviations]: khớp đúng chữ hoa/thường, cả từ.       Ví dụ: "TDP" = "tổ dân phố"
# [words]: không phân biệt chữ hoa/thường, cả từ.          Ví dụ: "Ea H'leo" = "Ê a Hơ-lê-ô"
# [[context]]: đọc theo từ đứng ngay sau (followed_by) hoặc ngay trước (preceded_by);
#   "<số>" là một con số, "<tên người>" là một tên người, "<địa danh>" là một từ viết hoa.
"""
"""What a lexicon file written for the first time starts with (the format, in Vietnamese)."""


class EntryKind(StrEnum):
    """The three kinds of entries, named after their TOML tables."""

    ABBREVIATION = "abbreviations"
    WORD = "words"
    CONTEXT = "context"

    @property
    def label(self) -> str:
        """The kind, in Vietnamese."""
        return {
            EntryKind.ABBREVIATION: "Viết tắt",
            EntryKind.WORD: "Từ, địa danh",
            EntryKind.CONTEXT: "Theo ngữ cảnh",
        }[self]


@dataclass(frozen=True)
class LexiconEntry:
    """One of the station's own entries.

    Attributes:
        kind: abbreviation (matched case-sensitively), word (case-insensitively) or context form.
        written: the written form (``TDP``, ``Ea H'leo``, ``BCĐ``).
        reading: how it is read.
        followed_by: for a context form, the words that may follow it (``<số>``: a number).
        preceded_by: for a context form, the words that may precede it.
        reason: for a context form, why it reads so (shown by ``--explain``); may be empty.
        line: the line of the file it is on (``None``: not written yet).
    """

    kind: EntryKind
    written: str
    reading: str
    followed_by: tuple[str, ...] = ()
    preceded_by: tuple[str, ...] = ()
    reason: str = ""
    line: int | None = None

    @property
    def context_text(self) -> str:
        """The neighbours, in Vietnamese (``trước «389»``, ``sau «Đài»``); empty for other kinds."""
        parts = []
        if self.followed_by:
            parts.append("đứng trước " + ", ".join(f"«{w}»" for w in self.followed_by))
        if self.preceded_by:
            parts.append("đứng sau " + ", ".join(f"«{w}»" for w in self.preceded_by))
        return "; ".join(parts)

    def same_place(self, other: LexiconEntry) -> bool:
        """Whether ``other`` is this entry (same kind and written form; for context forms, same neighbours)."""
        return (self.kind, self.written, self.followed_by, self.preceded_by) == (
            other.kind,
            other.written,
            other.followed_by,
            other.preceded_by,
        )


def _parse(text: str, source: str) -> tomlkit.TOMLDocument:
    """The document, after checking it loads as the normaliser reads it.

    Raises:
        ConfigError: the text would not load (file, line, field).
    """
    Lexicon.builtin().with_toml(text, source=source)
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:  # tomllib accepted it: only a tomlkit limitation can land here
        raise ConfigError(f"Tệp từ điển {source}: không đọc được để sửa ({exc}).") from exc


def station_entries(text: str, *, source: str) -> list[LexiconEntry]:
    """The station's own entries in ``text``, abbreviations, then words, then context forms, each with its line.

    Raises:
        ConfigError: the file would not load (the normaliser's message: file, line, field).
    """
    document = _parse(text, source).unwrap()
    found: list[LexiconEntry] = []
    for kind in (EntryKind.ABBREVIATION, EntryKind.WORD):
        for written, reading in document.get(kind.value, {}).items():
            line = entry_line(text, kind.value, written)
            found.append(LexiconEntry(kind, _nfc(written), _nfc(reading), line=line))
    for index, raw in enumerate(document.get(EntryKind.CONTEXT.value, [])):
        found.append(
            LexiconEntry(
                EntryKind.CONTEXT,
                _nfc(raw["written"]),
                _nfc(raw["reading"]),
                followed_by=_words(raw.get("followed_by", [])),
                preceded_by=_words(raw.get("preceded_by", [])),
                reason=raw.get("reason", ""),
                line=entry_line(text, EntryKind.CONTEXT.value, index),
            )
        )
    return found


def with_entry(text: str, entry: LexiconEntry, *, replacing: LexiconEntry | None = None, source: str) -> str:
    """The file's text with ``entry`` added, or put in the place of ``replacing`` (which may be of another kind).

    Everything else in the file (comments, blank lines, the other entries and their order) is kept. An empty
    ``text`` starts a new file with :data:`NEW_FILE_HEADER`.

    Raises:
        ConfigError: the file or the result would not load (the normaliser's message: file, line, field).
    """
    document = _parse(text, source) if text.strip() else tomlkit.parse(NEW_FILE_HEADER)
    kept_index: int | None = None
    if replacing is not None:
        kept_index = _remove(document, replacing)
        if replacing.kind is not entry.kind:
            kept_index = None
    if entry.kind is EntryKind.CONTEXT:
        _put_context(document, entry, kept_index)
    else:
        _put_pair(document, entry)
    result = tomlkit.dumps(document)
    Lexicon.builtin().with_toml(result, source=source)
    return result


def _remove(document: tomlkit.TOMLDocument, entry: LexiconEntry) -> int | None:
    """Take ``entry`` out of the document; returns its index among the context forms (``None``: another kind)."""
    table = document.get(entry.kind.value)
    if entry.kind is not EntryKind.CONTEXT:
        if isinstance(table, Table):
            for key in list(table):
                if _nfc(key) == entry.written:
                    del table[key]
        return None
    if not isinstance(table, AoT):
        return None
    for index, raw in enumerate(table):
        found = LexiconEntry(
            EntryKind.CONTEXT,
            _nfc(str(raw.get("written", ""))),
            "",
            followed_by=_words(raw.get("followed_by", [])),
            preceded_by=_words(raw.get("preceded_by", [])),
        )
        if found.same_place(entry):
            del table[index]
            return index
    return None


def _put_pair(document: tomlkit.TOMLDocument, entry: LexiconEntry) -> None:
    """Set ``written = reading`` in ``[abbreviations]`` or ``[words]``, right after the table's last entry (so a
    comment written above the next table stays above it)."""
    table = document.get(entry.kind.value)
    if not isinstance(table, Table):
        table = tomlkit.table()
        document.add(tomlkit.nl())
        document.add(entry.kind.value, table)
    for key in list(table):
        if _nfc(key) == entry.written:
            table[key] = entry.reading
            return
    body = table.value.body
    keyed = [index for index, (key, _item) in enumerate(body) if key is not None]
    if keyed and keyed[-1] + 1 < len(body):
        # tomlkit appends after the table's trailing comments, which belong to what follows: insert before them.
        table.value._insert_at(keyed[-1] + 1, entry.written, entry.reading)
    else:
        table[entry.written] = entry.reading


def _put_context(document: tomlkit.TOMLDocument, entry: LexiconEntry, index: int | None) -> None:
    """Add a ``[[context]]`` entry at the end, or at ``index`` (the place of the one it replaces)."""
    fields = tomlkit.table()
    fields["written"] = entry.written
    if entry.followed_by:
        fields["followed_by"] = list(entry.followed_by)
    if entry.preceded_by:
        fields["preceded_by"] = list(entry.preceded_by)
    fields["reading"] = entry.reading
    if entry.reason:
        fields["reason"] = entry.reason
    forms = document.get(EntryKind.CONTEXT.value)
    if not isinstance(forms, AoT):
        document.add(tomlkit.nl())
        document.add(EntryKind.CONTEXT.value, tomlkit.aot())
        forms = document[EntryKind.CONTEXT.value]
        assert isinstance(forms, AoT)
    if index is None or index >= len(forms):
        forms.append(fields)
    else:
        forms.insert(index, fields)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _words(raw: Any) -> tuple[str, ...]:
    """A ``followed_by``/``preceded_by`` value (one string or a list) as a tuple of NFC words."""
    values = [raw] if isinstance(raw, str) else list(raw)
    return tuple(_nfc(str(v)) for v in values)


__all__ = ["NEW_FILE_HEADER", "EntryKind", "LexiconEntry", "station_entries", "with_entry"]
