"""``truyenthanh receiver enrol|run|status``: the program of a loudspeaker cluster box (cụm loa)."""

from __future__ import annotations

import json
import logging
import signal
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from truyenthanh.cli.flags import OptionNames, naming

if TYPE_CHECKING:
    from truyenthanh.receiver.state import ReceiverState

_STATE_DIR = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TRUYENTHANH_RECEIVER_DIR",
    help="Thư mục trạng thái của máy thu (mặc định: thư mục dữ liệu của người dùng/truyenthanh-receiver).",
)
_NAMES = OptionNames(
    fields={"state_dir": "--state-dir", "url": "URL", "code": "CODE", "files_url": "--state-dir (enrolment.json)"}
)


def _state(state_dir: Path | None) -> ReceiverState:
    from truyenthanh.receiver.state import ReceiverState, default_state_dir

    return ReceiverState(state_dir or default_state_dir())


@click.group("receiver")
def receiver() -> None:
    """Máy thu của cụm loa: ghi danh với đài, chạy phát theo lịch của cụm, xem trạng thái."""


@receiver.command("enrol")
@click.argument("url")
@click.argument("code")
@click.option("--name", required=True, help="Tên của máy thu này, ví dụ «Cụm loa nhà văn hoá thôn Đông».")
@_STATE_DIR
@naming(_NAMES)
def enrol(url: str, code: str, name: str, state_dir: Path | None) -> None:
    """Ghi danh máy thu với đài tại URL (ví dụ http://192.168.1.10:8730) bằng mã một lần CODE đài cấp."""
    from truyenthanh.receiver.runtime import enrol as do_enrol

    state = _state(state_dir)
    enrolment = do_enrol(state, url, code, name)
    click.echo(
        f"Đã ghi danh máy thu «{enrolment.receiver}» vào cụm «{enrolment.zone}» của đài «{enrolment.station}»; "
        f"lưu tại {state.enrolment_path}."
    )


@receiver.command("run")
@click.option("--output", default="device", show_default=True, help="Nơi phát: device hoặc file:ĐƯỜNG_DẪN.")
@click.option("--device", help="Thiết bị âm thanh, ví dụ pulse:TÊN_SINK (mặc định: PULSE_SINK hoặc mặc định).")
@_STATE_DIR
@naming(_NAMES)
def run(output: str, device: str | None, state_dir: Path | None) -> None:
    """Chạy máy thu: phát lịch của cụm đúng giờ (kể cả khi mất kết nối), nhận lệnh của đài. Dừng bằng SIGTERM."""
    from truyenthanh.receiver import Receiver
    from truyenthanh.receiver.runtime import real_hardware

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stopping = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    box = Receiver(_state(state_dir), real_hardware(output, device=device))
    box.start()
    click.echo(f"Máy thu «{box.enrolment.receiver}» (cụm «{box.enrolment.zone}») đang chạy.", err=True)
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        box.close()


@receiver.command("status")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@_STATE_DIR
@naming(_NAMES)
def status(as_json: bool, state_dir: Path | None) -> None:
    """Trạng thái của máy thu này: ghi danh, lịch phát, lượt phát kế tiếp, tệp đã tải, bản ghi chờ gửi."""
    from truyenthanh.receiver.runtime import describe

    info = describe(_state(state_dir))
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=1))
        return
    click.echo(f"Đài: {info['station']}")
    click.echo(f"Máy thu: {info['receiver']} — cụm: {info['zone']}")
    click.echo(f"Máy chủ tin nhắn: {info['broker']}; máy chủ tệp: {info['files_url']}")
    click.echo(f"Âm lượng: {info['volume']}%")
    if info["schedule_seq"] is None:
        click.echo("Lịch phát: chưa nhận được.")
    else:
        click.echo(f"Lịch phát: số {info['schedule_seq']}, hiệu lực đến {_local(info['valid_until'])}")
        upcoming = info["next_airing"]
        click.echo(
            f"Lượt phát kế tiếp: {_local(upcoming['start'])} «{upcoming['title']}»"
            if upcoming
            else "Lượt phát kế tiếp: không có."
        )
        click.echo(f"Tệp âm thanh: {info['cached_files']} đã có, {info['missing_files']} còn thiếu")
    click.echo(f"Bản ghi chờ gửi về đài: {info['outbox']}")


def _local(moment: str) -> str:
    """An ISO instant as the box's local time, the way people read it (``06:30:00 ngày 08/12/2026``)."""
    return datetime.fromisoformat(moment).astimezone().strftime("%H:%M:%S ngày %d/%m/%Y")
