"""How long the records take for a year of broadcast log rows.

Run from the repository root: ``.venv/bin/python -m bench.reports``. Fills a fresh station with a year of
log rows through the daemon's chain-writing path, then times, each as the best of three runs:

* the baseline: one SQL ``GROUP BY`` over the same rows (what a hand-written query costs),
* building the annual report's figures (read every row, count everything),
* writing it as DOCX, XLSX and CSV, and the weekly logbook of the busiest week,
* ``audit verify`` over both chains.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from tests.fakes import FrozenClock
from tests.logbook_data import fill

from truyenthanh import bootstrap
from truyenthanh.config import load_settings


def best_of(runs: int, action: Callable[[], Any]) -> float:
    """The fastest of ``runs`` timings of ``action``, in seconds."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        clock = FrozenClock()
        container = bootstrap.build(load_settings(Path(folder) / "station"), clock=clock)
        container.station.init(name="Đài truyền thanh xã Tân Lập")
        started = time.perf_counter()
        rows = fill(container, clock, date(2026, 1, 1), date(2026, 12, 31))
        fill_s = time.perf_counter() - started
        out = Path(folder) / "out"
        service = container.reports
        period = service.year(2026)

        def baseline() -> None:
            with sqlite3.connect(container.locations.db_path) as raw:
                raw.execute(
                    'SELECT category, language, COUNT(*), SUM((julianday("end") - julianday(actual_start)) * 86400)'
                    " FROM broadcast_log WHERE outcome IN ('PLAYED', 'LATE', 'PARTIAL', 'PREEMPTED')"
                    " GROUP BY category, language"
                ).fetchall()

        figures = [
            ("SQL GROUP BY (đối chứng)", best_of(3, baseline)),
            ("Tính số liệu báo cáo năm", best_of(3, lambda: service.build(period))),
            ("Lập và ghi báo cáo năm DOCX", best_of(3, lambda: service.annual(2026, folder=out, formats=("docx",)))),
            ("Lập và ghi báo cáo năm XLSX", best_of(3, lambda: service.annual(2026, folder=out, formats=("xlsx",)))),
            ("Lập và ghi báo cáo năm CSV", best_of(3, lambda: service.annual(2026, folder=out, formats=("csv",)))),
            (
                "Lập và ghi sổ nhật ký 1 tuần DOCX",
                best_of(3, lambda: service.weekly("2026-W10", output=out / "w.docx")),
            ),
            ("Kiểm tra chuỗi băm (audit verify)", best_of(3, container.audit.verify)),
        ]
        container.close()
    per_row = 1000 * fill_s / rows
    print(f"Nhật ký: {rows} dòng cho năm 2026, ghi qua chuỗi băm trong {fill_s:.1f} s ({per_row:.2f} ms/dòng)")
    base = figures[0][1]
    for label, seconds in figures:
        print(f"{label:<36} {1000 * seconds:9.1f} ms   {seconds / base:8.1f} × đối chứng")


if __name__ == "__main__":
    main()
