"""``truyenthanh play``: play files or a programme now, through the station's output, for checking."""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import click

from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.playout import ItemEnded, ItemStarted, PlayoutEvent, RelayOutage
from truyenthanh.errors import AudioError
from truyenthanh.services.ports import Playout


def _clock(seconds: float) -> str:
    whole = max(0, round(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _time(at: datetime, zone: tzinfo) -> str:
    """The station's wall time with milliseconds."""
    return at.astimezone(zone).strftime("%H:%M:%S.%f")[:-3]


def _event_json(event: PlayoutEvent) -> dict[str, Any]:
    if isinstance(event, ItemStarted):
        return {
            "event": "started",
            "key": event.item.key,
            "title": event.item.title,
            "at": event.at.isoformat(),
            "replaces": event.replaced.key if event.replaced else None,
        }
    if isinstance(event, ItemEnded):
        return {
            "event": "ended",
            "key": event.item.key,
            "title": event.item.title,
            "at": event.at.isoformat(),
            "reason": event.reason.value,
            "position_s": round(event.position_s, 3),
            "detail": event.detail,
        }
    return {
        "event": "relay_outage",
        "key": event.item.key,
        "title": event.item.title,
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "cause": event.cause,
    }


_REASONS = {
    "finished": "phát hết",
    "stopped": "đã dừng",
    "skipped": "bỏ qua",
    "preempted": "bị ngắt",
    "failed": "lỗi",
}


def _event_line(event: PlayoutEvent, zone: tzinfo) -> str:
    if isinstance(event, ItemStarted):
        instead = f" (thay cho «{event.replaced.title}»)" if event.replaced else ""
        return f"▶ {_time(event.at, zone)}  «{event.item.title}»{instead}"
    if isinstance(event, ItemEnded):
        why = f": {event.detail}" if event.detail else ""
        ended = _REASONS[event.reason.value]
        return f"■ {_time(event.at, zone)}  «{event.item.title}» {ended} sau {_clock(event.position_s)}{why}"
    span = f"từ {_time(event.start, zone)} đến {_time(event.end, zone)}"
    return f"⚠ Mất tín hiệu tiếp sóng «{event.item.title}» {span}: {event.cause}"


@click.command("play")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--programme", "programme_id", type=int, help="Số của chương trình cần phát (thay cho tệp).")
@click.option(
    "--output",
    help="Nơi phát: device (loa của máy), file:ĐƯỜNG_DẪN (ghi ra tệp) hoặc icecast:URL. Mặc định: theo cấu hình.",
)
@click.option("--fast", is_flag=True, help="Với đầu ra file:, ghi nhanh hết mức thay vì theo thời gian thực.")
@click.option("--json", "as_json", is_flag=True, help="In các sự kiện phát dạng JSON cho chương trình khác đọc.")
@pass_state
def play(
    state: CliState,
    files: tuple[Path, ...],
    programme_id: int | None,
    output: str | None,
    fast: bool,
    as_json: bool,
) -> None:
    """Phát ngay các TỆP hoặc một chương trình (--programme) để kiểm tra; Ctrl+C để dừng."""
    if bool(files) == (programme_id is not None):
        raise click.UsageError("Hãy cho các tệp cần phát, hoặc --programme SỐ (không cả hai).")
    container = state.container()
    zone = container.settings.zone
    service = container.playout
    items = service.programme_items(programme_id) if programme_id is not None else service.file_items(list(files))
    if not items:
        raise AudioError(f"Chương trình số {programme_id} chưa có mục nào để phát.")
    planned = service.planned_seconds(items)
    engine = container.make_playout(output, realtime=not fast)
    events: list[PlayoutEvent] = []
    lock = threading.Lock()

    def listen(event: PlayoutEvent) -> None:
        with lock:
            events.append(event)
        if not as_json:
            click.echo(_event_line(event, zone), err=True)

    engine.subscribe(listen)
    engine.open()
    try:
        engine.enqueue(items)
        bar: Any = click.progressbar(
            length=max(1, round(planned * 10)),
            label=f"Đang phát {len(items)} mục",
            file=sys.stderr,
            show_eta=False,
            item_show_func=lambda _: _status_text(engine),
        )
        with bar:
            began, shown = time.monotonic(), 0
            while engine.busy:
                if not fast:
                    target = min(bar.length - 1, round((time.monotonic() - began) * 10))
                    bar.update(target - shown)
                    shown = target
                time.sleep(0.1)
            bar.update(bar.length - shown)
    except KeyboardInterrupt:
        engine.stop()
        raise
    finally:
        engine.close()
    with lock:
        seen = list(events)
    if as_json:
        click.echo(json.dumps([_event_json(event) for event in seen], ensure_ascii=False, indent=2))
        return
    failed = [e for e in seen if isinstance(e, ItemEnded) and e.reason.value == "failed"]
    outages = [e for e in seen if isinstance(e, RelayOutage)]
    played = [e for e in seen if isinstance(e, ItemEnded) and e.reason.value == "finished"]
    click.echo(f"Đã phát {len(played)} mục; {len(failed)} mục lỗi; {len(outages)} lần mất tiếp sóng.")


def _status_text(engine: Playout) -> str:
    """What plays now, where, and how loud, for the progress line."""
    status = engine.status()
    if status.playing is None:
        return "chờ…"
    total = f" / {_clock(status.duration_s)}" if status.duration_s else ""
    paused = " (tạm dừng)" if status.paused else ""
    return f"«{status.playing.title}» {_clock(status.position_s)}{total}  {status.level_dbfs:5.1f} dBFS{paused}"
