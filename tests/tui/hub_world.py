"""A hub for the «Tuyến trên» TUI tests: its real services (SQLite file) in this process, and, when asked, its real
mosquitto (configured by the hub's own ``configure_broker``), the real :class:`~truyenthanh.hub.Hub` listener and
stations simulated as MQTT clients logged in with the accounts their one-time codes gave them. A simulated
station answers what a station daemon answers (package imported and waiting or applied, or refused; an
emergency heard or refused; a cancellation done) and reports its health; the station daemons themselves are
exercised by ``tests/hub/test_hub.py``."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fakes import FrozenClock
from tests.fleet.mosquitto import Mosquitto
from tests.streams import free_port
from truyenthanh import bootstrap
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.config import load_settings
from truyenthanh.domain.fleet import CommandAck, Enrolment, Envelope, Kind, receiver_topic, zone_topic
from truyenthanh.domain.upstream import PackageNotice, StationHealth
from truyenthanh.hub import Hub, hub_settings

HUB_ID = "tinh-thu"
HUB_NAME = "Sở Văn hoá, Thể thao và Du lịch tỉnh Thử"
OPERATOR = "Lê Thị Hoa"


@dataclass
class SimStation:
    """A commune's station reduced to its MQTT side: it answers the hub's messages on its zone's topic.

    ``package`` is what it answers to a package: ``waiting`` (imported, waits for the commune's approver),
    ``applied`` (pre-approved) or ``refused``; ``emergency`` whether it lets the hub break in.
    """

    enrolment: Enrolment
    name: str
    package: str = "waiting"
    emergency: bool = True
    link: MqttLink | None = None
    received: list[Envelope] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def slug(self) -> str:
        """Its receiver account at the hub."""
        return self.enrolment.receiver

    def connect(self) -> None:
        """Log in to the hub's broker, listen to its zone's commands, report healthy."""
        e = self.enrolment
        self.link = MqttLink(
            client_id=f"{e.receiver}-{secrets.token_hex(3)}",
            host="127.0.0.1",
            port=e.broker_port,
            username=e.username,
            password=e.password,
            ca_pem=e.broker_ca_pem,
            clean_start=True,
        )
        self.link.subscribe(zone_topic(e.station, e.zone, "command"), self._on_command)
        self.link.start()
        assert self.link.wait_connected(15), f"the simulated station {e.receiver} could not reach the broker"
        self.report()

    def report(self, **health: Any) -> None:
        """Publish its (retained) health, healthy unless ``health`` says otherwise."""
        assert self.link is not None
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "next_airing": now + timedelta(hours=2),
            "next_title": "Bản tin sáng",
            "free_disk_bytes": 40 * 2**30,
            "version": "test",
            **health,
        }
        status = StationHealth(self.slug, self.enrolment.zone, True, now, **values)
        topic = receiver_topic(self.enrolment.station, self.slug, "status")
        assert self.link.publish(topic, status.encode(), retain=True, timeout=10)

    def _on_command(self, _topic: str, payload: bytes) -> None:
        envelope = Envelope.decode(payload)
        with self._lock:
            self.received.append(envelope)
        body = envelope.body
        now = datetime.now(UTC)
        if envelope.kind == Kind.PACKAGE:
            notice = PackageNotice.from_dict(body)
            if self.package == "refused":
                ack = CommandAck(notice.notice_id, self.slug, now, False, reason="Gói hỏng: mã sha256 không khớp.")
            elif self.package == "applied":
                ack = CommandAck(notice.notice_id, self.slug, now, True, reason="applied: đã nhập và được duyệt trước")
            else:
                ack = CommandAck(notice.notice_id, self.slug, now, True, reason="waiting: đã nhập, chờ người duyệt")
        elif body.get("action") == "emergency" and not self.emergency:
            reason = "Đài không cho tuyến trên phát khẩn cấp (upstream_emergency_allowed = false)."
            ack = CommandAck(str(body["command_id"]), self.slug, now, False, reason=reason)
        else:
            heard = now + timedelta(milliseconds=300) if body.get("action") == "emergency" else None
            ack = CommandAck(str(body["command_id"]), self.slug, now, True, heard_at=heard)
        assert self.link is not None
        self.link.publish(receiver_topic(self.enrolment.station, self.slug, "ack"), ack.encode(), timeout=0)

    def close(self) -> None:
        """Log out."""
        if self.link is not None:
            self.link.close()


@dataclass
class HubWorld:
    """The hub's container and, once :meth:`start` ran, its broker, its listener and simulated stations."""

    container: bootstrap.Container
    broker: Mosquitto | None = None
    hub: Hub | None = None
    stations: dict[str, SimStation] = field(default_factory=dict)

    def add_station(self, name: str, *, enrol: bool = True, **behaviour: Any) -> SimStation | None:
        """Add the commune ``name`` at the hub; with ``enrol`` also enrol it with a one-time code and, when the
        broker runs, connect it."""
        fleet = self.container.fleet
        zone = fleet.add_zone("quan-tri", name)
        if not enrol:
            return None
        issued = fleet.issue_code("quan-tri", zone.slug)
        station = SimStation(fleet.enrol(issued.code, name), name, **behaviour)
        self.stations[station.slug] = station
        if self.hub is not None:
            station.connect()
        return station

    def set_health(self, slug: str, health: StationHealth, seen_at: datetime) -> None:
        """Store a station's health as the hub's listener does when it arrives (for a world that is not running)."""
        with self.container.store.transaction() as uow:
            uow.fleet.set_status(slug, status=health.to_dict(), online=health.online, seen_at=seen_at)

    def start(self) -> None:
        """Start the broker and the hub's listener and file server."""
        folder = self.container.locations.data_dir / "broker"
        self.broker = Mosquitto.existing(folder, station=HUB_ID)
        self.broker.start()
        self.hub = Hub(self.container)
        self.hub.start()

    def close(self) -> None:
        """Stop everything this world started."""
        for station in self.stations.values():
            station.close()
        if self.hub is not None:
            self.hub.close()
        if self.broker is not None:
            self.broker.kill()
        self.container.close()


@contextmanager
def hub_world(
    root: Path, *, clock: FrozenClock | None = None, running: bool = True, single_operator: bool = True
) -> Iterator[HubWorld]:
    """An initialised hub in ``root/hub`` (named :data:`HUB_NAME`, with its signing key, single-operator mode for
    :data:`OPERATOR`, its broker configured on a free loopback port); with ``running`` its broker and listener
    are started. ``clock`` freezes the hub's time (for screenshots: then nothing runs); without
    ``single_operator`` people log in with their accounts."""
    folder = root / "hub"
    settings = load_settings(
        folder,
        hub_id=HUB_ID,
        hub_broker_host="127.0.0.1",
        hub_broker_port=free_port(),
        hub_public_host="127.0.0.1",
        hub_http_host="127.0.0.1",
        hub_http_port=free_port(),
        single_operator=single_operator,
        single_operator_name=OPERATOR,
    )
    container = bootstrap.build(hub_settings(settings), clock=clock)
    world = HubWorld(container)
    try:
        container.station.init(name=HUB_NAME)
        container.keys.generate(HUB_NAME)
        container.fleet.configure_broker(port=settings.hub_broker_port, bind="127.0.0.1", hostnames=("127.0.0.1",))
        if running:
            world.start()
        yield world
    finally:
        world.close()
