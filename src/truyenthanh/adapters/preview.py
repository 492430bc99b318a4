"""Listening to a file on the operator's monitor (headphones), never on the station's speaker.

The preview plays in a child process (``python -m truyenthanh.adapters.preview``) that runs the playout
engine's device output on the ``preview_device`` setting: the TUI never plays audio in its own process (a busy
UI would stall a PortAudio callback). With no preview device set nothing plays, and the operator is told why:
the system's default device is, on most stations, the amplifier.

A device named ``pulse:SINK`` is PulseAudio's sink ``SINK``, played natively (see
:mod:`truyenthanh.adapters.playout.pulse`); any other name or number is a PortAudio device.
"""

from __future__ import annotations

import argparse
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from truyenthanh.errors import AudioError

STARTED = "ok"
"""What the child prints once the device plays."""

START_TIMEOUT_S = 15.0
"""Longest wait for the child to open the device (PortAudio through ALSA's pulse plugin stalls about 2 s)."""


class PreviewPlayer:
    """Plays one file at a time on the preview device; starting another stops the first. Not thread-safe: call
    it from one worker at a time.

    Args:
        device: the ``preview_device`` setting (``None``: not set, nothing is played).
        on_air_device: the device the station broadcasts on (``None`` when it does not play on a sound device);
            a preview device of the same name is refused.
        rate: sample rate of the device stream, in Hz.
        buffer_ms: length of one audio buffer, in milliseconds.
    """

    def __init__(self, device: str | None, *, on_air_device: str | None, rate: int, buffer_ms: int) -> None:
        self.device = device
        self._on_air_device = on_air_device
        self._rate = rate
        self._buffer_ms = buffer_ms
        self._process: subprocess.Popen[str] | None = None
        self.playing: Path | None = None
        """The file being played, if the player is still running."""

    def _is_on_air(self, device: str) -> bool:
        """Whether ``device`` is where the station broadcasts: the same name, or the PulseAudio sink that an
        unnamed station device plays on (``PULSE_SINK``, else the server's default sink)."""
        if device == self._on_air_device:
            return True
        if not device.startswith("pulse:") or self._on_air_device not in ("default", "pulse"):
            return False
        sink = os.environ.get("PULSE_SINK")
        pactl = shutil.which("pactl")
        if not sink and pactl is not None:
            found = subprocess.run([pactl, "get-default-sink"], capture_output=True, text=True, check=False)
            sink = found.stdout.strip() if found.returncode == 0 else None
        return device.removeprefix("pulse:") == sink

    def play(self, path: Path) -> None:
        """Start playing ``path`` on the preview device (stopping whatever played); returns once it sounds
        (blocks up to :data:`START_TIMEOUT_S` seconds: call it from a worker).

        Raises:
            AudioError: no preview device is set, it is the station's own device, the file does not exist, or
                the device cannot be opened (Vietnamese message).
        """
        if self.device is None:
            raise AudioError(
                "Chưa đặt thiết bị nghe thử (mục «preview_device» trong cấu hình) nên không phát thử: phát trên "
                "thiết bị mặc định có thể ra loa của đài. Hãy đặt tai nghe hoặc loa kiểm tra, ví dụ "
                'preview_device = "pulse:tai-nghe" hoặc tên, số thiết bị («python -m sounddevice» liệt kê).'
            )
        if self._is_on_air(self.device):
            raise AudioError(
                f"Thiết bị nghe thử «{self.device}» cũng là thiết bị phát của đài: không phát thử để khỏi ra loa. "
                "Hãy đặt «preview_device» là tai nghe hoặc loa kiểm tra."
            )
        if not path.is_file():
            raise AudioError(f"Không có tệp {path} để nghe thử.")
        self.stop()
        command = [sys.executable, "-m", "truyenthanh.adapters.preview", "--device", self.device]
        command += ["--rate", str(self._rate), "--buffer-ms", str(self._buffer_ms), str(path)]
        # Its messages go to a file, not a pipe nobody reads while it plays (a full pipe would stall it).
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, text=True
            )
            assert process.stdout is not None
            with selectors.DefaultSelector() as selector:
                selector.register(process.stdout, selectors.EVENT_READ)
                answer = process.stdout.readline().strip() if selector.select(START_TIMEOUT_S) else ""
            if answer != STARTED:
                process.kill()
                process.wait()
                errors.seek(0)
                lines = errors.read().decode("utf-8", errors="replace").strip().splitlines()
                reason = lines[-1] if lines else "không rõ lý do"
                raise AudioError(f"Không phát thử được trên thiết bị «{self.device}»: {reason}")
        self._process = process
        self.playing = path

    def is_playing(self) -> bool:
        """Whether the player process is still running."""
        if self._process is None or self._process.poll() is not None:
            self.playing = None
            return False
        return True

    def stop(self) -> None:
        """Stop the player, if it runs."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        self.playing = None


def main(argv: list[str] | None = None) -> int:
    """The child process: play one file on one device through the playout engine, until it ends or SIGTERM.

    Prints :data:`STARTED` once the device plays; on failure prints the Vietnamese reason on stderr and
    exits 1.
    """
    parser = argparse.ArgumentParser(prog="python -m truyenthanh.adapters.preview")
    parser.add_argument("--device", required=True)
    parser.add_argument("--rate", type=int, default=48000)
    parser.add_argument("--buffer-ms", type=int, default=20)
    parser.add_argument("file", type=Path)
    options = parser.parse_args(argv)
    device: str = options.device
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signal, _frame: stop.set())

    from truyenthanh.adapters.playout import PlayoutEngine, make_output
    from truyenthanh.domain.enums import ItemKind
    from truyenthanh.domain.playout import PlayItem

    try:
        engine = PlayoutEngine(make_output("device", device=device, rate=options.rate, buffer_ms=options.buffer_ms))
        engine.open()
    except AudioError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    try:
        engine.enqueue([PlayItem(key="preview", title=options.file.name, kind=ItemKind.AUDIO, source=options.file)])
        print(STARTED, flush=True)
        while engine.busy and not stop.is_set():
            stop.wait(0.1)
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
