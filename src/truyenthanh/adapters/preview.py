"""Listening to a file on the operator's own computer, in a separate player process (``ffplay``).

The TUI never plays audio in its own process (a busy UI would delay the on-air timers); this player is a
child process that the operator starts and stops, for checking a file or a rendered announcement.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from truyenthanh.errors import AudioError


class PreviewPlayer:
    """Plays one file at a time with ``ffplay -nodisp -autoexit``; starting another stops the first."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self.playing: Path | None = None
        """The file being played, if the player is still running."""

    def play(self, path: Path) -> None:
        """Start playing ``path`` (stopping whatever played).

        Raises:
            AudioError: the file does not exist or ffplay is not installed.
        """
        if not path.is_file():
            raise AudioError(f"Không có tệp {path} để nghe thử.")
        player = shutil.which("ffplay")
        if player is None:
            raise AudioError("Không tìm thấy chương trình ffplay (gói ffmpeg) để nghe thử.")
        self.stop()
        self._process = subprocess.Popen(
            [player, "-nodisp", "-autoexit", "-loglevel", "error", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
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
                    self._process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        self.playing = None
