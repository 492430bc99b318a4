"""Every report is built from half a year of broadcast log rows written through the real chain path, opened
back (python-docx, openpyxl, csv) and every figure is checked against a direct SQL count over the SQLite file.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pdfplumber
import pytest
from sqlmodel import select

from tests.fakes import FrozenClock
from tests.logbook_data import fill
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Station
from truyenthanh.adapters.reports.excel import HEADER_ROW
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import Category
from truyenthanh.domain.reports import language_label

H1_START, H1_END = "2025-12-31T17:00:00.000000+00:00", "2026-06-30T17:00:00.000000+00:00"
"""2026 H1 in Hà Nội time (UTC+7), as stored UTC text."""
MOMENT = "COALESCE(scheduled_start, actual_start, recorded_at)"
AIRED = "outcome IN ('PLAYED', 'LATE', 'PARTIAL', 'PREEMPTED')"
SECONDS = '(julianday("end") - julianday(actual_start)) * 86400.0'
IN_H1 = f"{MOMENT} >= '{H1_START}' AND {MOMENT} < '{H1_END}'"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[bootstrap.Container, Path]]:
    """A station with the broadcast log of 31/12/2025 to 01/07/2026 (one day past each end of 2026 H1)."""
    folder = tmp_path_factory.mktemp("reports") / "station"
    clock = FrozenClock()
    settings = load_settings(folder, timezone="Asia/Ho_Chi_Minh", report_signer_name="Hà Thị Lan")
    container = bootstrap.build(settings, clock=clock)
    container.station.init(name="Đài truyền thanh xã Tân Lập")
    with container.db.session() as session:
        row = session.exec(select(Station)).one()
        row.commune, row.province = "Tân Lập", "Phú Thọ"
        session.add(row)
    fill(container, clock, date(2025, 12, 31), date(2026, 7, 1))
    clock.set(clock.now().replace(year=2026, month=7, day=5, hour=2))
    out = folder / "out"
    container.reports.semiannual(2026, 1, folder=out)
    yield container, out
    container.close()


def _sql(container: bootstrap.Container, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(container.locations.db_path) as raw:
        return raw.execute(query).fetchall()


def _vn(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").rstrip("%"))


def _docx_table(document: Any, header: tuple[str, ...]) -> list[list[str]]:
    for table in document.tables:
        cells = [[cell.text for cell in row.cells] for row in table.rows]
        if tuple(cells[0]) == header:
            return cells[1:]
    raise AssertionError(f"no table with header {header}")


def _sheet(book: Any, name: str) -> list[tuple[Any, ...]]:
    rows = list(book[name].iter_rows(min_row=HEADER_ROW, values_only=True))
    return [row for row in rows[1:] if any(v is not None for v in row)]


def _csv(out: Path) -> dict[tuple[str, str, str], str]:
    """The CSV as written by default (``;``, decimal comma), numbers given back with a decimal point."""
    with (out / "bao-cao-2026-H1.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        assert next(reader) == ["Bảng", "Dòng", "Cột", "Giá trị"]
        return {(t, r, c): v.replace(",", ".") if re.fullmatch(r"-?\d+,\d+", v) else v for t, r, c, v in reader}


def test_totals_by_category_match_the_log_in_every_format(station: tuple[bootstrap.Container, Path]) -> None:
    container, out = station
    expected = {
        (Category[name].label if name else "Chưa phân loại"): (count, round(seconds / 3600, 2))
        for name, count, seconds in _sql(
            container,
            f"SELECT category, COUNT(*), SUM({SECONDS}) FROM broadcast_log WHERE {AIRED} AND {IN_H1} GROUP BY category",
        )
    }
    assert len(expected) >= 6
    document = docx.Document(str(out / "bao-cao-2026-H1.docx"))
    in_docx = {
        name: (int(_vn(count)), _vn(hours))
        for name, count, hours in _docx_table(document, ("Thể loại", "Số lượt phát", "Số giờ phát"))
        if name != "Tổng cộng"
    }
    assert in_docx == expected
    book = openpyxl.load_workbook(out / "bao-cao-2026-H1.xlsx")
    in_xlsx = {name: (count, round(hours, 2)) for name, count, hours in _sheet(book, "Thể loại") if name != "Tổng cộng"}
    assert in_xlsx == expected
    flat = _csv(out)
    in_csv = {
        name: (int(flat[("the_loai", name, "Số lượt phát")]), round(float(flat[("the_loai", name, "Số giờ phát")]), 2))
        for name in expected
    }
    assert in_csv == expected


def test_totals_by_language_and_overall_hours(station: tuple[bootstrap.Container, Path]) -> None:
    container, out = station
    expected = {
        language_label(code): (count, round(seconds / 3600, 2))
        for code, count, seconds in _sql(
            container,
            f"SELECT language, COUNT(*), SUM({SECONDS}) FROM broadcast_log WHERE {AIRED} AND {IN_H1} GROUP BY language",
        )
    }
    assert set(expected) == {"Tiếng Việt", "Tiếng H'Mông"}
    book = openpyxl.load_workbook(out / "bao-cao-2026-H1.xlsx")
    rows = _sheet(book, "Ngôn ngữ")
    listed = {name: (count, round(hours, 2)) for name, count, hours in rows[:-1] if not name.startswith("Trong đó")}
    assert listed == expected
    minority = [(c, h) for name, (c, h) in expected.items() if name != "Tiếng Việt"]
    assert rows[-2][0] == "Trong đó: tiếng dân tộc thiểu số" and rows[-2][1] == sum(c for c, _ in minority)
    ((aired, seconds),) = _sql(
        container, f"SELECT COUNT(*), SUM({SECONDS}) FROM broadcast_log WHERE {AIRED} AND {IN_H1}"
    )
    assert rows[-1][0] == "Tổng cộng" and rows[-1][1] == aired and round(rows[-1][2], 2) == round(seconds / 3600, 2)


def _overview_expected(container: bootstrap.Container) -> dict[str, float]:
    def one(query: str) -> float:
        ((value,),) = _sql(container, query)
        return float(value or 0)

    airing = "COALESCE(schedule_id, '') || '/' || COALESCE(programme_id, '') || '/' || scheduled_start"
    local = f"datetime({MOMENT}, '+7 hours')"
    session = (
        f"CASE WHEN time({local}) >= '05:30' AND time({local}) < '07:00' THEN 'S' "
        f"WHEN time({local}) >= '17:00' AND time({local}) < '18:30' THEN 'C' END"
    )
    relay = f"item_kind = 'RELAY' AND {IN_H1}"
    scheduled_rows = f"schedule_id IS NOT NULL AND {IN_H1}"
    scheduled = one(f"SELECT COUNT(DISTINCT {airing}) FROM broadcast_log WHERE {scheduled_rows}")
    held = one(f"SELECT COUNT(DISTINCT {airing}) FROM broadcast_log WHERE {scheduled_rows} AND {AIRED}")
    return {
        "Tổng số giờ phát sóng": round(
            one(f"SELECT SUM({SECONDS}) FROM broadcast_log WHERE {AIRED} AND {IN_H1}") / 3600, 2
        ),
        "Trong đó: tiếng dân tộc thiểu số": round(
            one(f"SELECT SUM({SECONDS}) FROM broadcast_log WHERE {AIRED} AND {IN_H1} AND language != 'vi'") / 3600, 2
        ),
        "Số buổi phát": one(
            f"SELECT COUNT(DISTINCT date({local}) || {session}) FROM broadcast_log "
            f"WHERE {AIRED} AND {IN_H1} AND {session} IS NOT NULL"
        ),
        "Số lần phát theo lịch": scheduled,
        "Số lần phát theo lịch đã thực hiện": held,
        "Tỉ lệ thực hiện theo lịch": round(100 * held / scheduled, 2),
        "Số lần phát ngay (ngoài lịch)": one(
            f"SELECT COUNT(DISTINCT {airing}) FROM broadcast_log WHERE schedule_id IS NULL AND priority != 'EMERGENCY'"
            f" AND {AIRED} AND {IN_H1}"
        ),
        "Số lần phát khẩn cấp": one(
            f"SELECT COUNT(*) FROM broadcast_log WHERE {AIRED} AND {IN_H1} AND priority = 'EMERGENCY' "
            "AND item_kind = 'JINGLE'"
        ),
        "Số bản tin khẩn cấp đã phát": one(
            f"SELECT COUNT(*) FROM broadcast_log WHERE {AIRED} AND {IN_H1} AND priority = 'EMERGENCY' "
            "AND (item_kind IS NULL OR item_kind != 'JINGLE')"
        ),
        "Số lượt tiếp sóng": one(f"SELECT COUNT(*) FROM broadcast_log WHERE {relay} AND {AIRED}"),
        "Số giờ tiếp sóng": round(one(f"SELECT SUM({SECONDS}) FROM broadcast_log WHERE {relay} AND {AIRED}") / 3600, 2),
        "Số lần mất tín hiệu tiếp sóng": one(
            f"SELECT COUNT(*) FROM broadcast_log, json_each(broadcast_log.outages) WHERE {relay}"
        ),
        "Tổng thời gian mất tín hiệu": round(
            one(
                "SELECT SUM((julianday(json_extract(value, '$.end')) - julianday(json_extract(value, '$.start')))"
                f" * 86400.0) FROM broadcast_log, json_each(broadcast_log.outages) WHERE {relay}"
            )
            / 3600,
            2,
        ),
    }


def test_overview_figures_match_the_log(station: tuple[bootstrap.Container, Path]) -> None:
    container, out = station
    expected = _overview_expected(container)
    assert expected["Số bản tin khẩn cấp đã phát"] == 3  # 14 February, April and June
    assert expected["Số lần phát khẩn cấp"] == 3 and expected["Số lần phát ngay (ngoài lịch)"] >= 25
    assert expected["Số lần phát theo lịch"] > expected["Số lần phát theo lịch đã thực hiện"] > 0
    assert expected["Số lần mất tín hiệu tiếp sóng"] > 0
    assert expected["Số buổi phát"] > 330
    book = openpyxl.load_workbook(out / "bao-cao-2026-H1.xlsx")
    in_xlsx = {name: round(value, 2) for name, value, _unit in _sheet(book, "Tổng hợp")}
    assert in_xlsx == expected
    document = docx.Document(str(out / "bao-cao-2026-H1.docx"))
    in_docx = {
        name: round(_vn(value), 2) for name, value, _unit in _docx_table(document, ("Chỉ tiêu", "Số liệu", "Đơn vị"))
    }
    assert in_docx == pytest.approx(expected, abs=0.006)
    flat = _csv(out)
    assert {name: round(float(flat[("tong_hop", name, "Số liệu")]), 2) for name in expected} == expected


def test_missed_airings_by_reason(station: tuple[bootstrap.Container, Path]) -> None:
    container, out = station
    airing = "schedule_id || '/' || programme_id || '/' || scheduled_start"
    expected = dict(
        _sql(
            container,
            f"SELECT reason, COUNT(*) FROM (SELECT {airing}, MIN(reason) AS reason FROM broadcast_log"
            f" WHERE schedule_id IS NOT NULL AND {IN_H1} GROUP BY 1 HAVING SUM({AIRED}) = 0) GROUP BY reason",
        )
    )
    assert set(expected) == {"Mất điện, máy tắt lúc phát", "Chương trình chưa được duyệt nên không được phát."}
    document = docx.Document(str(out / "bao-cao-2026-H1.docx"))
    rows = _docx_table(document, ("Lý do", "Số lần"))
    assert {reason: int(_vn(n)) for reason, n in rows[:-1]} == expected
    assert int(_vn(rows[-1][1])) == sum(expected.values())


def test_hours_per_category_per_month_table_and_chart(station: tuple[bootstrap.Container, Path]) -> None:
    container, out = station
    expected: dict[tuple[str, int], float] = {}
    for name, month, seconds in _sql(
        container,
        f"SELECT category, CAST(strftime('%m', {MOMENT}, '+7 hours') AS INTEGER), SUM({SECONDS}) FROM broadcast_log"
        f" WHERE {AIRED} AND {IN_H1} GROUP BY 1, 2",
    ):
        expected[(Category[name].label, month)] = round(seconds / 3600, 2)
    book = openpyxl.load_workbook(out / "bao-cao-2026-H1.xlsx")
    sheet = book["Theo tháng"]
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[0] == "Tháng" and header[-1] == "Cộng"
    assert set(header[1:-1]) == {name for name, _ in expected}
    rows = _sheet(book, "Theo tháng")
    assert [row[0] for row in rows] == ["T1/2026", "T2/2026", "T3/2026", "T4/2026", "T5/2026", "T6/2026", "Cả kỳ"]
    found = {
        (header[column], month): round(row[column], 2)
        for month, row in enumerate(rows[:-1], start=1)
        for column in range(1, len(header) - 1)
        if row[column]
    }
    assert found == expected
    charts: list[Any] = sheet._charts  # type: ignore[attr-defined]
    assert len(charts) == 1 and charts[0].grouping == "stacked"
    assert len(charts[0].series) == len({name for name, _ in expected})
    document = docx.Document(str(out / "bao-cao-2026-H1.docx"))
    pictures = list(document.inline_shapes)
    assert len(pictures) == 1
    image = document.part.related_parts[pictures[0]._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    assert image.startswith(b"\x89PNG")


def test_relay_outages_are_listed(station: tuple[bootstrap.Container, Path]) -> None:
    container, out = station
    ((count,),) = _sql(
        container, f"SELECT COUNT(*) FROM broadcast_log, json_each(outages) WHERE item_kind = 'RELAY' AND {IN_H1}"
    )
    book = openpyxl.load_workbook(out / "bao-cao-2026-H1.xlsx")
    rows = _sheet(book, "Mất tín hiệu")
    assert len(rows) == count + 1
    assert {row[5] for row in rows[:-1]} == {"Mất tín hiệu VOV"}
    ((seconds,),) = _sql(
        container,
        "SELECT SUM((julianday(json_extract(value, '$.end')) - julianday(json_extract(value, '$.start'))) * 86400.0)"
        f" FROM broadcast_log, json_each(outages) WHERE item_kind = 'RELAY' AND {IN_H1}",
    )
    durations = [row[4].total_seconds() for row in rows]  # read back as timedelta: [h]:mm:ss cells
    assert sum(durations[:-1]) == pytest.approx(seconds, abs=0.01)
    assert durations[-1] == pytest.approx(seconds, abs=0.01)


def test_documents_carry_the_administrative_heading(station: tuple[bootstrap.Container, Path]) -> None:
    _container, out = station
    document = docx.Document(str(out / "bao-cao-2026-H1.docx"))
    heading = [cell.text for cell in document.tables[0].rows[0].cells]
    assert heading[0].splitlines()[:2] == ["UBND XÃ TÂN LẬP", "ĐÀI TRUYỀN THANH XÃ TÂN LẬP"]
    assert heading[1].splitlines()[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert "Tân Lập, ngày 05 tháng 7 năm 2026" in heading[1].splitlines()
    assert "Số: …………/BC-…………" in heading[0].splitlines()
    text = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in text and "Kết quả hoạt động truyền thanh 6 tháng đầu năm 2026" in text
    assert "(Từ ngày 01/01/2026 đến ngày 30/06/2026)" in text
    flat = _csv(out)
    assert flat[("thong_tin", "Từ ngày", "")] == "2026-01-01"


def test_weekly_logbook_has_one_row_per_airing_of_the_week(station: tuple[bootstrap.Container, Path]) -> None:
    container, out = station
    path = container.reports.weekly("2026-W10", output=out / "tuan.docx", fingerprint="ab12-cd34")
    start, end = "2026-03-01T17:00:00.000000+00:00", "2026-03-08T17:00:00.000000+00:00"
    in_week = f"{MOMENT} >= '{start}' AND {MOMENT} < '{end}'"
    airings = _sql(
        container,
        f"SELECT MIN({MOMENT}), COUNT(*), SUM(COALESCE({SECONDS}, 0)), MAX(schedule_id IS NULL), MIN(operator)"
        f" FROM broadcast_log WHERE {in_week} GROUP BY schedule_id, programme_id, scheduled_start ORDER BY 1",
    )
    document = docx.Document(str(path))
    width, height = document.sections[0].page_width, document.sections[0].page_height
    assert width is not None and height is not None and width < height  # A4 portrait
    header = ("STT", "Ngày, giờ", "Chương trình và các mục đã phát", "Thời lượng", "Người vận hành", "Kết quả")
    rows = _docx_table(document, header)
    lines, total = rows[:-1], rows[-1]
    assert len(lines) == len(airings) >= 15

    def seconds(text: str) -> int:
        h, m, s = (int(part) for part in text.split(":"))
        return h * 3600 + m * 60 + s

    for line, (_moment, _count, airtime, play_now, operator) in zip(lines, airings, strict=True):
        assert abs(seconds(line[3]) - airtime) <= 1
        if play_now:
            assert "Phát ngay" in line[1] and line[4].startswith(operator)
        else:
            assert line[4] == "Tự động\nDuyệt: Nguyễn Văn Duyệt" and "Lịch: " in line[1]
    assert total[1] == "Tổng cộng" and seconds(total[3]) == round(sum(a for _, _, a, _, _ in airings))
    assert "SỔ NHẬT KÝ CHƯƠNG TRÌNH PHÁT THANH" in [p.text for p in document.paragraphs]
    assert "Dấu xác thực nhật ký: ab12-cd34" in document.sections[0].footer.paragraphs[0].text


def test_annual_report_and_the_command_line(station: tuple[bootstrap.Container, Path]) -> None:
    container, out = station
    written = container.reports.annual(2026, folder=out, formats=("xlsx",))
    assert [p.name for p in written] == ["bao-cao-nam-2026.xlsx"]
    book = openpyxl.load_workbook(written[0])
    months = [row[0] for row in _sheet(book, "Theo tháng")]
    assert months[0] == "T1/2026" and months[11] == "T12/2026" and months[12] == "Cả kỳ"
    ((seconds,),) = _sql(
        container,
        f"SELECT SUM({SECONDS}) FROM broadcast_log WHERE {AIRED} AND {MOMENT} >= '{H1_START}' "
        "AND {MOMENT} < '2026-12-31T17:00:00.000000+00:00'".replace("{MOMENT}", MOMENT),
    )
    overview = {name: value for name, value, _ in _sheet(book, "Tổng hợp")}
    assert overview["Tổng số giờ phát sóng"] == pytest.approx(seconds / 3600)


def test_the_log_written_by_the_daemons_path_verifies(station: tuple[bootstrap.Container, Path]) -> None:
    container, _out = station
    audit_trail, broadcast_log = container.audit.verify()
    assert broadcast_log.ok and broadcast_log.rows == _sql(container, "SELECT COUNT(*) FROM broadcast_log")[0][0]
    assert audit_trail.ok


def _cli(container: bootstrap.Container, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(container.locations.data_dir), "report", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_report_commands(station: tuple[bootstrap.Container, Path], tmp_path: Path) -> None:
    container, _out = station
    bad = _cli(container, "weekly", "--week", "2026-W99")
    assert (bad.returncode, bad.stderr) == (1, "Lỗi lập báo cáo: Năm 2026 không có tuần 99.\n")
    made = _cli(container, "semiannual", "--year", "2026", "--half", "2", "--out-dir", str(tmp_path), "--json")
    assert made.returncode == 0, made.stderr
    assert [Path(p).name for p in json.loads(made.stdout)] == [
        "bao-cao-2026-H2.docx",
        "bao-cao-2026-H2.xlsx",
        "bao-cao-2026-H2.csv",
    ]
    assert "Đang lập báo cáo" in made.stderr
    book = openpyxl.load_workbook(tmp_path / "bao-cao-2026-H2.xlsx")
    overview = {name: value for name, value, _ in _sheet(book, "Tổng hợp")}
    ((held,),) = _sql(
        container,
        "SELECT COUNT(DISTINCT scheduled_start) FROM broadcast_log WHERE schedule_id IS NOT NULL"
        f" AND {AIRED} AND {MOMENT} >= '{H1_END}' AND {MOMENT} < '2026-12-31T17:00:00.000000+00:00'",
    )
    assert overview["Số lần phát theo lịch đã thực hiện"] == held > 0  # 1 July 2026 only
    weekly = _cli(container, "weekly", "--week", "2026-W27", "-o", str(tmp_path / "tuan27.docx"))
    assert weekly.returncode == 0, weekly.stderr
    assert weekly.stdout == f"Đã ghi {tmp_path / 'tuan27.docx'}\n"


# ------------------------------------------------------------------------------ printed (LibreOffice, PDF)


@pytest.fixture(scope="module")
def printed(station: tuple[bootstrap.Container, Path]) -> dict[str, tuple[Path, Path]]:
    """The weekly logbook, the 6-monthly and annual reports (DOCX) and the 6-monthly XLSX, each rendered to
    PDF by LibreOffice headless once: {name: (document, pdf)}."""
    container, out = station
    folder = out / "printed"
    container.reports.weekly("2026-W10", output=folder / "tuan.docx")
    container.reports.annual(2026, folder=folder, formats=("docx",))
    (folder / "bao-cao-2026-H1.docx").write_bytes((out / "bao-cao-2026-H1.docx").read_bytes())
    (folder / "bang-2026-H1.xlsx").write_bytes((out / "bao-cao-2026-H1.xlsx").read_bytes())
    documents = sorted(folder.glob("*.docx")) + sorted(folder.glob("*.xlsx"))
    profile = (out / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(folder / "pdf"), *map(str, documents)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {f"{d.stem}{d.suffix}": (d, folder / "pdf" / f"{d.stem}.pdf") for d in documents}


def _docx_words(path: Path) -> set[str]:
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    texts += [p.text for section in document.sections for p in section.footer.paragraphs]
    return {word for text in texts for word in text.split()}


def _pages(pdf: Path) -> list[list[str]]:
    with pdfplumber.open(pdf) as document:
        return [[w["text"] for w in page.extract_words(keep_blank_chars=False)] for page in document.pages]


@pytest.mark.parametrize(
    ("name", "most_pages", "header"),
    [("tuan.docx", 2, "STT"), ("bao-cao-2026-H1.docx", 6, "Chỉ"), ("bao-cao-nam-2026.docx", 6, "Chỉ")],
)
def test_printed_documents(printed: dict[str, tuple[Path, Path]], name: str, most_pages: int, header: str) -> None:
    document, pdf = printed[name]
    pages = _pages(pdf)
    assert 1 <= len(pages) <= most_pages
    known = _docx_words(document) | {str(n) for n in range(1, 10)}
    broken = {word for page in pages for word in page if word not in known}
    assert not broken, f"words broken across lines in {name}: {sorted(broken)[:20]}"
    text = " ".join(pages[0])
    assert "Số:" in text and "Tân Lập" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Hà Thị Lan" in " ".join(pages[-1])
    if name == "tuan.docx":  # the header row repeats on every page the logbook runs on
        first_column = re.compile(r"^\d{2}/\d{2}/2026$")
        for page in pages:
            if any(first_column.match(word) for word in page):
                assert header in page and "Thời" in page and "Kết" in page


def test_printed_spreadsheet_fits_the_page_width(printed: dict[str, tuple[Path, Path]]) -> None:
    _document, pdf = printed["bang-2026-H1.xlsx"]
    pages = _pages(pdf)
    assert len(pages) <= 14  # one page or two per sheet
    first = " ".join(pages[0])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "Độc lập - Tự do - Hạnh phúc" in first
