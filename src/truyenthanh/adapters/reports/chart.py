"""A stacked bar chart as a PNG, drawn with the standard library (zlib) only: no matplotlib or Pillow.

Bars are months, stacks are categories in :data:`PALETTE` order; the axis shows month numbers and hours
with a small built-in digit font. The category names go in the legend the document prints beside it.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence

from truyenthanh.domain.reports import MonthlyChart

Colour = tuple[int, int, int]

PALETTE: tuple[Colour, ...] = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (0, 70, 120),
    (120, 60, 0),
)
"""Fill colour of each series, in order; the legend uses the same colours."""

# 3x5 glyphs, one string of 15 bits per character, row by row.
_GLYPHS = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001010010010",
    "8": "111101111101111",
    "9": "111101111001111",
    "T": "111010010010010",
    "h": "100100111101101",
    ".": "000000000000010",
}
_WHITE: Colour = (255, 255, 255)
_INK: Colour = (40, 40, 40)
_GRID: Colour = (215, 215, 215)


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(_WHITE * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour: Colour) -> None:
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height, max(y0, y1))
        row = bytes(colour) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start : start + len(row)] = row

    def text(self, x: int, y: int, text: str, scale: int, colour: Colour = _INK) -> None:
        for char in text:
            glyph = _GLYPHS.get(char)
            if glyph:
                for index, bit in enumerate(glyph):
                    if bit == "1":
                        gx, gy = x + (index % 3) * scale, y + (index // 3) * scale
                        self.rect(gx, gy, gx + scale, gy + scale, colour)
            x += 4 * scale

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * self.width * 3 : (y + 1) * self.width * 3]) for y in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
        )


def _nice_step(top: float) -> float:
    if top <= 0:
        return 1.0
    rough = top / 5
    magnitude = 10 ** math.floor(math.log10(rough))
    return float(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough))


def month_numbers(labels: Sequence[str]) -> list[str]:
    """ "T11/2026" -> "T11": what fits under a bar."""
    return [label.split("/")[0] for label in labels]


def render_png(chart: MonthlyChart, *, width: int = 1200, height: int = 600) -> bytes:
    """The chart as PNG bytes: one stacked bar per month, y axis in hours."""
    canvas = _Canvas(width, height)
    scale = 3
    left, right, top, bottom = 90, 30, 30, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    months = len(chart.months)
    totals = [sum(values[i] for _, values in chart.series) for i in range(months)]
    step = _nice_step(max(totals, default=0.0))
    ceiling = step * max(1, math.ceil(max(totals, default=0.0) / step))
    for tick in range(round(ceiling / step) + 1):
        value = tick * step
        y = top + plot_h - round(plot_h * value / ceiling)
        canvas.rect(left, y, left + plot_w, y + 1, _GRID)
        label = f"{value:g}"
        canvas.text(left - 12 - len(label) * 4 * scale, y - 2 * scale, label, scale)
    canvas.text(10, top - 4, "h", scale)
    slot = plot_w / max(months, 1)
    bar = max(4, int(slot * 0.6))
    for index, label in enumerate(month_numbers(chart.months)):
        x0 = left + int(slot * index + (slot - bar) / 2)
        base = top + plot_h
        for series_index, (_, values) in enumerate(chart.series):
            h = round(plot_h * values[index] / ceiling)
            canvas.rect(x0, base - h, x0 + bar, base, PALETTE[series_index % len(PALETTE)])
            base -= h
        canvas.text(x0 + (bar - len(label) * 4 * scale) // 2, top + plot_h + 14, label, scale)
    canvas.rect(left, top, left + 2, top + plot_h, _INK)
    canvas.rect(left, top + plot_h, left + plot_w, top + plot_h + 2, _INK)
    return canvas.png()
