"""A box's emergency never waits for its bulletin: the alert tone sounds at once, the bulletin follows it
when it comes (a second command referring to the first, or a file still being fetched), with no second alert.
A real mosquitto, the real file server and the receiver on its own PulseAudio null sink, recorded."""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.audio import tone
from tests.fleet.mosquitto import Mosquitto
from tests.fleet.station_sim import StationSim, in_process_receiver, null_sink
from tests.pulse import PulseServer, Recorder, Recording
from truyenthanh.adapters.fleet_http import FleetFileServer
from truyenthanh.domain.fleet import Action, AsPlayed, Command, CommandAck, PlayedOutcome
from truyenthanh.receiver.state import ReceiverState

pytestmark = pytest.mark.slow

RECEIVER, ZONE = "loa-a", "thon-a"
BULLETIN_HZ = 300.0
"""The test bulletins' pitch: well below the alert's two tones (960 and 770 Hz)."""
ALERT_MIN_HZ = 600.0
SLOW_S = 2.0
"""How long the slow file server holds a request before it answers."""


@dataclass
class Box:
    """The running receiver's recorder."""

    recorder: Recorder


class SlowFiles:
    """A file server that answers :data:`SLOW_S` seconds late, noting when each request arrived."""

    def __init__(self, station: StationSim) -> None:
        self.asked: list[float] = []
        self._station = station
        self.http = FleetFileServer("127.0.0.1", 0, lookup=self._lookup, enrol=_no_enrol, now=lambda: datetime.now(UTC))

    def _lookup(self, sha256: str) -> Path | None:
        self.asked.append(time.time())
        time.sleep(SLOW_S)
        return self._station.files.get(sha256)


def _no_enrol(_code: str, _name: str) -> dict[str, object]:
    raise AssertionError("no enrolment through the slow server")


@pytest.fixture
def station(broker: Mosquitto) -> Iterator[StationSim]:
    """The simulated station on the test broker."""
    sim = StationSim(broker)
    yield sim
    sim.close()


@pytest.fixture
def slow(station: StationSim) -> Iterator[SlowFiles]:
    """The slow file server (the box of :func:`box` fetches from it)."""
    made = SlowFiles(station)
    made.http.start()
    yield made
    made.http.close()


@pytest.fixture
def box(
    station: StationSim, slow: SlowFiles, pulse: PulseServer, pulse_env: dict[str, str], tmp_path: Path
) -> Iterator[Box]:
    """Receiver ``loa-a`` of zone ``thon-a``, fetching from the slow file server, on its own null sink."""
    state = ReceiverState(tmp_path / "rx")
    state.save_enrolment(replace(station.enrolment(RECEIVER, ZONE), files_url=f"http://127.0.0.1:{slow.http.port}"))
    with null_sink(pulse_env, f"rx{secrets.token_hex(3)}") as sink:
        receiver = in_process_receiver(state, sink)
        receiver.start()
        try:
            station.wait(lambda: RECEIVER in station.statuses and station.statuses[RECEIVER].online)
            yield Box(Recorder(pulse, sink=sink))
        finally:
            receiver.close()


def pitches(heard: Recording, window_s: float = 0.05) -> list[tuple[float, float]]:
    """``(wall time, Hz)`` of every loud window (the pitch from its zero crossings)."""
    size = int(heard.rate * window_s)
    found = []
    for start in range(0, len(heard.samples) - size + 1, size):
        chunk = heard.samples[start : start + size]
        if max(abs(s) for s in chunk) < 0.02 * 32768:
            continue
        crossings = sum(1 for a, b in itertools.pairwise(chunk) if (a < 0) != (b < 0))
        found.append((heard.started_at + start / heard.rate, crossings / (2 * window_s)))
    return found


def alerts_and_bulletin(heard: Recording) -> tuple[list[float], list[float]]:
    """Wall times of the loud windows of the alert and of the bulletin."""
    windows = pitches(heard)
    alert = [at for at, hz in windows if hz > ALERT_MIN_HZ]
    bulletin = [at for at, hz in windows if abs(hz - BULLETIN_HZ) < 40]
    return alert, bulletin


def ack_of(station: StationSim, command_id: str) -> CommandAck | None:
    """The latest answer to ``command_id``."""
    return next((a for a in reversed(station.acks) if a.command_id == command_id), None)


def records(station: StationSim, airing: str, count: int) -> dict[int, AsPlayed]:
    """The as-played records of ``airing``, by index, once ``count`` arrived."""
    prefix = f"{RECEIVER}/{airing}/"
    station.wait(lambda: sum(1 for r in station.played if r.record_id.startswith(prefix)) >= count, timeout=20)
    return {int(r.record_id.rsplit("/", 1)[1]): r for r in station.played if r.record_id.startswith(prefix)}


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


@pytest.mark.realtime
def test_the_alert_alone_sounds_at_once_and_its_bulletin_follows_with_no_second_alert(
    station: StationSim, box: Box, tmp_path: Path
) -> None:
    bulletin = tone(tmp_path / "ban-tin.wav", BULLETIN_HZ, 1.5).read_bytes()
    with box.recorder.record() as heard:
        sent = time.time()
        station.command(ZONE, Command(command_id="a1", action=Action.EMERGENCY, title="Lũ"))
        alerted = station.wait(lambda: ack_of(station, "a1"))
        time.sleep(1.0)  # the bulletin comes while the alert sounds (it lasts 3 s)
        station.command(ZONE, Command(command_id="b1", action=Action.EMERGENCY, inline=bulletin, ref="a1"))
        followed = station.wait(lambda: ack_of(station, "b1"))
        played = records(station, "command:a1", 2)
        _sleep_until(time.time() + 0.5)
    assert alerted.ok and alerted.heard_at is not None and alerted.heard_at.timestamp() - sent < 1.0
    assert followed.ok and followed.heard_at is None and followed.reason == ""
    alert, spoken = alerts_and_bulletin(heard[0])
    assert alert and spoken, "the alert or the bulletin was not heard"
    assert alert[0] - sent < 1.0
    assert max(alert) < min(spoken), "a second alert was heard after the bulletin began"
    assert 1.3 <= len(spoken) * 0.05 <= 1.6, f"the bulletin sounded {len(spoken) * 0.05:.2f} s"
    assert min(spoken) - max(alert) < 0.3, "a gap between the alert and its bulletin"
    assert [played[i].outcome for i in (0, 1)] == [PlayedOutcome.PLAYED, PlayedOutcome.PLAYED]
    assert not [r for r in station.played if "command:b1" in r.record_id]


@pytest.mark.realtime
def test_a_bulletin_referring_to_an_alert_the_box_missed_breaks_in_with_the_alert_first(
    station: StationSim, box: Box, tmp_path: Path
) -> None:
    bulletin = tone(tmp_path / "ban-tin.wav", BULLETIN_HZ, 1.0).read_bytes()
    with box.recorder.record() as heard:
        sent = time.time()
        station.command(ZONE, Command(command_id="b2", action=Action.EMERGENCY, inline=bulletin, ref="chua-nghe"))
        answered = station.wait(lambda: ack_of(station, "b2"))
        played = records(station, "command:b2", 2)
    assert answered.ok and answered.heard_at is not None and answered.heard_at.timestamp() - sent < 1.0
    alert, spoken = alerts_and_bulletin(heard[0])
    assert alert and spoken and max(alert) < min(spoken)
    assert [played[i].outcome for i in (0, 1)] == [PlayedOutcome.PLAYED, PlayedOutcome.PLAYED]


@pytest.mark.realtime
def test_the_alert_of_an_emergency_starts_before_its_file_is_fetched(
    station: StationSim, box: Box, slow: SlowFiles, tmp_path: Path
) -> None:
    ref = station.serve(tone(tmp_path / "bao.wav", BULLETIN_HZ, 1.0), name="Tin bão")
    with box.recorder.record() as heard:
        sent = time.time()
        station.command(ZONE, Command(command_id="e3", action=Action.EMERGENCY, items=(ref,), title="Tin bão"))
        answered = station.wait(lambda: ack_of(station, "e3"))  # answered once the file is here
        played = records(station, "command:e3", 2)
    assert slow.asked, "the file was never asked for"
    served = slow.asked[0] + SLOW_S
    assert answered.ok and answered.heard_at is not None
    assert answered.heard_at.timestamp() - sent < 1.0
    assert answered.heard_at.timestamp() < served, "the alert waited for the file"
    alert, spoken = alerts_and_bulletin(heard[0])
    assert alert[0] < served <= min(spoken) and max(alert) < min(spoken)
    assert played[1].outcome is PlayedOutcome.PLAYED and played[1].sha256 == ref.sha256


def test_a_bulletin_that_cannot_be_fetched_is_answered_not_ok_with_the_alerts_instant(
    station: StationSim, box: Box, tmp_path: Path
) -> None:
    ref = replace(station.serve(tone(tmp_path / "mat.wav", BULLETIN_HZ, 1.0)), sha256="0" * 64)  # not served
    station.command(ZONE, Command(command_id="e4", action=Action.EMERGENCY, items=(ref,)))
    answer = station.wait(lambda: ack_of(station, "e4"), timeout=20)
    assert [a.command_id for a in station.acks].count("e4") == 1
    assert not answer.ok and answer.heard_at is not None
    assert "không tải được bản tin khẩn cấp" in answer.reason and "404" in answer.reason
    alert = records(station, "command:e4", 1)[0]
    assert alert.outcome in (PlayedOutcome.PLAYED, PlayedOutcome.PARTIAL) and alert.started_at is not None
    assert datetime.now(UTC) - alert.started_at < timedelta(seconds=30)
