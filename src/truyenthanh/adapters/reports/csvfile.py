"""Reports as one CSV file in long form, for spreadsheets and scripts: ``Bảng, Dòng, Cột, Giá trị``.

UTF-8 with a byte-order mark (so spreadsheet programs read the Vietnamese right); numbers with ``.`` as the
decimal mark and no grouping; durations in seconds.
"""

from __future__ import annotations

import csv
from pathlib import Path

from truyenthanh.domain.reports import Report

COLUMNS = ("Bảng", "Dòng", "Cột", "Giá trị")


def write_csv(report: Report, path: Path) -> Path:
    """Write ``report`` as CSV at ``path``: first the heading, then one line per table cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for label, value in (
            ("Cơ quan", report.heading.authority),
            ("Đài", report.heading.station),
            ("Báo cáo", f"{report.title}: {report.subtitle}"),
            ("Từ ngày", report.period.first.isoformat()),
            ("Đến ngày", report.period.last.isoformat()),
            ("Nơi, ngày lập", report.dateline),
        ):
            writer.writerow(("thong_tin", label, "", value))
        for table in report.tables:
            rows = [*table.rows, table.total] if table.total is not None else list(table.rows)
            for values in rows:
                for name, value in zip(table.columns[1:], values[1:], strict=True):
                    shown = repr(round(value, 6)) if isinstance(value, float) else value
                    writer.writerow((table.key, values[0], name, shown))
    partial.replace(path)
    return path
