"""``truyenthanh library``: import audio files, list and describe them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from truyenthanh.cli.login import current_actor
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.enums import Category
from truyenthanh.services.library import AssetInfo


def parse_category(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Category | None:
    """Click callback: a category by value or Vietnamese label."""
    if value is None:
        return None
    try:
        return Category(Category.parse(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


CATEGORY_HELP = "Thể loại: " + ", ".join(member.value for member in Category) + " (hoặc tên tiếng Việt)."


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _line(asset: AssetInfo) -> str:
    loudness = f"{asset.loudness_lufs:6.1f} LUFS" if asset.loudness_lufs is not None else "    ? LUFS"
    return f"{asset.id:>5}  {_minutes(asset.duration_s):>6}  {loudness}  {asset.language:<5}  {asset.title}"


class ImportLine:
    """One line on stderr, rewritten as files decode: the file, its share done and the whole batch's.

    Shown only when stderr is a terminal and the output is not JSON; otherwise it writes nothing.
    """

    def __init__(self, total: int, *, shown: bool) -> None:
        """Args:
        total: how many files the batch has.
        shown: whether to write at all.
        """
        self._total = max(total, 1)
        self._shown = shown
        self._done = 0
        self._width = 0

    def decoding(self, path: Path, share: float) -> None:
        """A file is ``share`` (0 to 1) decoded."""
        overall = (self._done + share) / self._total
        self._write(f"Đang nhập tệp {self._done + 1}/{self._total} «{path.name}»: {share:4.0%} (cả đợt {overall:4.0%})")

    def file_done(self, path: Path) -> None:
        """A file is handled (imported, duplicate or refused)."""
        self._done += 1
        self._write(
            f"Đã xong {self._done}/{self._total} tệp (cả đợt {self._done / self._total:4.0%}), vừa xong «{path.name}»"
        )

    def _write(self, text: str) -> None:
        if not self._shown:
            return
        # Pad over the previous, longer text: a carriage return alone leaves its tail on screen.
        click.echo("\r" + text.ljust(self._width), nl=False, err=True)
        self._width = len(text)

    def __enter__(self) -> ImportLine:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._shown and self._width:
            click.echo("", err=True)


@click.group()
def library() -> None:
    """Thư viện âm thanh của đài: nhập tệp, xem danh sách, sửa thông tin."""


@library.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--title", help="Tiêu đề (chỉ khi nhập một tệp; mặc định: tên tệp).")
@click.option("--category", callback=parse_category, default="other", show_default=True, help=CATEGORY_HELP)
@click.option("--language", default="vi", show_default=True, help="Mã ngôn ngữ: vi, hoặc tiếng dân tộc (hmn, tay…).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")
@pass_state
def add(
    state: CliState, files: tuple[Path, ...], title: str | None, category: Category, language: str, as_json: bool
) -> None:
    """Nhập tệp âm thanh (mp3, wav, ogg, flac, m4a, aac): đo độ to EBU R128 rồi chép vào thư viện."""
    service = state.container().library
    actor = current_actor(state)
    line = ImportLine(len(files), shown=not as_json and sys.stderr.isatty())
    with line:
        report = service.add(
            actor,
            list(files),
            title=title,
            category=category,
            language=language,
            progress=line.file_done,
            decoding=line.decoding,
        )
    if as_json:
        click.echo(json.dumps([r.to_json() for r in report.results], ensure_ascii=False, indent=2))
    else:
        for asset in report.imported:
            click.echo(f"Đã nhập: {_line(asset)}")
        for result in report.duplicates:
            assert result.duplicate_of is not None
            click.echo(f"Đã có sẵn (trùng nội dung, không nhập lại): {result.path} = số {result.duplicate_of.id}")
    for result in report.failures:
        click.echo(f"Không nhập được {result.path}: {result.error}", err=True)
    if report.failures:
        click.echo(
            f"Đã nhập {len(report.imported)} tệp, {len(report.failures)} tệp bị từ chối (không ghi gì cho các tệp đó).",
            err=True,
        )
        click.get_current_context().exit(1)


@library.command("list")
@click.option("--category", callback=parse_category, help=CATEGORY_HELP)
@click.option("--language", help="Chỉ các tệp bằng ngôn ngữ này (vi, hmn…).")
@click.option("--search", help="Tìm theo tiêu đề (có dấu hay không dấu đều được).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")
@pass_state
def list_assets(
    state: CliState, category: Category | None, language: str | None, search: str | None, as_json: bool
) -> None:
    """Liệt kê các tệp âm thanh trong thư viện (mới nhất trước)."""
    assets = state.container().library.list(category=category, language=language, search=search)
    if as_json:
        click.echo(json.dumps([a.to_json() for a in assets], ensure_ascii=False, indent=2))
        return
    if not assets:
        click.echo("Thư viện chưa có tệp nào khớp.")
        return
    click.echo(f"{'Số':>5}  {'Dài':>6}  {'Độ to':>11}  {'N.ngữ':<5}  Tiêu đề")
    for asset in assets:
        click.echo(_line(asset))


@library.command("edit")
@click.argument("asset_id", type=int)
@click.option("--title", help="Tiêu đề mới.")
@click.option("--category", callback=parse_category, help=CATEGORY_HELP)
@click.option("--language", help="Mã ngôn ngữ mới.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")
@pass_state
def edit(
    state: CliState,
    asset_id: int,
    title: str | None,
    category: Category | None,
    language: str | None,
    as_json: bool,
) -> None:
    """Sửa tiêu đề, thể loại hoặc ngôn ngữ của một tệp trong thư viện."""
    asset = state.container().library.update(
        current_actor(state), asset_id, title=title, category=category, language=language
    )
    if as_json:
        click.echo(json.dumps(asset.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"Đã sửa: {_line(asset)} ({asset.category.label})")


@library.command("delete")
@click.argument("asset_id", type=int)
@pass_state
def delete(state: CliState, asset_id: int) -> None:
    """Xóa một tệp khỏi thư viện (chỉ khi không chương trình hay thông báo nào dùng nó)."""
    asset = state.container().library.delete(current_actor(state), asset_id)
    click.echo(f"Đã xóa tệp số {asset.id} «{asset.title}» khỏi thư viện.")
