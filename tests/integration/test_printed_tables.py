"""Report tables printed by LibreOffice headless break no word: every word of every header row (and of every
cell) comes out whole in the PDF, for the province's report (communes as rows, the eleven categories as columns:
landscape; five categories: portrait) and for a station's 6-monthly report (its monthly table has the categories
as columns too). The reports are built by the domain from made-up log rows, written as DOCX by the real writer
and converted by the real ``soffice``; no page is left with nothing but its number."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fontTools.ttLib import TTFont
from PIL import ImageFont

from truyenthanh.adapters.reports.chart import render_png
from truyenthanh.adapters.reports.fonts import VIETNAMESE, sans
from truyenthanh.adapters.reports.word import write_docx
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.domain.province_report import Commune, CommuneFigures, province_report
from truyenthanh.domain.reports import Heading, LogRow, Report, half_year, period_report, show
from truyenthanh.domain.station import StationRules

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 1, 5, 0, 30, tzinfo=UTC)  # 07:30 in Hà Nội
COMMUNES = ("Xã Tân Lập", "Xã Phượng Mao", "Phường Trường Thịnh", "Xã Hương Nộn", "Xã Yên Lập")
FEW = tuple(Category)[:5]
"""Fewer categories: the category tables then fit in portrait, and their words must still fit their columns."""


def _rows(offset: int, categories: tuple[Category, ...] = tuple(Category)) -> list[LogRow]:
    """One airing of each of ``categories`` each month of 2026 H1, ids from ``offset``."""
    rows = []
    for month in range(6):
        for number, category in enumerate(categories):
            n = offset + month * len(Category) + number
            start = START + timedelta(days=30 * month + number)
            rows.append(
                LogRow(
                    id=n,
                    programme_title=f"Chương trình {n}",
                    item_title="Bản tin",
                    item_kind=ItemKind.ANNOUNCEMENT,
                    category=category,
                    language="vi",
                    priority=Priority.NORMAL,
                    scheduled_start=start,
                    actual_start=start,
                    end=start + timedelta(seconds=900 + 37 * n),
                    outcome=Outcome.PLAYED,
                    reason="",
                    outages=(),
                    operator=None,
                    approver=None,
                    recorded_at=start,
                    schedule_id=n,
                    programme_id=n,
                )
            )
    return rows


def _reports() -> dict[str, Report]:
    period = half_year(2026, 1)
    province = Heading(authority="UBND tỉnh Phú Thọ", station="Sở Văn hoá", place="Phú Thọ", issued=date(2026, 7, 6))
    station = Heading(
        authority="UBND xã Tân Lập", station="Đài truyền thanh xã Tân Lập", place="Tân Lập", issued=date(2026, 7, 6)
    )
    figures = [
        CommuneFigures.of(Commune(f"xa-{index}", name), _rows(1000 * index)) for index, name in enumerate(COMMUNES)
    ]
    few = [
        CommuneFigures.of(Commune(f"xa-{index}", name), _rows(1000 * index, FEW)) for index, name in enumerate(COMMUNES)
    ]
    return {
        "tinh": province_report(figures, [], period, ZONE, province),
        "tinh-it-the-loai": province_report(few, [], period, ZONE, province),
        "xa": period_report(_rows(1), period, StationRules(), ZONE, station),
    }


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Report, list[str]]]:
    """Both reports as DOCX rendered to PDF once: {name: (report, the text of each page)}."""
    folder = tmp_path_factory.mktemp("printed")
    reports = _reports()
    documents = [write_docx(report, folder / f"{name}.docx") for name, report in reports.items()]
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), *map(str, documents)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pages = {}
    for name in reports:
        text = subprocess.run(
            ["pdftotext", str(folder / f"{name}.pdf"), "-"], check=True, capture_output=True, text=True, timeout=60
        ).stdout
        pages[name] = text.split("\f")[:-1]  # every page ends with a form feed
    return {name: (report, pages[name]) for name, report in reports.items()}


@pytest.mark.parametrize("name", ["tinh", "tinh-it-the-loai", "xa"])
def test_no_word_of_a_table_is_broken(printed: dict[str, tuple[Report, list[str]]], name: str) -> None:
    report, pages = printed[name]
    words = {word for page in pages for word in page.split()}
    categories = len(FEW) if name == "tinh-it-the-loai" else len(Category)
    assert [table.key for table in report.tables if len(table.columns) >= categories + 2], "category columns"
    for table in report.tables:
        missing = sorted({word for column in table.columns for word in column.split()} - words)
        assert not missing, f"{name}: header words of «{table.title}» broken or missing in the PDF: {missing}"
        cells = {word for row in table.all_rows for value, kind in zip(row, table.kinds, strict=True)
                 for word in show(value, kind).split()}  # fmt: skip
        assert not sorted(cells - words), f"{name}: words of «{table.title}» broken: {sorted(cells - words)}"


@pytest.mark.parametrize("name", ["tinh", "tinh-it-the-loai", "xa"])
def test_no_page_is_left_empty(printed: dict[str, tuple[Report, list[str]]], name: str) -> None:
    _report, pages = printed[name]
    empty = [number for number, page in enumerate(pages, start=1) if page.split() == ["Trang", str(number)]]
    assert not empty, f"{name}: pages with nothing but their number: {empty}"


def test_the_chart_is_drawn_with_a_font_that_has_every_vietnamese_letter() -> None:
    """Pillow draws a letter its font lacks as an empty box: the chart's legend («Chủ trương», «Trật tự») needs
    a font with all of them (DejaVu Sans here, where Liberation Sans 1.x lacks the letters with two marks)."""
    for bold in (False, True):
        font = sans(28, bold=bold)
        assert isinstance(font, ImageFont.FreeTypeFont) and isinstance(font.path, str)
        with TTFont(font.path, lazy=True) as face:
            missing = VIETNAMESE - set(face.getBestCmap())
        assert not missing, f"{font.path} lacks {''.join(sorted(map(chr, missing)))}"
    chart = _reports()["xa"].chart
    assert chart is not None and render_png(chart).startswith(b"\x89PNG")


def test_the_monthly_chart_is_on_a_portrait_page(tmp_path: Path) -> None:
    """The station's monthly table is landscape (eleven categories); the chart after it, taller than wide, is not."""
    document = write_docx(_reports()["xa"], tmp_path / "xa.docx")
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(document)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / "xa.pdf"
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(pdf)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    sizes = [
        line.split(":", 1)[1].split("pts")[0].split(" x ")
        for line in info.splitlines()
        if line.startswith("Page") and " size:" in line
    ]
    portrait = [float(width) < float(height) for width, height in sizes]
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")[:-1]
    table = next(i for i, page in enumerate(pages) if "Số giờ phát theo tháng và thể loại" in page)
    chart = next(i for i, page in enumerate(pages) if "Số giờ phát theo thể loại trong từng tháng" in page)
    assert not portrait[table] and portrait[chart] and chart > table
