"""Reports as XLSX (openpyxl): one sheet per table, numbers as numbers, and a native stacked bar chart of
hours per category per month (in the PNG chart's colours) on the monthly sheet.

Every sheet starts with the same heading block; its table's column names are on row :data:`HEADER_ROW`.
Every sheet prints on A4, fitted to the page's width (landscape when the table is wide), with the header
row repeated on every page and frozen on screen. Counts show as ``#,##0``, hours as ``#,##0.00``, durations
as ``[h]:mm:ss`` (stored as fractions of a day, as spreadsheets keep time).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from truyenthanh.adapters.reports.chart import PALETTE, hex_colour
from truyenthanh.domain.reports import MOTTO, NATIONAL_TITLE, ColumnKind, Report, Table

HEADER_ROW = 8
"""Row (1-based) of each table's column names."""
WIDE_COLUMNS = 6
"""A sheet with more columns than this prints in landscape."""

_FORMATS: dict[ColumnKind, str] = {
    "int": "#,##0",
    "hours": "#,##0.00",
    "percent": '0.0"%"',
    "duration": "[h]:mm:ss",
}
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _format(kind: ColumnKind, value: Any) -> str | None:
    """The number format of a cell: by its column's kind, and for a "number" column by its value."""
    if kind == "number":
        return "#,##0" if isinstance(value, int) else "#,##0.00"
    return _FORMATS.get(kind)


def _heading(sheet: Worksheet, report: Report, table: Table) -> None:
    right_column = max(3, len(table.columns) - 1)
    lines = [
        (report.heading.authority.upper(), NATIONAL_TITLE),
        (report.heading.station.upper(), MOTTO),
        (report.heading.number, report.dateline),
        (f"{report.title}: {report.subtitle}", ""),
        (f"({report.period.span.capitalize()})", ""),
        (table.title, ""),
    ]
    for row, (left, right) in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=left or None).font = Font(bold=row in (2, 4, 6))
        if right:
            cell = sheet.cell(row=row, column=right_column, value=right)
            cell.font = Font(bold=row < 3, italic=row == 3)


def _print_setup(sheet: Worksheet, table: Table) -> None:
    """A4, fitted to the width of one page, header row repeated and frozen."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if len(table.columns) > WIDE_COLUMNS else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.page_margins.left, sheet.page_margins.right = 3 / 2.54, 1.5 / 2.54
    sheet.page_margins.top = sheet.page_margins.bottom = 2 / 2.54
    sheet.print_options.horizontalCentered = True


def _sheet(book: Workbook, report: Report, table: Table) -> Worksheet:
    sheet: Worksheet = book.create_sheet(table.sheet_name)
    _heading(sheet, report, table)
    for column, name in enumerate(table.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=name)
        cell.font, cell.border = Font(bold=True), _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    rows = table.all_rows
    for offset, values in enumerate(rows, start=1):
        bold = table.total is not None and offset == len(rows)
        for column, (raw, kind) in enumerate(zip(values, table.kinds, strict=True), start=1):
            value = raw / 86400.0 if kind == "duration" and isinstance(raw, int | float) else raw
            cell = sheet.cell(row=HEADER_ROW + offset, column=column, value=None if value == "" else value)
            cell.border = _BOX
            if isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold:
                cell.font = Font(bold=True)
            number_format = _format(kind, raw)
            if number_format is not None and isinstance(raw, int | float):
                cell.number_format = number_format
    for column, name in enumerate(table.columns, start=1):
        longest = max(
            [max(len(w) for w in name.split())]
            + [len(line) for r in rows[:300] for line in str(r[column - 1]).split("\n")]
        )
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, longest + 2))
    _print_setup(sheet, table)
    return sheet


def _chart(sheet: Worksheet, report: Report, table: Table) -> None:
    """The stacked monthly chart: months are the table's rows, categories its columns."""
    chart_data = report.chart
    if chart_data is None or not chart_data.series:
        return
    months, series = len(chart_data.months), len(chart_data.series)
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = chart_data.title
    chart.y_axis.title = "Số giờ"
    chart.x_axis.title = "Tháng"
    first, last = HEADER_ROW + 1, HEADER_ROW + months
    chart.add_data(
        Reference(sheet, min_col=2, max_col=1 + series, min_row=HEADER_ROW, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, max_col=1, min_row=first, max_row=last))
    for index, line in enumerate(chart.series):
        line.graphicalProperties.solidFill = hex_colour(PALETTE[index % len(PALETTE)])
        line.graphicalProperties.line.solidFill = hex_colour(PALETTE[index % len(PALETTE)])
    chart.width, chart.height = 24, 12
    sheet.add_chart(chart, f"A{last + 4}")


def write_xlsx(report: Report, path: Path) -> Path:
    """Write ``report`` as an XLSX workbook at ``path`` (written whole, then moved into place)."""
    book = Workbook()
    default = book.active
    for table in report.tables:
        sheet = _sheet(book, report, table)
        if table.key == "theo_thang":
            _chart(sheet, report, table)
    if default is not None:
        book.remove(default)
    notes = book.create_sheet("Ghi chú")
    for row, note in enumerate(report.notes, start=1):
        notes.cell(row=row, column=1, value=note)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    book.save(partial)
    partial.replace(path)
    return path
