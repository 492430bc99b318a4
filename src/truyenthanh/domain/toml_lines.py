"""Where each key of a TOML document sits: line numbers for error messages.

``tomllib`` gives values without positions. :func:`locate` scans the text of a document that ``tomllib``
has already accepted and maps each key path to the line that defines it: table headers (``[package]``),
arrays of tables (``[[programme.item]]``, counted per parent) and ``key = value`` lines. Keys inside inline
tables and values spanning lines are attributed to the line of the key that holds them.

Paths are tuples of keys and array indexes: ``("programme", 0, "item", 2, "audio")``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Path = tuple[str | int, ...]
"""A key path: table keys and array-of-table indexes."""

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\\n]|\\.)*"'
_LITERAL = r"'[^'\n]*'"
_KEY_PART = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_DOTTED = rf"{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*"
_HEADER = re.compile(rf"(\[\[?)[ \t]*({_DOTTED})[ \t]*\]\]?")
_KEY = re.compile(rf"({_DOTTED})[ \t]*=")
_PART = re.compile(_KEY_PART)


def _split_key(dotted: str) -> list[str]:
    parts = []
    for match in _PART.finditer(dotted):
        raw = match.group(0)
        if raw.startswith('"'):
            # Basic strings may hold escapes; the common ones are enough to name a key in a message.
            raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        elif raw.startswith("'"):
            raw = raw[1:-1]
        parts.append(raw)
    return parts


class _Scanner:
    """Walks a value to its end, across lines when strings or brackets stay open."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def skip_value(self) -> None:
        """Advance past one value and the rest of its logical line (comments included)."""
        depth = 0
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if text.startswith('"""', self.pos) or text.startswith("'''", self.pos):
                self._multiline(text[self.pos : self.pos + 3])
                continue
            if char in "\"'":
                self._single(char)
                continue
            if char == "#":
                while self.pos < len(text) and text[self.pos] != "\n":
                    self.pos += 1
                continue
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth = max(0, depth - 1)
            elif char == "\n":
                self.line += 1
                self.pos += 1
                if depth == 0:
                    return
                continue
            self.pos += 1

    def _single(self, quote: str) -> None:
        self.pos += 1
        while self.pos < len(self.text) and self.text[self.pos] not in (quote, "\n"):
            self.pos += 2 if quote == '"' and self.text[self.pos] == "\\" else 1
        self.pos += 1

    def _multiline(self, fence: str) -> None:
        self.pos += 3
        while self.pos < len(self.text):
            if self.text[self.pos] == "\n":
                self.line += 1
            elif fence == '"""' and self.text[self.pos] == "\\":
                self.pos += 2 if self.pos + 1 < len(self.text) and self.text[self.pos + 1] != "\n" else 1
                continue
            elif self.text.startswith(fence, self.pos):
                self.pos += 3
                # A closing fence may be followed by up to two more quotes that belong to the string.
                while self.pos < len(self.text) and self.text[self.pos] == fence[0]:
                    self.pos += 1
                return
            self.pos += 1


def locate(text: str) -> dict[Path, int]:
    """Map every key path defined in ``text`` to its 1-based line number.

    ``text`` should be valid TOML (checked by ``tomllib`` first); on anything else the result is a best effort
    and never raises.
    """
    found: dict[Path, int] = {}
    counts: dict[Path, int] = {}
    table: Path = ()
    scan = _Scanner(text)
    while scan.pos < len(text):
        # Skip blank space at the start of a statement.
        while scan.pos < len(text) and text[scan.pos] in " \t\r\n":
            if text[scan.pos] == "\n":
                scan.line += 1
            scan.pos += 1
        if scan.pos >= len(text):
            break
        char = text[scan.pos]
        if char == "#":
            scan.skip_value()
            continue
        if char == "[":
            header = _HEADER.match(text, scan.pos)
            if header is None:
                scan.skip_value()
                continue
            keys = _split_key(header.group(2))
            resolved = _resolve(keys, counts)
            if header.group(1) == "[[":
                index = counts.get(resolved, 0)
                counts[resolved] = index + 1
                table = (*resolved, index)
            else:
                table = resolved
            found.setdefault(table, scan.line)
            found.setdefault(resolved, scan.line)
            scan.pos = header.end()
            scan.skip_value()
            continue
        key = _KEY.match(text, scan.pos)
        if key is None:
            scan.skip_value()
            continue
        found.setdefault((*table, *_split_key(key.group(1))), scan.line)
        scan.pos = key.end()
        scan.skip_value()
    return found


def _resolve(keys: Sequence[str], counts: dict[Path, int]) -> Path:
    """A header's keys as a path, entering the latest element of every array of tables on the way."""
    path: Path = ()
    for position, key in enumerate(keys):
        path = (*path, key)
        if position < len(keys) - 1 and path in counts:
            path = (*path, counts[path] - 1)
    return path


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, else of its nearest ancestor that has one."""
    for end in range(len(path), 0, -1):
        found = lines.get(path[:end])
        if found is not None:
            return found
    return None


def dotted(path: Path) -> str:
    """A path as people read it: ``programme[1].item[3].audio`` (indexes from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else part
    return out
