"""Fonts the documents and the chart use, found on the machine, and text measured with them (Pillow).

Documents name Times New Roman; where it is not installed, LibreOffice and Word's metric-compatible stand-in is
Liberation Serif, which has the same advances: measuring with it tells how wide Word's text will be. A letter the
font lacks (Liberation Serif 1.x has no Vietnamese letters with two marks, such as «ễ», «ầ», «ờ») is drawn by
LibreOffice with the next serif font that has it (DejaVu Serif, much wider), so it is measured with that one too:
a width measured with the first font's empty box would be too small, and the word would break inside its cell.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

FONT_FOLDERS = (
    Path("/usr/share/fonts/truetype/msttcorefonts"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("C:/Windows/Fonts"),
)
"""Where TrueType fonts are looked for (Debian's packages, then Windows)."""

SERIF = {
    False: ("Times_New_Roman.ttf", "times.ttf", "LiberationSerif-Regular.ttf", "DejaVuSerif.ttf"),
    True: ("Times_New_Roman_Bold.ttf", "timesbd.ttf", "LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf"),
}
SANS = {
    False: ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "arial.ttf"),
    True: ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf", "arialbd.ttf"),
}
_MEASURE_PX = 100
"""Measuring size in pixels: advances are read at this size and scaled (Pillow rounds per glyph)."""


@cache
def font_file(names: tuple[str, ...]) -> Path | None:
    """The first of ``names`` found in :data:`FONT_FOLDERS`."""
    for name in names:
        for folder in FONT_FOLDERS:
            if (folder / name).is_file():
                return folder / name
    return None


@cache
def _faces(bold: bool) -> tuple[tuple[ImageFont.FreeTypeFont, frozenset[int]], ...]:
    """Every serif font of :data:`SERIF` found, in order, with the code points it has a glyph for."""
    faces = []
    for name in SERIF[bold]:
        path = font_file((name,))
        if path is not None:
            faces.append((ImageFont.truetype(str(path), _MEASURE_PX), _covered(path)))
    return tuple(faces)


def _runs(text: str, faces: tuple[tuple[ImageFont.FreeTypeFont, frozenset[int]], ...]) -> list[tuple[int, str]]:
    """``text`` cut into runs drawn by one font each: the first of ``faces`` that has the letter (the first font
    when none has it), as LibreOffice falls back letter by letter."""
    runs: list[tuple[int, str]] = []
    for char in text:
        index = next((i for i, (_, covered) in enumerate(faces) if ord(char) in covered), 0)
        if runs and runs[-1][0] == index:
            runs[-1] = (index, runs[-1][1] + char)
        else:
            runs.append((index, char))
    return runs


@cache
def text_width_pt(text: str, size_pt: float, bold: bool = False) -> float:
    """Width of ``text`` in Times New Roman (or its stand-in) at ``size_pt``, in points; letters the font lacks
    are measured in the serif font that would draw them.

    Without any serif font on the machine, an average Times advance of 0.5 em per character is assumed.
    """
    faces = _faces(bold)
    if not faces:
        return len(text) * size_pt * (0.55 if bold else 0.5)
    advance = sum(faces[index][0].getlength(run) for index, run in _runs(text, faces))
    return advance * size_pt / _MEASURE_PX


VIETNAMESE = frozenset(map(ord, "ăâđêôơưĂÂĐÊÔƠƯ")) | frozenset(range(0x1EA0, 0x1EFA))
"""Letters a Vietnamese text needs beyond Latin-1: the letters with a breve, circumflex or horn, đ, and every
letter with two marks (Latin Extended Additional, «ạ» to «ỹ»)."""


@cache
def _covered(path: Path) -> frozenset[int]:
    """The code points ``path`` has a glyph for."""
    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def sans(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A sans-serif TrueType font for the chart: the first of :data:`SANS` that has every Vietnamese letter
    (Pillow draws a missing letter as an empty box and has no fallback; Liberation Sans 1.x lacks «ủ», «ờ»…),
    else the first found, else Pillow's built-in scalable font."""
    found = [path for name in SANS[bold] if (path := font_file((name,))) is not None]
    if not found:
        return ImageFont.load_default(size_px)
    path = next((path for path in found if _covered(path) >= VIETNAMESE), found[0])
    return ImageFont.truetype(str(path), size_px)


__all__ = ["VIETNAMESE", "font_file", "sans", "text_width_pt"]
