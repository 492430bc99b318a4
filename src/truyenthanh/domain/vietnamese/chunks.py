"""Cutting spoken text into pieces an online engine accepts, at the places a reader would pause."""

from __future__ import annotations

import re

MAX_CHUNK = 100
"""gTTS (Google Translate) takes at most 100 characters per request."""

# Strongest pause first: end of sentence or line, then clause marks, then any space.
_LEVELS = (
    re.compile(r"(?<=[.!?…;:])\s+|\n+"),
    re.compile(r"(?<=[,)])\s+|\s+(?=[-–—(])"),
    re.compile(r"\s+"),
)


def _pieces(text: str, limit: int, level: int = 0) -> list[str]:
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        # One "word" longer than the limit (a URL, a long code): cut it where it must be cut.
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    out: list[str] = []
    for part in _LEVELS[level].split(text):
        out += _pieces(part, limit, level + 1)
    return out


def split_for_speech(text: str, limit: int = MAX_CHUNK) -> list[str]:
    """Cut ``text`` into chunks of at most ``limit`` characters, preferring sentence ends, then commas,
    then spaces, and packing neighbouring pieces together so there are as few joins as possible.

    Returns:
        The chunks in order; none is empty. Empty or blank text gives an empty list.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    for piece in _pieces(text, limit):
        if chunks and len(chunks[-1]) + 1 + len(piece) <= limit:
            chunks[-1] = f"{chunks[-1]} {piece}"
        else:
            chunks.append(piece)
    return chunks


__all__ = ["MAX_CHUNK", "split_for_speech"]
