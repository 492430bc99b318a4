"""``truyenthanh zone test|volume|resync|stop``: live commands to the loudspeaker clusters, sent by the running
daemon (it holds the MQTT link and signs with the station's key). Attached to the ``zone`` group of
:mod:`truyenthanh.cli.zones` by :func:`attach`."""

from __future__ import annotations

import json
from typing import Any

import click

from truyenthanh.adapters.control import ControlClient
from truyenthanh.cli import zones
from truyenthanh.cli.login import current_actor
from truyenthanh.cli.state import CliState, pass_state

TARGET_HELP = "Tên (hoặc mã) cụm loa hay máy thu; bỏ trống: mọi cụm loa."


def _send(state: CliState, action: str, target: str, as_json: bool, volume: int | None = None) -> dict[str, Any]:
    """Ask the daemon to send ``action`` to ``target``; print what went out."""
    session = state.container().accounts.open_session(current_actor(state))
    args: dict[str, Any] = {"action": action, "target": target, "session": session}
    if volume is not None:
        args["volume"] = volume
    client = ControlClient(state.settings().locations().runtime_dir)
    result = client.request("zone_command", **args)
    sent = dict(result) if isinstance(result, dict) else {}
    if as_json:
        click.echo(json.dumps(sent, ensure_ascii=False, indent=2))
    failed = sent.get("failed") or []
    if failed:
        click.echo(f"Cảnh báo: máy chủ tin nhắn chưa nhận lệnh cho {', '.join(failed)}.", err=True)
    return sent


@click.command("test")
@click.argument("target", metavar="CỤM_LOA|MÁY_THU", default="")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def test_tone(state: CliState, target: str, as_json: bool) -> None:
    """Phát tiếng thử trên một cụm loa hoặc một máy thu."""
    _send(state, "test_tone", target, as_json)
    if not as_json:
        click.echo(f"Đã gửi lệnh phát tiếng thử tới {target or 'mọi cụm loa'}.")


@click.command("volume")
@click.argument("target", metavar="CỤM_LOA|MÁY_THU")
@click.argument("percent", type=click.IntRange(0, 100), metavar="PHẦN_TRĂM")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def volume(state: CliState, target: str, percent: int, as_json: bool) -> None:
    """Đặt âm lượng (0–100 %) của một cụm loa hoặc một máy thu."""
    _send(state, "volume", target, as_json, volume=percent)
    if not as_json:
        click.echo(f"Đã gửi lệnh đặt âm lượng {percent} % tới {target}.")


@click.command("resync")
@click.argument("target", metavar="CỤM_LOA|MÁY_THU", default="")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def resync(state: CliState, target: str, as_json: bool) -> None:
    """Yêu cầu máy thu tải lại lịch phát và kiểm tra lại các tệp."""
    _send(state, "resync", target, as_json)
    if not as_json:
        click.echo(f"Đã gửi lệnh đồng bộ lại tới {target or 'mọi cụm loa'}.")


@click.command("stop")
@click.argument("target", metavar="CỤM_LOA|MÁY_THU", default="")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def stop(state: CliState, target: str, as_json: bool) -> None:
    """Dừng ngay nội dung đang phát trên cụm loa (lịch phát vẫn tiếp tục ở lượt sau)."""
    _send(state, "stop", target, as_json)
    if not as_json:
        click.echo(f"Đã gửi lệnh dừng phát tới {target or 'mọi cụm loa'}.")


COMMANDS = (test_tone, volume, resync, stop)
"""The commands :func:`attach` adds."""


def attach(group: click.Group) -> click.Group:
    """Add ``test``, ``volume``, ``resync`` and ``stop`` to the ``zone`` group; returns it."""
    for command in COMMANDS:
        group.add_command(command)
    return group


zone = attach(zones.zone)
"""``zone`` with the live commands attached (what the CLI registers lazily)."""


__all__ = ["COMMANDS", "attach", "zone"]
