"""espeak-ng as a subprocess: the offline Vietnamese voice that is always there."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from truyenthanh.adapters import ffmpeg
from truyenthanh.adapters.platform import TOOLS, find_tool
from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.errors import AudioError, SpeechError

VOICES = {ReadingVariant.NORTH: "vi", ReadingVariant.SOUTH: "vi-vn-x-south"}
"""espeak-ng voice for each reading variant (``vi-vn-x-central`` can be chosen by name)."""
KNOWN_VOICES = ("vi", "vi-vn-x-central", "vi-vn-x-south")
WORDS_PER_MINUTE = 150
"""espeak-ng's rate at speed 1.0; its own default (175) is hurried for loudspeakers."""


class EspeakEngine:
    """Renders Vietnamese with espeak-ng. Thread-safe (one subprocess per call); needs no network."""

    name = "espeak"
    online = False

    def __init__(self, *, timeout_s: float = 120.0) -> None:
        self._timeout_s = timeout_s

    def voice(self, variant: ReadingVariant) -> str:
        """The espeak-ng voice for a reading variant."""
        return VOICES[variant]

    def synthesize(self, text: str, *, voice: str, speed: float, target: Path) -> None:
        """Render ``text`` to a 48 kHz mono WAV at ``target`` (whole or not at all).

        Raises:
            SpeechError: espeak-ng is missing, the voice is unknown, or it failed or produced no audio.
        """
        if voice not in KNOWN_VOICES:
            raise SpeechError(f"Giọng espeak-ng «{voice}» không có; chọn một trong: {', '.join(KNOWN_VOICES)}.")
        if not any(ch.isalnum() for ch in text):
            raise SpeechError("Không có chữ nào để đọc.")
        program = find_tool("espeak-ng", setting="espeak")
        if program is None:
            configured = TOOLS.configured("espeak")
            where = f" (thiết lập «espeak_path» = {configured} không chứa nó)" if configured else ""
            raise SpeechError(
                f"Không tìm thấy espeak-ng{where}. Hãy cài gói espeak-ng (apt-get install espeak-ng, hoặc bộ cài "
                "eSpeak NG trên Windows) hoặc ghi đường dẫn vào thiết lập «espeak_path»."
            )
        with tempfile.TemporaryDirectory(prefix="truyenthanh-espeak-") as folder:
            raw = Path(folder) / "espeak.wav"
            try:
                result = subprocess.run(
                    [program, "-v", voice, "-s", str(round(WORDS_PER_MINUTE * speed)), "-w", str(raw), "--stdin"],
                    input=text.encode("utf-8"),
                    capture_output=True,
                    timeout=self._timeout_s,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise SpeechError(f"espeak-ng không đọc xong sau {self._timeout_s:g} giây.") from exc
            if result.returncode != 0 or not raw.exists() or raw.stat().st_size <= 44:
                detail = result.stderr.decode("utf-8", "replace").strip()[-200:]
                raise SpeechError(f"espeak-ng không tạo được âm thanh (mã {result.returncode}): {detail}")
            try:
                ffmpeg.join_speech([raw], target)
            except AudioError as exc:
                raise SpeechError(f"Không chuyển được giọng espeak-ng sang WAV: {exc.message}") from exc
