"""The station's own tunes rendered by ffmpeg: the :class:`~truyenthanh.services.station.TuneRenderer` port
over :func:`truyenthanh.adapters.ffmpeg.render_tune`."""

from __future__ import annotations

from pathlib import Path

from truyenthanh.adapters import ffmpeg
from truyenthanh.domain.tunes import Tune


class FfmpegTuneRenderer:
    """Renders tunes with ffmpeg's synthesisers. Thread-safe (each call is its own ffmpeg process)."""

    def render(self, tune: Tune, target: Path) -> None:
        """See :func:`truyenthanh.adapters.ffmpeg.render_tune`."""
        ffmpeg.render_tune(tune, target)


__all__ = ["FfmpegTuneRenderer"]
