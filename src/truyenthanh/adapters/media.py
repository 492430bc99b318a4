"""The station's audio tools as one object: the :class:`~truyenthanh.services.media.MediaTools` port over
:mod:`truyenthanh.adapters.ffmpeg` and :mod:`truyenthanh.adapters.files`.
"""

from __future__ import annotations

from pathlib import Path

from truyenthanh.adapters import ffmpeg, files
from truyenthanh.domain.tunes import Tune


class FfmpegMedia:
    """Probing, loudness and tune rendering with ffmpeg (subprocesses), hashing in Python. Thread-safe: it keeps
    no state."""

    def probe(self, path: Path) -> ffmpeg.Probe:
        """See :func:`truyenthanh.adapters.ffmpeg.probe`."""
        return ffmpeg.probe(path)

    def measure_loudness(self, path: Path, *, decoded: ffmpeg.Decoded | None = None) -> ffmpeg.Loudness:
        """See :func:`truyenthanh.adapters.ffmpeg.measure_loudness`."""
        return ffmpeg.measure_loudness(path, decoded=decoded)

    def sha256_file(self, path: Path) -> str:
        """See :func:`truyenthanh.adapters.files.sha256_file`."""
        return files.sha256_file(path)

    def write_atomic(self, target: Path, data: bytes) -> None:
        """See :func:`truyenthanh.adapters.files.write_atomic`."""
        files.write_atomic(target, data)

    def render_tune(self, tune: Tune, target: Path) -> None:
        """See :func:`truyenthanh.adapters.ffmpeg.render_tune`."""
        ffmpeg.render_tune(tune, target)


__all__ = ["FfmpegMedia"]
