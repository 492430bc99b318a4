"""A private PulseAudio server with a null sink named ``speaker``, and a recorder of its monitor.

Tests play into the sink and read back what it heard, with the wall-clock time of every sample, to prove what
played and when.
"""

from __future__ import annotations

import array
import math
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

RATE = 48000
SINK = "speaker"


@dataclass
class PulseServer:
    """A running private PulseAudio daemon. ``env`` points clients (paplay, PortAudio, parec) at it."""

    runtime_dir: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    @property
    def server(self) -> str:
        """Value for ``PULSE_SERVER``."""
        return self.env["PULSE_SERVER"]

    def stop(self) -> None:
        """Terminate the daemon."""
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_pulse(runtime_dir: Path) -> PulseServer:
    """Start ``pulseaudio`` with a null sink ``speaker`` in its own runtime folder; wait until it answers."""
    if shutil.which("pulseaudio") is None:
        raise RuntimeError("pulseaudio is not installed (apt-get install pulseaudio pulseaudio-utils)")
    runtime_dir.mkdir(parents=True, exist_ok=True)
    pulse_dir = runtime_dir / "pulse"
    env = dict(os.environ)
    env.update(
        XDG_RUNTIME_DIR=str(runtime_dir),
        PULSE_RUNTIME_PATH=str(pulse_dir),
        PULSE_SERVER=f"unix:{pulse_dir}/native",
        PULSE_SINK=SINK,
        HOME=str(runtime_dir),
    )
    process = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--load=module-native-protocol-unix",
            f"--load=module-null-sink sink_name={SINK} rate={RATE} channels=2",
            "--load=module-always-sink",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(
            ["pactl", "list", "short", "sinks"], env=env, capture_output=True, text=True, check=False
        )
        if probe.returncode == 0 and SINK in probe.stdout:
            subprocess.run(["pactl", "set-default-sink", SINK], env=env, check=False, capture_output=True)
            return PulseServer(runtime_dir=runtime_dir, process=process, env=env)
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("private PulseAudio did not start within 10 s")


def render_ahead_s(pulse: PulseServer, sink: str = SINK) -> float:
    """How far ahead of its play time the null sink hands a sample to its monitor, in seconds.

    ``module-null-sink`` renders up to its configured latency ahead of the clock and posts each block to the
    monitor as soon as it is rendered, while its own latency report (which players such as PortAudio's ALSA
    plugin use to time their samples) counts a sample as played at the end of that window. A recorder of the
    monitor therefore receives every sample that much early; this is the correction. The configured latency
    follows the lowest latency any client asks for, so it is read while the recorder runs.
    """
    listing = subprocess.run(
        ["pactl", "list", "sinks"], env=pulse.env, capture_output=True, text=True, check=False
    ).stdout
    for block in listing.split("\n\n"):
        if re.search(rf"^\s*Name: {re.escape(sink)}$", block, re.MULTILINE):
            found = re.search(r"Latency: \d+ usec, configured (\d+) usec", block)
            if found:
                return int(found.group(1)) / 1e6
    return 0.0


def playback_streams(env: dict[str, str]) -> int:
    """How many playback streams the server named by ``env`` has (a player holding the sound device has one)."""
    listed = subprocess.run(
        ["pactl", "list", "short", "sink-inputs"], env=env, capture_output=True, text=True, check=True
    )
    return len(listed.stdout.splitlines())


@dataclass
class Recording:
    """Mono 16-bit samples heard at the sink's monitor, with the wall time of the first sample."""

    samples: array.array[int]
    started_at: float
    """``time.time()`` at which the sink played the first sample (the least bound over parec's buffers; see
    :func:`render_ahead_s`)."""
    rate: int = RATE

    def rms_windows(self, window_s: float = 0.01) -> list[float]:
        """RMS of consecutive windows, as a fraction of full scale."""
        size = max(1, int(self.rate * window_s))
        out = []
        for start in range(0, len(self.samples) - size + 1, size):
            chunk = self.samples[start : start + size]
            out.append(math.sqrt(sum(s * s for s in chunk) / size) / 32768.0)
        return out

    def first_sound(self, threshold: float = 0.01, window_s: float = 0.001) -> float | None:
        """Seconds from the start of the recording to the first window louder than ``threshold``."""
        for index, level in enumerate(self.rms_windows(window_s)):
            if level > threshold:
                return index * window_s
        return None


@dataclass
class Recorder:
    """Records a sink's monitor (``speaker`` unless told) with ``parec`` while a block runs."""

    pulse: PulseServer
    sink: str = SINK
    _chunks: list[bytes] = field(default_factory=list)

    @contextmanager
    def record(self) -> Iterator[list[Recording]]:
        """Record until the block ends; the yielded list receives the :class:`Recording`."""
        result: list[Recording] = []
        process = subprocess.Popen(
            [
                "parec",
                f"--device={self.sink}.monitor",
                "--format=s16le",
                f"--rate={RATE}",
                "--channels=1",
                "--raw",
                "--latency-msec=5",
            ],
            env=self.pulse.env,
            stdout=subprocess.PIPE,
        )
        assert process.stdout is not None
        chunks: list[bytes] = []
        first: list[float] = []
        """The earliest wall time the first sample can have been rendered: each buffer arrives at or after its
        last sample was rendered, so ``arrival - samples so far / RATE`` bounds the first sample's time from
        above, and the least bound over every buffer drops the delivery delays a busy machine adds to some."""

        def pump() -> None:
            assert process.stdout is not None
            received = 0
            while True:
                data = process.stdout.read1(4096) if hasattr(process.stdout, "read1") else process.stdout.read(4096)
                if not data:
                    return
                received += len(data)
                bound = time.time() - (received / 2) / RATE
                if not first:
                    first.append(bound)
                elif bound < first[0]:
                    first[0] = bound
                chunks.append(data)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        # Wait for the first buffer so the recording is live before the block plays anything.
        deadline = time.monotonic() + 5
        while not first and time.monotonic() < deadline:
            time.sleep(0.005)
        ahead = render_ahead_s(self.pulse, self.sink)
        try:
            yield result
        finally:
            time.sleep(0.1)
            process.terminate()
            process.wait(timeout=5)
            reader.join(timeout=5)
            samples = array.array("h")
            raw = b"".join(chunks)
            samples.frombytes(raw[: len(raw) - len(raw) % 2])
            result.append(Recording(samples=samples, started_at=(first[0] if first else time.time()) + ahead))
