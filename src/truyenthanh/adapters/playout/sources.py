"""Where the engine's samples come from: decoders that run ahead of the speaker in their own threads.

Every source fills a bounded :class:`PcmBuffer` of float32 stereo frames at the stream rate, so at most a few
seconds of any item are ever in memory. The output callback only ever takes from a buffer; it never waits,
never starts a process and never touches the disk.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
import wave
from collections import deque
from pathlib import Path

from truyenthanh.adapters.platform import find_tool
from truyenthanh.adapters.playout.frames import CHANNELS, Frames

_CHUNK_FRAMES = 4096


class PcmBuffer:
    """A bounded FIFO of frames between one producer thread and the output callback. Thread-safe.

    The producer blocks in :meth:`put` while the buffer is full; the consumer never blocks.
    """

    def __init__(self, capacity_frames: int, *, live: bool = False) -> None:
        self._blocks: deque[Frames] = deque()
        self._frames = 0
        self._capacity = capacity_frames
        self._live = live
        self._cond = threading.Condition()
        self._closed = False

    @property
    def frames(self) -> int:
        """Frames waiting to be taken."""
        return self._frames

    def put(self, block: Frames) -> bool:
        """Append a block, waiting while the buffer is full (a live buffer drops its oldest blocks instead).
        Returns ``False`` once the buffer is closed."""
        with self._cond:
            while self._live and self._frames >= self._capacity and self._blocks:
                self._frames -= len(self._blocks.popleft())
            while self._frames >= self._capacity and not self._closed:
                self._cond.wait(0.5)
            if self._closed:
                return False
            self._blocks.append(block)
            self._frames += len(block)
            self._cond.notify_all()
            return True

    def take(self, frames: int) -> Frames:
        """Remove and return up to ``frames`` frames (fewer, or none, if fewer are buffered)."""
        with self._cond:
            parts: list[Frames] = []
            wanted = frames
            while wanted > 0 and self._blocks:
                head = self._blocks[0]
                if len(head) <= wanted:
                    parts.append(head)
                    self._blocks.popleft()
                    wanted -= len(head)
                else:
                    parts.append(head[:wanted])
                    self._blocks[0] = head[wanted:]
                    wanted = 0
            got = frames - wanted
            self._frames -= got
            if got:
                self._cond.notify_all()
        return Frames.join(parts) if parts else Frames.silent(0)

    def peek(self, frames: int) -> Frames:
        """A copy of up to ``frames`` frames from the front, without removing them."""
        with self._cond:
            parts: list[Frames] = []
            wanted = frames
            for block in self._blocks:
                if wanted <= 0:
                    break
                parts.append(block[:wanted])
                wanted -= len(parts[-1])
        return Frames.join(parts) if parts else Frames.silent(0)

    def wait_for(self, frames: int, timeout: float) -> None:
        """Wait until ``frames`` frames are buffered, the buffer is closed, or ``timeout`` seconds pass."""
        with self._cond:
            self._cond.wait_for(lambda: self._frames >= frames or self._closed, timeout)

    def wake(self) -> None:
        """Wake anyone waiting in :meth:`wait_for` (the producer finished)."""
        with self._cond:
            self._cond.notify_all()

    def close(self) -> None:
        """Release a producer blocked in :meth:`put`; later puts are dropped."""
        with self._cond:
            self._closed = True
            self._blocks.clear()
            self._frames = 0
            self._cond.notify_all()


class Source:
    """Samples of one item produced ahead of need by a thread. Subclasses implement :meth:`_produce`.

    Attributes:
        error: Vietnamese reason the source failed (missing file, decode error), or ``None``.
        produced: frames produced so far.
        duration_s: length of the whole file when known (for the progress bar), else ``None``.
        duration_exact: :attr:`duration_s` comes from the file's header or index, not guessed from its size
            (a file cut short keeps its header, so less sound than this means the file lost its end).
    """

    def __init__(self, *, rate: int, ahead_s: float, name: str, live: bool = False) -> None:
        self.rate = rate
        self.buffer = PcmBuffer(max(1, int(ahead_s * rate)), live=live)
        self.error: str | None = None
        self.produced = 0
        self.duration_s: float | None = None
        self.duration_exact = True
        self._done = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"playout-source:{name}", daemon=True)

    def start(self) -> Source:
        """Start producing in the background; returns ``self``."""
        self._thread.start()
        return self

    @property
    def done(self) -> bool:
        """The producer has finished (end of file, error, or closed); what is buffered is all there will be."""
        return self._done.is_set()

    @property
    def failed_before_sound(self) -> bool:
        """The source failed without producing a single frame: it must be replaced."""
        return self._done.is_set() and self.error is not None and self.produced == 0

    @property
    def exhausted(self) -> bool:
        """Nothing is buffered and nothing more will come."""
        return self._done.is_set() and self.buffer.frames == 0

    def _run(self) -> None:
        try:
            self._produce()
        except Exception as exc:  # the speaker must never stop because one decoder broke
            self.error = self.error or f"lỗi không lường trước khi giải mã: {exc}"
        finally:
            self._done.set()
            self.buffer.wake()

    def _emit(self, block: Frames) -> bool:
        """Hand one block to the buffer; ``False`` means the source was closed and should stop."""
        if not len(block):
            return not self._stopping.is_set()
        if not self.buffer.put(block):
            return False
        self.produced += len(block)
        return not self._stopping.is_set()

    def _produce(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop producing, release the process and join the thread."""
        self._stopping.set()
        self.buffer.close()
        self._terminate()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _terminate(self) -> None:
        """Stop whatever the producer waits on (a subprocess); the default has nothing to stop."""


class ToneSource(Source):
    """Digital silence for a set time (silence items)."""

    def __init__(self, *, rate: int, seconds: float, name: str) -> None:
        super().__init__(rate=rate, ahead_s=1.0, name=name)
        self._frames = round(seconds * rate)
        self.duration_s = seconds

    def _produce(self) -> None:
        left = self._frames
        while left > 0:
            size = min(left, _CHUNK_FRAMES)
            if not self._emit(Frames.silent(size)):
                return
            left -= size


class WavSource(Source):
    """16-bit PCM WAV files already at the stream rate, read in-process (no decoder start-up delay).

    The station's rendered tunes and alerts are such files, so a break-in with them sounds at once.
    """

    def __init__(self, path: Path, *, rate: int, offset_s: float, ahead_s: float) -> None:
        super().__init__(rate=rate, ahead_s=ahead_s, name=path.name)
        self._path = path
        self._offset = round(offset_s * rate)

    @staticmethod
    def suits(path: Path, rate: int) -> bool:
        """Whether the file is a PCM WAV this source can read as it is."""
        if path.suffix.lower() != ".wav":
            return False
        try:
            with wave.open(str(path), "rb") as handle:
                return (
                    handle.getframerate() == rate
                    and handle.getsampwidth() == 2
                    and handle.getnchannels() in (1, 2)
                    and handle.getcomptype() == "NONE"
                )
        except (OSError, EOFError, wave.Error):
            return False

    def _produce(self) -> None:
        try:
            with wave.open(str(self._path), "rb") as handle:
                self._read(handle)
        except (OSError, EOFError, wave.Error) as exc:
            self.error = f"không đọc được tệp {self._path}: {exc}"

    def _read(self, handle: wave.Wave_read) -> None:
        channels = handle.getnchannels()
        self.duration_s = handle.getnframes() / self.rate
        handle.setpos(min(self._offset, handle.getnframes()))
        while True:
            raw = handle.readframes(_CHUNK_FRAMES)
            if not raw:
                return
            if not self._emit(Frames.from_int16(raw, channels)):
                return


_STEREO = "pan=stereo|FL=FL+FC|FR=FR+FC"
_DURATION = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")


class FfmpegSource(Source):
    """Any file or stream ffmpeg reads, decoded to float32 stereo at the stream rate through a pipe."""

    def __init__(
        self,
        url: str,
        *,
        rate: int,
        offset_s: float = 0.0,
        duration_s: float | None = None,
        ahead_s: float,
        input_args: tuple[str, ...] = (),
        name: str = "",
        live: bool = False,
    ) -> None:
        super().__init__(rate=rate, ahead_s=ahead_s, name=name or url, live=live)
        self._url = url
        self._offset_s = offset_s
        self._limit_s = duration_s
        self._input_args = input_args
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stderr_tail: deque[str] = deque(maxlen=5)
        self.last_data = time.monotonic()
        """``time.monotonic()`` when the last samples arrived."""

    def _command(self) -> list[str]:
        ffmpeg = find_tool("ffmpeg", setting="ffmpeg")
        if ffmpeg is None:
            raise FileNotFoundError("ffmpeg")
        command = [ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-v", "info", *self._input_args]
        if self._offset_s > 0:
            command += ["-ss", f"{self._offset_s:.6f}"]
        command += ["-i", self._url, "-map", "0:a:0", "-vn"]
        if self._limit_s is not None:
            command += ["-t", f"{self._limit_s:.6f}"]
        # ffmpeg's own mono-to-stereo upmix lowers the level by 3 dB; a station's mono speech must keep its
        # level on both channels, as PulseAudio and the WAV reader do, so map the channels by hand.
        return [*command, "-af", _STEREO, "-f", "f32le", "-ar", str(self.rate), "pipe:1"]

    def _read_stderr(self, stream: object) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            line = raw.decode("utf-8", "replace").strip()
            match = _DURATION.search(line)
            if "Estimating duration from bitrate" in line:
                self.duration_exact = False
            if match and self.duration_s is None:
                hours, minutes, seconds = match.groups()
                self.duration_s = max(0.0, int(hours) * 3600 + int(minutes) * 60 + float(seconds) - self._offset_s)
            elif line and not line.startswith(("Input #", "Output #", "Stream", "Metadata", "Duration")):
                self._stderr_tail.append(line)

    def _produce(self) -> None:
        self._decode_once()

    def _decode_once(self) -> bool:
        """Run ffmpeg once to its end; ``False`` if the source was closed meanwhile."""
        try:
            command = self._command()
        except FileNotFoundError:
            self.error = "không tìm thấy chương trình ffmpeg (hãy cài ffmpeg)"
            return False
        with self._lock:
            if self._stopping.is_set():
                return False
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
            )
        process = self._process
        assert process.stdout is not None
        errors = threading.Thread(target=self._read_stderr, args=(process.stderr,), daemon=True)
        errors.start()
        frame_bytes = 4 * CHANNELS
        pending = b""
        try:
            while True:
                data = process.stdout.read(_CHUNK_FRAMES * frame_bytes)
                if not data:
                    break
                data = pending + data
                usable = len(data) - len(data) % frame_bytes
                pending = data[usable:]
                block = Frames.from_float32(data[:usable])
                self.last_data = time.monotonic()
                if not self._emit(block):
                    return False
        finally:
            process.stdout.close()
            code = process.wait()
            errors.join(timeout=5)
            if process.stderr is not None:
                process.stderr.close()
        if code != 0 and not self._stopping.is_set():
            why = self._stderr_tail[-1] if self._stderr_tail else f"ffmpeg thoát với mã {code}"
            self.error = f"ffmpeg không giải mã được «{self._url}»: {why}"
        elif self.produced == 0 and not self._stopping.is_set():
            self.error = f"«{self._url}» không có âm thanh nào giải mã được"
        return not self._stopping.is_set()

    def _terminate(self) -> None:
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()


class RelaySource(FfmpegSource):
    """A live stream (relay, tiếp sóng), reconnected whenever it fails until it is closed.

    The buffer is live: when the speaker falls behind, the oldest samples are dropped, so what plays stays
    within ``ahead_s`` of the broadcast. :attr:`error` holds the cause of the latest failure.
    """

    def __init__(self, url: str, *, rate: int, ahead_s: float = 2.0, retry_s: float = 1.0, name: str = "") -> None:
        # Start at once (a live stream never ends, so ffmpeg must not wait 5 s to analyse it) and give up on a
        # connection that stalls for 3 s, so the reconnection loop takes over.
        args: tuple[str, ...] = ("-probesize", "32768", "-analyzeduration", "500000")
        if "://" in url:
            args += ("-rw_timeout", "3000000")
        super().__init__(url, rate=rate, ahead_s=ahead_s, input_args=args, name=name or url, live=True)
        self._retry_s = retry_s
        self.connected = False
        """Samples are arriving from the current connection."""
        self.attempts = 0

    @property
    def failed_before_sound(self) -> bool:
        """A relay never fails outright: it keeps reconnecting while the slot lasts."""
        return False

    def _emit(self, block: Frames) -> bool:
        self.connected = True
        return super()._emit(block)

    def _produce(self) -> None:
        while not self._stopping.is_set():
            self.attempts += 1
            self.error = None
            if not self._decode_once():
                return
            self.connected = False
            if self.error is None:
                self.error = f"luồng «{self._url}» đã ngừng phát"
            self._stopping.wait(self._retry_s)


def open_file_source(path: Path, *, rate: int, offset_s: float, duration_s: float | None, ahead_s: float) -> Source:
    """The cheapest source that can play ``path`` (not started yet).

    A missing file gives a source that fails at once, so the engine can put the fallback in its place.
    """
    if not path.is_file():
        return FailedSource(f"không tìm thấy tệp {path}", rate=rate)
    if WavSource.suits(path, rate):
        return WavSource(path, rate=rate, offset_s=offset_s, ahead_s=ahead_s)
    return FfmpegSource(str(path), rate=rate, offset_s=offset_s, duration_s=duration_s, ahead_s=ahead_s, name=path.name)


class FailedSource(Source):
    """A source known to be unplayable before it starts."""

    def __init__(self, reason: str, *, rate: int) -> None:
        super().__init__(rate=rate, ahead_s=0.1, name="failed")
        self._reason = reason

    def _produce(self) -> None:
        self.error = self._reason
