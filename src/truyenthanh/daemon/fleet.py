"""The station drives its loudspeaker clusters (cụm loa, issue 18): the daemon's fleet part.

When ``fleet_enabled`` is set, :class:`Fleet` runs beside the timer:

* the station's file server (:class:`~truyenthanh.adapters.fleet_http.FleetFileServer`): receivers fetch the
  files their schedule names, read the station's clock and enrol with a one-time code;
* an MQTT link as the station's own broker user, persistent session: each zone's schedule is published signed and
  retained, commands are published signed, and what the receivers say (status, as-played records,
  acknowledgements) is stored through :class:`~truyenthanh.services.fleet.FleetService` by a worker thread, so
  the database never blocks the MQTT network thread;
* a watcher thread that republishes a zone's schedule when its content changed (the store's change counter
  moved, a missing rendering became ready), after every reconnect, and at least every
  :data:`REFRESH` so that ``valid_until`` keeps :data:`~truyenthanh.domain.fleet.SCHEDULE_DAYS` days ahead.

Every station message is signed with the station's own Ed25519 key (the one it signs packages with), loaded for
each signature and dropped at once. A key protected by a passphrase is opened with the passphrase file named by
``key_passphrase_file`` (or ``TRUYENTHANH_KEY_PASSPHRASE``); without one the daemon cannot sign unattended: the fleet
says so in the daemon's status and its log, with what to do, and publishes nothing until it can.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from truyenthanh.adapters import ffmpeg
from truyenthanh.adapters.fleet_http import FleetFileServer
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.config import Settings
from truyenthanh.domain.fleet import (
    Action,
    AsPlayed,
    Command,
    CommandAck,
    Envelope,
    FileRef,
    Kind,
    ReceiverStatus,
    canonical,
    parse_receiver_topic,
    receiver_topic,
    zone_topic,
)
from truyenthanh.errors import FleetError, TruyenthanhError
from truyenthanh.protocol import DaemonEvent, FleetChanged, FleetSummary
from truyenthanh.services.fleet import FleetService
from truyenthanh.services.keys import KeyService
from truyenthanh.services.ports import Clock

logger = logging.getLogger(__name__)

REFRESH = timedelta(hours=6)
"""Every zone's schedule is published again at least this often, changed or not (a fresh ``valid_until``)."""

RECHECK = timedelta(minutes=1)
"""How often the zones' schedules are recomputed even when the database did not change (the window moves on,
a rendering may have become ready)."""

POLL_S = 2.0
"""How often the watcher looks at the store's change counter (seconds)."""

INLINE_MAX = 256 * 1024
"""A bulletin smaller than this (bytes) travels inside the emergency command itself."""

PUBLISH_TIMEOUT_S = 5.0
"""How long a publish waits for the broker's acknowledgement (seconds)."""

REPORT_LEAVES = ("status", "played", "ack")
"""The receiver topics the station listens to."""


@dataclass(frozen=True)
class Sent:
    """A command as it went out: its envelope's sequence number and the topics that did not take it."""

    command: Command
    seq: int
    topics: tuple[str, ...]
    failed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (the control command's answer)."""
        return {
            "command_id": self.command.command_id,
            "action": self.command.action.value,
            "seq": self.seq,
            "topics": list(self.topics),
            "failed": list(self.failed),
        }


class StationSigner:
    """Seals station messages: the next sequence number, the station's clock, its Ed25519 signature.

    Args:
        station: ``fleet_station_id``.
        keys: the station's key service (its one own key signs).
        next_seq: the station's message counter (one database transaction per call).
        clock: the station's clock (``issued_at``).
    """

    def __init__(self, station: str, keys: KeyService, next_seq: Callable[[], int], clock: Clock) -> None:
        self.station = station
        self._keys = keys
        self._next_seq = next_seq
        self._clock = clock
        self.problem: str | None = None
        """Why the station cannot sign (Vietnamese), after the last attempt failed; ``None`` while it can."""

    def seal(self, kind: Kind, body: dict[str, Any]) -> Envelope:
        """A signed envelope of ``body``.

        Raises:
            FleetError: the station has no signing key, or its key needs a passphrase the daemon was not given
                (or the passphrase file cannot be read, or the passphrase is wrong), or the key file is damaged;
                the message says which and what to do.
        """
        try:
            key = self._keys.private_key()
        except TruyenthanhError as exc:
            self.problem = f"Không ký được tin gửi cụm loa: {exc.message}"
            logger.error("fleet: %s", self.problem)
            raise FleetError(self.problem, field="key") from exc
        self.problem = None
        envelope = Envelope(kind, self.station, self._next_seq(), self._clock.now(), body)
        return envelope.signed(key.sign)


def schedule_digest(body: dict[str, Any]) -> str:
    """What a zone's schedule says, without when it was made or how far it is valid: equal digests mean the
    receivers have nothing new to fetch."""
    content = {k: v for k, v in body.items() if k not in ("generated_at", "valid_until")}
    return hashlib.sha256(canonical(content)).hexdigest()


class ReportInbox:
    """Receivers' reports, taken off the MQTT network thread into a queue and stored by one worker thread.

    Args:
        service: stores them.
        publish: the daemon's event channel (:class:`FleetChanged` for the «Cụm loa» screen).
    """

    def __init__(self, service: FleetService, publish: Callable[[DaemonEvent], None]) -> None:
        self._service = service
        self._publish = publish
        self._queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.stored = 0
        """Reports stored since start (played records stored twice are not counted)."""

    def put(self, topic: str, payload: bytes) -> None:
        """From paho's network thread: queue one report (never blocks)."""
        self._queue.put((topic, payload))

    def start(self) -> None:
        """Start the worker thread."""
        self._thread = threading.Thread(target=self._work, name="fleet-reports", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Store what is queued, then stop the worker."""
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def drain(self) -> int:
        """Store every queued report in this thread (tests without the worker); returns how many."""
        done = 0
        while True:
            try:
                entry = self._queue.get_nowait()
            except queue.Empty:
                return done
            if entry is not None:
                self.handle(*entry)
                done += 1

    def _work(self) -> None:
        while (entry := self._queue.get()) is not None:
            self.handle(*entry)

    def handle(self, topic: str, payload: bytes) -> None:
        """Store one report; a malformed one, or one whose receiver differs from its topic's, is logged and
        dropped (the broker's ACLs already keep receivers to their own topics)."""
        parsed = parse_receiver_topic(topic)
        if parsed is None:
            return
        _station, receiver, leaf = parsed
        try:
            stored = self._store(receiver, leaf, payload)
        except TruyenthanhError as exc:
            logger.warning("fleet: report on %s dropped: %s", topic, exc.message)
            return
        except Exception:  # keep storing: one bad report must not stop the others
            logger.exception("fleet: report on %s not stored", topic)
            return
        if stored:
            self.stored += 1
            self._publish(FleetChanged(receiver=receiver, what=leaf))

    def _store(self, receiver: str, leaf: str, payload: bytes) -> bool:
        if leaf == "status":
            status = ReceiverStatus.decode(payload)
            _same(receiver, status.receiver)
            self._service.record_status(status)
            return True
        if leaf == "played":
            record = AsPlayed.decode(payload)
            _same(receiver, record.receiver)
            return self._service.record_played(record)
        if leaf == "ack":
            ack = CommandAck.decode(payload)
            _same(receiver, ack.receiver)
            self._service.record_ack(ack)
            return True
        return False


def _same(topic_receiver: str, claimed: str) -> None:
    if topic_receiver != claimed:
        raise FleetError(f"Cụm loa «{claimed}» gửi tin trên kênh của «{topic_receiver}».", field="receiver")


class Fleet:
    """The daemon's fleet part: file server, MQTT link, schedule publishing, commands, receivers' reports.

    Args:
        service: the station's fleet use cases.
        keys: the station's key service (its own key signs every message).
        settings: ``fleet_*`` settings.
        clock: the station's clock.
        publish: the daemon's event channel.
        change_counter: the store's change counter (moves whenever the database changes).
        broker_folder: ``<data_dir>/broker`` (``ca.pem``: the broker's certificate authority).
    """

    def __init__(
        self,
        service: FleetService,
        keys: KeyService,
        settings: Settings,
        clock: Clock,
        publish: Callable[[DaemonEvent], None],
        *,
        change_counter: Callable[[], int],
        broker_folder: Path,
    ) -> None:
        self._service = service
        self._settings = settings
        self._clock = clock
        self._change_counter = change_counter
        self._broker_folder = broker_folder
        self.station = settings.fleet_station_id
        self.signer = StationSigner(self.station, keys, service.next_seq, clock)
        self.inbox = ReportInbox(service, publish)
        self.link: MqttLink | None = None
        self.server: FleetFileServer | None = None
        self._digests: dict[str, tuple[str, datetime]] = {}
        """Per zone: the digest of the schedule last published and when it was published."""
        self._state = _WatchState()
        self._lock = threading.Lock()
        self._sent = _EmergenciesSent()

    # ------------------------------------------------------------------------------------------ lifecycle

    def start(self, *, threads: bool = True) -> None:
        """Start the file server and the MQTT link, subscribe to the receivers' reports, publish every zone's
        schedule once connected.

        Args:
            threads: start the report worker and the watcher (tests call :meth:`tick` and
                :meth:`ReportInbox.drain` instead).

        Raises:
            FleetError: the file server's port is taken (the message names it).
        """
        settings = self._settings
        try:
            self.server = FleetFileServer(
                settings.fleet_http_host,
                settings.fleet_http_port,
                lookup=self.file_path,
                enrol=lambda code, name: self._service.enrol(code, name).to_dict(),
                now=self._clock.now,
            )
        except OSError as exc:
            where = f"{settings.fleet_http_host}:{settings.fleet_http_port}"
            raise FleetError(
                f"Không mở được máy chủ tệp cho cụm loa ở {where}: {exc.strerror}. Đổi fleet_http_port hoặc dừng "
                "chương trình đang dùng cổng này.",
                field="fleet_http_port",
            ) from exc
        self.server.start()
        username, password = self._service.station_login()
        ca = self._settings_ca()
        self.link = MqttLink(
            client_id=f"station-{self.station}",
            host=settings.fleet_broker_host,
            port=settings.fleet_broker_port,
            username=username,
            password=password,
            ca_pem=ca,
            clean_start=False,
            on_connection=self._on_connection,
        )
        for leaf in REPORT_LEAVES:
            self.link.subscribe(receiver_topic(self.station, "+", leaf), self.inbox.put)
        self.link.start()
        if threads:
            self.inbox.start()
            self._state.thread = threading.Thread(target=self._watch, name="fleet-watch", daemon=True)
            self._state.thread.start()
        logger.info("fleet: file server on port %s, broker %s:%s", self.server.port, settings.fleet_broker_host,
                    settings.fleet_broker_port)  # fmt: skip

    def file_path(self, sha256: str) -> Path | None:
        """The file the file server sends for ``sha256``: an emergency bulletin sent this run, else what the
        service serves (files named by a zone schedule or a recorded command)."""
        with self._lock:
            bulletin = self._sent.bulletins.get(sha256)
        if bulletin is not None and bulletin.is_file():
            return bulletin
        return self._service.file_path(sha256)

    def _settings_ca(self) -> str | None:
        """The broker's CA certificate (``<data_dir>/broker/ca.pem``, written by ``broker config``)."""
        path = self._broker_folder / "ca.pem"
        return path.read_text(encoding="ascii") if path.is_file() else None

    def close(self) -> None:
        """Stop the watcher, store what is queued, close the link and the file server."""
        self._state.stop.set()
        if self._state.thread is not None:
            self._state.thread.join(timeout=10)
        if self.link is not None:
            self.link.close()
        self.inbox.close()
        if self.server is not None:
            self.server.close()

    def _on_connection(self, up: bool) -> None:
        """From paho's thread: after every (re)connection every schedule goes out again (a broker that lost
        its retained messages gets them back)."""
        if up:
            self._state.reconnected.set()
            self._state.wake.set()

    def _watch(self) -> None:
        while not self._state.stop.is_set():
            self._state.wake.wait(POLL_S)
            self._state.wake.clear()
            if self._state.stop.is_set():
                return
            try:
                self.tick()
            except Exception:  # keep watching: a database hiccup must not stop the fleet
                logger.exception("fleet watcher")

    def tick(self) -> list[str]:
        """Publish what is due: every schedule after a reconnection or :data:`REFRESH`, changed schedules when
        the store changed or :data:`RECHECK` passed. Returns the zones published."""
        now = self._clock.now()
        state = self._state
        counter = self._change_counter()
        force = state.reconnected.is_set()
        due = force or counter != state.counter or state.checked_at is None or now - state.checked_at >= RECHECK
        if not due or self.link is None or not self.link.connected:
            return []
        state.reconnected.clear()
        state.counter = counter
        state.checked_at = now
        return self.publish_schedules(force=force)

    # ------------------------------------------------------------------------------------------ schedules

    def publish_schedules(self, *, force: bool = False) -> list[str]:
        """Publish each enabled zone's schedule (signed, retained, QoS 1) whose content changed since it was
        last published, or that was published longer than :data:`REFRESH` ago, or all with ``force``.
        Returns the zones published; a zone the broker did not take is tried again on the next tick."""
        if self.link is None:
            return []
        now = self._clock.now()
        published: list[str] = []
        for zone in self._service.zones():
            if not zone.enabled:
                continue
            body = self._service.zone_schedule(zone.slug, now).to_dict()
            digest = schedule_digest(body)
            last = self._digests.get(zone.slug)
            if not force and last is not None and last[0] == digest and now - last[1] < REFRESH:
                continue
            try:
                envelope = self.signer.seal(Kind.SCHEDULE, body)
            except FleetError:
                return published  # said in the status and the log
            topic = zone_topic(self.station, zone.slug, "schedule")
            if self.link.publish(topic, envelope.encode(), qos=1, retain=True, timeout=PUBLISH_TIMEOUT_S):
                self._digests[zone.slug] = (digest, now)
                published.append(zone.slug)
            else:
                logger.warning("fleet: the broker did not take zone %s's schedule; tried again later", zone.slug)
        if published:
            logger.info("fleet: schedules published for %s", ", ".join(published))
        return published

    # ------------------------------------------------------------------------------------------- commands

    def resolve(self, target: str) -> tuple[list[str] | None, str | None]:
        """``(zones, receiver)`` named by ``target``: a zone (by slug or name), a receiver (by slug or name), or
        ``""``/``*`` for every zone.

        Raises:
            FleetError: no zone or receiver has that name (the message lists the zones).
        """
        if target in ("", "*"):
            return None, None
        zones = self._service.zones()
        for zone in zones:
            if target in (zone.slug, zone.name):
                return [zone.slug], None
        for receiver in self._service.receivers():
            if target in (receiver.slug, receiver.name):
                return None, receiver.slug
        names = ", ".join(z.slug for z in zones) or "(chưa có)"
        raise FleetError(f"Không có khu vực hay cụm loa «{target}». Các khu vực: {names}.", field="target")

    def command(
        self,
        actor: str,
        command: Command,
        *,
        zones: Sequence[str] | None = None,
        receiver: str | None = None,
    ) -> Sent:
        """Sign ``command``, record it, and publish it (QoS 1) to ``receiver``'s inbox, or else to each of
        ``zones``' command topic (``None``: every enabled zone).

        Raises:
            FleetError: a zone that does not exist, the fleet is not started, or the station cannot sign.
        """
        if self.link is None:
            raise FleetError("Dịch vụ phát chưa nối với các cụm loa (fleet_enabled chưa bật).", field="fleet")
        known = [z.slug for z in self._service.zones() if z.enabled]
        chosen = known if zones is None else list(zones)
        unknown = [z for z in chosen if z not in known]
        if unknown:
            raise FleetError(f"Không có khu vực «{', '.join(unknown)}». Các khu vực: {', '.join(known)}.",
                             field="zones")  # fmt: skip
        envelope = self.signer.seal(Kind.COMMAND, command.to_dict())
        self._service.record_command(actor, command, [] if receiver else chosen, receiver, envelope.seq)
        if receiver is not None:
            topics = [receiver_topic(self.station, receiver, "inbox")]
        else:
            topics = [zone_topic(self.station, zone, "command") for zone in chosen]
        payload = envelope.encode()
        failed = tuple(
            t for t in topics if not self.link.publish(t, payload, qos=1, timeout=PUBLISH_TIMEOUT_S)
        )  # fmt: skip
        if failed:
            logger.warning("fleet: command %s not taken by the broker on %s", command.command_id, ", ".join(failed))
        return Sent(command, envelope.seq, tuple(topics), failed)

    def control(self, actor: str, action: Action, target: str, volume: int | None = None) -> Sent:
        """A live command to a zone or one receiver (test tone, volume, stop, re-sync), by name.

        Raises:
            FleetError: unknown target, an action that needs more (emergency, cancel), a volume out of range.
        """
        if action not in (Action.TEST_TONE, Action.VOLUME, Action.STOP, Action.RESYNC):
            raise FleetError(f"Lệnh «{action.value}» không gửi theo cách này.", field="action")
        if action is Action.VOLUME and (volume is None or not 0 <= volume <= 100):
            raise FleetError(f"Âm lượng phải từ 0 đến 100: {volume!r}.", field="volume")
        zones, receiver = self.resolve(target)
        command = Command(command_id=uuid.uuid4().hex, action=action,
                          volume=volume if action is Action.VOLUME else None)  # fmt: skip
        return self.command(actor, command, zones=zones, receiver=receiver)

    # ---------------------------------------------------------------------------------------- emergencies

    def alert(self, emergency_id: int, title: str, zones: Sequence[str] | None, actor: str) -> None:
        """The daemon's emergency ``emergency_id`` starts: send its alert to ``zones`` (``None``: all) at once,
        an ``EMERGENCY`` with no items (the boxes sound the alert tone and hold the emergency for its bulletin,
        which :meth:`bulletin` sends as soon as its audio exists). Never raises (a failure is logged; the
        bulletin then goes out as a full break-in). No zones chosen: nothing is sent."""
        if zones is not None and not zones:
            return
        command = Command(command_id=f"emergency-{uuid.uuid4().hex}", action=Action.EMERGENCY, title=title)
        try:
            self.command(actor, command, zones=zones)
        except TruyenthanhError as exc:
            logger.error("fleet: the alert of emergency %s not sent to the clusters: %s", emergency_id, exc.message)
            return
        with self._lock:
            self._sent.commands[emergency_id] = command.command_id
            self._sent.alerts[emergency_id] = command.command_id

    def bulletin(self, emergency_id: int, title: str, path: Path, zones: Sequence[str] | None, actor: str) -> None:
        """The daemon's emergency ``emergency_id`` has its bulletin: send it to ``zones`` (``None``: all), the
        file by its sha256 (served by the file server) and inline when it is small. After :meth:`alert` it
        refers to the alert's command (``ref``: the boxes play it after their alert tone, and a cancel still
        names the alert); otherwise (a repeat, or an alert that did not go out) it is a full break-in. Never
        raises: the local emergency goes on whatever happens here (the failure is logged). No zones chosen:
        nothing is sent."""
        if zones is not None and not zones:
            return
        with self._lock:
            alert = self._sent.alerts.pop(emergency_id, None)
        try:
            data = path.read_bytes()
            ref = FileRef(sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                          duration_s=ffmpeg.probe(path).duration_s, name=path.name)  # fmt: skip
            command = Command(
                command_id=f"emergency-{uuid.uuid4().hex}",
                action=Action.EMERGENCY,
                items=(ref,),
                inline=data if len(data) < INLINE_MAX else None,
                ref=alert,
                title=title,
            )
            with self._lock:
                if alert is None:
                    self._sent.commands[emergency_id] = command.command_id
                self._sent.bulletins[ref.sha256] = path
            self.command(actor, command, zones=zones)
        except TruyenthanhError as exc:
            logger.error("fleet: emergency %s not sent to the clusters: %s", emergency_id, exc.message)
        except OSError as exc:
            logger.error("fleet: emergency %s not sent to the clusters: %s", emergency_id, exc)

    def cancelled(self, emergency_id: int, actor: str) -> None:
        """The daemon's emergency ``emergency_id`` was cancelled: cancel it on every zone it went to (nothing is
        sent for one that never went out: local only). It names the emergency's first command (its alert, when
        one went out alone). Never raises."""
        with self._lock:
            self._sent.alerts.pop(emergency_id, None)
            ref = self._sent.commands.get(emergency_id)
        if ref is None:
            return
        try:
            self.command(actor, Command(command_id=uuid.uuid4().hex, action=Action.CANCEL, ref=ref))
        except TruyenthanhError as exc:
            logger.error("fleet: cancel of emergency %s not sent to the clusters: %s", emergency_id, exc.message)

    def emergency_commands(self) -> dict[int, str]:
        """The command id each station emergency of this run went out under, by emergency id."""
        with self._lock:
            return dict(self._sent.commands)

    # --------------------------------------------------------------------------------------------- status

    def summary(self) -> FleetSummary:
        """Receivers online, total, stale and refusing; the broker link; what stops the fleet, if anything (a
        database that cannot be read now is said there: the daemon's status must still answer)."""
        connected = self.link is not None and self.link.connected
        try:
            receivers = self._service.receivers()
        except TruyenthanhError as exc:
            return FleetSummary(0, 0, 0, broker_connected=connected, problem=f"Không đọc được cụm loa: {exc.message}")
        return FleetSummary(
            online=sum(1 for r in receivers if r.online),
            total=len(receivers),
            stale=sum(1 for r in receivers if r.stale),
            refusing=sum(1 for r in receivers if r.light == "refusing"),
            broker_connected=connected,
            problem=self.signer.problem,
        )

    def receivers_json(self) -> list[dict[str, Any]]:
        """Every receiver as the ``fleet`` control command answers it."""
        return [
            {
                "receiver": r.slug,
                "name": r.name,
                "zone": r.zone,
                "online": r.online,
                "last_seen": r.last_seen.isoformat() if r.last_seen else None,
                "light": r.light,
                "stale": r.stale,
                "status": r.status.to_dict() if r.status else None,
            }
            for r in self._service.receivers()
        ]


@dataclass
class _EmergenciesSent:
    """What went out for the station's emergencies this run."""

    commands: dict[int, str] = field(default_factory=dict)
    """The command id each station emergency went out under (its ``cancel`` names it)."""
    alerts: dict[int, str] = field(default_factory=dict)
    """Emergencies whose alert went out and whose bulletin has not yet (its command refers to the alert)."""
    bulletins: dict[str, Path] = field(default_factory=dict)
    """Emergency bulletins by sha256: not library files, so the service does not know them, yet receivers
    fetch them from the file server when they are too large to travel inline."""


@dataclass
class _WatchState:
    """The watcher's bookkeeping."""

    counter: int | None = None
    checked_at: datetime | None = None
    thread: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)
    reconnected: threading.Event = field(default_factory=threading.Event)


__all__ = ["INLINE_MAX", "POLL_S", "RECHECK", "REFRESH", "Fleet", "ReportInbox", "Sent", "StationSigner",
           "schedule_digest"]  # fmt: skip
