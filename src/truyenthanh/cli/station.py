"""``truyenthanh station``: who the station is (name, commune, province) and what its reports and sound use."""

from __future__ import annotations

import json
from typing import Any

import click

from truyenthanh.cli.flags import OptionNames, naming
from truyenthanh.cli.login import current_actor
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.provinces import PROVINCES

SETTING_OPTIONS = {
    "authority": "report_authority",
    "issuer": "report_issuer",
    "number_suffix": "report_number_suffix",
    "signer_title": "report_signer_title",
    "signer_name": "report_signer_name",
    "reading_variant": "reading_variant",
    "output_device": "output_device",
    "preview_device": "preview_device",
}
"""``station set``'s option (as a parameter name) to the setting it changes."""

NAMES = OptionNames(
    fields={
        "name": "--name",
        "commune": "--commune",
        "province": "--province",
        **{setting: "--" + option.replace("_", "-") for option, setting in SETTING_OPTIONS.items()},
    }
)
"""How ``station set`` names the fields its errors concern."""

LABELS = (
    ("report_authority", "Cơ quan chủ quản (báo cáo)"),
    ("report_issuer", "Cơ quan ban hành (báo cáo)"),
    ("report_number_suffix", "Ký hiệu số văn bản (…/BC-)"),
    ("report_signer_title", "Chức vụ người ký"),
    ("report_signer_name", "Người ký"),
    ("reading_variant", "Cách đọc số"),
    ("output_device", "Thiết bị phát (loa)"),
    ("preview_device", "Thiết bị nghe thử"),
)
"""Each setting ``station show`` prints, with its Vietnamese label."""


@click.group()
def station() -> None:
    """Thông tin của đài: tên, xã, tỉnh; dòng cơ quan, người ký trên báo cáo; cách đọc số; thiết bị âm thanh."""


@station.command()
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def show(state: CliState, as_json: bool) -> None:
    """Xem thông tin và cài đặt của đài."""
    setup = state.container().station.setup()
    profile = setup.profile
    if as_json:
        data: dict[str, Any] = {"name": profile.name, "commune": profile.commune, "province": profile.province}
        click.echo(json.dumps({**data, **setup.settings}, ensure_ascii=False, indent=2))
        return
    click.echo(f"Tên đài: {profile.name}")
    click.echo(f"Xã: {profile.commune or '(chưa đặt)'}")
    click.echo(f"Tỉnh, thành phố: {profile.province or '(chưa đặt)'}")
    for setting, label in LABELS:
        value = setup.settings.get(setting)
        if setting == "reading_variant":
            value = ReadingVariant(str(value)).label
        click.echo(f"{label}: {value or '(chưa đặt)'}")
    click.echo(f"Tệp cấu hình: {setup.config_file}")
    if setup.needs_setup:
        click.echo("Đài chưa có tên xã: «truyenthanh station set --commune ... --province ...».", err=True)


@station.command(name="set")
@click.option("--name", help="Tên đài, ví dụ «Đài truyền thanh xã Tân Lập».")
@click.option("--commune", help="Tên xã (phường, đặc khu), ví dụ «Tân Lập».")
@click.option("--province", help="Tỉnh hoặc thành phố (một trong 34, từ 1/7/2025), ví dụ «Phú Thọ».")
@click.option("--authority", help="Cơ quan chủ quản in trên báo cáo, ví dụ «UBND xã Tân Lập».")
@click.option("--issuer", help="Cơ quan ban hành in trên báo cáo (trống: tên đài).")
@click.option("--number-suffix", help="Phần sau «BC-» trong «Số: …/BC-ĐTT», ví dụ «ĐTT».")
@click.option("--signer-title", help="Chức vụ người ký, ví dụ «TRƯỞNG ĐÀI».")
@click.option("--signer-name", help="Họ tên người ký báo cáo.")
@click.option("--reading-variant", type=click.Choice([v.value for v in ReadingVariant]), help="Cách đọc số.")
@click.option("--output-device", help="Thiết bị phát của đài, ví dụ «pulse:loa» (chuỗi rỗng: mặc định).")
@click.option("--preview-device", help="Thiết bị nghe thử (tai nghe), ví dụ «pulse:tai-nghe» (rỗng: không đặt).")
@pass_state
@naming(NAMES)
def set_station(
    state: CliState,
    name: str | None,
    commune: str | None,
    province: str | None,
    authority: str | None,
    issuer: str | None,
    number_suffix: str | None,
    signer_title: str | None,
    signer_name: str | None,
    reading_variant: str | None,
    output_device: str | None,
    preview_device: str | None,
) -> None:
    """Đổi thông tin và cài đặt của đài (chỉ những mục được chỉ ra); ghi vào nhật ký thay đổi."""
    given = locals()
    identity = {field: given[field] for field in ("name", "commune", "province") if given[field] is not None}
    settings = {setting: given[option] for option, setting in SETTING_OPTIONS.items() if given[option] is not None}
    if not identity and not settings:
        raise click.UsageError("Hãy chỉ ra ít nhất một mục cần đổi (xem «truyenthanh station set --help»).")
    container = state.container()
    changed = container.station.change_setup(current_actor(state), identity=identity, settings=settings)
    if not changed:
        click.echo("Không có gì thay đổi.")
        return
    click.echo(f"Đã lưu: {', '.join(changed)}.")
    if {"output_device", "reading_variant"} & set(changed):
        click.echo("Dịch vụ phát dùng cài đặt mới sau khi khởi động lại («systemctl restart truyenthanh»).")


@station.command()
def provinces() -> None:
    """Liệt kê 34 tỉnh, thành phố (từ 1/7/2025)."""
    for province in PROVINCES:
        click.echo(province)
