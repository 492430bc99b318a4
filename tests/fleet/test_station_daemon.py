"""The station daemon as a real process drives its loudspeaker clusters through a real mosquitto that the station
configured itself (``broker config``, enrolment): each zone's schedule retained and signed, a receiver's status on
``truyenthanh status``, a broker that comes back after a kill -9 gets every schedule again."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fleet.mosquitto import HOSTNAMES, STATION, Mosquitto, make_accounts
from tests.integration.test_cli import SINGLE_OPERATOR, write_role_settings
from tests.people import ADMIN
from tests.streams import free_port
from truyenthanh import bootstrap
from truyenthanh.adapters.control import ControlClient
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.config import load_settings
from truyenthanh.domain.fleet import Enrolment, Envelope, Kind, ReceiverStatus, receiver_topic, zone_topic
from truyenthanh.domain.station import StationRules

WAIT_S = 20.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    """Poll a condition on real processes and real network traffic."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Listener:
    """An enrolled receiver's MQTT side, keeping what arrives."""

    link: MqttLink
    received: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, topic: str, payload: bytes) -> None:
        """The subscription handler (paho's thread)."""
        with self.lock:
            self.received.append((topic, payload))

    def on(self, topic: str) -> list[bytes]:
        """What arrived on ``topic``."""
        with self.lock:
            return [payload for got, payload in self.received if got == topic]


@dataclass
class FleetStation:
    """A station folder with its fleet configured, its broker (not started) and one enrolled receiver."""

    folder: Path
    env: dict[str, str]
    broker: Mosquitto
    enrolment: Enrolment
    public_key: Callable[[bytes, bytes], bool]


@pytest.fixture
def fleet_station(station_dir: Path, tmp_path: Path) -> Iterator[FleetStation]:
    """Station ``xa-test``: zones «Thôn A» and «Thôn B», its own key, ``broker config`` run, «Loa A» enrolled."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    env.update(SINGLE_OPERATOR)
    write_role_settings(station_dir, env)
    port = free_port()
    env.update(
        TRUYENTHANH_OUTPUT=f"file:{tmp_path / 'out.wav'}",
        TRUYENTHANH_FLEET_ENABLED="true",
        TRUYENTHANH_FLEET_STATION_ID=STATION,
        TRUYENTHANH_FLEET_BROKER_HOST="127.0.0.1",
        TRUYENTHANH_FLEET_BROKER_PORT=str(port),
        TRUYENTHANH_FLEET_HTTP_HOST="127.0.0.1",
        TRUYENTHANH_FLEET_HTTP_PORT=str(free_port()),
    )
    saved = {k: os.environ.get(k) for k in env if k.startswith("TRUYENTHANH_FLEET")}
    os.environ.update({k: env[k] for k in saved})
    try:
        container = bootstrap.build(load_settings(station_dir))
        container.station.init()
        container.scheduling.set_rules(ADMIN, StationRules())
        container.keys.generate("Đài xã Thử")
        for zone in ("Thôn A", "Thôn B"):
            container.fleet.add_zone(ADMIN.full_name, zone)
        broker = Mosquitto(container.locations.data_dir / "broker", *make_accounts([]), station=STATION)
        broker.port = port
        container.fleet.configure_broker(port=port, bind="127.0.0.1", hostnames=HOSTNAMES)
        enrolment = container.fleet.enrol(container.fleet.issue_code(ADMIN.full_name, "thon-a").code, "Loa A")
        verify = container.keys.private_key().public.verify
        container.close()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        yield FleetStation(station_dir, env, broker, enrolment, verify)
    finally:
        broker.kill()


def cli(station: FleetStation, *args: str) -> subprocess.CompletedProcess[str]:
    """``truyenthanh --data-dir STATION ARGS``."""
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station.folder), *args],
        env=station.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_daemon(station: FleetStation) -> subprocess.Popen[str]:
    """The daemon as a real process; returns once its control socket answers."""
    log = (station.folder / "daemon.log").open("a", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station.folder), "daemon"],
        env=station.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log.close()
    client = ControlClient(station.folder / "run")
    wait_for(lambda: process.poll() is not None or client.is_running(), "the daemon's control socket", 30)
    assert process.poll() is None, (station.folder / "daemon.log").read_text()
    return process


def receiver(station: FleetStation, *topics: str) -> Listener:
    """Connect as the enrolled receiver, subscribed to ``topics``."""
    e = station.enrolment
    link = MqttLink(client_id=e.receiver, host=e.broker_host, port=e.broker_port, username=e.username,
                    password=e.password, ca_pem=e.broker_ca_pem, clean_start=True)  # fmt: skip
    listener = Listener(link)
    for topic in topics:
        link.subscribe(topic, listener.keep)
    link.start()
    wait_for(lambda: link.connected, "the receiver's connection")
    return listener


def test_the_daemon_publishes_signed_retained_schedules_and_shows_its_receivers(fleet_station: FleetStation) -> None:
    fleet_station.broker.start()
    process = start_daemon(fleet_station)
    topic = zone_topic(STATION, "thon-a", "schedule")
    box = receiver(fleet_station, topic)
    try:
        wait_for(lambda: len(box.on(topic)) >= 1, "zone A's retained schedule")
        first = Envelope.decode(box.on(topic)[0])
        assert first.kind is Kind.SCHEDULE and first.body["zone"] == "thon-a"
        assert fleet_station.public_key(first.signed_bytes(), first.signature)

        status = ReceiverStatus(receiver="loa-a", zone="thon-a", online=True, at=first.issued_at, volume=80)
        assert box.link.publish(receiver_topic(STATION, "loa-a", "status"), status.encode(), retain=True, timeout=5)

        def shown() -> bool:
            return "Cụm loa: 1/1 trực tuyến" in cli(fleet_station, "status").stdout

        wait_for(shown, "the receiver online in «truyenthanh status»")

        # The broker dies without saving: once it is back, the daemon publishes every schedule again.
        fleet_station.broker.kill()
        wait_for(lambda: not box.link.connected, "the receiver noticing the broker is gone")
        fleet_station.broker.start()

        def republished() -> list[Envelope]:
            return [e for e in map(Envelope.decode, box.on(topic)) if e.seq > first.seq]

        wait_for(lambda: bool(republished()), "zone A's schedule published again after the broker came back", 40)
        again = republished()[0]
        assert fleet_station.public_key(again.signed_bytes(), again.signature)
    finally:
        box.link.close()
        process.terminate()
        assert process.wait(20) == 0, (fleet_station.folder / "daemon.log").read_text()
