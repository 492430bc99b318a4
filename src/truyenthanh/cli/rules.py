"""``truyenthanh rules``: the station's broadcasting rules (sessions with their seasons, quiet hours, days off,
weekend) as an editable file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from truyenthanh.cli.login import current_actor
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain import rules_file
from truyenthanh.domain.schedule import WEEKDAY_NAMES
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import ConfigError


@click.group()
def rules() -> None:
    """Quy định phát thanh của đài: các buổi phát (giờ theo mùa), giờ yên lặng, ngày nghỉ, cuối tuần."""


@rules.command()
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def show(state: CliState, as_json: bool) -> None:
    """Xem quy định đang áp dụng."""
    current = state.container().scheduling.rules()
    if as_json:
        click.echo(json.dumps(current.to_json(), ensure_ascii=False, indent=2))
        return
    if not current.sessions:
        click.echo("Buổi phát: chưa quy định (phát được mọi giờ ngoài giờ yên lặng).")
    for session in current.sessions:
        click.echo(
            f"{session.name}: {session.start:%H:%M}–{session.end:%H:%M}, tối đa {session.max_minutes} phút phát."
        )
        for season in session.seasons:
            click.echo(f"  {season.name} ({season.span}): {season.start:%H:%M}–{season.end:%H:%M}.")
    for quiet in current.quiet_hours:
        click.echo(f"Giờ yên lặng (chỉ phát khẩn cấp): {quiet.start:%H:%M}–{quiet.end:%H:%M}.")
    if current.days_off:
        click.echo("Ngày nghỉ Chính phủ công bố (tính như ngày lễ):")
    for day_off in current.days_off:
        click.echo(f"  {WEEKDAY_NAMES[day_off.day.weekday()]} {day_off.day:%d/%m/%Y}: {day_off.name}.")
    click.echo(f"Cuối tuần: {current.weekend_rule.label}.")


@rules.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path), required=False)
@pass_state
def export(state: CliState, target: Path | None) -> None:
    """Ghi quy định ra tệp TOML để sửa (không có TARGET: in ra màn hình)."""
    text = rules_file.render(state.container().scheduling.rules())
    if target is None:
        click.echo(text, nl=False)
        return
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Không ghi được tệp {target}: {exc.strerror or exc}.") from exc
    click.echo(f"Đã ghi quy định vào {target}. Sửa xong chạy «truyenthanh rules import {target}».")


@rules.command(name="import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra tệp, không lưu.")
@pass_state
def import_rules(state: CliState, source: Path, dry_run: bool) -> None:
    """Đọc quy định từ tệp TOML (như «rules export» ghi ra) và áp dụng; tệp có lỗi thì không lưu gì."""
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"Không có tệp {source}.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Không đọc được tệp {source}: {exc}.") from exc
    parsed = rules_file.parse(text, str(source))
    if dry_run:
        click.echo(
            f"Tệp {source} hợp lệ: {len(parsed.sessions)} buổi phát, {len(parsed.quiet_hours)} khoảng yên lặng"
            f"{_extras(parsed)}."
        )
        return
    container = state.container()
    container.scheduling.set_rules(current_actor(state), parsed)
    click.echo(
        f"Đã áp dụng quy định từ {source}: {len(parsed.sessions)} buổi phát, "
        f"{len(parsed.quiet_hours)} khoảng yên lặng, cuối tuần: {parsed.weekend_rule.label.lower()}. "
        "Dịch vụ phát tự nhận thay đổi."
    )


def _extras(parsed: StationRules) -> str:
    """``, 1 mùa, 2 ngày nghỉ`` when the rules have seasons or days off (nothing otherwise)."""
    seasons = sum(len(session.seasons) for session in parsed.sessions)
    parts = [f"{seasons} mùa"] if seasons else []
    parts += [f"{len(parsed.days_off)} ngày nghỉ"] if parsed.days_off else []
    return "".join(f", {part}" for part in parts)
