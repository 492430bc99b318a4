"""Issue 18's fleet figures, against a real mosquitto on loopback (TLS, one account per receiver, ACLs):

* emergency fan-out: the station publishes a signed emergency command to each of 20 zones' command topics
  (as ``daemon/fleet.py`` does: one publish per zone, each waiting for the broker's acknowledgement); printed:
  the time from the first publish to the last :class:`CommandAck` received at the station, for 20, 200 and
  2,000 simulated receivers. The receivers are light paho clients, several hundred per process on one
  selector loop, a few processes; each decodes the envelope, checks its Ed25519 signature and its sequence
  number with :func:`~truyenthanh.domain.fleet.judge` (as the real receiver does) before it acknowledges;
* a week's schedule for 20 zones (7 days, 24 airings a day of two files each): from the first retained publish
  until every zone's receiver has decoded, verified and parsed its :class:`ZoneSchedule` (reported back with a
  ``CommandAck`` named ``schedule-<seq>``, a bench-only use of the ack topic);
* the station daemon (``truyenthanh daemon``, ``fleet_enabled``) idle with 20 clusters attached (19 simulated
  boxes enrolled through the station's own service plus one real ``truyenthanh receiver run`` enrolled with
  ``zone enroll`` and ``receiver enrol``): CPU (% of one core) and resident memory over the window;
* that real receiver process idle over the same window (goal: ≤ 60 MB, ≤ 1 % of a core).

Run: ``.venv/bin/python -m bench.fleet [--quick]`` (``--quick``: 20 and 200 receivers, a 10 s idle window).
"""

from __future__ import annotations

import argparse
import base64
import json
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from tests.fleet.mosquitto import STATION, Mosquitto, make_accounts
from tests.pulse import start_pulse

from bench.swarm import ClientLoop, cpu_seconds, rss_mb, start_swarms, stop_swarms
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.adapters.signing import PrivateKey, PublicKey
from truyenthanh.domain.fleet import (
    COMMAND_MAX_AGE,
    Action,
    Command,
    CommandAck,
    Envelope,
    FileRef,
    Kind,
    ReceiverStatus,
    ZoneAiring,
    ZoneSchedule,
    judge,
    parse_receiver_topic,
    receiver_topic,
    zone_topic,
)

ZONES = 20


# ----------------------------------------------------------------------------------- the simulated boxes


class Swarm(ClientLoop):
    """Many receivers' MQTT sides on one selector loop (a worker process's body).

    Each client logs in with its own account, subscribes to its zone's command and schedule topics, checks
    every station message like the real receiver does, and acknowledges commands (and, for the bench,
    schedules) on its ack topic.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.station = str(config["station"])
        self.public = PublicKey("station", base64.b64decode(config["public_key"]))
        self.status = bool(config.get("status"))
        context = ssl.create_default_context(cadata=config["ca_pem"])
        self.last_seq: dict[str, dict[Kind, int]] = {}
        for box in config["boxes"]:
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=box["receiver"], clean_session=True,
                                 protocol=MQTTProtocolVersion.MQTTv311)  # fmt: skip
            client.username_pw_set(box["username"], box["password"])
            client.tls_set_context(context)
            client.on_connect = self._connected(box["receiver"], box["zone"])
            client.on_subscribe = self._subscribed
            client.on_message = self._message(box["receiver"], box["zone"])
            self.add(client, config["host"], int(config["port"]))
            self.last_seq[box["receiver"]] = {Kind.COMMAND: 0, Kind.SCHEDULE: 0}

    def _connected(self, receiver: str, zone: str) -> Any:
        def handle(client: mqtt.Client, _userdata: Any, _flags: Any, _reason: Any, _properties: Any) -> None:
            client.subscribe([(zone_topic(self.station, zone, "command"), 1),
                              (zone_topic(self.station, zone, "schedule"), 1)])  # fmt: skip
            if self.status:
                now = datetime.now(UTC)
                status = ReceiverStatus(receiver, zone, True, now, volume=80, last_sync=now, version="bench")
                client.publish(receiver_topic(self.station, receiver, "status"), status.encode(), qos=1, retain=True)

        return handle

    def _message(self, receiver: str, zone: str) -> Any:
        def handle(client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
            envelope = Envelope.decode(bytes(message.payload))
            seen = self.last_seq[receiver]
            refusal = judge(envelope, station=self.station, verify=self.public.verify, last_seq=seen[envelope.kind],
                            now=datetime.now(UTC),
                            max_age=COMMAND_MAX_AGE if envelope.kind is Kind.COMMAND else None)  # fmt: skip
            if refusal is not None:
                return
            seen[envelope.kind] = envelope.seq
            if envelope.kind is Kind.COMMAND:
                name = Command.from_dict(envelope.body).command_id
            else:
                assert ZoneSchedule.from_dict(envelope.body).zone == zone
                name = f"schedule-{envelope.seq}"
            ack = CommandAck(name, receiver, datetime.now(UTC), ok=True, heard_at=datetime.now(UTC))
            client.publish(receiver_topic(self.station, receiver, "ack"), ack.encode(), qos=1)

        return handle


def swarm_main(path: str) -> None:
    """The worker process: one :class:`Swarm` over the boxes in the JSON file ``path``."""
    Swarm(json.loads(Path(path).read_text())).run()


# ------------------------------------------------------------------------------------------ the station


class StationSide:
    """The station's link (its own account), signing key and sequence, and the acknowledgements it receives."""

    def __init__(self, broker: Mosquitto) -> None:
        self.key = PrivateKey.generate("Đài đo")
        self.seq = 0
        self.acks: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self.link = MqttLink(client_id="bench-station", host=broker.host, port=broker.port,
                             username=broker.station_user, password=broker.login(broker.station_user),
                             ca_pem=broker.ca_pem, clean_start=True)  # fmt: skip
        self.link.subscribe(receiver_topic(STATION, "+", "ack"), self._ack)
        self.link.start()
        assert self.link.wait_connected(10), "the bench station could not reach the broker"

    def _ack(self, topic: str, payload: bytes) -> None:
        arrived = time.monotonic()
        if parse_receiver_topic(topic) is None:
            return
        ack = CommandAck.decode(payload)
        with self._lock:
            self.acks.setdefault(ack.command_id, []).append(arrived)

    def envelope(self, kind: Kind, body: dict[str, Any]) -> bytes:
        """The next signed envelope."""
        self.seq += 1
        return Envelope(kind, STATION, self.seq, datetime.now(UTC), body).signed(self.key.sign).encode()

    def wait_acks(self, name: str, count: int, timeout: float = 120.0) -> float:
        """Monotonic time of the ``count``-th acknowledgement of ``name``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                got = sorted(self.acks.get(name, []))
            if len(got) >= count:
                return got[count - 1]
            time.sleep(0.002)
        raise RuntimeError(f"only {len(got)} of {count} acknowledgements of {name} in {timeout} s")


@contextmanager
def swarm(boxes: Sequence[tuple[str, str]]) -> Iterator[StationSide]:
    """A private mosquitto with an account per simulated box, the station's side logged in, and the boxes
    connected in worker processes; everything stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        accounts, passwords = make_accounts(boxes)
        broker = Mosquitto(Path(tmp) / "broker", accounts, passwords)
        broker.start()
        station = StationSide(broker)
        config = {"station": STATION, "host": broker.host, "port": broker.port, "ca_pem": broker.ca_pem,
                  "public_key": base64.b64encode(station.key.public.raw).decode("ascii")}  # fmt: skip
        listed = [{"receiver": r, "zone": z, "username": r, "password": passwords[r]} for r, z in boxes]
        workers = start_swarms("bench.fleet", Path(tmp), config, listed)
        try:
            yield station
        finally:
            stop_swarms(workers)
            station.link.close()
            broker.kill()


def fanout_trials(receivers: int, trials: int) -> list[tuple[float, float]]:
    """Seconds from the first publish to the first and to the last acknowledgement, per emergency, with
    ``receivers`` boxes."""
    results = []
    with swarm([(f"sim-{i}", f"zone-{i % ZONES}") for i in range(receivers)]) as station:
        for trial in range(trials):
            command = Command(command_id=f"bench-{receivers}-{trial}", action=Action.EMERGENCY,
                              inline=b"\0" * 2048, title="Đo phát khẩn cấp")  # fmt: skip
            started = time.monotonic()
            for zone in range(ZONES):
                payload = station.envelope(Kind.COMMAND, command.to_dict())
                assert station.link.publish(zone_topic(STATION, f"zone-{zone}", "command"), payload, timeout=10)
            last = station.wait_acks(command.command_id, receivers) - started
            results.append((station.wait_acks(command.command_id, 1) - started, last))
            time.sleep(0.5)
    return results


def week(zone: str, now: datetime) -> ZoneSchedule:
    """A zone's week: 24 airings a day of two files each."""
    refs = [FileRef(sha256=f"{n:064x}", size=1_000_000 + n, duration_s=300.0, name=f"ban-tin-{n}.mp3")
            for n in range(40)]  # fmt: skip
    airings = tuple(
        ZoneAiring(airing_id=f"{hour}@{(now + timedelta(hours=hour)).isoformat()}", start=now + timedelta(hours=hour),
                   title=f"Chương trình {hour % 24} giờ", items=(refs[hour % 40], refs[(hour + 1) % 40]))
        for hour in range(7 * 24)
    )  # fmt: skip
    return ZoneSchedule(zone, now, now + timedelta(days=7), airings)


def schedule_sync() -> tuple[float, int]:
    """Seconds from the first retained publish to every zone's schedule verified, and one payload's size."""
    with swarm([(f"sim-{i}", f"zone-{i}") for i in range(ZONES)]) as station:
        now = datetime.now(UTC)
        started = time.monotonic()
        size, last = 0, 0.0
        names = []
        for zone in range(ZONES):
            payload = station.envelope(Kind.SCHEDULE, week(f"zone-{zone}", now).to_dict())
            names.append(f"schedule-{station.seq}")
            size = len(payload)
            assert station.link.publish(zone_topic(STATION, f"zone-{zone}", "schedule"), payload, retain=True,
                                        timeout=10)  # fmt: skip
        for name in names:
            last = max(last, station.wait_acks(name, 1))
        return last - started, size


# --------------------------------------------------------------------------------- the real processes


def idle_figures(window_s: float) -> dict[str, tuple[float, float]]:
    """CPU (% of one core) and RSS (MB) over ``window_s`` of the daemon with 20 clusters and of a real receiver."""
    from tests.integration.fleet_rig import fleet_rig, wait_for

    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        pulse = start_pulse(Path(tmp) / "pulse")
        rig = fleet_rig(Path(tmp), pulse)
        swarm: list[subprocess.Popen[str]] = []
        try:
            for n in range(3, ZONES + 1):
                rig.ok("zone", "add", f"Thôn {n}")
            rig.start_daemon()
            box = rig.enrol("Loa thật", "thon-a")
            rig.run_box(box)
            with rig.container() as built:
                boxes = []
                for zone in built.fleet.zones()[1:]:
                    enrolment = built.fleet.enrol(built.fleet.issue_code("bench", zone.slug).code, f"Loa {zone.slug}")
                    boxes.append({"receiver": enrolment.receiver, "zone": enrolment.zone,
                                  "username": enrolment.username, "password": enrolment.password})  # fmt: skip
                public = base64.b64encode(built.keys.private_key().public.raw).decode("ascii")
            config = {"station": rig.env["TRUYENTHANH_FLEET_STATION_ID"], "host": "127.0.0.1", "status": True,
                      "port": rig.broker.port, "ca_pem": rig.broker.ca_pem, "public_key": public}  # fmt: skip
            swarm = start_swarms("bench.fleet", Path(tmp), config, boxes)
            wait_for(lambda: len([r for r in rig.receivers().values() if r.online]) == ZONES, "20 clusters online",
                     60, every=0.5)  # fmt: skip
            time.sleep(5.0)  # settle: schedules published, files fetched
            assert rig.daemon is not None and box.process is not None
            pids = {"daemon": rig.daemon.pid, "receiver": box.process.pid}
            before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            started = time.monotonic()
            peaks = dict.fromkeys(pids, 0.0)
            while time.monotonic() - started < window_s:
                time.sleep(1.0)
                for name, pid in pids.items():
                    peaks[name] = max(peaks[name], rss_mb(pid))
            elapsed = time.monotonic() - started
            return {
                name: (100 * (cpu_seconds(pid) - before[name]) / elapsed, peaks[name]) for name, pid in pids.items()
            }
        finally:
            stop_swarms(swarm)
            rig.close()
            pulse.stop()


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20 and 200 receivers, a 10 s idle window")
    parser.add_argument("--swarm", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.swarm:
        swarm_main(args.swarm)
        return
    sizes = (20, 200) if args.quick else (20, 200, 2000)
    window = 10.0 if args.quick else 30.0
    rows: list[tuple[str, str, str]] = []
    for size in sizes:
        print(f"Đo phát khẩn cấp tới {size} máy thu…", file=sys.stderr)
        trials = fanout_trials(size, 3)
        firsts, lasts = [t[0] for t in trials], [t[1] for t in trials]
        rows.append((f"emergency fan-out, {size} receivers: last ack, median / worst of 3",
                     f"{statistics.median(lasts) * 1000:.0f} / {max(lasts) * 1000:.0f} ms", "< 1 s"))  # fmt: skip
        rows.append(("  first ack, median of 3", f"{statistics.median(firsts) * 1000:.0f} ms", ""))
    print("Đo đồng bộ lịch một tuần của 20 cụm…", file=sys.stderr)
    seconds, size = schedule_sync()
    rows.append((f"week's schedule of 20 zones synced ({size / 1024:.0f} KB each)", f"{seconds * 1000:.0f} ms", ""))
    print(f"Đo dịch vụ phát và máy thu khi rảnh ({window:.0f} s)…", file=sys.stderr)
    idle = idle_figures(window)
    cpu, rss = idle["daemon"]
    rows.append(("station daemon idle, 20 clusters: CPU / RSS", f"{cpu:.2f} % / {rss:.0f} MB", ""))
    cpu, rss = idle["receiver"]
    rows.append(("receiver process idle: CPU / RSS", f"{cpu:.2f} % / {rss:.0f} MB", "≤ 1 % / ≤ 60 MB"))
    print(f"{'figure':<62} {'measured':>22} {'goal':>16}")
    for name, value, goal in rows:
        print(f"{name:<62} {value:>22} {goal:>16}")


if __name__ == "__main__":
    main()
