"""Where the mixed samples go: PulseAudio, a PortAudio sound device, a file, or an Icecast server.

Every output calls the engine's ``render(block, at)`` for consecutive blocks of float32 stereo frames, where
``at`` is the wall-clock time (``time.time()``) at which the block's first frame reaches the output.

Which sound output ``device`` means (the ``output_device`` setting):

* ``pulse:SINK``: PulseAudio's sink ``SINK``, natively (:class:`~truyenthanh.adapters.playout.pulse.PulseOutput`,
  libpulse's simple API);
* unset: natively on PulseAudio's default sink (``PULSE_SERVER`` and ``PULSE_SINK`` pick the server and sink)
  when libpulse is installed and a server answers when the output is made; otherwise PortAudio's default device;
* any other name or number: that PortAudio device (:class:`DeviceOutput`).

PortAudio and PulseAudio: Debian's PortAudio (``libportaudio2``) has no PulseAudio back end, only ALSA. With
``libasound2-plugins`` installed, ALSA offers a ``pulse`` device that talks to the server named by
``PULSE_SERVER`` (or the user's default server), and its ``default`` device is routed to PulseAudio whenever a
server is running (``/etc/alsa/conf.d/99-pulse.conf``). That path works (``output_device = "pulse"`` asks for
it) but costs the daemon about 21 MB more memory (PortAudio's start-up loads every ALSA plugin), hence the
native output (see :mod:`truyenthanh.adapters.playout.pulse` for the figures).

PortAudio buffer sizes, measured here on a null sink with a persistent stream: the callback runs every
``buffer_ms / 2`` (so a command is applied at most that long after it is given) and PortAudio keeps
``1.5 × buffer_ms`` queued ahead of the speaker. At the default 20 ms a sound asked for reaches the sink 28 to 38
ms later, and the stream's ``outputBufferDacTime`` predicts that instant within 5 ms. A 20 ms queue (the
smallest this plugin allows with 10 ms blocks) underran once or twice in 15 s when two cores ran at a load of 5
or 6; 30 ms did not.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from truyenthanh.adapters.platform import find_tool
from truyenthanh.adapters.playout.frames import CHANNELS, Frames
from truyenthanh.adapters.playout.output import Output, Render
from truyenthanh.adapters.playout.pulse import PULSE_PREFIX, PulseOutput, pulse_answers
from truyenthanh.errors import AudioError


class DeviceOutput:
    """A PortAudio output stream (sounddevice, imported only when it starts) whose callback renders each
    block."""

    realtime = True

    def __init__(self, *, device: str | None, rate: int, buffer_ms: int) -> None:
        self.rate = rate
        self._device: str | int | None = int(device) if device is not None and device.isdigit() else device
        self._block = max(32, rate * buffer_ms // 2000)
        self._stream: Any = None
        self._calls = 0
        self._last_call = 0.0
        self.underflows = 0
        """Blocks PortAudio reported as played late (heard as clicks or gaps)."""

    def describe(self) -> str:
        """Vietnamese description of the device."""
        return f"thiết bị âm thanh «{self._device if self._device is not None else 'mặc định'}»"

    def start(self, render: Render, ready: Callable[[int], bool]) -> None:
        """Open the stream and start the callback.

        Raises:
            AudioError: the device does not exist or cannot be opened.
        """
        import sounddevice

        block = Frames.silent(self._block)

        def callback(outdata: Any, frames: int, time_info: Any, status: Any) -> None:
            nonlocal block
            now = time.time()
            self._calls += 1
            self._last_call = time.monotonic()
            if status.output_underflow:
                self.underflows += 1
            dac = time_info.outputBufferDacTime
            at = now + (dac - time_info.currentTime) if dac else now + self._block * 3 / self.rate
            if len(block) != frames:
                block = Frames.silent(frames)
            render(block, at)
            outdata[:] = block.tobytes()

        try:
            self._stream = sounddevice.RawOutputStream(
                device=self._device,
                samplerate=self.rate,
                channels=CHANNELS,
                dtype="float32",
                blocksize=self._block,
                latency=3 * self._block / self.rate,
                callback=callback,
            )
            self._stream.start()
        except (sounddevice.PortAudioError, ValueError) as exc:
            self._stream = None
            raise AudioError(
                f"Không mở được {self.describe()}: {exc}. Kiểm tra «output_device» trong cấu hình "
                "(chạy «python -m sounddevice» để xem danh sách thiết bị)."
            ) from exc
        try:
            self._wait_until_flowing()
        except AudioError:
            self.stop()
            raise

    def _wait_until_flowing(self) -> None:
        """Return once the callback runs at the stream's pace.

        Through ALSA's ``pulse`` plugin a new stream asks for four blocks at once to fill its queue; then the
        callback runs at the stream's pace, unless the server's sink is idle at a long latency (a null sink
        nobody else uses: two seconds), when the stream stalls that long first (measured here). Anything queued
        in that window would start late, so ``start`` waits for two blocks past the first four: 40 ms on a
        working sink.
        """
        deadline = time.monotonic() + 5.0
        while self._calls < 6 and time.monotonic() < deadline:
            time.sleep(0.005)
        if self._calls < 6:
            raise AudioError(f"{self.describe()} không chạy: sau 5 giây vẫn chưa nhận âm thanh.")

    @property
    def alive(self) -> bool:
        """The stream is active and its callback ran within the last second."""
        stream = self._stream
        return stream is not None and bool(stream.active) and time.monotonic() - self._last_call < 1.0

    @property
    def latency_s(self) -> float:
        """The stream's output latency as PortAudio reports it."""
        return float(self._stream.latency) if self._stream is not None else 0.0

    def stop(self) -> None:
        """Stop and close the stream (waits for the running callback)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()


class FfmpegOutput:
    """Blocks paced by a thread and piped to ffmpeg, which writes a file or feeds an Icecast server."""

    def __init__(self, *, args: list[str], target: str, rate: int, buffer_ms: int, realtime: bool) -> None:
        self.rate = rate
        self.realtime = realtime
        self._args = args
        self._target = target
        self._block = max(32, rate * buffer_ms // 1000)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self.error: str | None = None
        """Why ffmpeg stopped taking samples, if it did."""
        self.underflows = 0
        self.frames_written = 0

    def describe(self) -> str:
        """Vietnamese description of the target."""
        return self._target

    def start(self, render: Render, ready: Callable[[int], bool]) -> None:
        """Start ffmpeg and the pacing thread.

        Raises:
            AudioError: ffmpeg is missing or exits at once.
        """
        ffmpeg = find_tool("ffmpeg", setting="ffmpeg")
        if ffmpeg is None:
            raise AudioError("Không tìm thấy chương trình «ffmpeg». Hãy cài ffmpeg.")
        command = [
            ffmpeg,
            "-nostdin",
            "-hide_banner",
            "-v",
            "error",
            "-f",
            "f32le",
            "-ar",
            str(self.rate),
            "-ac",
            str(CHANNELS),
            "-i",
            "pipe:0",
            *self._args,
        ]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.05)
        if self._process.poll() is not None:
            detail = self._process.stderr.read().decode("utf-8", "replace").strip() if self._process.stderr else ""
            raise AudioError(f"Không mở được {self._target}: {detail[-300:] or 'ffmpeg dừng ngay'}.")
        self._thread = threading.Thread(target=self._pace, args=(render, ready), name="playout-output", daemon=True)
        self._thread.start()

    def _pace(self, render: Render, ready: Callable[[int], bool]) -> None:
        assert self._process is not None and self._process.stdin is not None
        block = Frames.silent(self._block)
        started = time.time()
        lead = 2 * self._block
        while not self._stopping.is_set():
            at = started + self.frames_written / self.rate
            if self.realtime:
                wait = at - lead / self.rate - time.time()
                if wait > 0:
                    self._stopping.wait(wait)
                    continue
            elif not ready(self._block):
                self._stopping.wait(0.002)
                continue
            render(block, at)
            try:
                self._process.stdin.write(block.tobytes())
            except (BrokenPipeError, OSError) as exc:
                self.error = f"ffmpeg ngừng nhận âm thanh cho {self._target}: {exc}"
                return
            self.frames_written += self._block
            if self.realtime and time.time() > at + self._block / self.rate:
                self.underflows += 1

    @property
    def alive(self) -> bool:
        """ffmpeg runs and takes samples."""
        process = self._process
        return process is not None and process.poll() is None and self.error is None

    def stop(self) -> None:
        """Stop pacing, let ffmpeg finish the file, and reap it."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def icecast_url(url: str) -> str:
    """ffmpeg's form of an Icecast mount URL (``icecast://user:password@host:port/mount``)."""
    parts = urlsplit(url)
    scheme = "icecast" if parts.scheme in ("http", "icecast", "") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def make_output(spec: str, *, device: str | None, rate: int, buffer_ms: int, realtime: bool = True) -> Output:
    """Build the output named by a setting: ``device``, ``file:PATH`` or ``icecast:URL``.

    For ``device``, ``device`` (the ``output_device`` setting) chooses between PulseAudio and PortAudio as the
    module says; with it unset, this asks the PulseAudio server for a stream (a few milliseconds).

    Raises:
        AudioError: the specification is not one of those.
    """
    if spec == "device":
        if device is not None and device.startswith(PULSE_PREFIX):
            return PulseOutput(sink=device.removeprefix(PULSE_PREFIX) or None, rate=rate, buffer_ms=buffer_ms)
        if device is None and pulse_answers():
            return PulseOutput(sink=None, rate=rate, buffer_ms=buffer_ms)
        return DeviceOutput(device=device, rate=rate, buffer_ms=buffer_ms)
    if spec.startswith("file:"):
        path = Path(spec.removeprefix("file:")).expanduser()
        if not path.name:
            raise AudioError(f"Đầu ra «{spec}» thiếu tên tệp (ví dụ: file:/tmp/thu.wav).")
        path.parent.mkdir(parents=True, exist_ok=True)
        args = ["-y", str(path)]
        if path.suffix.lower() == ".wav":
            args = ["-c:a", "pcm_s16le", "-y", str(path)]
        return FfmpegOutput(args=args, target=f"tệp {path}", rate=rate, buffer_ms=buffer_ms, realtime=realtime)
    if spec.startswith("icecast:"):
        url = icecast_url(spec.removeprefix("icecast:"))
        if not urlsplit(url).hostname:
            raise AudioError(
                f"Đầu ra «{spec}» thiếu địa chỉ máy chủ (ví dụ: icecast:icecast://source:mk@host:8000/xa)."
            )
        mount = urlsplit(url).path.lower()
        codec = ["-c:a", "libvorbis", "-b:a", "96k", "-content_type", "application/ogg", "-f", "ogg"]
        if not mount.endswith((".ogg", ".oga")):
            codec = ["-c:a", "libmp3lame", "-b:a", "128k", "-content_type", "audio/mpeg", "-f", "mp3"]
        shown = urlunsplit(("icecast", urlsplit(url).hostname or "", urlsplit(url).path, "", ""))
        return FfmpegOutput(
            args=[*codec, url], target=f"máy chủ Icecast {shown}", rate=rate, buffer_ms=buffer_ms, realtime=True
        )
    raise AudioError(f"Đầu ra «{spec}» không hợp lệ; chấp nhận: device, file:ĐƯỜNG_DẪN, icecast:URL.")
