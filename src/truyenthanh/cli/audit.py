"""``truyenthanh audit``: check the hash chains, and read the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import click

from truyenthanh.cli.state import CliState, pass_state


@click.group()
def audit() -> None:
    """Nhật ký thay đổi: kiểm tra tính toàn vẹn và xem lịch sử."""


@audit.command()
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")
@click.option(
    "--against",
    "printed",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Sổ nhật ký tuần đã in (.docx): lịch sử đến dòng in trên sổ phải còn nguyên như lúc in.",
)
@pass_state
def verify(state: CliState, as_json: bool, printed: Path | None) -> None:
    """Kiểm tra nhật ký thay đổi và nhật ký phát thanh có bị sửa, chèn hay xóa dòng nào không."""
    if printed is not None:
        _against(state, printed)
        return
    reports = state.container().audit.verify()
    if as_json:
        click.echo(json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            if report.ok:
                click.echo(f"{report.label}: {report.rows} dòng, nguyên vẹn.")
                continue
            click.echo(f"{report.label}: {report.rows} dòng, KHÔNG NGUYÊN VẸN:")
            for problem in report.problems:
                click.echo(f"  - {problem.reason}")
            if not report.guarded:
                click.echo("  - cơ chế ghi mốc cuối chuỗi (trigger trong CSDL) đã bị gỡ bỏ")
    if not all(report.ok for report in reports):
        click.echo("Phát hiện dữ liệu lịch sử bị can thiệp; xem chi tiết ở trên.", err=True)
        raise SystemExit(2)


def _against(state: CliState, printed: Path) -> None:
    """Check the history against the anchor a printed weekly logbook carries."""
    from truyenthanh.adapters.reports.word import printed_text

    problem = state.container().audit.check_anchor(printed_text(printed))
    if problem is not None:
        click.echo(f"{printed}: {problem}", err=True)
        raise SystemExit(2)
    click.echo(f"{printed}: nhật ký phát thanh đến dòng in trên sổ vẫn nguyên như lúc in.")


@audit.command(name="list")
@click.option("--entity", help="Chỉ xem một loại đối tượng (announcement, programme, user...).")
@click.option("--id", "entity_id", help="Chỉ xem một đối tượng theo mã.")
@click.option("--limit", default=50, show_default=True, help="Số dòng mới nhất cần xem.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")
@pass_state
def list_entries(state: CliState, entity: str | None, entity_id: str | None, limit: int, as_json: bool) -> None:
    """Xem các thay đổi gần nhất: ai, lúc nào, làm gì."""
    container = state.container()
    lines = container.audit.entries(entity=entity, entity_id=entity_id, limit=limit)
    if as_json:
        click.echo(json.dumps([line.to_json() for line in lines], ensure_ascii=False, indent=2))
        return
    zone = container.settings.zone
    for line in lines:
        when = line.at.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S")
        target = f"{line.entity} {line.entity_id}".strip()
        changed = f" — đổi {', '.join(line.changed)}" if line.changed else ""
        click.echo(f"{line.id:>6}  {when}  {line.actor:<16}  {line.label} ({target}){changed}")
