"""Reports as XLSX (openpyxl): one sheet per table, numbers as numbers, and a native stacked bar chart of
hours per category per month on the monthly sheet.

Every sheet starts with the same heading block; its table's column names are on row :data:`HEADER_ROW`.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from truyenthanh.domain.reports import MOTTO, NATIONAL_TITLE, Report, Table

HEADER_ROW = 8
"""Row (1-based) of each table's column names."""

_FORMATS = {"int": "#,##0", "hours": "#,##0.00", "percent": "0.0", "duration": "[h]:mm:ss", "number": "#,##0.##"}
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _heading(sheet: Worksheet, report: Report, table: Table) -> None:
    lines = [
        (report.heading.authority.upper(), NATIONAL_TITLE),
        (report.heading.station.upper(), MOTTO),
        ("", report.dateline),
        (f"{report.title}: {report.subtitle}", ""),
        (f"({report.period.span.capitalize()})", ""),
        (table.title, ""),
    ]
    for row, (left, right) in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=left or None).font = Font(bold=row in (2, 4, 6))
        if right:
            cell = sheet.cell(row=row, column=max(3, len(table.columns) - 1), value=right)
            cell.font = Font(bold=row < 3, italic=row == 3)


def _sheet(book: Workbook, report: Report, table: Table) -> Worksheet:
    sheet: Worksheet = book.create_sheet(table.sheet_name)
    _heading(sheet, report, table)
    for column, name in enumerate(table.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=name)
        cell.font, cell.border = Font(bold=True), _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    rows = [*table.rows, table.total] if table.total is not None else list(table.rows)
    for offset, values in enumerate(rows, start=1):
        bold = table.total is not None and offset == len(rows)
        for column, (raw, kind) in enumerate(zip(values, table.kinds, strict=True), start=1):
            value = raw / 86400.0 if kind == "duration" and isinstance(raw, int | float) else raw
            # (spreadsheet durations are fractions of a day)
            cell = sheet.cell(row=HEADER_ROW + offset, column=column, value=None if value == "" else value)
            cell.border = _BOX
            if bold:
                cell.font = Font(bold=True)
            if kind in _FORMATS:
                cell.number_format = _FORMATS[kind]
    for column, name in enumerate(table.columns, start=1):
        widest = max([len(name)] + [len(str(r[column - 1])) for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, widest + 2))
    return sheet


def _chart(sheet: Worksheet, report: Report, table: Table) -> None:
    chart_data = report.chart
    if chart_data is None or not table.rows:
        return
    months = len(chart_data.months)
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = chart_data.title
    chart.y_axis.title = "Số giờ"
    chart.x_axis.title = "Tháng"
    first, last = HEADER_ROW + 1, HEADER_ROW + len(table.rows)
    chart.add_data(
        Reference(sheet, min_col=1, max_col=1 + months, min_row=first, max_row=last),
        from_rows=True,
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=2, max_col=1 + months, min_row=HEADER_ROW, max_row=HEADER_ROW))
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
