"""Test audio: files made with ffmpeg, their reference decodes, and alignment by cross-correlation."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tests.pulse import Recording

RATE = 48000
Signal = npt.NDArray[np.float64]


def make_audio(path: Path, expr: str, seconds: float, *, rate: int = RATE) -> Path:
    """Render ``expr`` (an ffmpeg ``aevalsrc`` expression of ``t``) to ``path``; the suffix picks the format."""
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc='{expr}':s={rate}:c=mono:d={seconds}",
            *(["-c:a", "pcm_s16le"] if path.suffix == ".wav" else ["-b:a", "192k"]),
            str(path),
        ],
        check=True,
    )
    return path


def tone(path: Path, hz: float, seconds: float, *, amplitude: float = 0.3, rate: int = RATE) -> Path:
    """A steady sine."""
    return make_audio(path, f"{amplitude}*sin(2*PI*{hz}*t)", seconds, rate=rate)


def sweep(path: Path, seconds: float, *, start_hz: float = 200, amplitude: float = 0.3, rate: int = RATE) -> Path:
    """A rising sweep: every position in it is different, so an offset can be found. Give each file of a
    test its own ``start_hz`` so they cannot be mistaken for one another."""
    return make_audio(path, f"{amplitude}*sin(2*PI*({start_hz}*t+150*t*t))", seconds, rate=rate)


def corrupt(path: Path) -> Path:
    """Bytes that no decoder accepts, under an audio name."""
    path.write_bytes(b"ID3" + os.urandom(20000))
    return path


_PROBE_CHANNELS = ["ffprobe", "-v", "error", "-select_streams", "a:0"]
_PROBE_CHANNELS += ["-show_entries", "stream=channels", "-of", "csv=p=0"]


def decode(path: Path, *, gain_db: float = 0.0) -> Signal:
    """What the sink's mono monitor should hear for ``path`` at ``gain_db``: its channels averaged at 48 kHz.

    Decoded independently of the engine: each channel as it is in the file, resampled by ffmpeg.
    """
    channels = int(
        subprocess.run(
            [*_PROBE_CHANNELS, str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "f32le", "-ar", str(RATE), "-"],
        check=True,
        capture_output=True,
    ).stdout
    frames = np.frombuffer(raw, dtype="<f4").reshape(-1, channels).astype(np.float64)
    mono: Signal = frames.mean(axis=1)
    return mono * 10 ** (gain_db / 20)


def samples(recording: Recording) -> Signal:
    """The recording as floats at full scale 1.0."""
    return np.asarray(recording.samples, dtype=np.float64) / 32768.0


def find(haystack: Signal, needle: Signal) -> int:
    """Index in ``haystack`` where ``needle`` fits best (FFT cross-correlation)."""
    size = 1 << int(np.ceil(np.log2(len(haystack) + len(needle))))
    spectrum = np.fft.rfft(haystack, size) * np.conj(np.fft.rfft(needle, size))
    correlation = np.fft.irfft(spectrum, size)[: len(haystack)]
    return int(np.argmax(correlation))


def mismatch(haystack: Signal, needle: Signal, at: int) -> float:
    """Energy of the difference between ``needle`` and ``haystack[at:]``, relative to the needle's energy."""
    part = haystack[at : at + len(needle)]
    if len(part) < len(needle):
        return float("inf")
    return float(np.sum((part - needle) ** 2) / np.sum(needle**2))


@dataclass
class Heard:
    """Where a piece was found in a recording."""

    index: int
    """Sample index in the recording."""
    at: float
    """Wall time it was heard."""
    mismatch: float


def locate(recording: Recording, piece: Signal, *, after: int = 0) -> Heard:
    """Find ``piece`` in ``recording`` (at or after sample ``after``) and how exactly it matches."""
    heard = samples(recording)
    index = after + find(heard[after:], piece)
    return Heard(index=index, at=recording.started_at + index / RATE, mismatch=mismatch(heard, piece, index))


def last_sound(recording: Recording, threshold: float = 0.01, window_s: float = 0.001) -> float | None:
    """Seconds from the recording's start to the end of the last window louder than ``threshold``."""
    levels = recording.rms_windows(window_s)
    for index in range(len(levels) - 1, -1, -1):
        if levels[index] > threshold:
            return (index + 1) * window_s
    return None
