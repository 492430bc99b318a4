"""Fonts the documents and the chart use, found on the machine, and text measured with them (Pillow).

Documents name Times New Roman; where it is not installed, LibreOffice and Word's metric-compatible stand-in is
Liberation Serif, which has the same advances: measuring with it tells how wide Word's text will be.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

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
def _font(bold: bool) -> ImageFont.FreeTypeFont | None:
    path = font_file(SERIF[bold])
    return ImageFont.truetype(str(path), _MEASURE_PX) if path is not None else None


@cache
def text_width_pt(text: str, size_pt: float, bold: bool = False) -> float:
    """Width of ``text`` in Times New Roman (or its stand-in) at ``size_pt``, in points.

    Without any serif font on the machine, an average Times advance of 0.5 em per character is assumed.
    """
    font = _font(bold)
    if font is None:
        return len(text) * size_pt * (0.55 if bold else 0.5)
    return font.getlength(text) * size_pt / _MEASURE_PX


def sans(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A sans-serif TrueType font for the chart (Pillow's built-in scalable font if none is installed)."""
    path = font_file(tuple(SANS[bold]))
    if path is None:
        return ImageFont.load_default(size_px)
    return ImageFont.truetype(str(path), size_px)


__all__ = ["font_file", "sans", "text_width_pt"]
