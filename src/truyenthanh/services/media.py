"""The port to the station's audio tools: probing, measuring, hashing and rendering files.

The library and playout services reach ffmpeg and the file helpers only through :class:`MediaTools`;
``bootstrap`` hands them the real one (:class:`truyenthanh.adapters.media.FfmpegMedia`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from truyenthanh.domain.tunes import Tune


class AudioProbe(Protocol):
    """What probing says of an audio file's first audio stream."""

    @property
    def duration_s(self) -> float:
        """Length in seconds as the container states it (or as guessed: see :attr:`duration_estimated`)."""
        ...

    @property
    def format(self) -> str:
        """Container format (``mp3``, ``wav``...)."""
        ...

    @property
    def codec(self) -> str:
        """Codec of the audio stream."""
        ...

    @property
    def channels(self) -> int:
        """Number of channels."""
        ...

    @property
    def sample_rate(self) -> int:
        """Samples per second."""
        ...

    @property
    def duration_estimated(self) -> bool:
        """The container states no length; :attr:`duration_s` was guessed from the bitrate."""
        ...


class AudioLoudness(Protocol):
    """An EBU R128 measurement of a whole file."""

    @property
    def integrated_lufs(self) -> float:
        """Integrated loudness, LUFS."""
        ...

    @property
    def true_peak_dbtp(self) -> float:
        """True peak, dBTP."""
        ...

    @property
    def decoded_s(self) -> float | None:
        """Length really decoded, in seconds (shorter than the probed length: the file is truncated)."""
        ...


class MediaTools(Protocol):
    """Probing, measuring, hashing and rendering audio files. Thread-safe; every call blocks until done (a
    measurement decodes the whole file: about a second per hour of audio)."""

    def probe(self, path: Path) -> AudioProbe:
        """Read a file's format.

        Raises:
            AudioError: the file is missing, empty, not audio or unreadable (the message names it).
        """
        ...

    def measure_loudness(self, path: Path, *, decoded: Callable[[float], None] | None = None) -> AudioLoudness:
        """Decode a whole file and measure it; ``decoded``, if given, is called now and then (in the calling
        thread) with the seconds of audio decoded so far, for a progress bar.

        Raises:
            AudioError: the file cannot be decoded (the message names it).
        """
        ...

    def sha256_file(self, path: Path) -> str:
        """The hex SHA-256 of a file's bytes (raises ``OSError`` if it cannot be read)."""
        ...

    def write_atomic(self, target: Path, data: bytes) -> None:
        """Write ``data`` to ``target`` so that readers see the old file or the whole new one, never a part
        (raises ``OSError`` if it cannot be written; nothing half-written is left)."""
        ...

    def render_tune(self, tune: Tune, target: Path) -> None:
        """Render a tune into a 48 kHz mono WAV file at ``target``, whole or not at all.

        Raises:
            AudioError: it cannot be rendered.
        """
        ...


__all__ = ["AudioLoudness", "AudioProbe", "MediaTools"]
