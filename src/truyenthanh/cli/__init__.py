"""The ``truyenthanh`` command: parse, load settings, call bootstrap, hand off. No logic lives here.

Each area adds its commands in a module of this package and registers them at the bottom of this file.
Errors are printed in Vietnamese on stderr with exit code 1 (2 for tampered records), naming the option they
concern (see :mod:`truyenthanh.cli.flags`); stdout is for data (``--json``).
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from truyenthanh.cli import vietnamese
from truyenthanh.cli.flags import OptionNames, error_text, naming, option_names
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.errors import TruyenthanhError

vietnamese.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """A group that turns our errors into a Vietnamese message on stderr and their exit code (1, or 2 for
    tampered records).

    Commands listed in :attr:`lazy_commands` are imported only when they run (or ``--help`` lists them): the
    TUI and the daemon start without loading the report writers, the package signer and the speech engines.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str | Callable[[], click.Command]] = {}
        """Command name to ``"module:attribute"`` (or a function returning the command)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, loaded or not, sorted."""
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, imported on first use."""
        loaded = super().get_command(ctx, cmd_name)
        if loaded is not None or cmd_name not in self.lazy_commands:
            return loaded
        where = self.lazy_commands[cmd_name]
        if isinstance(where, str):
            module, _, attribute = where.partition(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
        else:
            command = where()
        self.add_command(command, cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TruyenthanhError as exc:
            click.echo(error_text(exc, option_names(ctx)), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu.", err=True)
            ctx.exit(130)
        except OSError as exc:
            if exc.errno not in _DISK_ERRNOS:
                raise
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(
                f"Lỗi: không ghi được{where}: {_DISK_ERRNOS[exc.errno]}. Hãy giải phóng chỗ trống (hoặc sửa lỗi "
                "đĩa) rồi làm lại.",
                err=True,
            )
            ctx.exit(1)


_DISK_ERRNOS = {
    errno.ENOSPC: "đĩa đã đầy",
    errno.EDQUOT: "đã hết hạn mức dung lượng của tài khoản",
    errno.EROFS: "đĩa chỉ cho đọc",
}
"""A full or read-only disk met outside the database (media, reports, key files), in Vietnamese."""


@click.group(cls=_Group, context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(
    None, "-V", "--version", package_name="truyenthanh", prog_name="truyenthanh", message="%(prog)s %(version)s"
)
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
        command = main.get_command(ctx, "tui")
        assert command is not None
        ctx.invoke(command)


@main.command()
@click.option("--demo", is_flag=True, help="Tạo thêm đài mẫu: nhạc hiệu, tín hiệu và chương trình sáng, chiều.")
@click.option("--name", help="Tên đài (chỉ dùng khi tạo mới).")
@click.option("--commune", help="Tên xã của đài, ví dụ «Tân Lập» (khi đài chưa có; sau đó: «station set»).")
@click.option("--province", help="Tỉnh, thành phố của đài (một trong 34), ví dụ «Phú Thọ».")
@pass_state
@naming(OptionNames(fields={"commune": "--commune", "province": "--province"}))
def init(state: CliState, demo: bool, name: str | None, commune: str | None, province: str | None) -> None:
    """Tạo mới hoặc nâng cấp dữ liệu của đài; chạy lại nhiều lần không sao. Ghi tệp cấu hình có chú thích
    mọi thiết lập nếu chưa có."""
    from truyenthanh.services.station import DEMO_TUNES

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
    if commune or province:
        container.station.first_identity(commune=commune, province=province)
    if container.station.write_config():
        click.echo(f"Đã ghi tệp cấu hình có chú thích mọi thiết lập: {container.locations.config_file}.")


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
        if running.get("log_pending"):
            click.echo(f"Cảnh báo: nhật ký đang chờ ghi: {running['log_pending']} dòng.", err=True)
        if running.get("clock_warning"):
            click.echo(f"Cảnh báo: {running['clock_warning']}", err=True)
        if isinstance(running.get("fleet"), dict):
            from truyenthanh.protocol import FleetSummary

            fleet = FleetSummary.from_json(running["fleet"])
            click.echo(fleet.text())
            if fleet.problem:
                click.echo(f"Cảnh báo: {fleet.problem}", err=True)
    else:
        click.echo("Dịch vụ phát: không chạy («truyenthanh daemon» để chạy).")
    if not info["schema_up_to_date"]:
        click.echo("Cảnh báo: dữ liệu cần nâng cấp, hãy chạy «truyenthanh init».", err=True)
    disk = _disk_warning(Path(info["paths"]["data"]), info["disk_free_mb"])
    if disk:
        click.echo(f"Cảnh báo: {disk}", err=True)


LOW_DISK_MB = 100
"""Free space below which ``status`` warns that the station's disk is nearly full."""


def _disk_warning(folder: Path, free_mb: float | None) -> str:
    """What is wrong with the disk holding the station's data (Vietnamese), or an empty string."""
    if not os.access(folder, os.W_OK) or _read_only(folder):
        return f"đĩa chứa dữ liệu của đài ({folder}) chỉ cho đọc: không ghi được nhật ký và thay đổi nào."
    if free_mb is not None and free_mb < 1:
        return f"đĩa chứa dữ liệu của đài ({folder}) đã đầy: không ghi được nhật ký và thay đổi nào."
    if free_mb is not None and free_mb < LOW_DISK_MB:
        return f"đĩa chứa dữ liệu của đài ({folder}) sắp đầy: chỉ còn {free_mb} MB."
    return ""


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _schedule_group() -> click.Command:
    """``schedule`` with the calendar's ``export`` and ``import`` attached."""
    from truyenthanh.cli.calendar import attach
    from truyenthanh.cli.schedule import schedule

    attach(schedule)
    return schedule


main.lazy_commands.update(
    {
        "announcement": "truyenthanh.cli.approvals:announcement",
        "programme": "truyenthanh.cli.approvals:programme",
        "audit": "truyenthanh.cli.audit:audit",
        "library": "truyenthanh.cli.library:library",
        "package": "truyenthanh.cli.packages:package",
        "keys": "truyenthanh.cli.packages:keys",
        "report": "truyenthanh.cli.reports:report",
        "tui": "truyenthanh.cli.tui:tui",
        "user": "truyenthanh.cli.users:user",
        "rules": "truyenthanh.cli.rules:rules",
        "station": "truyenthanh.cli.station:station",
        "schedule": _schedule_group,
        "log": "truyenthanh.cli.schedule:log",
        "daemon": "truyenthanh.cli.daemon:daemon",
        "emergency": "truyenthanh.cli.daemon:emergency",
        "control": "truyenthanh.cli.daemon:control",
        "normalize": "truyenthanh.cli.speech:normalize_command",
        "say": "truyenthanh.cli.speech:say",
        "rerender": "truyenthanh.cli.speech:rerender",
        "play": "truyenthanh.cli.playout:play",
        "service": "truyenthanh.cli.service:service",
        "serve": "truyenthanh.cli.serve:serve",
        "zone": "truyenthanh.cli.zone_control:zone",
        "broker": "truyenthanh.cli.zones:broker",
        "receiver": "truyenthanh.cli.receiver:receiver",
        "hub": "truyenthanh.cli.hub:hub",
        "upstream": "truyenthanh.cli.hub:upstream",
    }
)
