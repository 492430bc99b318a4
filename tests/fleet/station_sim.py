"""A small station for receiver tests: it signs envelopes with its own Ed25519 key, publishes schedules and
commands on a real mosquitto through :class:`MqttLink`, serves files, time and enrolment with the real
:class:`FleetFileServer`, and collects what the receivers send back (status, as-played records, acks)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fleet.mosquitto import Mosquitto
from truyenthanh.adapters.fleet_http import FleetFileServer
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.adapters.signing import PrivateKey
from truyenthanh.domain.fleet import (
    AsPlayed,
    Command,
    CommandAck,
    Enrolment,
    Envelope,
    FileRef,
    Kind,
    ReceiverStatus,
    ZoneAiring,
    ZoneSchedule,
    parse_receiver_topic,
    receiver_topic,
    zone_topic,
)
from truyenthanh.errors import FleetError
from truyenthanh.receiver import Receiver
from truyenthanh.receiver.runtime import real_hardware
from truyenthanh.receiver.state import ReceiverState


def duration_of(path: Path) -> float:
    """The file's length in seconds (ffprobe)."""
    probe = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)]
    return float(subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip())


class StationSim:
    """A station's fleet side, reduced to what a receiver talks to. :meth:`close` at the end."""

    def __init__(self, broker: Mosquitto, *, key: PrivateKey | None = None) -> None:
        self.broker = broker
        self.station = broker.station
        self.key = key or PrivateKey.generate("Đài thử")
        self.files: dict[str, Path] = {}
        self.seq = 0
        self._codes: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self.statuses: dict[str, ReceiverStatus] = {}
        self.played: list[AsPlayed] = []
        self.acks: list[CommandAck] = []
        self.http = FleetFileServer(
            "127.0.0.1", 0, lookup=self.files.get, enrol=self._enrol, now=lambda: datetime.now(UTC)
        )
        self.http.start()
        self.link = MqttLink(
            client_id=f"{self.station}-station-sim",
            host=broker.host,
            port=broker.port,
            username=broker.station_user,
            password=broker.login(broker.station_user),
            ca_pem=broker.ca_pem,
        )
        self.link.subscribe(receiver_topic(self.station, "+", "+"), self._receive)
        self.link.start()
        assert self.link.wait_connected(10), "the simulated station could not reach the broker"

    @property
    def files_url(self) -> str:
        """Where the file server listens."""
        return f"http://127.0.0.1:{self.http.port}"

    def close(self) -> None:
        """Disconnect and stop serving."""
        self.link.close()
        self.http.close()

    # ------------------------------------------------------------------------------------------- files

    def serve(self, path: Path, *, name: str = "") -> FileRef:
        """Serve ``path`` and describe it."""
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        self.files[digest] = path
        return FileRef(sha256=digest, size=len(data), duration_s=duration_of(path), name=name or path.name)

    # --------------------------------------------------------------------------------------- enrolment

    def enrolment(self, receiver: str, zone: str) -> Enrolment:
        """What the station would answer for ``receiver`` (one the broker fixture knows)."""
        return Enrolment(
            station=self.station,
            receiver=receiver,
            zone=zone,
            broker_host=self.broker.host,
            broker_port=self.broker.port,
            username=receiver,
            password=self.broker.login(receiver),
            broker_ca_pem=self.broker.ca_pem,
            station_public_key=base64.b64encode(self.key.public.raw).decode("ascii"),
            files_url=self.files_url,
        )

    def issue_code(self, receiver: str, zone: str) -> str:
        """A one-time code that enrols as ``receiver`` in ``zone``."""
        code = secrets.token_hex(4)
        self._codes[code] = (receiver, zone)
        return code

    def _enrol(self, code: str, _name: str) -> dict[str, Any]:
        with self._lock:
            found = self._codes.pop(code, None)
        if found is None:
            raise FleetError("Mã ghi danh không đúng, đã dùng hoặc đã hết hạn.", field="code")
        return self.enrolment(*found).to_dict()

    # ---------------------------------------------------------------------------------------- messages

    def envelope(
        self,
        kind: Kind,
        body: dict[str, Any],
        *,
        seq: int | None = None,
        key: PrivateKey | None = None,
        station: str | None = None,
        issued_at: datetime | None = None,
    ) -> bytes:
        """A signed envelope (the next sequence number unless ``seq``; this station's key unless ``key``)."""
        if seq is None:
            self.seq += 1
            seq = self.seq
        unsigned = Envelope(kind, station or self.station, seq, issued_at or datetime.now(UTC), body)
        return unsigned.signed((key or self.key).sign).encode()

    def schedule(self, zone: str, airings: list[ZoneAiring], *, days: float = 7) -> bytes:
        """Publish (retained) a schedule for ``zone``; returns the payload."""
        now = datetime.now(UTC)
        body = ZoneSchedule(zone, now, now + timedelta(days=days), tuple(airings)).to_dict()
        payload = self.envelope(Kind.SCHEDULE, body)
        assert self.link.publish(zone_topic(self.station, zone, "schedule"), payload, retain=True, timeout=5)
        return payload

    def command(self, zone: str, command: Command, **envelope: Any) -> bytes:
        """Publish a command to ``zone``'s receivers; returns the payload."""
        payload = self.envelope(Kind.COMMAND, command.to_dict(), **envelope)
        self.send_raw(zone_topic(self.station, zone, "command"), payload)
        return payload

    def send_raw(self, topic: str, payload: bytes) -> None:
        """Publish bytes as they are (a replay, a forgery)."""
        assert self.link.publish(topic, payload, timeout=5)

    # ----------------------------------------------------------------------------------------- replies

    def _receive(self, topic: str, payload: bytes) -> None:
        parsed = parse_receiver_topic(topic)
        if parsed is None:
            return
        _station, receiver, leaf = parsed
        with self._lock:
            if leaf == "status":
                self.statuses[receiver] = ReceiverStatus.decode(payload)
            elif leaf == "played":
                self.played.append(AsPlayed.decode(payload))
            elif leaf == "ack":
                self.acks.append(CommandAck.decode(payload))

    def wait(self, what: Callable[[], Any], timeout: float = 15.0, message: str = "") -> Any:
        """Poll ``what()`` until it is truthy; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                result = what()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(message or "the receiver did not answer in time")


@contextmanager
def null_sink(env: dict[str, str], name: str) -> Iterator[str]:
    """A null sink ``name`` on the private PulseAudio server for the block (each receiver has its own)."""
    loaded = subprocess.run(
        ["pactl", "load-module", "module-null-sink", f"sink_name={name}", "rate=48000", "channels=2"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    try:
        yield name
    finally:
        subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], env=env, check=False, capture_output=True)


def in_process_receiver(state: ReceiverState, sink: str) -> Receiver:
    """A receiver in this process, playing into ``sink`` (the real engine, link and ffmpeg)."""
    return Receiver(state, real_hardware("device", device=f"pulse:{sink}"))


def airing(airing_id: str, start: datetime, *items: FileRef, title: str = "Bản tin thử") -> ZoneAiring:
    """A zone airing."""
    return ZoneAiring(airing_id=airing_id, start=start, title=title, items=tuple(items))
