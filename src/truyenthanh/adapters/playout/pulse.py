"""PulseAudio played natively: libpulse's simple API (``libpulse-simple.so.0``, Debian's ``libpulse0``) through
ctypes, without PortAudio or ALSA's ``pulse`` plugin in between.

Why not PortAudio: Debian's PortAudio reaches PulseAudio only through ALSA's ``pulse`` plugin, and initialising
it probes every ALSA plugin (libavcodec, jack, ...), which costs the daemon about 21 MB of memory; this library
adds about 2.5 MB. Measured here on a null sink (``bench.onset``, ``bench.playout``): a break-in is heard about
15 ms sooner, and a stream playing silence at the default ``buffer_ms`` costs about 1.1 % of a core against 1.6 %
through PortAudio (two wake-ups per block, one in libpulse's thread and one in the writer).

How it plays: a writer thread renders one block of float32 stereo frames at a time and hands it to
``pa_simple_write``, which blocks until the server has room: that is the pacing. Before each block it asks
``pa_simple_get_latency``, which for a playback stream is the time until the next sample written is heard (the
sink's latency plus what is queued in the stream and in transit); that gives the wall time at which the block
sounds, within a fraction of a millisecond as the sink's monitor hears it. The simple API connects with
``PA_STREAM_ADJUST_LATENCY``, so the buffer's target length is the whole latency, sink included: three blocks of
``buffer_ms / 2``, like the PortAudio output (a block sounds about ``1.2 × buffer_ms`` after it is rendered). Two
blocks per request instead of one halve the wake-ups but double how long a command can wait for its block.

Connecting honours ``PULSE_SERVER`` and, for the default sink, ``PULSE_SINK`` (read by libpulse).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from truyenthanh.adapters.playout.frames import CHANNELS, Frames
from truyenthanh.adapters.playout.output import Render
from truyenthanh.errors import AudioError

log = logging.getLogger(__name__)

PULSE_PREFIX = "pulse:"
"""``output_device = "pulse:SINK"`` (or ``preview_device``) plays natively on PulseAudio's sink ``SINK``."""

_PLAYBACK = 1  # pa_stream_direction_t PA_STREAM_PLAYBACK
_FLOAT32LE = 5  # pa_sample_format_t PA_SAMPLE_FLOAT32LE
_DEFAULT = 0xFFFFFFFF  # (uint32_t) -1 in pa_buffer_attr: the server's choice
_LATENCY_ERROR = 0xFFFFFFFFFFFFFFFF  # (pa_usec_t) -1
_NO_ENTITY = 5  # PA_ERR_NOENTITY: no such sink
_SERVER_GONE = {6, 11, 12, 13}  # connection refused or terminated, entity killed, invalid server
_CLIENT_NAME = b"truyenthanh"

START_S = 5.0
"""Longest wait for the server to start taking a new stream's samples."""
ALIVE_S = 1.0
"""A stream whose server took no block for this long counts as not alive (the server hangs)."""
STOP_S = 2.0
"""Longest wait for a hung server to release a stream; the stream is then released once it answers."""


class _SampleSpec(ctypes.Structure):
    _fields_ = [("format", ctypes.c_int), ("rate", ctypes.c_uint32), ("channels", ctypes.c_uint8)]


class _BufferAttr(ctypes.Structure):
    _fields_ = [
        ("maxlength", ctypes.c_uint32),
        ("tlength", ctypes.c_uint32),
        ("prebuf", ctypes.c_uint32),
        ("minreq", ctypes.c_uint32),
        ("fragsize", ctypes.c_uint32),
    ]


@dataclass(frozen=True)
class _Library:
    simple: ctypes.CDLL
    pulse: ctypes.CDLL

    def strerror(self, code: int) -> str:
        text = self.pulse.pa_strerror(code)
        return text.decode("utf-8", "replace") if text else f"lỗi {code}"


@functools.cache
def _library() -> _Library | None:
    """libpulse-simple and libpulse, loaded once (``None`` when they are not installed)."""
    try:
        simple = ctypes.CDLL("libpulse-simple.so.0")
        pulse = ctypes.CDLL("libpulse.so.0")
    except OSError:
        return None
    error = ctypes.POINTER(ctypes.c_int)
    simple.pa_simple_new.restype = ctypes.c_void_p
    simple.pa_simple_new.argtypes = [
        ctypes.c_char_p,  # server
        ctypes.c_char_p,  # client name
        ctypes.c_int,  # direction
        ctypes.c_char_p,  # sink
        ctypes.c_char_p,  # stream name
        ctypes.POINTER(_SampleSpec),
        ctypes.c_void_p,  # channel map (default)
        ctypes.POINTER(_BufferAttr),
        error,
    ]
    simple.pa_simple_write.restype = ctypes.c_int
    simple.pa_simple_write.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, error]
    simple.pa_simple_get_latency.restype = ctypes.c_uint64
    simple.pa_simple_get_latency.argtypes = [ctypes.c_void_p, error]
    simple.pa_simple_flush.restype = ctypes.c_int
    simple.pa_simple_flush.argtypes = [ctypes.c_void_p, error]
    simple.pa_simple_free.restype = None
    simple.pa_simple_free.argtypes = [ctypes.c_void_p]
    pulse.pa_strerror.restype = ctypes.c_char_p
    pulse.pa_strerror.argtypes = [ctypes.c_int]
    return _Library(simple=simple, pulse=pulse)


def _open(library: _Library, sink: str | None, rate: int, block: int) -> tuple[int | None, int]:
    """A connected playback stream (a ``pa_simple *``) whose whole latency targets three blocks, or ``None``
    and PulseAudio's error code."""
    spec = _SampleSpec(_FLOAT32LE, rate, CHANNELS)
    frame = 4 * CHANNELS
    attr = _BufferAttr(_DEFAULT, 3 * block * frame, _DEFAULT, block * frame, _DEFAULT)
    error = ctypes.c_int(0)
    handle = library.simple.pa_simple_new(
        None,
        _CLIENT_NAME,
        _PLAYBACK,
        sink.encode() if sink else None,
        b"playout",
        ctypes.byref(spec),
        None,
        ctypes.byref(attr),
        ctypes.byref(error),
    )
    return (int(handle) if handle else None), error.value


def _open_within(library: _Library, sink: str | None, rate: int, block: int) -> tuple[int | None, int] | None:
    """:func:`_open`, or ``None`` when the server does not answer within :data:`START_S` seconds (a hung server
    holds a connection for 30 s before libpulse gives up). A stream connected after that is released."""
    outcome: list[tuple[int | None, int]] = []
    decided = threading.Lock()
    abandoned = False

    def connect() -> None:
        handle, code = _open(library, sink, rate, block)
        with decided:
            if not abandoned:
                outcome.append((handle, code))
                return
        if handle is not None:
            library.simple.pa_simple_free(handle)

    worker = threading.Thread(target=connect, name="playout-pulse-connect", daemon=True)
    worker.start()
    worker.join(START_S)
    with decided:
        abandoned = not outcome
        return outcome[0] if outcome else None


def _connect(library: _Library, sink: str | None, rate: int, block: int, what: str) -> int:
    """A connected playback stream (see :func:`_open`) for the output described as ``what``.

    Raises:
        AudioError: no server answers, or the sink does not exist.
    """
    opened = _open_within(library, sink, rate, block)
    if opened is None:
        raise AudioError(
            f"Không mở được {what}: máy chủ PulseAudio không trả lời sau {START_S:.0f} giây (máy chủ bị treo?). "
            "Khởi động lại máy chủ âm thanh (pulseaudio hoặc pipewire-pulse)."
        )
    handle, code = opened
    if handle is not None:
        return handle
    if code == _NO_ENTITY:
        chosen = os.environ.get("PULSE_SINK")
        where = f"sink «{sink}»" if sink else f"sink «{chosen}» (biến PULSE_SINK)" if chosen else "sink mặc định"
        raise AudioError(
            f"Không mở được {what}: PulseAudio không có {where}. Kiểm tra «output_device» trong cấu hình (dạng "
            "pulse:TÊN_SINK; «pactl list short sinks» liệt kê các sink) và biến PULSE_SINK nếu có đặt."
        )
    if code in _SERVER_GONE:
        raise AudioError(
            f"Không mở được {what}: không kết nối được máy chủ PulseAudio ({library.strerror(code)}). Kiểm tra "
            "máy chủ âm thanh (pulseaudio hoặc pipewire-pulse) đang chạy cho người dùng này, và biến PULSE_SERVER "
            "nếu có đặt."
        )
    raise AudioError(f"Không mở được {what}: {library.strerror(code)}.")


def pulse_answers() -> bool:
    """Whether libpulse-simple loads and a PulseAudio server answers (a sink that does not exist still counts:
    the output then says so when it starts, rather than playing elsewhere)."""
    library = _library()
    if library is None:
        return False
    opened = _open_within(library, None, 48000, 480)
    if opened is None:
        return False
    handle, code = opened
    if handle is not None:
        library.simple.pa_simple_free(handle)
    return handle is not None or code == _NO_ENTITY


class PulseOutput:
    """A PulseAudio playback stream fed by a writer thread that renders each block.

    Args:
        sink: the sink's name; ``None``: the default sink (``PULSE_SINK`` if set).
        rate: sample rate of the stream, in Hz.
        buffer_ms: the stream's latency is one and a half of these, in blocks of half of it.
    """

    realtime = True

    def __init__(self, *, sink: str | None, rate: int, buffer_ms: int) -> None:
        self.rate = rate
        self.sink = sink
        self._block = max(32, rate * buffer_ms // 2000)
        self._handle: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._rendering = threading.Lock()
        """Held by the writer while it renders; :meth:`stop` takes it to stop the rendering."""
        self._flowing = threading.Event()
        self._alive_until = 0.0
        self.error: str | None = None
        """Why the stream stopped taking samples, if it did (Vietnamese)."""
        self.underflows = 0
        """Blocks that sounded later than the end of the block before (the stream ran dry: heard as a gap)."""

    def describe(self) -> str:
        """Vietnamese description of the sink."""
        return f"thiết bị âm thanh «{self.sink or 'mặc định'}» (PulseAudio)"

    def start(self, render: Render, ready: Callable[[int], bool]) -> None:
        """Connect the stream and start the writer thread; returns once the server takes samples, so the first
        ``render`` call is about to happen and knows when its block will sound.

        Measured here: 7 ms at ``buffer_ms = 20``, 17 ms at 40, when the sink serves another client. A null
        sink left without clients renders silence up to 2 s ahead and does not rewind it for a new stream, which
        then waits out the rest: 1 to 1.9 s (the same stall PortAudio shows, since it is the sink's).

        Raises:
            AudioError: libpulse is not installed, no server answers, the sink does not exist, or the server
                takes no sample within :data:`START_S` seconds.
        """
        library = _library()
        if library is None:
            raise AudioError(
                "Không tải được thư viện PulseAudio (libpulse-simple.so.0). Hãy cài gói libpulse0, hoặc đặt "
                "«output_device» là một thiết bị PortAudio."
            )
        self._handle = _connect(library, self.sink, self.rate, self._block, self.describe())
        self._stopping = stopping = threading.Event()
        self.error = None
        self._flowing.clear()
        self._thread = threading.Thread(
            target=self._write, args=(library, self._handle, render, stopping), name="playout-pulse", daemon=True
        )
        self._thread.start()
        self._flowing.wait(START_S)
        problem = self.error
        if problem is None and not self._flowing.is_set():
            problem = f"{self.describe()} không chạy: sau {START_S:.0f} giây máy chủ vẫn chưa nhận âm thanh."
        if problem is not None:
            self.stop()
            raise AudioError(problem)

    def _write(self, library: _Library, handle: int, render: Render, stopping: threading.Event) -> None:
        block = Frames.silent(self._block)
        data = block.tobytes()
        size = len(data)
        error = ctypes.c_int(0)
        duration = self._block / self.rate
        # Silence until the server takes samples: a write that had to wait for room returned because the sink
        # played some. Before that the stream's latency counts nothing played yet, and a sink with no other
        # client can hold a new stream back for up to its idle latency (two seconds for a null sink).
        while not stopping.is_set():
            began = time.monotonic()
            if library.simple.pa_simple_write(handle, data, size, ctypes.byref(error)) < 0:
                self._fail(library, error.value, stopping)
                return
            self._alive_until = time.monotonic() + ALIVE_S
            if time.monotonic() - began > duration / 4:
                break
        if stopping.is_set():
            return
        self._flowing.set()
        expected: float | None = None
        while not stopping.is_set():
            latency = library.simple.pa_simple_get_latency(handle, ctypes.byref(error))
            if latency == _LATENCY_ERROR:
                self._fail(library, error.value, stopping)
                return
            at = time.time() + latency / 1e6
            # Blocks follow each other; one that sounds later than the previous one's end follows a gap.
            if expected is not None and at > expected + duration / 2:
                self.underflows += 1
            with self._rendering:
                if stopping.is_set():
                    return
                render(block, at)
            if library.simple.pa_simple_write(handle, block.tobytes(), size, ctypes.byref(error)) < 0:
                self._fail(library, error.value, stopping)
                return
            self._alive_until = time.monotonic() + ALIVE_S
            expected = at + duration

    def _fail(self, library: _Library, code: int, stopping: threading.Event) -> None:
        if stopping.is_set():  # stopped on purpose (or a writer given up on while the server hung)
            return
        self.error = f"PulseAudio ngừng nhận âm thanh cho {self.describe()}: {library.strerror(code)}."
        self._flowing.set()  # start() waits no longer

    @property
    def alive(self) -> bool:
        """The writer runs, no write failed, and the server took a block within the last second."""
        thread = self._thread
        return thread is not None and thread.is_alive() and self.error is None and time.monotonic() < self._alive_until

    def stop(self) -> None:
        """Stop the writer and release the stream; returns once no ``render`` call runs, and within
        :data:`STOP_S` seconds even when the server hangs (the stream is then released when it answers)."""
        handle, thread = self._handle, self._thread
        self._handle, self._thread = None, None
        with self._rendering:
            self._stopping.set()
        library = _library()
        if handle is None or library is None:
            return

        def release() -> None:
            # A flush empties the server's buffer, so a write waiting for room returns; the stream is freed only
            # once the writer is out of the library (pa_simple_free while it writes would free what it uses).
            library.simple.pa_simple_flush(handle, None)
            if thread is not None:
                thread.join()
            library.simple.pa_simple_free(handle)

        releaser = threading.Thread(target=release, name="playout-pulse-release", daemon=True)
        releaser.start()
        releaser.join(STOP_S)
        if releaser.is_alive():
            log.warning("PulseAudio không trả lời: luồng phát sẽ được giải phóng khi máy chủ trả lời lại")
