"""The native PulseAudio output (libpulse's simple API) in the private null sink: when it says a block sounds,
that is when the sink's monitor hears it; a missing sink or server is a Vietnamese error; a server that dies
makes it not alive; ``output_device`` picks it or PortAudio."""

from __future__ import annotations

import math
import re
import signal
import subprocess
import sys
import threading
import time
from array import array
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.audio import RATE, locate
from tests.pulse import Recorder, start_pulse
from truyenthanh.adapters.playout import make_output
from truyenthanh.adapters.playout.frames import Frames
from truyenthanh.adapters.playout.outputs import DeviceOutput
from truyenthanh.adapters.playout.pulse import START_S, STOP_S, PulseOutput
from truyenthanh.errors import AudioError

pytestmark = pytest.mark.slow

BEEP_S = 0.2
HZ = 1000.0


def beep() -> np.ndarray:
    """The beep as the mono monitor hears it (both channels carry the same samples)."""
    t = np.arange(int(BEEP_S * RATE)) / RATE
    return 0.3 * np.sin(2 * np.pi * HZ * t)


class Beeper:
    """A ``render`` that writes one beep starting at ``when`` (wall time), placed by the ``at`` of the block in
    which it starts (later blocks continue it sample by sample); remembers every block's ``at`` and whether a
    call is running."""

    def __init__(self) -> None:
        self.when: float | None = None
        self.ats: list[float] = []
        self.running = 0
        self._frames = 0
        self._start: int | None = None
        """Stream frame at which the beep starts, fixed by the first block that reaches ``when``."""

    def __call__(self, block: Frames, at: float) -> None:
        self.running += 1
        self.ats.append(at)
        block.clear()
        if self.when is not None and self._start is None and at + len(block) / RATE > self.when:
            self._start = self._frames + round((self.when - at) * RATE)
        if self._start is not None:
            offset = self._frames - self._start
            samples = [
                0.3 * math.sin(2 * math.pi * HZ * (offset + i) / RATE) if 0 <= offset + i < BEEP_S * RATE else 0.0
                for i in range(len(block))
            ]
            block.mix(Frames(array("f", [s for s in samples for _ in range(2)])))
        self._frames += len(block)
        self.running -= 1


def always(_frames: int) -> bool:
    return True


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.realtime
def test_a_block_is_heard_at_the_instant_the_output_gives_it(pulse_env: dict[str, str], recorder: Recorder) -> None:
    output = PulseOutput(sink=None, rate=RATE, buffer_ms=20)
    render = Beeper()
    with recorder.record() as result:
        time.sleep(0.3)
        output.start(render, always)
        try:
            assert output.alive
            render.when = time.time() + 0.3
            time.sleep(0.8)
        finally:
            output.stop()
    assert render.when is not None
    heard = locate(result[0], beep())
    assert heard.mismatch < 0.01
    assert abs(heard.at - render.when) < 0.003, f"heard {1000 * (heard.at - render.when):+.1f} ms off"
    # Consecutive blocks are one block apart in time: nothing queued twice, nothing dropped.
    steps = np.diff(render.ats[1:])
    assert np.allclose(steps, 0.01, atol=0.002)
    assert output.underflows == 0


# Counts render calls against the wall clock (20 ms blocks): four busy neighbours starve it.
@pytest.mark.realtime
def test_stop_returns_once_no_render_runs_and_the_output_starts_again(pulse_env: dict[str, str]) -> None:
    output = PulseOutput(sink="speaker", rate=RATE, buffer_ms=20)
    assert output.describe() == "thiết bị âm thanh «speaker» (PulseAudio)"
    before = {thread.name for thread in threading.enumerate()}
    for _ in range(2):
        render = Beeper()
        output.start(render, always)
        time.sleep(0.2)
        output.stop()
        assert render.running == 0
        calls = len(render.ats)
        time.sleep(0.1)
        assert len(render.ats) == calls and calls > 5
        assert not output.alive
    assert {thread.name for thread in threading.enumerate()} - before == set()


# Expects exactly one underflow, from its own stall: a render thread starved by busy neighbours adds more.
@pytest.mark.realtime
def test_a_block_rendered_too_late_is_counted_as_an_underflow(pulse_env: dict[str, str]) -> None:
    output = PulseOutput(sink=None, rate=RATE, buffer_ms=20)
    stalled = threading.Event()

    def slow(block: Frames, at: float) -> None:
        block.clear()
        if not stalled.is_set():
            stalled.set()
            time.sleep(0.15)  # far longer than the stream's 30 ms queue

    output.start(slow, always)
    try:
        assert wait_for(lambda: output.underflows > 0, 2), "the gap was not counted"
        assert output.underflows == 1
        assert output.alive  # a late block is a glitch, not a lost device
    finally:
        output.stop()


def test_an_unknown_sink_is_a_vietnamese_error_naming_it(pulse_env: dict[str, str]) -> None:
    output = make_output("device", device="pulse:loa-khong-co", rate=RATE, buffer_ms=20)
    assert isinstance(output, PulseOutput)
    expected = "Không mở được thiết bị âm thanh «loa-khong-co» (PulseAudio): PulseAudio không có sink «loa-khong-co»"
    with pytest.raises(AudioError, match=re.escape(expected)) as raised:
        output.start(Beeper(), always)
    assert "pactl list short sinks" in raised.value.message
    assert not output.alive


def test_without_a_server_the_native_output_says_so_and_unset_means_portaudio(
    pulse_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/khong-co/native")
    output = make_output("device", device="pulse:speaker", rate=RATE, buffer_ms=20)
    expected = "thiết bị âm thanh «speaker» (PulseAudio): không kết nối được máy chủ PulseAudio (Connection refused)"
    with pytest.raises(AudioError, match=re.escape(expected)):
        output.start(Beeper(), always)
    assert isinstance(make_output("device", device=None, rate=RATE, buffer_ms=20), DeviceOutput)


def test_a_server_that_dies_makes_the_output_not_alive(
    pulse_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = start_pulse(tmp_path / "pulse")  # killed below; the session's server stays up
    try:
        monkeypatch.setenv("PULSE_SERVER", own.server)
        output = make_output("device", device=None, rate=RATE, buffer_ms=20)
        assert isinstance(output, PulseOutput)
        output.start(Beeper(), always)
        assert output.alive
        own.process.kill()
        own.process.wait(5)
        assert wait_for(lambda: not output.alive, 2), "the output still says it plays"
        assert output.error is not None and output.error.startswith(
            "PulseAudio ngừng nhận âm thanh cho thiết bị âm thanh «mặc định» (PulseAudio)"
        )
        output.stop()
    finally:
        own.stop()


def test_a_hung_server_holds_up_neither_stop_nor_start(
    pulse_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frozen server answers nothing (libpulse waits 30 s to connect, forever to flush): the daemon's
    heartbeat must go on, so stop gives the stream up after STOP_S and start says so after START_S."""
    own = start_pulse(tmp_path / "pulse")  # frozen below; the session's server stays up
    before = set(threading.enumerate())
    try:
        monkeypatch.setenv("PULSE_SERVER", own.server)
        output = PulseOutput(sink=None, rate=RATE, buffer_ms=20)
        render = Beeper()
        output.start(render, always)
        own.process.send_signal(signal.SIGSTOP)
        try:
            assert wait_for(lambda: not output.alive, 2), "the output still says it plays"
            began = time.monotonic()
            output.stop()
            assert time.monotonic() - began < STOP_S + 2
            calls = len(render.ats)
            began = time.monotonic()
            expected = "thiết bị âm thanh «mặc định» (PulseAudio): máy chủ PulseAudio không trả lời sau 5 giây"
            with pytest.raises(AudioError, match=re.escape(expected)):
                output.start(render, always)
            assert time.monotonic() - began < START_S + 3
        finally:
            own.process.send_signal(signal.SIGCONT)
        # Once the server answers, what was given up on is released and renders nothing more.
        assert wait_for(lambda: set(threading.enumerate()) <= before, 10), set(threading.enumerate()) - before
        assert len(render.ats) == calls
        output.start(render, always)
        assert wait_for(lambda: len(render.ats) > calls + 5, 2) and output.alive
        output.stop()
        assert set(threading.enumerate()) <= before
    finally:
        own.stop()


def test_playing_natively_never_loads_portaudio(pulse_env: dict[str, str]) -> None:
    """The daemon's way to its output: settings, bootstrap, the engine opened on the default device."""
    script = (
        "import sys, tempfile\n"
        "from pathlib import Path\n"
        "from truyenthanh import bootstrap\n"
        "from truyenthanh.config import load_settings\n"
        "import truyenthanh.daemon\n"
        "built = bootstrap.build(load_settings(Path(tempfile.mkdtemp()), output='device'))\n"
        "built.station.init()\n"
        "engine = built.make_playout()\n"
        "engine.open()\n"
        "print(type(engine.output).__name__, engine.alive, 'sounddevice' in sys.modules)\n"
        "engine.close()\n"
        "built.close()\n"
    )
    env = {key: value for key, value in pulse_env.items() if not key.startswith("TRUYENTHANH_")}
    command = [sys.executable, "-c", script]
    ran = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["PulseOutput", "True", "False"]
