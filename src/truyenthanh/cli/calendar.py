"""``truyenthanh schedule export --ics`` and ``schedule import FILE.ics``: the schedule as iCalendar."""

from __future__ import annotations

import json
from pathlib import Path

import click

from truyenthanh.cli.login import current_actor
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.services.packages import ConflictChoice


@click.command("export")
@click.option("--ics", "as_ics", is_flag=True, required=True, help="Xuất dạng iCalendar (.ics).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Ghi ra tệp (mặc định: in ra).")
@pass_state
def export(state: CliState, as_ics: bool, output: Path | None) -> None:
    """Xuất lịch phát của đài thành tệp iCalendar để mở bằng ứng dụng lịch (Google, Outlook, Thunderbird)."""
    document = state.container().calendar.export_ics()
    if output is None:
        click.echo(document.decode("utf-8"), nl=False)
        return
    output.write_bytes(document)
    click.echo(f"Đã ghi lịch phát vào {output}.", err=True)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và cho biết sẽ thêm gì; không ghi gì.")
@click.option(
    "--on-conflict",
    type=click.Choice([c.value for c in ConflictChoice]),
    default=ConflictChoice.REFUSE.value,
    show_default=True,
    help="Khi trùng lịch hoặc trái quy định của đài: refuse (không nhập), skip (bỏ các lịch đó), force (vẫn nhập).",
)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")
@pass_state
def import_(state: CliState, file: Path, dry_run: bool, on_conflict: str, as_json: bool) -> None:
    """Nhập lịch phát từ tệp iCalendar: mỗi sự kiện mang tên một chương trình của đài thành một lịch phát."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise click.FileError(str(file), exc.strerror) from exc
    actor = None if dry_run else current_actor(state)
    result = state.container().calendar.import_ics(
        raw, file.name, actor=actor, choice=ConflictChoice(on_conflict), dry_run=dry_run
    )
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    for summary in result.schedules:
        click.echo(f"  {summary}")
    for conflict in result.conflicts:
        click.echo(f"  Xung đột: {conflict}")
    if not result.imported:
        click.echo(f"Chạy thử (--dry-run): {len(result.schedules)} lịch; chưa ghi gì.")
        return
    click.echo(
        f"Đã nhập {len(result.schedule_ids)} lịch phát"
        + (f", thay hoặc cập nhật {result.replaced} lịch đã có" if result.replaced else "")
        + (f", bỏ qua {len(result.skipped)} lịch bị trùng" if result.skipped else "")
        + "."
    )


def attach(group: click.Group) -> None:
    """Add ``export`` and ``import`` to the ``schedule`` group."""
    group.add_command(export)
    group.add_command(import_)
