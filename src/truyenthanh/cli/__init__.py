"""The ``truyenthanh`` command: parse, load settings, call bootstrap, hand off. No logic lives here.

Each area adds its commands in a module of this package and registers them at the bottom of this file.
Errors are printed in Vietnamese on stderr with exit code 1; stdout is for data (``--json``).
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from truyenthanh import __version__
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.errors import TruyenthanhError
from truyenthanh.services.station import DEMO_TUNES

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """A group that turns our errors into a Vietnamese message on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TruyenthanhError as exc:
            click.echo(f"{exc.title}: {exc.message}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu.", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(__version__, "-V", "--version", prog_name="truyenthanh", message="%(prog)s %(version)s")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TRUYENTHANH_DATA_DIR",
    help="Thư mục chứa toàn bộ dữ liệu của một đài (cấu hình, CSDL, âm thanh).",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """Phần mềm lập lịch phát thanh cho đài truyền thanh cấp xã. Không có lệnh: mở giao diện điều khiển."""
    ctx.obj = CliState(data_dir=data_dir)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


@main.command()
@click.option("--demo", is_flag=True, help="Tạo thêm đài mẫu: nhạc hiệu, tín hiệu và chương trình sáng, chiều.")
@click.option("--name", help="Tên đài (chỉ dùng khi tạo mới).")
@pass_state
def init(state: CliState, demo: bool, name: str | None) -> None:
    """Tạo mới hoặc nâng cấp dữ liệu của đài; chạy lại nhiều lần không sao."""
    container = state.container()
    bar: Any = click.progressbar(length=len(DEMO_TUNES), label="Đang tạo âm thanh mẫu", file=sys.stderr)
    with bar if demo else nullcontext():
        result = container.station.init(demo=demo, name=name, progress=lambda _title: bar.update(1))
    if result.upgraded_from is None:
        click.echo(f"Đã tạo đài mới tại {container.locations.data_dir}.")
    elif result.upgraded_from != result.revision:
        click.echo(f"Đã nâng cấp dữ liệu từ phiên bản {result.upgraded_from} lên {result.revision}.")
    else:
        click.echo(f"Dữ liệu tại {container.locations.data_dir} đã là mới nhất; không thay đổi gì.")
    if demo:
        click.echo(f"Đài mẫu: đã tạo {result.demo_assets} tệp âm thanh mới.")


LOCATION_NAMES = ("config", "data", "db", "media", "cache", "runtime")


@main.command()
@click.argument("what", required=False, type=click.Choice(LOCATION_NAMES))
@pass_state
def locate(state: CliState, what: str | None) -> None:
    """In ra đường dẫn: config, data, db, media, cache hoặc runtime (không có: tất cả)."""
    paths = state.settings().locations().as_dict()
    if what:
        click.echo(paths[what])
        return
    for key, value in paths.items():
        click.echo(f"{key:8} {value}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")
@pass_state
def status(state: CliState, as_json: bool) -> None:
    """Tình trạng của đài: tên, dữ liệu, số chương trình, lịch phát."""
    info = state.container().station.status()
    from truyenthanh.cli.daemon import daemon_status

    info["daemon"] = daemon_status(state)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    station = info["station"] or {}
    counts = info["counts"]
    click.echo(f"Đài: {station.get('name', '(chưa đặt tên)')}")
    if station.get("commune"):
        click.echo(f"Xã: {station['commune']}, tỉnh {station['province']}")
    click.echo(f"Giờ đài: {info['now']} ({station.get('timezone', '')})")
    click.echo(f"Dữ liệu: {info['paths']['db']} (phiên bản {info['schema_revision']})")
    click.echo(
        f"Thư viện: {counts['audio_assets']} tệp âm thanh; {counts['programmes']} chương trình; "
        f"{counts['schedules']} lịch phát; {counts['broadcast_log']} dòng nhật ký"
    )
    click.echo(f"Dung lượng đĩa còn trống: {info['disk_free_mb']} MB")
    running = info["daemon"]
    if running.get("running"):
        playing = running.get("playing")
        now = f"đang phát «{playing['programme']}»" if playing else "đang chờ"
        click.echo(f"Dịch vụ phát: đang chạy (PID {running['pid']}), {now}.")
    else:
        click.echo("Dịch vụ phát: không chạy («truyenthanh daemon» để chạy).")
    if not info["schema_up_to_date"]:
        click.echo("Cảnh báo: dữ liệu cần nâng cấp, hãy chạy «truyenthanh init».", err=True)


from truyenthanh.cli.approvals import announcement, programme  # noqa: E402
from truyenthanh.cli.audit import audit  # noqa: E402
from truyenthanh.cli.library import library  # noqa: E402
from truyenthanh.cli.packages import keys, package  # noqa: E402
from truyenthanh.cli.reports import report  # noqa: E402
from truyenthanh.cli.tui import tui  # noqa: E402  (registered after the group exists)
from truyenthanh.cli.users import user  # noqa: E402

main.add_command(announcement)
main.add_command(programme)
main.add_command(audit)
main.add_command(library)
main.add_command(package)
main.add_command(keys)
main.add_command(report)
main.add_command(tui)
main.add_command(user)

from truyenthanh.cli import daemon as _daemon  # noqa: E402
from truyenthanh.cli import schedule as _schedule  # noqa: E402

_schedule.register(main)
_daemon.register(main)

from truyenthanh.cli import calendar as _calendar  # noqa: E402

_calendar.attach(_schedule.schedule)

from truyenthanh.cli.speech import normalize_command, rerender, say  # noqa: E402

main.add_command(normalize_command)
main.add_command(say)
main.add_command(rerender)

from truyenthanh.cli.playout import play  # noqa: E402

main.add_command(play)
