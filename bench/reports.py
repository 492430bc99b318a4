"""How long the records take over ten years of broadcast log rows, and what the printed pages look like.

Run from the repository root: ``.venv/bin/python -m bench.reports [YEARS [PASSES]] [--keep DIR]`` (default 10
and 5). Fills a fresh station with ``YEARS`` years of log rows through the daemon's chain-writing path, ``PASSES``
times over (about 4,000 rows a year each: five passes of ten years are about 200,000 rows), then prints, each the
best of three runs:

* the baseline: one SQL ``GROUP BY`` over a year's rows (what a hand-written query costs),
* the weekly logbook (DOCX) of a week in the last year (goal ≤ 1 s),
* the annual report of the last year in DOCX, XLSX and CSV (goal ≤ 3 s),
* ``audit verify`` over both chains (goal ≤ 10 s), with the peak resident memory it added.

Then it renders the weekly logbook and the annual report to PDF with LibreOffice headless (when installed)
and writes a PNG of every page (``pdftoppm``) into the temporary folder's ``truyenthanh-bench-reports`` for a
person to look at.

Filling takes minutes; with ``--keep DIR`` the filled station stays in ``DIR`` and later runs with the same
``YEARS`` and ``PASSES`` reuse it (the reports and ``audit verify`` only read it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from tests.fakes import FrozenClock
from tests.logbook_data import fill

from truyenthanh import bootstrap
from truyenthanh.config import load_settings

PAGES = Path(tempfile.gettempdir()) / "truyenthanh-bench-reports"
"""Where the page images go (outside the repository: they are for looking at, not for committing)."""


def best_of(runs: int, action: Callable[[], Any]) -> float:
    """The fastest of ``runs`` timings of ``action``, in seconds."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render_pages(documents: list[Path]) -> list[Path]:
    """PDFs of ``documents`` (LibreOffice headless) and a PNG of every page; the PNGs written."""
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        print("(LibreOffice hoặc pdftoppm chưa được cài: bỏ qua ảnh các trang)")
        return []
    PAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "pdf",
             "--outdir", str(PAGES), *map(str, documents)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    for document in documents:
        pdf = PAGES / f"{document.stem}.pdf"
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(PAGES / document.stem)], check=True)
    return sorted(PAGES.glob("*.png"))


def arguments() -> argparse.Namespace:
    """The command line: years, passes and the folder to keep the filled station in."""
    parser = argparse.ArgumentParser(
        prog="bench.reports", description="Đo thời gian lập sổ, báo cáo và kiểm tra chuỗi băm."
    )
    parser.add_argument("years", nargs="?", type=int, default=10, help="số năm nhật ký (mặc định 10)")
    parser.add_argument("passes", nargs="?", type=int, default=5, help="số lượt ghi mỗi ngày (mặc định 5)")
    parser.add_argument("--keep", type=Path, help="thư mục giữ đài đã ghi đầy để lần chạy sau dùng lại")
    return parser.parse_args()


@contextlib.contextmanager
def station_folder(keep: Path | None) -> Iterator[Path]:
    """``keep`` (made if missing), or a temporary folder removed afterwards."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def filled(
    container: bootstrap.Container, clock: FrozenClock, folder: Path, years: int, passes: int
) -> tuple[int, str]:
    """Fill the station (or reuse the fill recorded in ``folder``); the rows in the log and how they got there."""
    marker = folder / "filled.json"
    wanted = {"years": years, "passes": passes}
    if marker.exists():
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        if {k: recorded.get(k) for k in wanted} != wanted:
            raise SystemExit(f"{folder} chứa đài ghi {recorded['years']} năm × {recorded['passes']} lượt, không phải "
                             f"{years} × {passes}: hãy chọn thư mục khác")  # fmt: skip
        return int(recorded["rows"]), f"dùng lại đài đã ghi trong {folder}"
    container.station.init(name="Đài truyền thanh xã Tân Lập")
    last = 2016 + years - 1
    started = time.perf_counter()
    rows = sum(fill(container, clock, date(2016, 1, 1), date(last, 12, 31), seed=48 + n) for n in range(passes))
    fill_s = time.perf_counter() - started
    marker.write_text(json.dumps({**wanted, "rows": rows}), encoding="utf-8")
    return rows, f"ghi qua chuỗi băm trong {fill_s:.0f} s"


def main() -> None:
    """Print the figures."""
    args = arguments()
    years, passes = args.years, args.passes
    last = 2016 + years - 1
    with station_folder(args.keep) as folder:
        clock = FrozenClock()
        settings = load_settings(folder / "station", report_signer_name="Nguyễn Văn An")
        container = bootstrap.build(settings, clock=clock)
        rows, how = filled(container, clock, folder, years, passes)
        clock.set(clock.now().replace(year=last + 1, month=1, day=5))
        out = folder / "out"
        service = container.reports

        def baseline() -> None:
            with sqlite3.connect(container.locations.db_path) as raw:
                raw.execute(
                    'SELECT category, language, COUNT(*), SUM((julianday("end") - julianday(actual_start)) * 86400)'
                    " FROM broadcast_log WHERE outcome IN ('PLAYED', 'LATE', 'PARTIAL', 'PREEMPTED')"
                    f" AND scheduled_start >= '{last}-01-01' GROUP BY category, language"
                ).fetchall()

        week = f"{last}-W10"
        # verify first: its memory is the peak it adds to the process as it is before any report (with --keep,
        # nothing has run yet; a report's documents would otherwise have set the peak already)
        before = peak_rss_mb()
        verify_s = best_of(1, container.audit.verify)
        verify_mb = peak_rss_mb() - before
        figures = [
            ("SQL GROUP BY một năm (đối chứng)", best_of(3, baseline)),
            ("Sổ nhật ký 1 tuần DOCX (≤ 1 s)", best_of(3, lambda: service.weekly(week, output=out / "tuan.docx"))),
            ("Báo cáo năm DOCX+XLSX+CSV (≤ 3 s)", best_of(3, lambda: service.annual(last, folder=out))),
            ("Báo cáo năm chỉ DOCX", best_of(3, lambda: service.annual(last, folder=out, formats=("docx",)))),
        ]
        figures.append(("Kiểm tra chuỗi băm audit verify (≤ 10 s)", verify_s))
        images = render_pages([out / "tuan.docx", out / f"bao-cao-nam-{last}.docx"])
        container.close()
    print(f"Nhật ký: {rows} dòng ({years} năm), {how}")
    base = figures[0][1]
    for label, seconds in figures:
        print(f"{label:<44} {1000 * seconds:9.1f} ms   {seconds / base:8.1f} × đối chứng")
    print(f"Bộ nhớ tăng thêm khi kiểm tra chuỗi băm: {verify_mb:.1f} MB (đỉnh của tiến trình: {peak_rss_mb():.0f} MB)")
    for image in images:
        print(f"Ảnh trang: {image}")


if __name__ == "__main__":
    main()
