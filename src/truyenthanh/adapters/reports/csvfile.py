"""Reports as one CSV file in long form, for spreadsheets and scripts: ``Bảng;Dòng;Cột;Giá trị``.

UTF-8 with a byte-order mark (so spreadsheet programs read the Vietnamese right). By default the separator is
``;`` and the decimal mark ``,``: what Excel expects under Vietnamese regional settings, where ``,`` is the
decimal mark and a comma-separated file opens as one column. With ``comma=True`` (``--csv-comma``) the
separator is ``,`` and the decimal mark ``.``, for scripts and English settings. No thousands grouping;
durations in seconds.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from truyenthanh.domain.reports import Report

COLUMNS = ("Bảng", "Dòng", "Cột", "Giá trị")


def _number(value: Any, comma: bool) -> Any:
    if isinstance(value, float):
        text = repr(round(value, 6))
        return text if comma else text.replace(".", ",")
    return value


def write_csv(report: Report, path: Path, *, comma: bool = False) -> Path:
    """Write ``report`` as CSV at ``path``: first the heading, then one line per table cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter="," if comma else ";")
        writer.writerow(COLUMNS)
        for label, value in (
            ("Cơ quan", report.heading.authority),
            ("Đài", report.heading.station),
            ("Số", report.heading.number),
            ("Báo cáo", f"{report.title}: {report.subtitle}"),
            ("Từ ngày", report.period.first.isoformat()),
            ("Đến ngày", report.period.last.isoformat()),
            ("Nơi, ngày lập", report.dateline),
        ):
            writer.writerow(("thong_tin", label, "", value))
        for table in report.tables:
            for values in table.all_rows:
                for name, value in zip(table.columns[1:], values[1:], strict=True):
                    writer.writerow((table.key, values[0], name, _number(value, comma)))
    partial.replace(path)
    return path
