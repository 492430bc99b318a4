"""``truyenthanh service install|remove``: start the station's daemon at boot (systemd on Linux, a scheduled task
on Windows)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from truyenthanh.adapters import autostart
from truyenthanh.cli.state import CliState, pass_state


@click.group("service")
def service() -> None:
    """Cho dịch vụ phát tự chạy khi máy khởi động (systemd trên Linux, Task Scheduler trên Windows)."""


@service.command("install")
@click.option("--user", default="truyenthanh", show_default=True, help="Tài khoản chạy dịch vụ phát (Linux).")
@click.option("--group", default=None, help="Nhóm của người vận hành (mặc định: trùng tên tài khoản).")
@click.option(
    "--unit-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=autostart.DEFAULT_UNIT_DIR,
    show_default=True,
    help="Thư mục tệp dịch vụ systemd.",
)
@click.option("--no-start", is_flag=True, help="Chỉ ghi tệp, không bật và chạy dịch vụ.")
@click.option("--docs", default=None, help="Địa chỉ tài liệu ghi trong dịch vụ (mặc định: README cạnh chương trình).")
@pass_state
def install(state: CliState, user: str, group: str | None, unit_dir: Path, no_start: bool, docs: str | None) -> None:
    """Cài dịch vụ phát cho đài này (--data-dir) để tự chạy khi máy khởi động."""
    program = autostart.installed_program()
    plan = autostart.ServicePlan(
        program=program,
        data_dir=state.settings().locations().data_dir,
        user=user,
        group=group or user,
        documentation=docs or f"file://{Path(program).resolve().parents[2] / 'README.md'}",
    )
    if sys.platform == "win32":
        autostart.install_windows(plan)
        click.echo(f"Đã tạo tác vụ «{autostart.TASK_NAME}» chạy dịch vụ phát khi Windows khởi động.")
        return
    target = autostart.install_systemd(plan, unit_dir=unit_dir, start=not no_start)
    click.echo(f"Đã ghi {target} (dữ liệu: {plan.data_dir}, tài khoản: {plan.user}, nhóm: {plan.group}).")
    if no_start:
        click.echo(f"Chưa bật: chạy «systemctl daemon-reload && systemctl enable --now {autostart.UNIT_NAME}».")
    else:
        click.echo("Đã bật và chạy dịch vụ phát; «systemctl status truyenthanh» để xem.")


@service.command("remove")
@click.option(
    "--unit-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=autostart.DEFAULT_UNIT_DIR,
    show_default=True,
    help="Thư mục tệp dịch vụ systemd.",
)
@click.option("--no-stop", is_flag=True, help="Chỉ xóa tệp, không dừng dịch vụ.")
def remove(unit_dir: Path, no_stop: bool) -> None:
    """Dừng và gỡ dịch vụ phát khỏi danh sách tự chạy; dữ liệu của đài giữ nguyên."""
    if sys.platform == "win32":
        autostart.remove_windows()
        click.echo(f"Đã xóa tác vụ «{autostart.TASK_NAME}».")
        return
    if autostart.remove_systemd(unit_dir=unit_dir, stop=not no_stop):
        click.echo(f"Đã gỡ dịch vụ phát ({unit_dir / autostart.UNIT_NAME}); dữ liệu của đài giữ nguyên.")
    else:
        click.echo(f"Không có dịch vụ phát nào được cài ở {unit_dir}.")
