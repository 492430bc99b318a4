"""The station's subscription to its upstream office (the hub, issue 19), started by the daemon when the station
is enrolled (``truyenthanh upstream enrol``, which saves ``<data_dir>/upstream/enrolment.json``).

The station is a receiver of the hub's fleet (:mod:`truyenthanh.domain.upstream`): it listens to its zone's
command topic and its inbox, checks every envelope with the hub's key from the enrolment
(:func:`~truyenthanh.domain.fleet.judge`), and then:

- a package notice: the ``.ttpkg`` is fetched from the hub's file server (an interrupted download resumes with
  ``Range``) and imported through the station's own package import, which checks the package's signature
  against the station's trusted keys and leaves it for the commune's approver unless
  ``signed_packages_preapproved``; the answer (applied, waiting, refused with why) goes back to the hub;
- an emergency (spoken text, or a recorded file fetched from the hub first): it breaks in through the
  station's own emergency path, authorised in the hub's name (the
  broadcast log and the audit trail name it), only if ``upstream_emergency_allowed``; the answer carries
  ``heard_at``. A cancellation ends it.

A refused message (unknown key, replayed, stale) changes nothing; it is logged and shown in the health the
station reports (retained, every ``upstream_status_s`` seconds and after each message; the MQTT last will
says offline).

Upward, the station's broadcast log goes to the hub batch by batch
(:class:`~truyenthanh.daemon.log_shipper.LogShipper`, resuming from the hub's retained receipt); how far it has
come, and the hub's refusal if any, travel in the health report.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from truyenthanh.adapters.files import sha256_file
from truyenthanh.adapters.fleet_http import download
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.adapters.signing import PublicKey
from truyenthanh.bootstrap import Container
from truyenthanh.daemon.log_shipper import LogShipper
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role
from truyenthanh.domain.fleet import (
    COMMAND_MAX_AGE,
    Action,
    Command,
    CommandAck,
    Enrolment,
    Envelope,
    FileRef,
    Kind,
    Refusal,
    judge,
    receiver_topic,
    zone_topic,
)
from truyenthanh.domain.upstream import PACKAGE_WAITING, LogProgress, PackageNotice, StationHealth
from truyenthanh.errors import FleetError, TruyenthanhError
from truyenthanh.protocol import DaemonStatus

log = logging.getLogger(__name__)

CHANGE_CHECK_S = 5.0
"""How often the station looks for a change worth reporting at once (device, what plays, next airing)."""
ENROLMENT_FILE = "enrolment.json"


def upstream_dir(container: Container) -> Path:
    """The station's upstream folder: its enrolment, the last sequence number, downloaded packages."""
    return container.locations.data_dir / "upstream"


def load_enrolment(folder: Path) -> Enrolment | None:
    """The saved enrolment with the hub, or ``None`` when the station has none.

    Raises:
        FleetError: the file is damaged (naming it).
    """
    path = folder / ENROLMENT_FILE
    try:
        return Enrolment.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, FleetError) as exc:
        raise FleetError(f"Tệp ghi danh với tuyến trên {path} hỏng: {exc}.", field="upstream") from exc


@dataclass(frozen=True)
class DaemonHooks:
    """What the upstream part may ask of the daemon (its methods, so this module does not import it)."""

    emergency: Callable[..., object]
    cancel: Callable[[], object]
    status: Callable[[], DaemonStatus]


class Upstream:
    """The daemon's link to its hub. Thread-safe: MQTT messages are judged on the link's thread in order;
    packages are applied one at a time on a worker thread, commands each on a thread of their own (an
    emergency never waits behind a download).

    Args:
        container: the station's services.
        enrolment: the hub's enrolment (broker login, the hub's key, its file server).
        folder: the upstream folder (:func:`upstream_dir`).
        hooks: the daemon's emergency, cancel and status.
    """

    def __init__(self, container: Container, enrolment: Enrolment, folder: Path, hooks: DaemonHooks) -> None:
        self._container = container
        self._enrolment = enrolment
        self._folder = folder
        self._hooks = hooks
        self._key = PublicKey(enrolment.station, _raw_key(enrolment))
        self._lock = threading.Lock()
        self._last_seq = self._load_seq()
        self.refused: str | None = None
        """The last refusal, in Vietnamese (shown in the health report)."""
        self._reported: tuple[object, ...] = ()
        """What the last report said, in :func:`_signature`'s terms."""
        self._packages: queue.Queue[PackageNotice | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        hub, me = enrolment.station, enrolment.receiver
        self._status_topic = receiver_topic(hub, me, "status")
        offline = self._health(online=False).encode()
        self.link = MqttLink(
            client_id=f"{hub}-{me}",
            host=enrolment.broker_host,
            port=enrolment.broker_port,
            username=enrolment.username,
            password=enrolment.password,
            ca_pem=enrolment.broker_ca_pem,
            will=(self._status_topic, offline, True),
            clean_start=False,
            on_connection=self._on_connection,
        )
        self.logs = LogShipper(container, self.link, hub=hub, station=me, zone=enrolment.zone)
        """The broadcast log's way up to the hub."""

    @property
    def actor(self) -> Actor:
        """Whom the station's records name for what the hub sent."""
        return Actor(username=f"upstream.{self._enrolment.station}", full_name=self.origin, role=Role.ADMIN)

    @property
    def origin(self) -> str:
        """The hub as the broadcast log and the audit trail name it."""
        return f"Tuyến trên «{self._enrolment.station}»"

    def start(self) -> None:
        """Connect, listen, and report health from now on."""
        hub, me = self._enrolment.station, self._enrolment.receiver
        self.link.subscribe(zone_topic(hub, self._enrolment.zone, "command"), self._on_message)
        self.link.subscribe(receiver_topic(hub, me, "inbox"), self._on_message)
        for target, name in ((self._package_worker, "upstream-packages"), (self._reporter, "upstream-health")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.logs.start()
        self.link.start()

    def close(self) -> None:
        """Say offline (retained), disconnect and stop the threads."""
        self._stop.set()
        self._packages.put(None)
        self.logs.close()
        if self.link.connected:
            self.link.publish(self._status_topic, self._health(online=False).encode(), retain=True, timeout=2)
        self.link.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _on_connection(self, up: bool) -> None:
        self.logs.connection(up)
        if up:
            self.report()

    # --- health ---------------------------------------------------------------------------------------------

    def report(self) -> None:
        """Publish the station's health now (retained; never waits on the link's own thread)."""
        try:
            health = self._health(online=True)
        except Exception:
            log.exception("upstream health could not be worked out")
            return
        self._reported = _signature(health)
        self.link.publish(self._status_topic, health.encode(), retain=True, timeout=0)

    def _reporter(self) -> None:
        every = self._container.settings.upstream_status_s
        last = time.monotonic()
        while not self._stop.wait(min(CHANGE_CHECK_S, every)):
            if not self.link.connected:
                continue
            if time.monotonic() - last >= every or self._changed():
                self.report()
                last = time.monotonic()

    def _changed(self) -> bool:
        """Whether what the daemon says now differs from the last report (cheap: no database read)."""
        status = self._hooks.status()
        upcoming = status.upcoming[0] if status.upcoming else None
        now = (
            status.device.ok,
            status.device.error,
            status.playing.item if status.playing else None,
            upcoming.start if upcoming else None,
            self.refused,
            self.logs.problem,
        )
        return now != self._reported

    def _health(self, *, online: bool) -> StationHealth:
        container = self._container
        now = container.clock.now()
        base = StationHealth(self._enrolment.receiver, self._enrolment.zone, online, now, refused=self.refused)
        if not online:
            return base
        status = self._hooks.status()
        with container.store.transaction() as uow:
            misses = uow.broadcast_log.misses_since(now - timedelta(hours=24))
        upcoming = status.upcoming[0] if status.upcoming else None
        return StationHealth(
            receiver=base.receiver,
            zone=base.zone,
            online=True,
            at=now,
            daemon_ok=status.clock_warning is None,
            device_ok=status.device.ok,
            device_error=status.device.error,
            playing=status.playing.item if status.playing else None,
            next_airing=upcoming.start if upcoming else None,
            next_title=upcoming.programme if upcoming else None,
            misses_24h=misses,
            free_disk_bytes=shutil.disk_usage(container.locations.data_dir).free,
            refused=self.refused,
            log=LogProgress(self.logs.pending, self.logs.problem),
        )

    # --- messages -------------------------------------------------------------------------------------------

    def _on_message(self, topic: str, payload: bytes) -> None:
        try:
            envelope = Envelope.decode(payload)
        except FleetError as exc:
            self._refuse(Refusal.MALFORMED, topic, exc.message)
            return
        live = envelope.kind is Kind.COMMAND
        with self._lock:
            refusal = _judge(
                envelope, self._enrolment.station, self._key, self._last_seq, container=self._container, live=live
            )
            if refusal is None:
                self._last_seq = envelope.seq
                self._save_seq(envelope.seq)
        if refusal is Refusal.REPLAYED and envelope.seq == self._last_seq:
            log.info("upstream message %s delivered again: ignored", envelope.seq)
            return
        if refusal is not None:
            self._refuse(refusal, topic, f"tin số {envelope.seq}")
            if refusal is Refusal.STALE and isinstance(envelope.body.get("command_id"), str):
                # a genuine command that came too late (the link was down): the hub learns it did not air
                self._answer(envelope.body["command_id"], ok=False, reason=f"Đài từ chối: {refusal.text}.")
            return
        try:
            if envelope.kind is Kind.PACKAGE:
                self._packages.put(PackageNotice.from_dict(envelope.body))
            elif live:
                command = Command.from_dict(envelope.body)
                text = str(envelope.body.get("text", ""))
                threading.Thread(target=self._command, args=(command, text), name="upstream-cmd", daemon=True).start()
        except FleetError as exc:
            self._refuse(Refusal.MALFORMED, topic, exc.message)

    def _refuse(self, refusal: Refusal, topic: str, detail: str) -> None:
        when = self._container.clock.now().astimezone(self._container.settings.zone).strftime("%H:%M %d/%m/%Y")
        self.refused = f"{when}: từ chối tin của tuyến trên trên {topic} ({detail}): {refusal.text}"
        log.warning("%s", self.refused)
        if self.link.connected:
            self.report()

    def _answer(self, ident: str, *, ok: bool, reason: str = "", heard: bool = False) -> None:
        now = self._container.clock.now()
        ack = CommandAck(ident, self._enrolment.receiver, now, ok, heard_at=now if heard else None, reason=reason)
        self.link.publish(receiver_topic(self._enrolment.station, self._enrolment.receiver, "ack"), ack.encode())
        self.report()

    def _command(self, command: Command, text: str) -> None:
        try:
            if command.action is Action.EMERGENCY:
                if not self._container.settings.upstream_emergency_allowed:
                    reason = "Đài không cho tuyến trên phát khẩn cấp (upstream_emergency_allowed = false)."
                    self._answer(command.command_id, ok=False, reason=reason)
                    return
                self._emergency(command, text)
                self._answer(command.command_id, ok=True, heard=True)
            elif command.action is Action.CANCEL:
                self._hooks.cancel()
                self._answer(command.command_id, ok=True)
            else:
                self._answer(
                    command.command_id, ok=False, reason=f"Đài không nhận lệnh «{command.action}» từ tuyến trên."
                )
        except TruyenthanhError as exc:
            log.warning("upstream command %s failed: %s", command.command_id, exc.message)
            self._answer(command.command_id, ok=False, reason=exc.message)

    def _emergency(self, command: Command, text: str) -> None:
        """Break in with the hub's bulletin: its recorded file (fetched first) or its text, in the hub's name."""
        approvals = self._container.approvals
        if command.items:
            ref = command.items[0]
            source = str(self._fetch(ref, Path(ref.name).suffix.lower()[:8]))
            permit = approvals.send_emergency(self.actor, title=command.title or None, source=source)
            self._hooks.emergency(file=source, permit=permit.token, repeat=command.repeat)
            return
        permit = approvals.send_emergency(self.actor, title=command.title, text=text)
        self._hooks.emergency(text=text, permit=permit.token, repeat=command.repeat)

    def _package_worker(self) -> None:
        while (notice := self._packages.get()) is not None:
            try:
                path = self._fetch(FileRef(notice.sha256, notice.size, 0.0, notice.name), ".ttpkg")
                # The timer's change poll sees this commit as any other (no rebuild asked for here).
                self._container.packages.import_package(self.actor, path)
            except TruyenthanhError as exc:
                log.warning("upstream package %s refused: %s", notice.name, exc.message)
                self._answer(notice.notice_id, ok=False, reason=exc.message)
                continue
            except Exception:
                log.exception("upstream package %s failed", notice.name)
                self._answer(notice.notice_id, ok=False, reason="Lỗi không lường trước khi nhập gói; xem nhật ký.")
                continue
            if self._container.settings.signed_packages_preapproved:
                self._answer(notice.notice_id, ok=True, reason="applied: đã nhập và được duyệt trước")
            else:
                self._answer(notice.notice_id, ok=True, reason=f"{PACKAGE_WAITING}: đã nhập, chờ người duyệt của xã")

    # --- files and state ----------------------------------------------------------------------------------

    def _fetch(self, wanted: FileRef, suffix: str) -> Path:
        return fetch_file(self._enrolment.files_url, self._folder / "files", wanted, suffix)[0]

    def _load_seq(self) -> int:
        try:
            return int(json.loads((self._folder / "seq.json").read_text(encoding="utf-8"))["seq"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    def _save_seq(self, seq: int) -> None:
        path = self._folder / "seq.json"
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps({"seq": seq}), encoding="utf-8")
        os.replace(partial, path)


def fetch_file(files_url: str, folder: Path, wanted: FileRef, suffix: str) -> tuple[Path, int]:
    """A file from the hub's file server, downloaded into ``folder`` as ``<sha256><suffix>`` (an interrupted
    download resumes from its ``.partial`` with a ``Range`` request) and checked; returns it and how many bytes
    came over HTTP this time (0 when it was there already).

    Raises:
        FleetError: the hub cannot be reached (the partial file is kept for the next attempt) or sent the wrong
            bytes (the partial file is then discarded).
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{wanted.sha256}{suffix}"
    if target.is_file() and sha256_file(target) == wanted.sha256:
        return target, 0
    partial = folder / f"{wanted.sha256}.partial"
    received = download(files_url, wanted, partial, timeout=30)
    if partial.stat().st_size != wanted.size or sha256_file(partial) != wanted.sha256:
        partial.unlink(missing_ok=True)
        raise FleetError(f"Tệp «{wanted.name}» tải về từ {files_url} bị sai (kích thước hoặc sha256).", field="sha256")
    os.replace(partial, target)
    return target, received


def _signature(health: StationHealth) -> tuple[object, ...]:
    """The parts of a report whose change is reported at once (compared by :meth:`Upstream._changed`)."""
    return (
        health.device_ok,
        health.device_error,
        health.playing,
        health.next_airing,
        health.refused,
        health.log.problem if health.log else None,
    )


def _raw_key(enrolment: Enrolment) -> bytes:
    try:
        return base64.b64decode(enrolment.station_public_key, validate=True)
    except ValueError as exc:
        raise FleetError("Khoá của tuyến trên trong tệp ghi danh hỏng.", field="upstream") from exc


def _judge(
    envelope: Envelope, hub: str, key: PublicKey, last_seq: int, *, container: Container, live: bool
) -> Refusal | None:
    return judge(
        envelope,
        station=hub,
        verify=key.verify,
        last_seq=last_seq,
        now=container.clock.now(),
        max_age=COMMAND_MAX_AGE if live else None,
    )


__all__ = ["DaemonHooks", "Upstream", "fetch_file", "load_enrolment", "upstream_dir"]
