"""``truyenthanh daemon``, ``truyenthanh emergency`` and ``truyenthanh control``: run the playout daemon and
talk to it through its control socket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from truyenthanh.adapters.control import ControlClient
from truyenthanh.cli.flags import OptionNames, naming
from truyenthanh.cli.login import current_actor
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Priority
from truyenthanh.errors import DaemonError, FleetError


def _client(state: CliState) -> ControlClient:
    return ControlClient(state.settings().locations().runtime_dir)


def _session(state: CliState) -> tuple[Actor, str]:
    """Log in (or take the single operator) and open a session the daemon accepts for air commands."""
    actor = current_actor(state)
    return actor, state.container().accounts.open_session(actor)


def daemon_status(state: CliState) -> dict[str, Any]:
    """The running daemon's status as it sent it, or ``{"running": False}`` (for ``truyenthanh status``, which
    prints it as JSON: scripts read the daemon's own fields, so it is passed on undecoded)."""
    try:
        result = _client(state).request("status")
    except DaemonError:
        return {"running": False}
    return dict(result) if isinstance(result, dict) else {"running": False}


@click.command("daemon")
@click.option("--output", help="Nơi phát: device, file:ĐƯỜNG_DẪN hoặc icecast:URL (mặc định theo cấu hình).")
@pass_state
def daemon(state: CliState, output: str | None) -> None:
    """Chạy dịch vụ phát (không giao diện): phát đúng giờ theo lịch, khẩn cấp, ghi nhật ký. Dừng bằng SIGTERM."""
    from truyenthanh import daemon as playout_daemon

    container = state.container()
    container.station.status()  # refuses an uninitialised station with a clear message
    raise SystemExit(playout_daemon.run(container, output=output))


_EMERGENCY_NAMES = OptionNames(fields={"zones": "--zone"})


@click.command("emergency")
@click.argument("text", required=False)
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path), help="Phát tệp âm thanh này.")
@click.option("--repeat", type=click.IntRange(min=1), default=1, show_default=True, help="Số lần phát.")
@click.option("--every", "every", type=click.FloatRange(min=0.1), default=120.0, show_default=True, help="Phút.")
@click.option("--until-cancelled", is_flag=True, help="Lặp lại cho đến khi hủy («truyenthanh emergency cancel»).")
@click.option(
    "--zone",
    "zones",
    multiple=True,
    metavar="SLUG",
    help="Gửi tới cụm loa của khu vực này (lặp lại được; mặc định: mọi khu vực). Xem «truyenthanh zone list».",
)
@click.option("--no-zones", is_flag=True, help="Chỉ phát trên loa của đài, không gửi tới cụm loa nào.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
@naming(_EMERGENCY_NAMES)
def emergency(
    state: CliState,
    text: str | None,
    file: Path | None,
    repeat: int,
    every: float,
    until_cancelled: bool,
    zones: tuple[str, ...],
    no_zones: bool,
    as_json: bool,
) -> None:
    """Phát khẩn cấp NGAY: tín hiệu khẩn cấp rồi đọc TEXT (hoặc phát --file), trên loa của đài và các cụm loa
    (mọi khu vực, hoặc --zone, hoặc không cụm nào với --no-zones). «emergency cancel» để hủy ở mọi nơi."""
    client = _client(state)
    actor = current_actor(state)
    if text == "cancel" and file is None:
        if zones or no_zones:
            raise click.UsageError("«emergency cancel» hủy ở mọi nơi: bỏ --zone / --no-zones.")
        session = state.container().accounts.open_session(actor)
        result = client.request("cancel", session=session)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            from truyenthanh.protocol import EmergencyState

            cancelled = EmergencyState.from_json(result)
            click.echo(f"Đã hủy phát khẩn cấp số {cancelled.id} (đã phát {cancelled.count} lần).")
        return
    if (text is None) == (file is None):
        raise DaemonError('Cần nội dung cần đọc («truyenthanh emergency "..."») hoặc --file TỆP.')
    if file is not None and not file.is_file():
        raise DaemonError(f"Không thấy tệp {file}.")
    source = str(file.resolve()) if file else None
    chosen = _chosen_zones(state, zones, no_zones)
    client.request("ping")  # no authorisation is recorded for a bulletin that cannot go out
    permit = state.container().approvals.send_emergency(actor, text=text, source=source)
    result = client.request(
        "emergency",
        text=text,
        file=source,
        repeat=repeat,
        every_min=every,
        until_cancelled=until_cancelled,
        permit=permit.token,
        zones=None if chosen is None else list(chosen),
    )
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    if until_cancelled:
        plan = f"lặp lại mỗi {every:g} phút cho đến khi hủy"
    elif repeat > 1:
        plan = f"phát {repeat} lần, cách nhau {every:g} phút"
    else:
        plan = "phát một lần"
    from truyenthanh.protocol import EmergencyState  # after the bulletin went out: nothing waits for it

    click.echo(f"Đang phát khẩn cấp (số {EmergencyState.from_json(result).id}): {plan}.")
    if state.settings().fleet_enabled:
        where = "mọi khu vực" if chosen is None else ", ".join(chosen) if chosen else "không cụm nào"
        click.echo(f"Nơi phát: loa của đài; cụm loa: {where}.")


def _chosen_zones(state: CliState, zones: tuple[str, ...], no_zones: bool) -> tuple[str, ...] | None:
    """The zones (slugs) an emergency goes to as the daemon takes them: ``None`` for every zone, ``()`` for the
    station's own output only. Checked here, before anything is authorised or aired: the daemon sends the
    bulletin to the clusters only once it is ready and could then only log a wrong name.

    Raises:
        FleetError: ``--zone`` with ``--no-zones``, ``--zone`` while the station's fleet is off, or a zone that
            does not exist or is disabled (the message lists the zones there are).
    """
    if no_zones:
        if zones:
            raise FleetError("Chọn --zone hoặc --no-zones, không cả hai.", field="zones")
        return ()
    if not zones:
        return None
    if not state.settings().fleet_enabled:
        raise FleetError(
            "Đài chưa nối với cụm loa (fleet_enabled chưa bật): không gửi được tới khu vực nào; bỏ --zone để chỉ "
            "phát trên loa của đài.",
            field="zones",
        )
    known = [zone.slug for zone in state.container().fleet.zones() if zone.enabled]
    unknown = [zone for zone in dict.fromkeys(zones) if zone not in known]
    if unknown:
        raise FleetError(
            f"Không có khu vực «{', '.join(unknown)}» (hoặc đang tắt). Các khu vực: {', '.join(known) or '(chưa có)'}.",
            field="zones",
        )
    return tuple(dict.fromkeys(zones))


@click.group("control")
def control() -> None:
    """Điều khiển dịch vụ phát đang chạy."""


@control.command("status")
@pass_state
def control_status(state: CliState) -> None:
    """Tình trạng dịch vụ phát (JSON)."""
    click.echo(json.dumps(_client(state).request("status"), ensure_ascii=False, indent=2))


@control.command("now")
@pass_state
def control_now(state: CliState) -> None:
    """Đang phát gì."""
    answer = _client(state).request("now_playing")
    if not isinstance(answer, dict) or not answer:
        click.echo("Không phát gì.")
        return
    from truyenthanh.protocol import NowPlaying

    playing = NowPlaying.from_json(answer)
    item = f" / {playing.item}" if playing.item else ""
    click.echo(f"Đang phát «{playing.programme}»{item}, giây {playing.position_s:.1f}.")


@control.command("play-now")
@click.argument("programme")
@click.option(
    "--priority",
    type=click.Choice([each.value for each in Priority]),
    default=Priority.NORMAL.value,
    show_default=True,
    help="Mức ưu tiên; «emergency» cắt ngang mọi thứ và cần người được phép phát khẩn cấp.",
)
@pass_state
def control_play_now(state: CliState, programme: str, priority: str) -> None:
    """Phát ngay chương trình PROGRAMME (số hoặc tên)."""
    client = _client(state)
    if priority == Priority.EMERGENCY.value:
        actor = current_actor(state)
        container = state.container()
        found = container.scheduling.find_programme(programme)
        client.request("ping")  # no authorisation is recorded for an airing that cannot go out
        permit = container.approvals.send_emergency(actor, title=found.title, programme_id=found.id)
        client.request("play_now", programme=str(found.id), priority=priority, permit=permit.token)
    else:
        _actor, session = _session(state)
        client.request("play_now", programme=programme, priority=priority, session=session)
    click.echo(f"Đã đưa chương trình «{programme}» lên phát ngay.")


@control.command("stop")
@pass_state
def control_stop(state: CliState) -> None:
    """Dừng phát ngay và xóa hàng đợi."""
    _actor, session = _session(state)
    _client(state).request("stop", session=session)
    click.echo("Đã dừng phát.")


@control.command("skip")
@pass_state
def control_skip(state: CliState) -> None:
    """Bỏ qua mục đang phát."""
    _actor, session = _session(state)
    _client(state).request("skip", session=session)
    click.echo("Đã bỏ qua mục đang phát.")


@control.command("shutdown")
@pass_state
def control_shutdown(state: CliState) -> None:
    """Dừng dịch vụ phát (ghi lại những gì đang phát dở); trên Windows thay cho tín hiệu dừng."""
    _actor, session = _session(state)
    _client(state).request("shutdown", session=session)
    click.echo("Dịch vụ phát đang dừng.")


@control.command("clock-ok")
@pass_state
def control_clock_ok(state: CliState) -> None:
    """Xác nhận giờ máy đúng sau khi đồng hồ nhảy: lịch phát chạy lại."""
    _actor, session = _session(state)
    warning = _client(state).request("clock_ok", session=session)
    click.echo(f"Giờ máy vẫn chưa đáng tin: {warning}" if warning else "Đã xác nhận giờ máy; lịch phát chạy lại.")


@control.command("reload")
@pass_state
def control_reload(state: CliState) -> None:
    """Đọc lại lịch phát ngay (bình thường dịch vụ tự nhận thay đổi trong vòng 1 giây)."""
    result = _client(state).request("reload")
    click.echo(f"Đã đọc lại lịch: {result['upcoming']} lần phát trong vài giờ tới.")


def register(group: click.Group) -> None:
    """Add this module's commands to the ``truyenthanh`` group."""
    group.add_command(daemon)
    group.add_command(emergency)
    group.add_command(control)
