"""``truyenthanh zone add|list|enroll`` (loudspeaker clusters) and ``truyenthanh broker config`` (the MQTT
broker's files). Parse, call the fleet service, print; no logic here."""

from __future__ import annotations

import json
from datetime import datetime

import click

from truyenthanh.cli.login import current_actor
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.accounts import Permission

_LIGHTS = {
    "ok": "● tốt",
    "stale": "◐ lịch cũ",
    "refusing": "▲ từ chối tin",
    "offline": "○ mất kết nối",
}
"""The status lights in words (``ReceiverView.light``)."""


def _local(moment: datetime | None, state: CliState) -> str:
    if moment is None:
        return "chưa thấy"
    return moment.astimezone(state.settings().zone).strftime("%H:%M %d/%m/%Y")


def _manager(state: CliState) -> str:
    """Log in someone who may change the station's settings; their username."""
    actor = current_actor(state)
    state.container().accounts.require(actor, Permission.MANAGE_STATION)
    return actor.username


@click.group()
def zone() -> None:
    """Cụm loa IP ở các thôn: thêm, xem trạng thái, đăng ký máy thu."""


@zone.command("add")
@click.argument("name")
@click.option("--hamlet", default="", help="Thôn, bản, ấp hoặc tổ dân phố của cụm loa.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def add(state: CliState, name: str, hamlet: str, as_json: bool) -> None:
    """Thêm cụm loa NAME."""
    actor = _manager(state)
    view = state.container().fleet.add_zone(actor, name, hamlet)
    if as_json:
        click.echo(json.dumps({"name": view.name, "slug": view.slug, "hamlet": view.hamlet}, ensure_ascii=False))
        return
    click.echo(f"Đã thêm cụm loa «{view.name}» (mã {view.slug}).")
    click.echo(f"Đăng ký máy thu cho cụm này: truyenthanh zone enroll {view.slug}")


@zone.command("list")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def list_(state: CliState, as_json: bool) -> None:
    """Liệt kê các cụm loa và máy thu của từng cụm, với trạng thái và lần cuối liên lạc."""
    fleet = state.container().fleet
    zones, receivers = fleet.zones(), fleet.receivers()
    if as_json:
        data = [
            {
                "name": z.name,
                "slug": z.slug,
                "hamlet": z.hamlet,
                "enabled": z.enabled,
                "receivers": [
                    {
                        "slug": r.slug,
                        "name": r.name,
                        "online": r.online,
                        "light": r.light,
                        "stale": r.stale,
                        "last_seen": r.last_seen.isoformat() if r.last_seen else None,
                    }
                    for r in receivers
                    if r.zone == z.slug
                ],
            }
            for z in zones
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not zones:
        click.echo("Chưa có cụm loa nào. Thêm bằng: truyenthanh zone add TÊN")
        return
    for z in zones:
        where = f", {z.hamlet}" if z.hamlet else ""
        off = "" if z.enabled else " (đang tắt)"
        click.echo(f"{z.name} [{z.slug}]{where}{off}")
        mine = [r for r in receivers if r.zone == z.slug]
        if not mine:
            click.echo(f"    chưa có máy thu (truyenthanh zone enroll {z.slug})")
        for r in mine:
            click.echo(
                f"    {_LIGHTS.get(r.light, r.light)}  {r.name} [{r.slug}]  lần cuối: {_local(r.last_seen, state)}"
            )


@zone.command("enroll")
@click.argument("zone_name", metavar="ZONE")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def enroll(state: CliState, zone_name: str, as_json: bool) -> None:
    """Tạo mã đăng ký dùng một lần cho một máy thu mới của cụm loa ZONE."""
    actor = _manager(state)
    settings = state.settings()
    issued = state.container().fleet.issue_code(actor, zone_name)
    host = settings.fleet_public_host or settings.fleet_broker_host
    url = f"http://{host}:{settings.fleet_http_port}"
    command = f'truyenthanh receiver enrol {url} {issued.code} --name "TÊN MÁY THU"'
    if as_json:
        data = {"code": issued.code, "zone": issued.zone, "expires_at": issued.expires_at.isoformat(), "url": url}
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"Mã đăng ký cho cụm loa {issued.zone}: {issued.code}")
    click.echo(f"Dùng được một lần, hết hạn lúc {_local(issued.expires_at, state)}.")
    click.echo("Trên máy thu của cụm loa, chạy:")
    click.echo(f"    {command}")


@click.group()
def broker() -> None:
    """Máy chủ tin nhắn MQTT (Mosquitto) nối đài với các cụm loa."""


@broker.command("config")
@click.option("--port", type=click.IntRange(1, 65535), help="Cổng TLS của máy chủ (mặc định: fleet_broker_port).")
@click.option("--bind", default="0.0.0.0", show_default=True, help="Địa chỉ máy chủ lắng nghe.")
@click.option(
    "--host",
    "hosts",
    multiple=True,
    help="Tên máy hoặc địa chỉ mà máy thu dùng để kết nối (có thể lặp lại); ghi vào chứng chỉ.",
)
@pass_state
def config(state: CliState, port: int | None, bind: str, hosts: tuple[str, ...]) -> None:
    """Ghi cấu hình Mosquitto (TLS, tài khoản từng máy thu, quyền theo chủ đề) vào thư mục broker của đài."""
    _manager(state)
    settings = state.settings()
    port = port or settings.fleet_broker_port
    names = [*hosts, settings.fleet_public_host, settings.fleet_broker_host, "localhost"]
    written = state.container().fleet.configure_broker(port=port, bind=bind, hostnames=[h for h in names if h])
    click.echo(f"Đã ghi cấu hình máy chủ tin nhắn: {written}")
    click.echo("Chạy máy chủ bằng:")
    click.echo(f"    mosquitto -c {written}")
    click.echo(f"Rồi ghi vào tệp cấu hình của đài ({state.container().locations.config_file}):")
    click.echo("    fleet_enabled = true")
    click.echo(f'    fleet_station_id = "{settings.fleet_station_id}"')
    click.echo(f'    fleet_broker_host = "{settings.fleet_broker_host}"')
    click.echo(f"    fleet_broker_port = {port}")
    click.echo(f'    fleet_public_host = "{settings.fleet_public_host or "ĐỊA CHỈ CỦA ĐÀI TRONG MẠNG"}"')
