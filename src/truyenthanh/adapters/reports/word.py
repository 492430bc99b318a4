"""Reports as DOCX (python-docx), in the Vietnamese administrative layout (Nghị định 30/2020/NĐ-CP):
issuing body and Quốc hiệu/tiêu ngữ side by side, place and date, title, body, recipients and signature.

The monthly chart is a PNG drawn by :mod:`.chart` (no plotting library) with a colour legend table.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from truyenthanh.adapters.reports.chart import PALETTE, render_png
from truyenthanh.domain.reports import MOTTO, NATIONAL_TITLE, Report, Table, show

FONT = "Times New Roman"
RULE = "─" * 12
"""The short line drawn under the issuing body and under the motto."""


def _paragraph(
    container: _Cell | DocxDocument,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 13,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    after: float = 0,
) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _no_borders(table: DocxTable) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _set_cell(
    cell: _Cell, text: str, *, bold: bool = False, size: float = 11, right: bool = False, width: float | None = None
) -> None:
    """Fill a new (empty) cell; setting only what differs from the defaults keeps big tables fast."""
    paragraph = cell.paragraphs[0]
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    if bold:
        run.bold = True
    if width is not None:
        cell.width = Cm(width)


def _widths(table: DocxTable, widths: list[float], *, cells: bool = True) -> None:
    """Fix column widths in cm: the grid's (LibreOffice reads it) and, unless the caller sets them while
    filling, every cell's (Word reads those)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    if cells:
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)


def _usable_cm(report: Report) -> float:
    return 29.7 - 2 - 1.5 if report.landscape else 21 - 3 - 1.5


def _column_widths(table: Table, usable: float, size: float) -> list[float]:
    """Column widths in cm: every column gets the room for its longest value up to 14 characters (and for
    its longest header word); long text columns share what is left in proportion to their longer content."""
    per_char = size * 0.55 * 0.0353  # average glyph width of Times New Roman, in cm
    padding = 0.35
    rows = [*table.rows[:300], *([table.total] if table.total else [])]
    base: list[float] = []
    extra: list[int] = []
    for index, (name, kind) in enumerate(zip(table.columns, table.kinds, strict=True)):
        word = max(len(w) for w in name.split())
        longest = max([len(show(r[index], kind)) for r in rows if r[index] != ""] or [0])
        base.append(max(word, min(longest, 14)) * per_char + padding)
        extra.append(max(0, min(longest, 48) - 14) if kind == "text" else 0)
    room, shared = usable - sum(base), float(sum(extra))
    if room > 0 and shared > 0:
        return [b + room * e / shared for b, e in zip(base, extra, strict=True)]
    scale = min(1.0, usable / sum(base))
    return [b * scale for b in base]


def _heading(document: DocxDocument, report: Report) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    usable = _usable_cm(report)
    _widths(table, [usable * 0.4, usable * 0.6])
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    right.paragraphs[0].text = ""
    left._tc.remove(left.paragraphs[0]._p)
    right._tc.remove(right.paragraphs[0]._p)
    _paragraph(left, report.heading.authority.upper(), size=12)
    _paragraph(left, report.heading.station.upper(), bold=True, size=12)
    _paragraph(left, RULE, size=8)
    _paragraph(right, NATIONAL_TITLE, bold=True, size=12)
    _paragraph(right, MOTTO, bold=True, size=13)
    _paragraph(right, RULE, size=8)
    _paragraph(document, report.dateline, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, after=12)


def _table(document: DocxDocument, table: Table, size: float, usable: float) -> None:
    _paragraph(document, table.title, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=4, size=13)
    rows = [*table.rows, table.total] if table.total is not None else list(table.rows)
    grid = document.add_table(rows=1 + len(rows), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = _column_widths(table, usable, size)
    _widths(grid, widths, cells=False)
    for cell, name, width in zip(grid.rows[0].cells, table.columns, widths, strict=True):
        _set_cell(cell, name, bold=True, size=size, width=width)
    for index, (row, values) in enumerate(zip(grid.rows[1:], rows, strict=True), start=1):
        bold = table.total is not None and index == len(rows)
        for cell, value, kind, width in zip(row.cells, values, table.kinds, widths, strict=True):
            text = show(value, kind) if value != "" else ""
            _set_cell(cell, text, bold=bold, size=size, right=kind != "text", width=width)
    _paragraph(document, "", after=6)


def _chart(document: DocxDocument, report: Report) -> None:
    chart = report.chart
    if chart is None or not chart.series:
        return
    _paragraph(document, chart.title, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=4)
    document.add_picture(io.BytesIO(render_png(chart)), width=Cm(16))
    for index, (name, _values) in enumerate(chart.series):
        paragraph = _paragraph(document, "", align=WD_ALIGN_PARAGRAPH.LEFT, size=11)
        swatch = paragraph.add_run("■■ ")
        swatch.font.size = Pt(13)
        swatch.font.color.rgb = RGBColor(*PALETTE[index % len(PALETTE)])
        paragraph.add_run(name).font.size = Pt(11)
    _paragraph(document, "Trục ngang: tháng (T1 là tháng 1); trục đứng: số giờ phát.", italic=True, size=11, after=6)


def _signatures(document: DocxDocument, report: Report) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    usable = _usable_cm(report)
    _widths(table, [usable / 2, usable / 2])
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell._tc.remove(cell.paragraphs[0]._p)
    if report.period.kind == "week":
        _paragraph(left, report.signers[0], bold=True, size=13)
        _paragraph(left, "(Ký, ghi rõ họ tên)", italic=True, size=12)
    else:
        _paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
        for line in ("- UBND xã (để báo cáo);", "- Cơ quan quản lý cấp trên;", "- Lưu: VT."):
            _paragraph(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(right, report.signers[1], bold=True, size=13)
    _paragraph(right, "(Ký, ghi rõ họ tên)", italic=True, size=12)


def write_docx(report: Report, path: Path) -> Path:
    """Write ``report`` as a printable A4 DOCX at ``path`` (written whole, then moved into place)."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if report.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3 if not report.landscape else 2), Cm(1.5)
    _heading(document, report)
    _paragraph(document, report.title, bold=True, size=14)
    _paragraph(document, report.subtitle, bold=True, size=13)
    _paragraph(document, f"({report.period.span.capitalize()})", italic=True, after=12)
    size = 9 if report.landscape else 11
    for table in report.tables:
        _table(document, table, size, _usable_cm(report))
        if table.key == "theo_thang":
            _chart(document, report)
    for note in report.notes:
        _paragraph(document, note, italic=True, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(document, "", after=6)
    _signatures(document, report)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    document.save(str(partial))
    partial.replace(path)
    return path
