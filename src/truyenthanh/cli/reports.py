"""``truyenthanh report``: the weekly logbook, the 6-monthly and the annual reports."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.services.reports import FORMATS, Format, Progress

JSON_HELP = "In danh sách tệp đã ghi dạng JSON."
_FORMAT = click.Choice(FORMATS)
CSV_COMMA_HELP = (
    "Tệp CSV phân cách bằng dấu phẩy, số thập phân dùng dấu chấm (mặc định: dấu chấm phẩy và dấu phẩy thập phân, "
    "như Excel cài đặt vùng Việt Nam đọc được)."
)


def _written(paths: list[Path], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([str(p) for p in paths], ensure_ascii=False))
        return
    for path in paths:
        click.echo(f"Đã ghi {path}")


def _with_progress(
    formats: tuple[Format, ...], write: Callable[[tuple[Format, ...], Progress], list[Path]]
) -> list[Path]:
    chosen = formats or FORMATS
    bar: Any = click.progressbar(length=len(chosen), label="Đang lập báo cáo", file=sys.stderr)
    with bar:
        return write(chosen, lambda _path: bar.update(1))


@click.group()
def report() -> None:
    """Sổ nhật ký phát thanh hằng tuần, báo cáo 6 tháng và báo cáo năm."""


@report.command()
@click.option("--week", help="Tuần theo ISO, ví dụ 2026-W48 (mặc định: tuần hiện tại).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Tệp DOCX cần ghi.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@pass_state
def weekly(state: CliState, week: str | None, output: Path | None, as_json: bool) -> None:
    """Sổ nhật ký chương trình phát thanh của một tuần (DOCX, sẵn để in)."""
    container = state.container()
    if week is None:
        year, number, _ = container.clock.now().astimezone(container.settings.zone).isocalendar()
        week = f"{year}-W{number:02d}"
    _written([container.reports.weekly(week, output=output)], as_json)


@report.command()
@click.option("--year", type=int, required=True, help="Năm báo cáo.")
@click.option("--half", type=click.IntRange(1, 2), required=True, help="1: sáu tháng đầu năm; 2: sáu tháng cuối năm.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), help="Thư mục ghi báo cáo.")
@click.option("--format", "formats", type=_FORMAT, multiple=True, help="docx, xlsx, csv (mặc định: cả ba).")
@click.option("--csv-comma", is_flag=True, help=CSV_COMMA_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@pass_state
def semiannual(
    state: CliState,
    year: int,
    half: int,
    out_dir: Path | None,
    formats: tuple[Format, ...],
    csv_comma: bool,
    as_json: bool,
) -> None:
    """Báo cáo 6 tháng: số giờ phát theo thể loại, ngôn ngữ, tháng; số buổi; khẩn cấp; trễ, bỏ lỡ; tiếp sóng."""
    service = state.container().reports
    written = _with_progress(
        formats,
        lambda chosen, step: service.semiannual(
            year, half, folder=out_dir, formats=chosen, progress=step, csv_comma=csv_comma
        ),
    )
    _written(written, as_json)


@report.command()
@click.option("--year", type=int, required=True, help="Năm báo cáo.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), help="Thư mục ghi báo cáo.")
@click.option("--format", "formats", type=_FORMAT, multiple=True, help="docx, xlsx, csv (mặc định: cả ba).")
@click.option("--csv-comma", is_flag=True, help=CSV_COMMA_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@pass_state
def annual(
    state: CliState, year: int, out_dir: Path | None, formats: tuple[Format, ...], csv_comma: bool, as_json: bool
) -> None:
    """Báo cáo năm (cùng nội dung với báo cáo 6 tháng, cho cả năm)."""
    service = state.container().reports
    written = _with_progress(
        formats,
        lambda chosen, step: service.annual(year, folder=out_dir, formats=chosen, progress=step, csv_comma=csv_comma),
    )
    _written(written, as_json)
