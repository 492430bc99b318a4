"""The receiver of a cluster box in this process, against a real mosquitto, the real file server and its own
PulseAudio null sink: it airs its zone's schedule on time, with or without the link, and obeys only signed,
fresh commands of its own station."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.audio import tone
from tests.fleet.mosquitto import Mosquitto
from tests.fleet.station_sim import StationSim, airing, in_process_receiver, null_sink
from tests.pulse import PulseServer, Recorder
from truyenthanh.adapters.signing import PrivateKey
from truyenthanh.domain.fleet import Action, Command, Kind, PlayedOutcome, receiver_topic
from truyenthanh.receiver import Receiver
from truyenthanh.receiver.runtime import software_version
from truyenthanh.receiver.state import ReceiverState

pytestmark = pytest.mark.slow

RECEIVER, ZONE = "loa-a", "thon-a"


@dataclass
class Box:
    """A running receiver, its state, the sink it plays into and a recorder of that sink."""

    receiver: Receiver
    state: ReceiverState
    recorder: Recorder


@pytest.fixture
def station(broker: Mosquitto) -> Iterator[StationSim]:
    """The simulated station on the test broker."""
    sim = StationSim(broker)
    yield sim
    sim.close()


@pytest.fixture
def box(station: StationSim, pulse: PulseServer, pulse_env: dict[str, str], tmp_path: Path) -> Iterator[Box]:
    """Receiver ``loa-a`` of zone ``thon-a``, enrolled and running, on its own null sink."""
    state = ReceiverState(tmp_path / "rx")
    state.save_enrolment(station.enrolment(RECEIVER, ZONE))
    with null_sink(pulse_env, f"rx{secrets.token_hex(3)}") as sink:
        receiver = in_process_receiver(state, sink)
        receiver.start()
        try:
            station.wait(lambda: RECEIVER in station.statuses and station.statuses[RECEIVER].online)
            yield Box(receiver, state, Recorder(pulse, sink=sink))
        finally:
            receiver.close()


@pytest.mark.realtime
def test_a_signed_schedule_is_fetched_and_heard_on_the_receivers_sink_within_10_ms(
    station: StationSim, box: Box, tmp_path: Path
) -> None:
    ref = station.serve(tone(tmp_path / "ban-tin.wav", 880, 1.0), name="Bản tin sáng")
    start = datetime.now(UTC) + timedelta(seconds=4.5)
    station.schedule(ZONE, [airing("7@sang", start, ref)])
    with box.recorder.record() as heard:
        record = station.wait(lambda: station.played, timeout=15, message="no as-played record came back")[0]
    onset = heard[0].first_sound()
    assert onset is not None, "nothing was heard on the receiver's sink"
    error_s = heard[0].started_at + onset - start.timestamp()
    assert abs(error_s) <= 0.010, f"heard {error_s * 1000:.1f} ms from the planned start"
    assert record.outcome is PlayedOutcome.PLAYED
    assert record.record_id == f"{RECEIVER}/7@sang/0"
    assert record.started_at is not None and abs((record.started_at - start).total_seconds()) <= 0.010
    status = station.wait(lambda: station.statuses[RECEIVER].schedule_seq == station.seq and station.statuses[RECEIVER])
    assert status.missing_files == 0 and status.last_sync is not None
    assert status.clock_offset_ms is not None and abs(status.clock_offset_ms) < 50
    assert status.version == software_version() and status.free_disk_bytes and status.refused is None


def test_with_the_broker_down_the_airing_plays_and_its_record_arrives_once_when_it_returns(
    station: StationSim, box: Box, broker: Mosquitto, tmp_path: Path
) -> None:
    ref = station.serve(tone(tmp_path / "thong-bao.wav", 660, 0.5))
    start = datetime.now(UTC) + timedelta(seconds=4)
    station.schedule(ZONE, [airing("8@trua", start, ref)])
    station.wait(lambda: station.statuses[RECEIVER].schedule_seq == station.seq)
    # SIGTERM: mosquitto saves the sessions, so the station's subscription outlives the outage (after a kill -9
    # the station would have to be back before the receiver for the record to reach it).
    broker.stop()
    with box.recorder.record() as heard:
        _wait_until(start + timedelta(seconds=1.5))
    assert heard[0].first_sound() is not None, "the box stayed silent without its link"
    assert box.receiver.outbox.count() == 1
    assert station.played == []
    broker.start()
    station.wait(lambda: station.played, timeout=30, message="the record did not arrive after the broker came back")
    station.wait(lambda: box.receiver.outbox.count() == 0, timeout=10)
    _wait_until(datetime.now(UTC) + timedelta(seconds=1))
    assert [r.record_id for r in station.played] == [f"{RECEIVER}/8@trua/0"]
    assert station.played[0].outcome is PlayedOutcome.PLAYED


def test_forged_replayed_and_foreign_commands_are_refused_and_nothing_plays(
    station: StationSim, box: Box, tmp_path: Path
) -> None:
    ref = station.serve(tone(tmp_path / "khan.wav", 500, 0.5))
    emergency = Command(command_id="c1", action=Action.EMERGENCY, items=(ref,), title="Khẩn cấp thử")
    stranger = PrivateKey.generate("Kẻ giả mạo")
    topic = f"tt/{station.station}/zone/{ZONE}/command"
    with box.recorder.record() as heard:
        station.command(ZONE, emergency, key=stranger)
        forged = station.wait(lambda: station.statuses[RECEIVER].refused)
        assert "từ chối tin nhắn: chữ ký không đúng khoá của đài (tin giả mạo) (lệnh số 1)" in forged
        station.command(ZONE, Command(command_id="c2", action=Action.EMERGENCY, items=(ref,)), station="xa-khac")
        station.wait(lambda: "đài khác" in (station.statuses[RECEIVER].refused or ""))
        volume = station.command(ZONE, Command(command_id="c3", action=Action.VOLUME, volume=40))
        station.wait(lambda: any(a.command_id == "c3" for a in station.acks))
        station.send_raw(topic, volume)
        station.wait(lambda: "phát lại" in (station.statuses[RECEIVER].refused or ""))
        stale = datetime.now(UTC) - timedelta(minutes=5)
        station.command(ZONE, Command(command_id="c4", action=Action.EMERGENCY, items=(ref,)), issued_at=stale)
        station.wait(lambda: "quá cũ" in (station.statuses[RECEIVER].refused or ""))
        _wait_until(datetime.now(UTC) + timedelta(seconds=1))
    assert heard[0].first_sound() is None, "a refused command was heard"
    assert [a.command_id for a in station.acks] == ["c3"]
    assert box.state.volume() == 40
    assert station.statuses[RECEIVER].volume == 40


def test_an_emergency_is_heard_at_once_acknowledged_and_cancelled(
    station: StationSim, box: Box, tmp_path: Path
) -> None:
    ref = station.serve(tone(tmp_path / "bao.wav", 440, 20.0), name="Tin bão")
    with box.recorder.record() as heard:
        sent = datetime.now(UTC)
        station.command(ZONE, Command(command_id="e1", action=Action.EMERGENCY, items=(ref,), title="Tin bão"))
        ack = station.wait(lambda: next((a for a in station.acks if a.command_id == "e1"), None))
        station.command(ZONE, Command(command_id="e2", action=Action.CANCEL, ref="e1"))
        station.wait(lambda: any(a.command_id == "e2" for a in station.acks))
        _wait_until(datetime.now(UTC) + timedelta(seconds=1))
        cancelled = datetime.now(UTC)
    assert ack.ok and ack.heard_at is not None
    assert (ack.heard_at - sent).total_seconds() < 1.0
    onset = heard[0].first_sound()
    assert onset is not None and heard[0].started_at + onset - sent.timestamp() < 1.0
    silent_from = heard[0].started_at + len(heard[0].samples) / 48000 - 0.6
    assert silent_from < cancelled.timestamp()
    tail = heard[0].rms_windows(0.1)[-5:]
    assert max(tail) < 0.001, "the emergency kept playing after the cancel"


def _wait_until(moment: datetime) -> None:
    time.sleep(max(0.0, moment.timestamp() - time.time()))


def test_a_file_damaged_in_the_cache_before_its_airing_is_fetched_again_and_plays(
    station: StationSim, box: Box, tmp_path: Path
) -> None:
    ref = station.serve(tone(tmp_path / "loa.wav", 770, 0.5))
    start = datetime.now(UTC) + timedelta(seconds=6)
    station.schedule(ZONE, [airing("9@chieu", start, ref)])
    station.wait(lambda: station.statuses[RECEIVER].schedule_seq == station.seq)
    cached = box.state.cache_dir / ref.sha256
    damaged = bytearray(cached.read_bytes())
    damaged[5000:6000] = bytes(1000)
    cached.write_bytes(bytes(damaged))
    record = station.wait(lambda: station.played, timeout=15)[0]
    assert record.outcome is PlayedOutcome.PLAYED, record.reason
    assert cached.read_bytes() == (tmp_path / "loa.wav").read_bytes()
    assert box.receiver.cache.downloaded_bytes == 2 * ref.size


def test_an_inline_bulletin_a_test_tone_and_a_stop_each_answer_with_an_ack(
    station: StationSim, box: Box, tmp_path: Path
) -> None:
    bulletin = tone(tmp_path / "inline.wav", 350, 10.0).read_bytes()
    with box.recorder.record() as heard:
        station.command(ZONE, Command(command_id="t1", action=Action.TEST_TONE))
        tested = station.wait(lambda: next((a for a in station.acks if a.command_id == "t1"), None))
        station.command(ZONE, Command(command_id="e1", action=Action.EMERGENCY, inline=bulletin, title="Tin nhanh"))
        broke_in = station.wait(lambda: next((a for a in station.acks if a.command_id == "e1"), None))
        station.command(ZONE, Command(command_id="s1", action=Action.STOP))
        station.wait(lambda: any(a.command_id == "s1" for a in station.acks))
        _wait_until(datetime.now(UTC) + timedelta(seconds=1))
    assert tested.ok and tested.heard_at is not None
    assert broke_in.ok and broke_in.heard_at is not None and broke_in.heard_at >= tested.heard_at
    assert heard[0].first_sound() is not None
    assert max(heard[0].rms_windows(0.1)[-5:]) < 0.001, "still playing after the stop"
    records = station.wait(lambda: len(station.played) >= 3 and list(station.played))
    by_id = {r.record_id: r for r in records}
    assert by_id[f"{RECEIVER}/command:t1/0"].outcome is PlayedOutcome.PARTIAL  # the emergency cut the tone
    # The stop came while the 3 s alert tone played: the tone is cut, the bulletin never began.
    assert by_id[f"{RECEIVER}/command:e1/0"].outcome is PlayedOutcome.PARTIAL
    bulletin_record = by_id[f"{RECEIVER}/command:e1/1"]
    assert (bulletin_record.outcome, bulletin_record.reason) == (PlayedOutcome.MISSED, "dừng theo lệnh của đài")


def test_the_volume_command_scales_what_the_sink_hears_and_is_kept_and_the_inbox_is_obeyed(
    station: StationSim, box: Box
) -> None:
    station.command(ZONE, Command(command_id="v1", action=Action.VOLUME, volume=25))
    station.wait(lambda: any(a.command_id == "v1" for a in station.acks))
    inbox = receiver_topic(station.station, RECEIVER, "inbox")  # a test tone for this box alone
    with box.recorder.record() as heard:
        station.send_raw(
            inbox, station.envelope(Kind.COMMAND, Command(command_id="t1", action=Action.TEST_TONE).to_dict())
        )
        station.wait(lambda: any(a.command_id == "t1" for a in station.acks))
        _wait_until(datetime.now(UTC) + timedelta(seconds=1))
        station.command(ZONE, Command(command_id="s1", action=Action.STOP))
        station.wait(lambda: any(a.command_id == "s1" for a in station.acks))
    # The test tone is a 1 kHz sine at half of full scale (RMS 0.354); at 25 % it is heard at RMS 0.088.
    loudest = max(heard[0].rms_windows(0.1))
    assert 0.075 < loudest < 0.1, f"heard at RMS {loudest:.3f}"
    assert box.state.volume() == 25
    assert station.wait(lambda: station.statuses[RECEIVER].volume == 25)
