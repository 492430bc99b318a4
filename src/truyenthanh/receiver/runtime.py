"""The receiver's real outside world (sound output, MQTT link, ffmpeg), its enrolment, and its state report.

The CLI (``truyenthanh receiver enrol|run|status``) calls these; tests call them too, with their own sink.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from truyenthanh.adapters.ffmpeg import render_tune
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.adapters.playout import PlayoutEngine, make_output
from truyenthanh.domain.fleet import Enrolment, Envelope, ZoneSchedule
from truyenthanh.errors import FleetError
from truyenthanh.receiver import Hardware
from truyenthanh.receiver.cache import FileCache
from truyenthanh.receiver.link import Link
from truyenthanh.receiver.outbox import Outbox
from truyenthanh.receiver.player import GainOutput
from truyenthanh.receiver.state import ReceiverState

RATE = 48000
BUFFER_MS = 40


def software_version() -> str:
    """The installed package's version."""
    try:
        return version("truyenthanh")
    except PackageNotFoundError:
        return "0"


def real_hardware(output: str = "device", *, device: str | None = None) -> Hardware:
    """The playout engine over the named output (``device``, ``file:PATH``; ``device`` ``pulse:SINK`` picks a
    PulseAudio sink, else ``PULSE_SINK`` or the default one), the MQTT link and ffmpeg.

    Raises:
        AudioError: the output specification is invalid.
    """
    gain = GainOutput(make_output(output, device=device, rate=RATE, buffer_ms=BUFFER_MS))
    engine = PlayoutEngine(gain)
    return Hardware(engine=engine, gain=gain, make_link=mqtt_link, render_tune=render_tune, version=software_version())


def mqtt_link(enrolment: Enrolment, will: tuple[str, bytes, bool], on_connection: Callable[[bool], None]) -> Link:
    """The receiver's MQTT link: its own login, the station's CA, a persistent session, the last will."""
    return MqttLink(
        client_id=f"{enrolment.station}-{enrolment.receiver}",
        host=enrolment.broker_host,
        port=enrolment.broker_port,
        username=enrolment.username,
        password=enrolment.password,
        ca_pem=enrolment.broker_ca_pem,
        will=will,
        clean_start=False,
        on_connection=on_connection,
    )


def enrol(state: ReceiverState, url: str, code: str, name: str, *, timeout: float = 15.0) -> Enrolment:
    """Exchange a one-time code for this box's enrolment at the station's ``URL/enrol`` and save it.

    Nothing is written unless the station accepted the code and its answer is whole.

    Raises:
        FleetError: the station refused the code (expired, used, wrong), cannot be reached, or answered
            something unreadable.
    """
    target = url.rstrip("/") + "/enrol"
    body = json.dumps({"code": code, "name": name}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(target, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = _json(response.read(), target)
    except urllib.error.HTTPError as exc:
        reason = _json(exc.read(), target).get("error") or f"mã lỗi HTTP {exc.code}"
        raise FleetError(f"Đài từ chối mã ghi danh «{code}»: {reason}", field="code") from exc
    except (OSError, urllib.error.URLError) as exc:
        raise FleetError(f"Không kết nối được tới đài tại {target}: {exc}.", field="url") from exc
    enrolment = Enrolment.from_dict(answer)
    state.save_enrolment(enrolment)
    return enrolment


def _json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FleetError(f"Câu trả lời của đài tại {where} không phải JSON hợp lệ.", field="url") from exc
    if not isinstance(data, dict):
        raise FleetError(f"Câu trả lời của đài tại {where} không phải một đối tượng JSON.", field="url")
    return data


def describe(state: ReceiverState, now: datetime | None = None) -> dict[str, Any]:
    """The box's own state as data: enrolment, schedule, next airing, cache and outbox (for ``receiver status``).

    Raises:
        FleetError: the box is not enrolled, or a state file is damaged.
    """
    now = now or datetime.now(UTC)
    enrolment = state.require_enrolment()
    info: dict[str, Any] = {
        "station": enrolment.station,
        "receiver": enrolment.receiver,
        "zone": enrolment.zone,
        "broker": f"{enrolment.broker_host}:{enrolment.broker_port}",
        "files_url": enrolment.files_url,
        "volume": state.volume(),
        "schedule_seq": None,
        "valid_until": None,
        "next_airing": None,
        "cached_files": 0,
        "missing_files": 0,
        "outbox": Outbox(state.outbox_path).count() if state.outbox_path.exists() else 0,
    }
    raw = state.schedule_envelope()
    if raw is None:
        return info
    envelope = Envelope.decode(raw)
    schedule = ZoneSchedule.from_dict(envelope.body)
    cache = FileCache(state.cache_dir, enrolment.files_url)
    missing = len(cache.missing(schedule.files()))
    upcoming = sorted((a for a in schedule.airings if a.start > now), key=lambda a: a.start)
    info.update(
        schedule_seq=envelope.seq,
        valid_until=schedule.valid_until.isoformat(timespec="seconds"),
        next_airing=(
            {"start": upcoming[0].start.isoformat(timespec="seconds"), "title": upcoming[0].title} if upcoming else None
        ),
        cached_files=len(schedule.files()) - missing,
        missing_files=missing,
    )
    return info


__all__ = ["describe", "enrol", "mqtt_link", "real_hardware", "software_version"]
