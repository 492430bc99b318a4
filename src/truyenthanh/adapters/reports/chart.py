"""The monthly chart as a PNG, drawn with Pillow and a real TrueType font (Liberation Sans, else DejaVu Sans).

A stacked bar per month, one colour per category in :data:`PALETTE` order (the XLSX native chart uses the same
colours), axis titles, hours on the vertical axis, and a legend beneath. Drawn for a width of 16 cm at
:data:`PX_PER_CM`: tick labels are 3 mm tall, and a category too small to see is drawn
:data:`MIN_SEGMENT_PX` tall (the note under the legend says so).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

from truyenthanh.adapters.reports.fonts import sans
from truyenthanh.domain.reports import MonthlyChart, vn_number

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
"""Fill colour of each series, in order; the legend and the XLSX chart use the same colours."""

PX_PER_CM = 100
"""Resolution the chart is drawn at (254 dpi): 16 cm is 1,600 pixels."""
MIN_SEGMENT_PX = 6
"""Least height of a non-zero part of a bar (0.6 mm), so that a small series stays visible."""

_INK: Colour = (30, 30, 30)
_GRID: Colour = (210, 210, 210)


_LEGEND_PX = 28
"""Height of the legend's text (2.8 mm on the 16 cm chart)."""


def hex_colour(colour: Colour) -> str:
    """``RRGGBB`` (for the XLSX chart's series fills)."""
    return "".join(f"{part:02X}" for part in colour)


def _nice_step(top: float) -> float:
    if top <= 0:
        return 1.0
    rough = top / 5
    magnitude = 10 ** math.floor(math.log10(rough))
    return float(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough))


def month_numbers(labels: Sequence[str]) -> list[str]:
    """ "T11/2026" -> "T11": what fits under a bar."""
    return [label.split("/")[0] for label in labels]


def _legend_columns(chart: MonthlyChart, width: int) -> int:
    """Two legend columns when every category name fits in half the width, else one (DejaVu Sans, used where
    Liberation Sans lacks Vietnamese letters, is wider: «Thông tin chính trị, … xã hội địa phương» does not)."""
    font = sans(_LEGEND_PX)
    room = (width - 60) // 2 - 52 - 16  # half the width, less the swatch and a gap before the next column
    return 2 if all(font.getlength(name) <= room for name, _values in chart.series) else 1


def _legend_height(chart: MonthlyChart, width: int, columns: int) -> int:
    return (math.ceil(len(chart.series) / columns) + 1) * 44 + 20 if width else 0


def render_png(chart: MonthlyChart, *, width: int = 16 * PX_PER_CM, plot_height: int = 800) -> bytes:
    """The chart as PNG bytes: one stacked bar per month, the vertical axis in hours, the legend beneath."""
    columns = _legend_columns(chart, width)
    legend_h = _legend_height(chart, width, columns)
    left, right, top, bottom = 150, 30, 70, 110
    height = top + plot_height + bottom + legend_h
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    tick, title = sans(32), sans(34, bold=True)
    plot_w = width - left - right
    months = len(chart.months)
    totals = [sum(values[i] for _, values in chart.series) for i in range(months)]
    step = _nice_step(max(totals, default=0.0))
    ceiling = step * max(1, math.ceil(max(totals, default=0.0) / step))
    base_y = top + plot_height
    for index in range(round(ceiling / step) + 1):
        value = index * step
        y = base_y - round(plot_height * value / ceiling)
        draw.line([(left, y), (left + plot_w, y)], fill=_GRID, width=2)
        label = vn_number(value, 0 if value == int(value) else 1)
        draw.text((left - 14, y), label, font=tick, fill=_INK, anchor="rm")
    draw.text((20, top - 40), "Số giờ", font=title, fill=_INK, anchor="lm")
    slot = plot_w / max(months, 1)
    bar = max(8, int(slot * 0.6))
    for index, label in enumerate(month_numbers(chart.months)):
        x0 = left + int(slot * index + (slot - bar) / 2)
        y = base_y
        for series_index, (_, values) in enumerate(chart.series):
            if values[index] <= 0:
                continue
            h = max(MIN_SEGMENT_PX, round(plot_height * values[index] / ceiling))
            draw.rectangle([(x0, y - h), (x0 + bar, y)], fill=PALETTE[series_index % len(PALETTE)])
            y -= h
        draw.text((x0 + bar / 2, base_y + 14), label, font=tick, fill=_INK, anchor="mt")
    draw.line([(left, top), (left, base_y)], fill=_INK, width=3)
    draw.line([(left, base_y), (left + plot_w, base_y)], fill=_INK, width=3)
    draw.text((left + plot_w / 2, base_y + 62), "Tháng", font=title, fill=_INK, anchor="mt")
    _legend(draw, chart, top + plot_height + bottom, width, columns)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True, dpi=(PX_PER_CM * 2.54, PX_PER_CM * 2.54))
    return buffer.getvalue()


def _legend(draw: ImageDraw.ImageDraw, chart: MonthlyChart, y0: int, width: int, columns: int) -> None:
    font = sans(_LEGEND_PX)
    column_w = (width - 60) // columns
    for index, (name, _values) in enumerate(chart.series):
        x = 30 + (index % columns) * column_w
        y = y0 + 10 + (index // columns) * 44
        draw.rectangle([(x, y + 4), (x + 40, y + 30)], fill=PALETTE[index % len(PALETTE)])
        draw.text((x + 52, y + 17), name, font=font, fill=_INK, anchor="lm")
    rows = math.ceil(len(chart.series) / columns)
    note = f"Phần khác 0 nhưng quá nhỏ được vẽ cao tối thiểu {MIN_SEGMENT_PX / PX_PER_CM * 10:.1f} mm để nhìn thấy."
    draw.text((30, y0 + 10 + rows * 44 + 8), note.replace(".", ",", 1), font=sans(24), fill=_INK)
