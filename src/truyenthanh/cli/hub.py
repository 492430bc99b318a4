"""``truyenthanh hub ...`` (the upstream office's service, issue 19) and ``truyenthanh upstream ...`` (a station's
subscription to its hub). Parse, call the hub's desk or the station's services, print; no logic here.

The hub has a data folder of its own (``hub --data-dir HUBDIR``, or the global ``--data-dir``): its settings
file, its database, its signing key and its broker's files, as a station's.
"""

from __future__ import annotations

import base64
import json
import logging
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import click

from truyenthanh.cli.flags import OptionNames, naming
from truyenthanh.cli.login import current_actor
from truyenthanh.cli.passphrase import FIELDS, new_passphrase, passphrase_file_option, unlock
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.accounts import Permission
from truyenthanh.domain.upstream import LogProgress

_NAMES = OptionNames(
    fields={"to": "--to", "text": "TEXT", "file": "--file", "package": "FILE", "code": "CODE", "url": "URL", **FIELDS}
)


class _EmergencyGroup(click.Group):
    """``hub emergency TEXT`` sends; ``hub emergency cancel`` cancels (any other first word is the text)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        command = self.commands["send"]
        return "send", command, args


def _local(moment: datetime | None, state: CliState) -> str:
    if moment is None:
        return "chưa có"
    return moment.astimezone(state.settings().zone).strftime("%H:%M %d/%m/%Y")


def _actor(state: CliState, permission: Permission) -> str:
    actor = current_actor(state)
    state.container().accounts.require(actor, permission)
    return actor.username


# --------------------------------------------------------------------------------------------------- hub


_ASKS_HELP = "truyenthanh.hub.asks_help"
"""``ctx.meta`` key: the words after ``hub`` ask for help (which needs no hub)."""


class _HubGroup(click.Group):
    """Notes whether the words after ``hub`` ask for help before its callback runs (click has consumed them by
    then), so that help is shown on a folder never initialised as a hub."""

    def invoke(self, ctx: click.Context) -> Any:
        ctx.meta[_ASKS_HELP] = any(word in ("--help", "-h") for word in [*ctx.protected_args, *ctx.args])
        return super().invoke(ctx)


_NEEDS_NO_HUB = frozenset({"init"})
"""``hub`` subcommands that run on a folder never initialised as a hub."""


def _require_hub(ctx: click.Context, state: CliState) -> None:
    """Stop with what to run when the hub's data was never made (``hub init``), instead of the station's advice.

    Raises:
        StorageError: the hub's database was never initialised.
    """
    from truyenthanh.errors import StorageError

    if ctx.invoked_subcommand in _NEEDS_NO_HUB or ctx.resilient_parsing or ctx.meta.get(_ASKS_HELP):
        return
    container = state.container()
    if container.store.schema_revision() is None:
        from truyenthanh.adapters.db.database import where as database_place

        where = database_place(container.db.engine) if state.settings().database_url else container.locations.data_dir
        raise StorageError(
            f"Chưa có tuyến trên ở {where}: hãy chạy «truyenthanh hub init --name TÊN» trước.", field="data_dir"
        )


@click.group("hub", cls=_HubGroup)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TRUYENTHANH_HUB_DIR",
    help="Thư mục dữ liệu của tuyến trên (mặc định: --data-dir chung).",
)
@pass_state
def hub(state: CliState, data_dir: Path | None) -> None:
    """Tuyến trên (tỉnh, huyện cũ): cấp gói chương trình và bản tin khẩn cấp cho các đài xã."""
    from truyenthanh.config import load_settings

    if data_dir is not None:
        state.data_dir = data_dir
    base = load_settings(state.data_dir, **state.flags)
    state.flags.update(
        fleet_enabled=False,
        fleet_station_id=base.hub_id,
        fleet_broker_host=base.hub_broker_host,
        fleet_broker_port=base.hub_broker_port,
        fleet_public_host=base.hub_public_host,
        fleet_http_host=base.hub_http_host,
        fleet_http_port=base.hub_http_port,
    )
    _require_hub(click.get_current_context(), state)


@hub.command("init")
@click.option("--name", required=True, help="Tên của tuyến trên, ví dụ «Sở Văn hoá, Thể thao và Du lịch tỉnh Phú Thọ».")
@click.option("--no-passphrase", is_flag=True, help="Không đặt mật khẩu cho khoá ký mới.")
@passphrase_file_option
@pass_state
@naming(_NAMES)
def hub_init(state: CliState, name: str, no_passphrase: bool, passphrase_file: Path | None) -> None:
    """Tạo dữ liệu của tuyến trên (chạy lại nhiều lần không sao) và khoá ký của nó nếu chưa có (hỏi mật khẩu)."""
    container = state.container()
    container.station.init(name=name)
    container.station.write_config()
    if not container.keys.own_keys():
        secret = new_passphrase(passphrase_file, none=no_passphrase, keys=container.keys, what=f"khoá «{name}»")
        info = container.keys.generate(name, passphrase=secret)
        click.echo(f"Đã tạo khoá ký «{info.name}» (dấu vân tay {info.fingerprint}).")
    click.echo(f"Tuyến trên «{state.settings().hub_id}» sẵn sàng tại {container.locations.data_dir}.")


@hub.group("broker")
def hub_broker() -> None:
    """Máy chủ tin nhắn MQTT (Mosquitto) nối tuyến trên với các đài."""


@hub_broker.command("config")
@click.option("--port", type=click.IntRange(1, 65535), help="Cổng TLS (mặc định: hub_broker_port).")
@click.option("--bind", default="0.0.0.0", show_default=True, help="Địa chỉ máy chủ lắng nghe.")
@click.option("--host", "hosts", multiple=True, help="Tên máy hoặc địa chỉ các đài dùng để kết nối (lặp lại được).")
@pass_state
def hub_broker_config(state: CliState, port: int | None, bind: str, hosts: tuple[str, ...]) -> None:
    """Ghi cấu hình Mosquitto của tuyến trên: tài khoản, quyền của từng đài, chứng chỉ TLS."""
    _actor(state, Permission.MANAGE_STATION)
    settings = state.settings()
    names = hosts or (settings.hub_public_host or settings.hub_broker_host,)
    path = state.container().fleet.configure_broker(port=port or settings.hub_broker_port, bind=bind, hostnames=names)
    click.echo(f"Đã ghi cấu hình máy chủ tin nhắn: {path}")
    click.echo(f"Chạy: mosquitto -c {path}")


@hub.group("station")
def hub_station() -> None:
    """Các đài xã nhận tin của tuyến trên: thêm, cấp mã đăng ký."""


@hub_station.command("add")
@click.argument("name")
@pass_state
def station_add(state: CliState, name: str) -> None:
    """Thêm đài NAME (ví dụ «Đài xã Tân Lập»)."""
    actor = _actor(state, Permission.MANAGE_STATION)
    view = state.container().fleet.add_zone(actor, name)
    click.echo(
        f"Đã thêm đài «{view.name}» (mã {view.slug}). Cấp mã đăng ký: truyenthanh hub station enroll {view.slug}"
    )


@hub_station.command("enroll")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def station_enroll(state: CliState, name: str, as_json: bool) -> None:
    """Tạo mã đăng ký dùng một lần cho đài NAME."""
    actor = _actor(state, Permission.MANAGE_STATION)
    settings = state.settings()
    issued = state.container().fleet.issue_code(actor, name)
    url = f"http://{settings.hub_public_host or settings.hub_broker_host}:{settings.hub_http_port}"
    if as_json:
        data = {"code": issued.code, "station": issued.zone, "expires_at": issued.expires_at.isoformat(), "url": url}
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    expires = _local(issued.expires_at, state)
    click.echo(f"Mã đăng ký cho đài {issued.zone}: {issued.code} (dùng một lần, hết hạn lúc {expires}).")
    click.echo(f"Trên máy của đài, chạy: truyenthanh upstream enrol {url} {issued.code}")


@hub.command("stations")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def stations(state: CliState, as_json: bool) -> None:
    """Các đài đã đăng ký: trực tuyến hay không, lần cuối liên lạc, lượt phát kế tiếp, số lượt lỡ 24 giờ, đĩa,
    nhật ký phát thanh đã gửi lên đến đâu."""
    from truyenthanh.hub.desk import HubDesk

    views = HubDesk(state.container()).stations()
    if as_json:
        data: list[dict[str, Any]] = [
            {
                "slug": v.slug,
                "name": v.name,
                "online": v.online,
                "last_seen": v.last_seen.isoformat() if v.last_seen else None,
                "health": v.health.to_dict() if v.health else None,
                "log": v.health.log.to_dict() if v.health and v.health.log else None,
            }
            for v in views
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    if not views:
        click.echo("Chưa có đài nào đăng ký. Thêm bằng: truyenthanh hub station add TÊN")
    for v in views:
        light = "● trực tuyến" if v.online else "○ mất kết nối"
        h = v.health
        upcoming = f"{_local(h.next_airing, state)} «{h.next_title}»" if h and h.next_airing else "không có"
        disk = f"{h.free_disk_bytes / 1e9:.1f} GB trống" if h and h.free_disk_bytes is not None else "?"
        misses = h.misses_24h if h else "?"
        click.echo(f"{light}  {v.name} [{v.slug}]  lần cuối: {_local(v.last_seen, state)}")
        click.echo(f"    phát kế tiếp: {upcoming}; lỡ trong 24 giờ: {misses}; đĩa: {disk}")
        click.echo(f"    nhật ký phát thanh: {_log_progress(h.log if h else None)}")
        if h and h.log and h.log.problem:
            click.echo(f"    ▲ nhật ký: {h.log.problem}")
        if h and h.refused:
            click.echo(f"    ▲ {h.refused}")


def _log_progress(progress: LogProgress | None) -> str:
    """How far a station's broadcast log has come up, as one Vietnamese phrase."""
    if progress is None or progress.pending is None:
        return "chưa rõ (đài chưa báo)"
    if progress.pending == 0:
        return "tuyến trên đã nhận đủ"
    return f"còn {progress.pending:,} dòng chưa gửi lên".replace(",", ".")


@hub.group("send")
def send() -> None:
    """Gửi xuống các đài."""


_TO = click.option("--to", "to", multiple=True, help="Đài nhận (lặp lại được; mặc định: mọi đài).")


@send.command("package")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_TO
@passphrase_file_option
@pass_state
@naming(_NAMES)
def send_package(state: CliState, file: Path, to: tuple[str, ...], passphrase_file: Path | None) -> None:
    """Gửi gói .ttpkg đã ký FILE xuống các đài; mỗi đài tự tải, kiểm tra chữ ký và nhập (chờ xã duyệt nếu cần)."""
    from truyenthanh.hub.desk import HubDesk

    actor = _actor(state, Permission.IMPORT_PACKAGES)
    unlock(state.container().keys, None, passphrase_file)
    sent = HubDesk(state.container()).send_package(actor, file, to)
    click.echo(f"Đã gửi gói «{file.name}» tới {len(sent.stations)} đài (mã {sent.command_id}).")


@hub.group("emergency", cls=_EmergencyGroup)
def hub_emergency() -> None:
    """Bản tin khẩn cấp xuống các đài: «hub emergency NỘI_DUNG» hoặc «hub emergency cancel»."""


@hub_emergency.command("send")
@click.argument("text", required=False)
@click.option(
    "--file",
    "audio",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Phát tệp âm thanh này (bản tin thu sẵn) thay cho đọc TEXT.",
)
@click.option("--repeat", type=click.IntRange(1, 20), default=1, show_default=True, help="Số lần phát.")
@_TO
@passphrase_file_option
@pass_state
@naming(_NAMES)
def emergency_send(
    state: CliState,
    text: str | None,
    audio: Path | None,
    repeat: int,
    to: tuple[str, ...],
    passphrase_file: Path | None,
) -> None:
    """Phát ngay bản tin khẩn cấp (đọc TEXT hoặc phát --file) ở các đài cho phép tuyến trên phát khẩn cấp."""
    from truyenthanh.hub.desk import HubDesk

    actor = _actor(state, Permission.SEND_EMERGENCY)
    unlock(state.container().keys, None, passphrase_file)
    sent = HubDesk(state.container()).send_emergency(actor, text, to, repeat=repeat, audio=audio)
    click.echo(f"Đã gửi bản tin khẩn cấp tới {len(sent.stations)} đài (mã {sent.command_id}).")


@hub_emergency.command("cancel")
@_TO
@passphrase_file_option
@pass_state
@naming(_NAMES)
def emergency_cancel(state: CliState, to: tuple[str, ...], passphrase_file: Path | None) -> None:
    """Dừng bản tin khẩn cấp đang phát ở các đài."""
    from truyenthanh.hub.desk import HubDesk

    actor = _actor(state, Permission.SEND_EMERGENCY)
    unlock(state.container().keys, None, passphrase_file)
    sent = HubDesk(state.container()).cancel_emergency(actor, to)
    click.echo(f"Đã gửi lệnh dừng khẩn cấp tới {len(sent.stations)} đài (mã {sent.command_id}).")


@hub.command("answers")
@click.argument("command_id")
@pass_state
def answers(state: CliState, command_id: str) -> None:
    """Các đài đã trả lời một lần gửi (mã in ra khi gửi), dạng JSON."""
    from truyenthanh.hub.desk import HubDesk

    click.echo(json.dumps(HubDesk(state.container()).answers(command_id), ensure_ascii=False, indent=1))


_REPORT_NAMES = OptionNames(fields={"half": "--half", "year": "--year", "out": "--out"})


@hub.command("report")
@click.option("--half", help="Sáu tháng: NĂM-1 (tháng 1-6) hoặc NĂM-2 (tháng 7-12), ví dụ 2026-1.")
@click.option("--year", type=int, help="Năm báo cáo (một mình: báo cáo cả năm; với --half 1|2: năm của kỳ).")
@click.option(
    "--format",
    "formats",
    type=click.Choice(("docx", "xlsx", "csv")),
    multiple=True,
    help="docx, xlsx, csv (lặp lại được; mặc định: cả ba).",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Thư mục ghi báo cáo.")
@click.option("--csv-comma", is_flag=True, help="Tệp CSV phân cách bằng dấu phẩy, số thập phân dùng dấu chấm.")
@click.option("--json", "as_json", is_flag=True, help="In danh sách tệp đã ghi dạng JSON.")
@pass_state
@naming(_REPORT_NAMES)
def hub_report(
    state: CliState,
    half: str | None,
    year: int | None,
    formats: tuple[str, ...],
    out: Path | None,
    csv_comma: bool,
    as_json: bool,
) -> None:
    """Báo cáo của tuyến trên: số giờ phát theo thể loại, lần phát, bản tin khẩn cấp của từng xã."""
    from truyenthanh.hub.reports import hub_reports
    from truyenthanh.services.hub_reports import HubReportService
    from truyenthanh.services.reports import FORMATS, Format

    period = HubReportService.period(half, year)
    container = state.container()
    chosen: tuple[Format, ...] = tuple(f for f in FORMATS if f in formats) if formats else FORMATS
    click.echo(f"Đang lập báo cáo tuyến trên {period.name} ({period.span})…", err=True)

    def step(path: Path) -> None:
        click.echo(f"  đã ghi {path.name}", err=True)

    written = hub_reports(container).write(period, folder=out, formats=chosen, progress=step, csv_comma=csv_comma)
    if as_json:
        click.echo(json.dumps([str(p) for p in written], ensure_ascii=False))
        return
    for path in written:
        click.echo(f"Đã ghi {path}")


@hub.command("run")
@pass_state
def hub_run(state: CliState) -> None:
    """Chạy dịch vụ tuyến trên: máy chủ tệp và đăng ký cho các đài, nhận tình trạng và trả lời. Dừng bằng SIGTERM."""
    from truyenthanh.hub import Hub

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stopping = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    service = Hub(state.container())
    service.start()
    click.echo(f"Tuyến trên «{state.settings().hub_id}» đang chạy.", err=True)
    locked = service.key_problem()
    if locked:  # said where the service is watched (its journal), it keeps serving files and listening
        click.echo(f"Cảnh báo: {locked}", err=True)
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        service.close()


@hub.command("tui")
@pass_state
def hub_tui(state: CliState) -> None:
    """Mở giao diện «Tuyến trên»: các đài và tình trạng, gửi gói, phát và dừng khẩn cấp, báo cáo của tỉnh."""
    from truyenthanh import locations
    from truyenthanh.errors import StorageError

    where = locations.resolve(state.data_dir if state.data_dir is not None else locations.data_dir_from_env())
    if not where.db_path.exists() and state.settings().database_url is None:
        raise StorageError(f"Chưa có tuyến trên ở {where.data_dir}. Hãy chạy «truyenthanh hub init --name TÊN» trước.")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise click.UsageError("Giao diện «Tuyến trên» cần một terminal tương tác; dùng «truyenthanh hub stations».")
    from truyenthanh.tui.hub_app import HubApp
    from truyenthanh.tui.hub_backend import open_hub

    HubApp(lambda: open_hub(state.container)).run()


# ---------------------------------------------------------------------------------------------- upstream


@click.group("upstream")
def upstream() -> None:
    """Tuyến trên của đài này: đăng ký nhận gói chương trình và bản tin khẩn cấp."""


@upstream.command("enrol")
@click.argument("url")
@click.argument("code")
@click.option("--name", help="Tên đài này ở tuyến trên (mặc định: tên đài).")
@pass_state
@naming(_NAMES)
def upstream_enrol(state: CliState, url: str, code: str, name: str | None) -> None:
    """Đăng ký đài với tuyến trên tại URL bằng mã một lần CODE; tin cậy khoá ký của tuyến trên."""
    from truyenthanh.adapters.signing import PublicKey
    from truyenthanh.daemon.upstream import upstream_dir
    from truyenthanh.receiver.runtime import enrol
    from truyenthanh.receiver.state import ReceiverState

    container = state.container()
    actor = current_actor(state)
    container.accounts.require(actor, Permission.MANAGE_STATION)
    own = name or (container.station.status().get("station") or {}).get("name") or "Đài xã"
    enrolment = enrol(ReceiverState(upstream_dir(container)), url, code, own)
    raw = base64.b64decode(enrolment.station_public_key)
    key = PublicKey(f"Tuyến trên {enrolment.station}", raw)
    info, _new = container.keys.trust(actor, key.to_file_bytes(), url)
    click.echo(f"Đã đăng ký với tuyến trên «{enrolment.station}» (mã đài {enrolment.receiver}).")
    click.echo(
        f"Đã tin cậy khoá của tuyến trên (dấu vân tay {info.fingerprint}). Khởi động lại dịch vụ phát để bắt đầu nhận."
    )
