"""Issue 18, end to end: a real mosquitto (written by ``truyenthanh broker config``), the station daemon with its
fleet on, and three ``truyenthanh receiver run`` processes enrolled with ``zone enroll`` codes (two in «Thôn A»,
one in «Thôn B»), each playing into its own PulseAudio null sink, every sink recorded.

One rig is shared by the module (starting it takes ~15 s); the tests run in file order and the destructive ones
(the broker killed, a box killed with -9) come last. As the issue asks, the broker stays dead (killed -9) for
:data:`OUTAGE_S` = 2 minutes with two airings due inside the outage: the boxes air them from their own copy and
timer, keep the records in their on-disk outbox, and every record reaches the station once after the broker is
back (its reconnect backoff has reached its 10 s cap by then).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.audio import tone
from tests.integration.fleet_rig import STATION_ID, Box, FleetRig, fleet_rig, heard_at, sound_after, wait_for
from tests.pulse import PulseServer
from truyenthanh.adapters.db.models import FleetCommand
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.adapters.signing import PrivateKey
from truyenthanh.domain.fleet import Action, Command, Envelope, Kind, ZoneSchedule, zone_topic

pytestmark = [pytest.mark.slow]

ZONE_A, ZONE_B = "thon-a", "thon-b"
ON_TIME_S = 0.010
"""The issue's bound on a scheduled airing's first sample against its planned time."""
OUTAGE_S = 120.0
"""How long the broker stays dead in the outage test (the issue says 2 minutes; see the module docstring)."""


class Spy:
    """An MQTT client logged in as the station (its own broker account) keeping every zone command it sees."""

    def __init__(self, rig: FleetRig) -> None:
        with rig.container() as built:
            username, password = built.fleet.station_login()
        self.commands: list[tuple[str, bytes]] = []
        self.arrived: list[float] = []
        """``time.time()`` at which each command arrived."""
        self._lock = threading.Lock()
        self.link = MqttLink(
            client_id=f"spy-{secrets.token_hex(3)}", host="127.0.0.1", port=rig.broker.port, username=username,
            password=password, ca_pem=rig.broker.ca_pem, clean_start=True,
        )  # fmt: skip
        self.link.subscribe(f"tt/{STATION_ID}/zone/+/command", self._keep)
        self.link.start()
        assert self.link.wait_connected(10)

    def _keep(self, topic: str, payload: bytes) -> None:
        with self._lock:
            self.commands.append((topic, payload))
            self.arrived.append(time.time())

    def seen(self) -> list[tuple[str, bytes]]:
        """The zone commands seen so far."""
        with self._lock:
            return list(self.commands)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory, pulse: PulseServer) -> Iterator[FleetRig]:
    """The station, its broker, and boxes ``A1``/``A2`` in «Thôn A» and ``B1`` in «Thôn B», all online."""
    made = fleet_rig(tmp_path_factory.mktemp("fleet-e2e"), pulse)
    try:
        made.start_daemon()
        for name, zone in (("Loa A1", ZONE_A), ("Loa B1", ZONE_B), ("Loa A2", ZONE_A)):
            made.enrol(name, zone)
        for box in made.boxes.values():
            made.run_box(box)
        wait_for(made.all_online, "every box online on the station's side", 40, every=0.5)
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module")
def spy(rig: FleetRig) -> Iterator[Spy]:
    """The station-side listener of zone commands (for the replay)."""
    made = Spy(rig)
    yield made
    made.link.close()


def _boxes(rig: FleetRig, zone: str | None = None) -> list[Box]:
    return [box for box in rig.boxes.values() if zone is None or box.zone == zone]


def _schedule(rig: FleetRig, audio: Path, at: datetime, *targets: str) -> int:
    added = json.loads(rig.ok("schedule", "add", "--audio", str(audio), "--at", at.isoformat(), "--json", *targets))
    return int(added["schedule_id"] if "schedule_id" in added else added["id"])


def _holds(boxes: list[Box], *schedule_ids: int) -> bool:
    """Every one of ``boxes`` has accepted a schedule with an airing of each of ``schedule_ids`` (read from its
    state folder's ``schedule.json``) and holds every file of those airings, whole, in its cache."""
    for box in boxes:
        raw = (box.state_dir / "schedule.json").read_bytes() if (box.state_dir / "schedule.json").exists() else b""
        if not raw:
            return False
        airings = ZoneSchedule.from_dict(Envelope.decode(raw).body).airings
        for schedule_id in schedule_ids:
            mine = [a for a in airings if a.airing_id.startswith(f"{schedule_id}@")]
            if not mine:
                return False
            for item in (item for airing in mine for item in airing.items):
                cached = box.state_dir / "cache" / item.sha256
                if not cached.is_file() or cached.stat().st_size != item.size:
                    return False
    return True


def _played(rig: FleetRig, airing_prefix: str) -> dict[str, list[str]]:
    """Per receiver, the outcomes of the as-played records of airings whose id starts with ``airing_prefix``."""
    found: dict[str, list[str]] = {}
    for row in rig.zone_plays():
        if row.airing_id.startswith(airing_prefix):
            found.setdefault(row.receiver_slug, []).append(row.outcome)
    return found


@pytest.mark.realtime
def test_a_schedule_for_zone_a_only_is_heard_on_a_sinks_only_on_time(rig: FleetRig, tmp_path: Path) -> None:
    audio = tone(tmp_path / "ban-tin-thon-a.wav", 700, 1.0)
    asked = datetime.now(UTC)
    at = asked.replace(microsecond=0) + timedelta(seconds=12)
    schedule_id = _schedule(rig, audio, at, "--zone", ZONE_A, "--no-local")
    wait_for(lambda: _holds(_boxes(rig, ZONE_A), schedule_id), "zone A's boxes to hold the new airing", 10, every=0.2)
    with rig.recording(local=True) as heard:
        time.sleep(max(0.0, at.timestamp() + 2.0 - time.time()))
    for box in _boxes(rig, ZONE_A):
        first = heard_at(heard[box.receiver])
        assert first is not None, f"{box.name} stayed silent\n{rig.logs()}"
        error = first - at.timestamp()
        assert abs(error) <= ON_TIME_S, f"{box.name}: first sample {error * 1000:+.1f} ms from the planned time"
    assert heard_at(heard[_boxes(rig, ZONE_B)[0].receiver]) is None, "zone B heard zone A's schedule"
    assert heard_at(heard["local"]) is None, "the station's own speaker aired a zone-only schedule"
    prefix = f"{schedule_id}@"
    wait_for(lambda: len(_played(rig, prefix)) == 2, "zone A's as-played records at the station", 15, every=0.3)
    assert _played(rig, prefix) == {b.receiver: ["played"] for b in _boxes(rig, ZONE_A)}


@pytest.mark.realtime
def test_an_emergency_to_all_zones_is_heard_everywhere_within_1_s_and_a_cancel_stops_it(
    rig: FleetRig, spy: Spy, tmp_path: Path
) -> None:
    bulletin = tone(tmp_path / "khan-cap.wav", 500, 20.0)  # too large to travel inline: fetched by the boxes
    before = len(spy.seen())
    with rig.recording(local=True) as heard:
        typed_at = time.time()
        rig.ok("emergency", "--file", str(bulletin))
        time.sleep(5.0)
        cancelled_at = time.time()
        rig.ok("emergency", "cancel")
        time.sleep(3.0)
    sent_at = spy.arrived[before]  # the station's first command (the alert alone) on the wire
    for box in _boxes(rig):
        first = heard_at(heard[box.receiver])
        assert first is not None, f"{box.name} did not air the emergency\n{rig.logs()}"
        assert first - sent_at <= 1.0, f"{box.name} heard it {first - sent_at:.2f} s after the station's command"
        # The operator's side: the CLI process starting and the permit; the alert goes out before the daemon
        # prepares the bulletin, and a box sounds it before it fetches anything.
        assert first - typed_at <= 1.0, f"{box.name} heard it {first - typed_at:.2f} s after the operator's command"
        # The 3 s alert is over by then: what sounds is the bulletin, which followed it.
        assert sound_after(heard[box.receiver], first + 3.3) >= 0.5, f"{box.name} did not air the bulletin"
        still = sound_after(heard[box.receiver], cancelled_at + 1.5)
        assert still == 0.0, f"{box.name} kept airing {still:.2f} s after the cancel"
    assert heard_at(heard["local"]) is not None, "the station's own speaker did not air the emergency"
    sent = [json.loads(payload)["body"] for _topic, payload in spy.seen()[before:]]
    command_id = sent[0]["command_id"]
    alerts = [body for body in sent if body["action"] == Action.EMERGENCY.value and not body["items"]]
    bulletins = [body for body in sent if body["action"] == Action.EMERGENCY.value and body["items"]]
    assert len(alerts) == len(bulletins) == 2  # one of each per zone
    assert {body["ref"] for body in bulletins} == {command_id}
    assert {body["ref"] for body in sent if body["action"] == Action.CANCEL.value} == {command_id}

    def acks() -> dict[str, Any]:
        with rig.container() as built, built.db.session() as session:
            row = session.exec(select(FleetCommand).where(FleetCommand.command_id == command_id)).one()
            return dict(row.acks)

    answered = wait_for(lambda: len(acks()) == 3 and acks(), "every box's acknowledgement at the station", 10)
    assert {slug: answer["ok"] for slug, answer in answered.items()} == {b.receiver: True for b in _boxes(rig)}
    wait_for(lambda: len(_played(rig, f"command:{command_id}")) == 3, "the boxes' as-played records", 15, every=0.3)
    actions = [body["action"] for body in sent]
    assert actions.count(Action.EMERGENCY.value) == 4 and actions.count(Action.CANCEL.value) == 2  # per zone


def test_a_box_whose_schedule_is_older_than_the_freshness_limit_shows_stale(rig: FleetRig) -> None:
    fresh = json.loads(rig.ok("zone", "list", "--json"))
    lights = {r["slug"]: (r["stale"], r["light"]) for zone in fresh for r in zone["receivers"]}
    assert lights == {box.receiver: (False, "ok") for box in _boxes(rig)}
    time.sleep(2.0)
    strict = rig.cli("zone", "list", "--json", env={"TRUYENTHANH_FLEET_STALE_HOURS": str(1.0 / 3600)})
    assert strict.returncode == 0, strict.stderr
    lights = {r["slug"]: (r["stale"], r["light"]) for zone in json.loads(strict.stdout) for r in zone["receivers"]}
    assert lights == {box.receiver: (True, "stale") for box in _boxes(rig)}
    text = rig.cli("zone", "list", env={"TRUYENTHANH_FLEET_STALE_HOURS": str(1.0 / 3600)}).stdout
    assert text.count("◐ lịch cũ") == 3


def test_forged_replayed_and_unenrolled_commands_are_refused_and_nothing_plays(
    rig: FleetRig, spy: Spy, tmp_path: Path
) -> None:
    # A genuine command to replay later: the station's test tone to zone B (heard, and over, before recording).
    before = len(spy.seen())
    rig.ok("zone", "test", ZONE_B)
    genuine_tone = wait_for(
        lambda: [(t, p) for t, p in spy.seen()[before:] if json.loads(p)["body"]["action"] == Action.TEST_TONE.value],
        "the station's test tone on the wire", 10, every=0.1,
    )  # fmt: skip
    tone_id = json.loads(genuine_tone[0][1])["body"]["command_id"]
    box_b = _boxes(rig, ZONE_B)[0]
    # Its as-played record at the station proves the tone has ended on the box.
    wait_for(lambda: _played(rig, f"command:{tone_id}") == {box_b.receiver: ["played"]}, "the test tone played", 20,
             every=0.2)  # fmt: skip
    time.sleep(0.5)
    with rig.container() as built:
        username, password = built.fleet.station_login()
        station_key = built.keys.private_key()
    forger = MqttLink(client_id=f"forger-{secrets.token_hex(3)}", host="127.0.0.1", port=rig.broker.port,
                      username=username, password=password, ca_pem=rig.broker.ca_pem, clean_start=True)  # fmt: skip
    forger.start()
    assert forger.wait_connected(10)
    stranger = MqttLink(client_id="loa-la", host="127.0.0.1", port=rig.broker.port, username="loa-la",
                        password=secrets.token_urlsafe(12), ca_pem=rig.broker.ca_pem, clean_start=True)  # fmt: skip
    stranger.start()
    box_b_login = json.loads((box_b.state_dir / "enrolment.json").read_text())
    neighbour = MqttLink(client_id=f"neighbour-{secrets.token_hex(3)}", host="127.0.0.1", port=rig.broker.port,
                         username=box_b_login["username"], password=box_b_login["password"], ca_pem=rig.broker.ca_pem,
                         clean_start=True)  # fmt: skip
    neighbour.start()
    assert neighbour.wait_connected(10)
    bogus = Command(
        command_id="gia-mao", action=Action.EMERGENCY, inline=tone(tmp_path / "gia.wav", 900, 2).read_bytes()
    )
    try:
        with rig.recording() as heard:
            # Signed by a key that is not the station's, with a sequence number far ahead.
            forged = Envelope(Kind.COMMAND, STATION_ID, 10**9, datetime.now(UTC), bogus.to_dict())
            wrong_key = PrivateKey.generate("Kẻ giả mạo")
            assert forger.publish(zone_topic(STATION_ID, ZONE_A, "command"), forged.signed(wrong_key.sign).encode(),
                                  timeout=5)  # fmt: skip
            # The station's own test tone to zone B, sent again as it was.
            topic, payload = genuine_tone[0]
            assert forger.publish(topic, payload, timeout=5)
            # A client the broker does not know cannot even connect, let alone publish.
            assert not stranger.wait_connected(3)
            assert not stranger.publish(zone_topic(STATION_ID, ZONE_A, "command"), payload, qos=0)
            # An enrolled box's own account may write only its own status, log and acks: even a message that
            # would pass every check (the station's real key, a fresh number) is dropped by the broker's ACL.
            tone_now = Command(command_id="qua-quyen", action=Action.TEST_TONE)
            genuine = Envelope(Kind.COMMAND, STATION_ID, 10**9 + 1, datetime.now(UTC), tone_now.to_dict())
            neighbour.publish(zone_topic(STATION_ID, ZONE_A, "command"), genuine.signed(station_key.sign).encode(),
                              timeout=5)  # fmt: skip
            time.sleep(2.0)
        refused = wait_for(
            lambda: (views := rig.receivers()) and all(views[b.receiver].light == "refusing" for b in _boxes(rig))
            and views, "every box to report its refusal", 15, every=0.3,
        )  # fmt: skip
    finally:
        forger.close()
        stranger.close()
        neighbour.close()
    for box in _boxes(rig):
        assert heard_at(heard[box.receiver]) is None, f"{box.name} played a refused command"
        status = refused[box.receiver].status
        assert status is not None and status.refused is not None
        expected = "giả mạo" if box.zone == ZONE_A else "phát lại"
        assert expected in status.refused, f"{box.name}: {status.refused}"
    assert base64.b64decode(json.loads(payload)["signature"])  # the replay was the station's real signature
    assert not [p for _t, p in spy.seen() if b"qua-quyen" in p], "the broker let a box publish a zone command"


@pytest.mark.realtime
def test_with_the_broker_dead_each_box_airs_on_time_and_every_record_arrives_once(
    rig: FleetRig, tmp_path: Path
) -> None:
    audio = tone(tmp_path / "mat-ket-noi.wav", 800, 0.6)
    asked = datetime.now(UTC)
    first = asked.replace(microsecond=0) + timedelta(seconds=12)
    second = first + timedelta(seconds=10)
    ids = [_schedule(rig, audio, at, "--all-zones", "--no-local") for at in (first, second)]
    wait_for(lambda: _holds(_boxes(rig), *ids), "every box to hold both airings", 10, every=0.2)
    rig.broker.kill()
    down_at = time.monotonic()
    with rig.recording() as heard:
        time.sleep(max(0.0, second.timestamp() + 2.0 - time.time()))
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
    assert not _played(rig, f"{ids[1]}@"), "records reached the station with the broker dead"
    rig.broker.start()
    for box in _boxes(rig):
        recording = heard[box.receiver]
        starts = [heard_at(recording)]
        later = recording.rms_windows(0.001)
        skip = int((second.timestamp() - 1.0 - recording.started_at) / 0.001)
        onset = next((i for i, level in enumerate(later[skip:]) if level > 0.01), None)
        starts.append(None if onset is None else recording.started_at + (skip + onset) * 0.001)
        for at, start in zip((first, second), starts, strict=True):
            assert start is not None, f"{box.name} did not air {at:%H:%M:%S} without the broker\n{rig.logs()}"
            assert abs(start - at.timestamp()) <= 0.025, f"{box.name}: {(start - at.timestamp()) * 1000:+.1f} ms"
    expected = {box.receiver: ["played"] for box in _boxes(rig)}
    wait_for(lambda: all(_played(rig, f"{s}@") == expected for s in ids), "the records after the outage", 40,
             every=0.5)  # fmt: skip
    time.sleep(2.0)  # a duplicate would arrive now
    for schedule_id in ids:
        assert _played(rig, f"{schedule_id}@") == expected


@pytest.mark.realtime
def test_a_box_killed_with_minus_9_carries_on_and_a_corrupted_cache_file_is_fetched_again(
    rig: FleetRig, tmp_path: Path
) -> None:
    (box,) = _boxes(rig, ZONE_B)
    audio = tone(tmp_path / "sau-khi-hong.wav", 650, 0.8)
    digest = hashlib.sha256(audio.read_bytes()).hexdigest()
    asked = datetime.now(UTC)
    at = asked.replace(microsecond=0) + timedelta(seconds=15)
    schedule_id = _schedule(rig, audio, at, "--zone", ZONE_B, "--no-local")
    wait_for(lambda: _holds([box], schedule_id), "box B to hold the airing", 10, every=0.2)
    cached = box.state_dir / "cache" / digest
    assert cached.is_file()
    rig.kill_box(box)
    cached.write_bytes(b"\0" * cached.stat().st_size)  # same size, wrong content
    with rig.recording(box.receiver) as heard:
        rig.run_box(box)
        time.sleep(max(0.0, at.timestamp() + 2.0 - time.time()))
    start = heard_at(heard[box.receiver])
    assert start is not None, f"the restarted box stayed silent\n{rig.box_log(box)[-3000:]}"
    assert abs(start - at.timestamp()) <= 0.025, f"{(start - at.timestamp()) * 1000:+.1f} ms"
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == digest
    wait_for(lambda: _played(rig, f"{schedule_id}@") == {box.receiver: ["played"]}, "its record", 20, every=0.3)
