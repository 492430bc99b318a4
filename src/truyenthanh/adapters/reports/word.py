"""Reports as DOCX (python-docx) in the administrative layout of Decree 30/2020/NĐ-CP, Appendix I.

A4 portrait, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman. The issuing bodies and
the national heading side by side, each with a rule as long as the decree asks (measured with the font's
metrics, see :mod:`.fonts`); "Số: …/BC-…", place and date; document type and title; tables whose header row
repeats on every page, whose rows never split across pages and whose columns are as wide as their longest
word at least (so no word breaks inside a cell); a table too wide for portrait gets a landscape section; the
chart; notes; "Nơi nhận" and the signature block (title, signing space, full name).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from truyenthanh.adapters.reports.chart import render_png
from truyenthanh.adapters.reports.fonts import text_width_pt
from truyenthanh.domain.reports import DEFAULT_RECIPIENTS, MOTTO, NATIONAL_TITLE, Report, Table, show
from truyenthanh.errors import ReportError

FONT = "Times New Roman"
PAGE_W, PAGE_H = 21.0, 29.7
"""A4, in cm."""
MARGINS = (2.0, 2.0, 3.0, 1.5)
"""Top, bottom, left, right in cm (the decree: 20-25, 20-25, 30-35, 15-20 mm)."""
CELL_PADDING_CM = 0.19 * 2 + 0.12
"""Word's default left and right cell margins, and a little room for rounding."""
PT_PER_CM = 72 / 2.54


def _cm(points: float) -> float:
    return points / PT_PER_CM


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
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _rule(cell: _Cell, cell_cm: float, length_cm: float) -> None:
    """A centred horizontal rule of ``length_cm`` in a cell ``cell_cm`` wide (a tiny paragraph's border)."""
    paragraph = _paragraph(cell, size=2)
    indent = max(0.0, (cell_cm - CELL_PADDING_CM + 0.12 - length_cm) / 2)
    paragraph.paragraph_format.left_indent = Cm(indent)
    paragraph.paragraph_format.right_indent = Cm(indent)
    run = paragraph.add_run("")
    run.font.size = Pt(2)
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(name), value)
    borders.append(top)
    properties.append(borders)


def _no_borders(table: DocxTable) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _widths(table: DocxTable, widths: list[float]) -> None:
    """Fix column widths in cm: the grid's (LibreOffice reads it) and every cell's (Word reads those)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _bare_cells(table: DocxTable) -> list[_Cell]:
    cells = list(table.rows[0].cells)
    for cell in cells:
        cell._tc.remove(cell.paragraphs[0]._p)
    return cells


def _usable(section: Section) -> float:
    """Width between the margins, in cm."""
    assert section.page_width is not None and section.left_margin is not None and section.right_margin is not None
    return (section.page_width - section.left_margin - section.right_margin) / 360000


def _page(section: Section, landscape: bool) -> None:
    top, bottom, left, right = MARGINS
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Cm(PAGE_H), Cm(PAGE_W)) if landscape else (Cm(PAGE_W), Cm(PAGE_H))
    section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
    section.left_margin, section.right_margin = Cm(left), Cm(right)


# ---------------------------------------------------------------------------------------------------- heading


def _heading(document: DocxDocument, report: Report, usable: float) -> None:
    """Issuing bodies | national heading, then number | place and date (Decree 30/2020, Appendix I)."""
    national = _cm(text_width_pt(NATIONAL_TITLE, 12, bold=True))
    right_cm = max(national + CELL_PADDING_CM + 0.3, usable * 0.58)
    widths = [usable - right_cm, right_cm]
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = _bare_cells(table)
    _paragraph(left, report.heading.authority.upper(), size=12)
    issuer = report.heading.station.upper()
    _paragraph(left, issuer, bold=True, size=12)
    issuer_cm = min(_cm(text_width_pt(issuer, 12, bold=True)), widths[0] - CELL_PADDING_CM)
    _rule(left, widths[0], max(2.0, issuer_cm / 3))
    _paragraph(left, report.heading.number, size=13)
    _paragraph(right, NATIONAL_TITLE, bold=True, size=12)
    _paragraph(right, MOTTO, bold=True, size=13)
    _rule(right, widths[1], _cm(text_width_pt(MOTTO, 13, bold=True)))
    _paragraph(right, report.dateline, italic=True, size=13)
    _widths(table, widths)
    _paragraph(document, "", size=6)


def _titles(document: DocxDocument, report: Report) -> None:
    _paragraph(document, report.title, bold=True, size=14)
    _paragraph(document, report.subtitle, bold=True, size=14)
    _paragraph(document, f"({report.period.span.capitalize()})", italic=True, size=13, after=10)
    if report.unfinished:
        _paragraph(
            document,
            f"Kỳ báo cáo chưa kết thúc: số liệu tính đến ngày {report.heading.issued:%d/%m/%Y}.",
            italic=True,
            size=12,
            after=6,
        )


# ------------------------------------------------------------------------------------------------------ tables


@dataclass(frozen=True)
class _Layout:
    size: float
    widths: list[float]


def _column_needs(table: Table, size: float) -> tuple[list[float], list[float], list[float]]:
    """Each column's least width (its longest word), its wish (its longest line) and its weight (all its text
    laid end to end), in cm."""
    least, wish, weight = [], [], []
    rows = table.all_rows
    for index, (name, kind) in enumerate(zip(table.columns, table.kinds, strict=True)):
        texts = [show(r[index], kind) for r in rows if r[index] != ""]
        header_words = [text_width_pt(w, size, bold=True) for w in name.split()]
        words = [text_width_pt(w, size, bold=True) for t in texts for w in t.split()]
        lines = [text_width_pt(line, size, bold=True) for t in texts for line in t.split("\n")]
        least.append(_cm(max([*header_words, *words], default=0.0)) + CELL_PADDING_CM)
        wish.append(max(least[-1], _cm(max(lines, default=0.0)) + CELL_PADDING_CM))
        weight.append(_cm(sum(lines)) + 0.01)
    return least, wish, weight


def _layout(table: Table, usable: float, size: float) -> _Layout | None:
    """Column widths filling ``usable`` cm, ``None`` when the longest words do not fit. Every column gets its
    longest word; the room left is shared in proportion to how much text each column holds, no column
    getting more than its longest line; what is left then goes to every column alike."""
    least, wish, weight = _column_needs(table, size)
    room = usable - sum(least)
    if room < 0:
        return None
    widths = list(least)
    waiting = [i for i in range(len(widths)) if wish[i] > least[i]]
    while waiting and room > 1e-6:
        total = sum(weight[i] for i in waiting)
        share = {i: room * weight[i] / total for i in waiting}
        capped = [i for i in waiting if widths[i] + share[i] >= wish[i]]
        if not capped:
            for i in waiting:
                widths[i] += share[i]
            room = 0.0
            break
        for i in capped:
            room -= wish[i] - widths[i]
            widths[i] = wish[i]
            waiting.remove(i)
    if room > 1e-6:
        widths = [w + room / len(widths) for w in widths]
    return _Layout(size, widths)


def _row_properties(row: object, *, header: bool) -> None:
    """Never split the row across pages; repeat it at the top of every page if it is the header."""
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _fill(cell: _Cell, text: str, size: float, *, bold: bool, align: WD_ALIGN_PARAGRAPH | None) -> None:
    paragraph = cell.paragraphs[0]
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    if bold:
        run.bold = True


def _table(document: DocxDocument, table: Table, layout: _Layout) -> None:
    title = _paragraph(document, table.title, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=4, size=13)
    title.paragraph_format.keep_with_next = True
    rows = table.all_rows
    grid = document.add_table(rows=1 + len(rows), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(grid, layout.widths)
    for index, docx_row in enumerate(grid.rows):
        _row_properties(docx_row, header=index == 0)
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        _fill(cell, name, layout.size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for index, (docx_row, values) in enumerate(zip(grid.rows[1:], rows, strict=True), start=1):
        bold = table.total is not None and index == len(rows)
        for cell, value, kind in zip(docx_row.cells, values, table.kinds, strict=True):
            text = show(value, kind) if value != "" else ""
            right = kind != "text" or (isinstance(value, str) and value[:1].isdigit() and " " not in value)
            _fill(cell, text, layout.size, bold=bold, align=WD_ALIGN_PARAGRAPH.RIGHT if right else None)
    _paragraph(document, "", size=6)


def _tables(document: DocxDocument, report: Report, usable: float) -> None:
    """Each table in portrait if its words fit at 10-11 pt (9 pt for the logbook), else on landscape pages;
    wide tables in a row share one landscape section (no page is left empty between them), and the page turns
    back to portrait for what follows. The monthly chart follows the monthly table, on a portrait page."""
    landscape = False
    for table in report.tables:
        sizes = (9.0,) if table.key == "nhat_ky" else (11.0, 10.0)
        layout = next((found for s in sizes if (found := _layout(table, usable, s)) is not None), None)
        if layout is None:
            if not landscape:
                _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
                landscape = True
            _table(document, table, _wide_layout(table, _usable(document.sections[-1])))
        else:
            if landscape:
                _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)
                landscape = False
            _table(document, table, layout)
        if table.key == "theo_thang":
            if landscape:  # the chart is taller than wide: on a portrait page
                _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)
                landscape = False
            _chart(document, report, usable)
    if landscape:
        _page(document.add_section(WD_SECTION.NEW_PAGE), landscape=False)


def _wide_layout(table: Table, usable: float) -> _Layout:
    """The layout of a table on a landscape page of ``usable`` cm: 10 pt, else 9 pt, else every column shrunk
    alike (words may then break: only a table with very many columns comes to that)."""
    layout = _layout(table, usable, 10.0) or _layout(table, usable, 9.0)
    if layout is None:
        least, _wish, _weight = _column_needs(table, 9.0)
        layout = _Layout(9.0, [w * usable / sum(least) for w in least])
    return layout


def _chart(document: DocxDocument, report: Report, usable: float) -> None:
    chart = report.chart
    if chart is None or not chart.series:
        return
    title = _paragraph(document, chart.title, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=4)
    title.paragraph_format.keep_with_next = True
    document.add_picture(io.BytesIO(render_png(chart)), width=Cm(min(16.0, usable)))
    _paragraph(document, "", size=6)


# ------------------------------------------------------------------------------------------------- signatures


def _signature(cell: _Cell, title: str, name: str) -> None:
    """Title (capitals, bold), the signing space, the full name (bold)."""
    for line in title.split("\n"):
        _paragraph(cell, line, bold=True, size=13)
    _paragraph(cell, "(Ký, ghi rõ họ tên)", italic=True, size=12)
    for _ in range(3):
        _paragraph(cell, "", size=13)
    _paragraph(cell, name, bold=True, size=13)


def _signatures(document: DocxDocument, report: Report, usable: float) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = _bare_cells(table)
    _row_properties(table.rows[0], header=False)
    if report.period.kind == "week":
        _signature(left, report.signers[0], "")
    else:
        _paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
        for line in report.heading.recipients or DEFAULT_RECIPIENTS:
            _paragraph(left, f"- {line}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _signature(right, report.signer_title, report.signer_name)
    _widths(table, [usable * 0.45, usable * 0.55])


def _footer(section: Section, report: Report) -> None:
    """The page number, and the audit chain fingerprint if there is one."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.fingerprint:
        run = paragraph.add_run(f"Dấu xác thực nhật ký: {report.fingerprint}    ")
        run.font.size = Pt(9)
    run = paragraph.add_run("Trang ")
    run.font.size = Pt(9)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    shown = OxmlElement("w:t")
    shown.text = "1"
    number.append(shown)
    field.append(number)
    paragraph._p.append(field)


def write_docx(report: Report, path: Path) -> Path:
    """Write ``report`` as a printable A4 DOCX at ``path`` (written whole, then moved into place)."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    normal.paragraph_format.space_after = Pt(0)
    section = document.sections[0]
    _page(section, landscape=False)
    _footer(section, report)
    usable = _usable(section)
    _heading(document, report, usable)
    _titles(document, report)
    _tables(document, report, usable)
    for note in report.notes:
        _paragraph(document, note, italic=True, size=11, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _paragraph(document, "", after=6)
    _signatures(document, report, usable)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    document.save(str(partial))
    partial.replace(path)
    return path


def printed_text(path: Path) -> str:
    """Every paragraph of a DOCX (body, tables, headers and footers), joined: what a person reads on the paper.

    Raises:
        ReportError: the file cannot be read as a DOCX (named).
    """
    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a missing or broken file
        raise ReportError(f"Không đọc được tệp {path} như một tài liệu Word (.docx): {exc}.") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)
