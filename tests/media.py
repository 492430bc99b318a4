"""Real audio files made by real ffmpeg, for tests that import, measure or play them."""

from __future__ import annotations

import subprocess
from pathlib import Path

CODECS = {
    ".wav": ["-c:a", "pcm_s16le"],
    ".mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
    ".ogg": ["-c:a", "libvorbis"],
    ".flac": ["-c:a", "flac"],
    ".m4a": ["-c:a", "aac", "-b:a", "96k"],
    ".aac": ["-c:a", "aac", "-b:a", "96k"],
}


def make_tone(path: Path, *, seconds: float = 2.0, hz: float = 1000.0, level_dbfs: float = -23.0) -> Path:
    """Write a stereo sine of the given peak level; the codec follows the file name's ending."""
    amplitude = 10 ** (level_dbfs / 20)
    expr = f"{amplitude:.6f}*sin(2*PI*{hz}*t)"
    path.parent.mkdir(parents=True, exist_ok=True)
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
            f"aevalsrc={expr}|{expr}:s=48000:d={seconds}",
            *CODECS[path.suffix.lower()],
            str(path),
        ],
        check=True,
    )
    return path


def truncate(source: Path, target: Path, fraction: float = 0.5) -> Path:
    """Copy the first ``fraction`` of a file's bytes, as an interrupted copy or download leaves it."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def corrupt(source: Path, target: Path) -> Path:
    """Copy a file with a run of its middle bytes overwritten by garbage."""
    data = bytearray(source.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = bytes((i * 151 + 7) % 256 for i in range(4096))
    target.write_bytes(bytes(data))
    return target
