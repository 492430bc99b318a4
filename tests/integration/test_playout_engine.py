"""The playout engine plays into the private PulseAudio sink; the sink's monitor proves what was heard, when."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from tests.audio import RATE, corrupt, decode, last_sound, locate, samples, sweep, tone
from tests.pulse import Recorder, Recording, playback_streams
from truyenthanh.adapters.playout import PlayoutEngine, make_output
from truyenthanh.adapters.playout.outputs import DeviceOutput
from truyenthanh.adapters.playout.pulse import PulseOutput
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.playout import EndReason, ItemEnded, ItemStarted, PlayItem, PlayoutEvent

pytestmark = [pytest.mark.slow, pytest.mark.realtime]
T = TypeVar("T")


def item(path: Path, key: str, **fields: object) -> PlayItem:
    return PlayItem(key=key, title=f"Mục {key}", kind=ItemKind.AUDIO, source=path, **fields)  # type: ignore[arg-type]


class Events:
    """Collects the engine's events."""

    def __init__(self) -> None:
        self.seen: list[PlayoutEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: PlayoutEvent) -> None:
        with self._lock:
            self.seen.append(event)

    def summary(self) -> list[tuple[str, str, str]]:
        out = []
        for event in self.seen:
            if isinstance(event, ItemStarted):
                out.append(("start", event.item.key, event.replaced.key if event.replaced else ""))
            elif isinstance(event, ItemEnded):
                out.append(("end", event.item.key, event.reason.value))
        return out

    def clear(self) -> None:
        with self._lock:
            self.seen.clear()

    def ended(self, key: str) -> ItemEnded:
        return next(e for e in self.seen if isinstance(e, ItemEnded) and e.item.key == key)

    def started(self, key: str) -> ItemStarted:
        return next(e for e in self.seen if isinstance(e, ItemStarted) and e.item.key == key)


@pytest.fixture
def filler(tmp_path: Path) -> PlayItem:
    return PlayItem(
        key="filler", title="Nhạc đệm", kind=ItemKind.JINGLE, source=tone(tmp_path / "filler.wav", 330, 0.6)
    )


@pytest.fixture
def engine(
    request: pytest.FixtureRequest, pulse_env: dict[str, str], filler: PlayItem
) -> Iterator[tuple[PlayoutEngine, Events]]:
    """An opened engine on ``output_device`` unset (native PulseAudio here), or on the device a test gives
    through ``indirect`` parametrisation."""
    device: str | None = getattr(request, "param", None)
    built = PlayoutEngine(make_output("device", device=device, rate=RATE, buffer_ms=20), filler=filler)
    events = Events()
    built.subscribe(events)
    built.open()
    yield built, events
    built.close()


def settle() -> None:
    """Let the sink adjust its latency to the new recording stream before anything plays.

    When ``parec`` connects, PulseAudio may rewind the null sink to lower its latency; sound played in that
    moment can reach the monitor slightly altered, which would spoil sample-exact comparisons.
    """
    time.sleep(0.3)


def clean_run(
    player: PlayoutEngine,
    events: Events,
    scenario: Callable[[], T],
    check: Callable[[T], None],
    attempts: int = 3,
) -> None:
    """Run a real-time scenario and check what was heard; repeat a run the machine spoiled.

    Two cores are shared by many busy processes here. When the output thread or the sound server is starved
    of CPU, the sink hears a gap that is no fault of the engine (the engine counts one kind in ``glitches``;
    the server's own lateness it cannot see). The engine is deterministic, so a real defect fails every run.
    """
    failure: AssertionError | None = None
    for _ in range(attempts):
        events.clear()
        before = player.glitches
        result = scenario()
        if player.glitches != before:
            failure = AssertionError(f"the output glitched {player.glitches - before} times")
        else:
            try:
                check(result)
                return
            except AssertionError as exc:
                failure = exc
        player.stop()
        player.wait_idle(2)
    assert failure is not None
    raise failure


def children() -> list[str]:
    """Command names of this process's child processes."""
    listing = subprocess.run(["ps", "-o", "comm=", "--ppid", str(os.getpid())], capture_output=True, check=True)
    return listing.stdout.decode().split()


def test_items_play_in_order_at_their_gain_with_no_gap(
    tmp_path: Path, recorder: Recorder, engine: tuple[PlayoutEngine, Events]
) -> None:
    player, events = engine
    first = sweep(tmp_path / "a.wav", 0.8)
    second = sweep(tmp_path / "b.mp3", 0.9, start_hz=700)
    third = sweep(tmp_path / "c.wav", 0.7, start_hz=1300, rate=44100)
    items = [item(first, "a"), item(second, "b", gain_db=-6.0), item(third, "c", gain_db=3.0)]
    expected = [decode(first), decode(second, gain_db=-6.0), decode(third, gain_db=3.0)]

    def scenario() -> Recording:
        with recorder.record() as result:
            settle()
            player.enqueue(items)
            assert player.wait_idle(10)
        return result[0]

    def check(recording: Recording) -> None:
        heard = [locate(recording, expected[0])]
        for piece in expected[1:]:
            heard.append(locate(recording, piece, after=heard[-1].index))
        for found in heard:
            assert found.mismatch < 1e-3, "the item does not sound as decoded at its gain"
        # Sample-exact succession: each item starts exactly where the previous one ended.
        for before, piece, after in zip(heard, expected, heard[1:], strict=False):
            assert after.index - before.index == len(piece)
        assert events.summary() == [
            ("start", "a", ""),
            ("end", "a", "finished"),
            ("start", "b", ""),
            ("end", "b", "finished"),
            ("start", "c", ""),
            ("end", "c", "finished"),
        ]
        # Event times are when the sound reached the sink (within the recorder's few milliseconds).
        assert abs(events.started("a").at.timestamp() - heard[0].at) < 0.015
        assert abs(events.started("c").at.timestamp() - heard[2].at) < 0.015

    clean_run(player, events, scenario, check)


def test_preempt_cuts_in_within_50_ms_and_the_item_resumes_where_it_stopped(
    tmp_path: Path, recorder: Recorder, engine: tuple[PlayoutEngine, Events]
) -> None:
    player, events = engine
    long = sweep(tmp_path / "long.wav", 3.0)
    alert = tone(tmp_path / "alert.wav", 1000, 0.4)
    reference, alert_ref = decode(long), decode(alert)

    def scenario() -> tuple[Recording, float]:
        with recorder.record() as result:
            settle()
            player.enqueue([item(long, "long")])
            time.sleep(1.0)
            asked = time.time()
            player.preempt([item(alert, "alert")], resume=True)
            assert player.wait_idle(10)
        return result[0], asked

    def check(result: tuple[Recording, float]) -> None:
        recording, asked = result
        start = locate(recording, reference[: RATE // 2])
        cut_in = locate(recording, alert_ref, after=start.index)
        assert cut_in.mismatch < 0.05
        assert 0.0 <= cut_in.at - asked <= 0.05, f"break-in heard {1000 * (cut_in.at - asked):.1f} ms after the command"
        played = cut_in.index - start.index
        assert played == pytest.approx(events.ended("long").position_s * RATE, abs=2)
        # After the alert, the interrupted item goes on from the very sample where it was cut.
        rest = reference[played:]
        resumed = locate(recording, rest, after=cut_in.index)
        assert resumed.index == cut_in.index + len(alert_ref)
        assert resumed.mismatch < 1e-3
        assert events.summary() == [
            ("start", "long", ""),
            ("end", "long", "preempted"),
            ("start", "alert", ""),
            ("end", "alert", "finished"),
            ("start", "long", ""),
            ("end", "long", "finished"),
        ]

    clean_run(player, events, scenario, check)


def test_a_prepared_mp3_cuts_in_within_50_ms(
    tmp_path: Path, recorder: Recorder, engine: tuple[PlayoutEngine, Events]
) -> None:
    player, events = engine
    bed = sweep(tmp_path / "bed.wav", 3.0)
    bulletin = sweep(tmp_path / "bulletin.mp3", 0.6, start_hz=1500)
    reference = decode(bulletin)
    urgent = item(bulletin, "bulletin")

    def scenario() -> tuple[Recording, float]:
        player.prepare([urgent])
        with recorder.record() as result:
            settle()
            player.enqueue([item(bed, "bed")])
            time.sleep(0.8)
            asked = time.time()
            player.preempt([urgent], resume=False)
            time.sleep(0.8)
            player.stop()
            assert player.wait_idle(5)
        return result[0], asked

    def check(result: tuple[Recording, float]) -> None:
        recording, asked = result
        heard = locate(recording, reference)
        assert heard.mismatch < 0.05  # its first 5 ms overlap the interrupted item's click-free fade
        assert 0.0 <= heard.at - asked <= 0.05, f"heard {1000 * (heard.at - asked):.1f} ms after the command"
        assert ("start", "bulletin", "") in events.summary()

    clean_run(player, events, scenario, check)


def test_preempt_with_restart_plays_the_item_again_from_its_start(
    tmp_path: Path, recorder: Recorder, engine: tuple[PlayoutEngine, Events]
) -> None:
    player, events = engine
    long = sweep(tmp_path / "long.wav", 1.5)
    alert = tone(tmp_path / "alert.wav", 1000, 0.3)
    reference, alert_ref = decode(long), decode(alert)

    def scenario() -> Recording:
        with recorder.record() as result:
            settle()
            player.enqueue([item(long, "long")])
            time.sleep(0.6)
            player.preempt([item(alert, "alert")], resume=False)
            assert player.wait_idle(10)
        return result[0]

    def check(recording: Recording) -> None:
        cut_in = locate(recording, alert_ref)
        again = locate(recording, reference, after=cut_in.index)
        assert again.index == cut_in.index + len(alert_ref)
        assert again.mismatch < 1e-3

    clean_run(player, events, scenario, check)


def test_stop_silences_within_50_ms_and_clears_the_queue(
    tmp_path: Path, recorder: Recorder, engine: tuple[PlayoutEngine, Events]
) -> None:
    player, events = engine
    long = tone(tmp_path / "long.wav", 440, 3.0)

    def scenario() -> tuple[Recording, float]:
        with recorder.record() as result:
            settle()
            player.enqueue([item(long, "one"), item(long, "two")])
            time.sleep(0.8)
            asked = time.time()
            player.stop()
            time.sleep(0.4)
            assert not player.busy
        return result[0], asked

    def check(result: tuple[Recording, float]) -> None:
        recording, asked = result
        end = last_sound(recording)
        assert end is not None
        assert recording.started_at + end - asked <= 0.05
        assert events.summary() == [("start", "one", ""), ("end", "one", "stopped")]

    clean_run(player, events, scenario, check)


@pytest.mark.parametrize(
    ("engine", "kind"),
    [(None, PulseOutput), ("pulse", DeviceOutput)],
    indirect=["engine"],
    ids=["pulseaudio", "portaudio-alsa-pulse"],
)
def test_start_at_puts_the_first_sample_on_the_instant(
    tmp_path: Path, recorder: Recorder, engine: tuple[PlayoutEngine, Events], kind: type
) -> None:
    """On the native output and on PortAudio (``output_device = "pulse"``: ALSA's pulse plugin), the fallback."""
    player, events = engine
    assert isinstance(player.output, kind)
    clip = sweep(tmp_path / "clip.mp3", 0.5)

    def scenario() -> tuple[Recording, datetime]:
        with recorder.record() as result:
            settle()
            when = datetime.now(UTC) + timedelta(seconds=0.6)
            player.enqueue([item(clip, "clip")], start_at=when)
            time.sleep(0.3)
            assert player.status().playing is None
            assert player.wait_idle(5)
        return result[0], when

    def check(result: tuple[Recording, datetime]) -> None:
        recording, when = result
        heard = locate(recording, decode(clip))
        assert heard.mismatch < 1e-3
        assert abs(heard.at - when.timestamp()) < 0.015
        assert abs(events.started("clip").at - when) < timedelta(milliseconds=2)

    clean_run(player, events, scenario, check)


def test_a_corrupt_file_in_the_middle_is_replaced_by_the_fallback_without_a_gap(
    tmp_path: Path, recorder: Recorder, engine: tuple[PlayoutEngine, Events], filler: PlayItem
) -> None:
    player, events = engine
    first, last = sweep(tmp_path / "a.wav", 0.6), sweep(tmp_path / "c.mp3", 0.6, start_hz=900)
    backup = tone(tmp_path / "backup.wav", 880, 0.5)
    fallback = item(backup, "fallback")
    items = [
        item(first, "a"),
        item(corrupt(tmp_path / "broken.mp3"), "broken", fallback=fallback),
        item(tmp_path / "missing.mp3", "missing"),
        item(last, "c"),
    ]

    def scenario() -> Recording:
        with recorder.record() as result:
            settle()
            player.enqueue(items)
            assert player.wait_idle(10)
        return result[0]

    pieces = [decode(first), decode(backup), decode(filler.source or Path()), decode(last)]

    def check(recording: Recording) -> None:
        heard = [locate(recording, pieces[0])]
        for piece in pieces[1:]:
            heard.append(locate(recording, piece, after=heard[-1].index))
        assert all(found.mismatch < 1e-3 for found in heard)
        for before, piece, after in zip(heard, pieces, heard[1:], strict=False):
            assert after.index - before.index == len(piece)
        assert events.summary() == [
            ("start", "a", ""),
            ("end", "a", "finished"),
            ("end", "broken", "failed"),
            ("start", "fallback", "broken"),
            ("end", "fallback", "finished"),
            ("end", "missing", "failed"),
            ("start", "filler", "missing"),
            ("end", "filler", "finished"),
            ("start", "c", ""),
            ("end", "c", "finished"),
        ]
        assert "Không phát được «Mục broken»" in events.ended("broken").detail
        assert "không tìm thấy tệp" in events.ended("missing").detail

    clean_run(player, events, scenario, check)


def test_pause_resume_skip_and_status(tmp_path: Path, engine: tuple[PlayoutEngine, Events]) -> None:
    player, events = engine
    long = tone(tmp_path / "long.wav", 440, 3.0, amplitude=0.5)
    short = tone(tmp_path / "short.wav", 660, 0.3)
    player.enqueue([item(long, "long"), item(short, "short")])
    time.sleep(0.5)
    status = player.status()
    assert status.playing is not None and status.playing.key == "long"
    assert status.duration_s == pytest.approx(3.0)
    assert status.level_dbfs == pytest.approx(-6.0, abs=0.5)
    assert [queued.key for queued in status.queued] == ["short"]
    player.pause()
    time.sleep(0.1)
    held = player.status()
    time.sleep(0.3)
    assert player.status().paused
    assert player.status().position_s == held.position_s
    assert player.status().level_dbfs < -100
    player.resume()
    time.sleep(0.2)
    assert player.status().position_s > held.position_s
    player.skip()
    time.sleep(0.1)
    status = player.status()
    assert status.playing is not None and status.playing.key == "short"
    assert player.wait_idle(5)
    assert events.summary() == [
        ("start", "long", ""),
        ("end", "long", "skipped"),
        ("start", "short", ""),
        ("end", "short", "finished"),
    ]
    assert events.ended("long").position_s == pytest.approx(0.8, abs=0.15)


def test_close_leaves_no_thread_or_process_behind(tmp_path: Path, pulse_env: dict[str, str], filler: PlayItem) -> None:
    before = {thread.name for thread in threading.enumerate()}
    clip = sweep(tmp_path / "clip.mp3", 5.0)
    player = PlayoutEngine(make_output("device", device=None, rate=RATE, buffer_ms=20), filler=filler)
    events = Events()
    player.subscribe(events)
    player.open()
    player.enqueue([item(clip, str(n)) for n in range(4)])
    time.sleep(0.5)
    assert "ffmpeg" in children()
    player.close()
    assert events.summary()[-1] == ("end", "0", "stopped")
    assert "ffmpeg" not in children()
    leftover = {thread.name for thread in threading.enumerate()} - before
    assert not [name for name in leftover if name.startswith("playout")]


def test_recording_helper_sees_silence_when_nothing_plays(
    recorder: Recorder, engine: tuple[PlayoutEngine, Events]
) -> None:
    with recorder.record() as result:
        settle()
    assert float(abs(samples(result[0])).max()) == 0.0


def test_standby_gives_the_device_back_only_when_quiet_and_enqueue_takes_it_again_on_time(
    tmp_path: Path, recorder: Recorder, engine: tuple[PlayoutEngine, Events], pulse_env: dict[str, str]
) -> None:
    player, events = engine
    piece = tone(tmp_path / "a.wav", 880, 0.6)

    with recorder.record() as result:
        settle()
        player.enqueue([item(piece, "a")])
        time.sleep(0.2)
        assert player.standby() is False  # something is playing
        assert player.wait_idle(5)
        assert player.standby() is True
        assert player.standing_by and player.alive and playback_streams(pulse_env) == 0
        at = datetime.now(UTC) + timedelta(seconds=1)
        player.enqueue([item(piece, "b")], start_at=at)
        assert not player.standing_by and playback_streams(pulse_env) == 1
        assert player.wait_idle(5)
    heard = result[0]
    assert events.summary()[-2:] == [("start", "b", ""), ("end", "b", "finished")]
    assert abs(events.started("b").at.timestamp() - at.timestamp()) < 0.005
    second = heard.started_at + (locate_second_burst(heard) or 0.0)
    assert abs(second - at.timestamp()) < 0.015


def locate_second_burst(recording: Recording) -> float | None:
    """Seconds from the start of the recording to the first sound after the first silence."""
    levels = recording.rms_windows(0.001)
    sounding = [level > 0.01 for level in levels]
    first = sounding.index(True)
    quiet = sounding.index(False, first)
    return sounding.index(True, quiet + 200) * 0.001 if True in sounding[quiet + 200 :] else None


def test_blocks_shorter_than_the_de_click_ramp_still_cut(tmp_path: Path, pulse_env: dict[str, str]) -> None:
    """``buffer_ms = 5`` (the smallest allowed) gives the sound device 2.5 ms blocks, shorter than the 5 ms ramp
    of a cut: the cut fades within the one block it has, and playout goes on."""
    first, second = tone(tmp_path / "a.wav", 440, 1.0), tone(tmp_path / "b.wav", 660, 0.3)
    player = PlayoutEngine(make_output("device", device=None, rate=RATE, buffer_ms=5))
    ended: list[tuple[str, EndReason]] = []
    started = threading.Event()

    def listen(event: object) -> None:
        if isinstance(event, ItemEnded):
            ended.append((event.item.key, event.reason))
        elif isinstance(event, ItemStarted) and event.item.key == "a":
            started.set()

    player.subscribe(listen)
    player.open()
    player.enqueue([item(first, "a"), item(second, "b")])
    assert started.wait(5)
    time.sleep(0.2)
    player.skip("a")
    assert player.wait_idle(10)
    player.close()
    assert ended == [("a", EndReason.SKIPPED), ("b", EndReason.FINISHED)]
