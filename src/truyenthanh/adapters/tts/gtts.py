"""gTTS (Google Translate's speech endpoint): the better voice, when the Internet is there.

What the library does not do for us: it waits forever unless given a timeout; it sends one request per chunk
of at most 100 characters and its own cuts fall wherever the characters run out; a failed ``save()`` leaves
an empty file; heavy use gets HTTP 429. So this adapter cuts the text itself at natural pauses
(:func:`~truyenthanh.domain.vietnamese.split_for_speech`), asks for each chunk with a timeout, spaces its
requests, retries 429 and 5xx answers with growing waits, keeps every answer in memory, and writes the joined
WAV file only when every chunk has arrived.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from gtts import gTTS, gTTSError

from truyenthanh.adapters import ffmpeg
from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.vietnamese import split_for_speech
from truyenthanh.errors import AudioError, SpeechError

LANGUAGE = "vi"
MAX_RETRY_WAIT_S = 30.0
"""Longest wait honoured from a ``Retry-After`` header."""


class GttsEngine:
    """Renders Vietnamese through gTTS. Thread-safe: requests from all threads share one throttle.

    Args:
        timeout_s: seconds to wait for each request (connect and each read).
        min_interval_s: least time between the starts of two requests (throttle).
        retries: extra attempts after an HTTP 429 or 5xx answer.
        backoff_s: wait before the first retry; doubled for each further one.
        pause_s: silence between two chunks in the joined audio.
        sleep, monotonic: the clock used for throttling and back-off (tests pass fast ones).
    """

    name = "gtts"
    online = True

    def __init__(
        self,
        *,
        timeout_s: float,
        min_interval_s: float = 0.4,
        retries: int = 3,
        backoff_s: float = 1.0,
        pause_s: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeout_s = timeout_s
        self._min_interval_s = min_interval_s
        self._retries = retries
        self._backoff_s = backoff_s
        self._pause_s = pause_s
        self._sleep = sleep
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last_request: float | None = None

    def voice(self, variant: ReadingVariant) -> str:
        """gTTS has one Vietnamese voice whatever the variant."""
        return LANGUAGE

    def synthesize(self, text: str, *, voice: str, speed: float, target: Path) -> None:
        """Render ``text`` to a 48 kHz mono WAV at ``target``; nothing is written unless every chunk arrived.

        Raises:
            SpeechError: the service cannot be reached, times out, keeps refusing (429/5xx), or answers
                without audio. The message says which chunk failed and why.
        """
        # A chunk of punctuation alone has nothing to say (gTTS would refuse it).
        chunks = [chunk for chunk in split_for_speech(text) if any(ch.isalnum() for ch in chunk)]
        if not chunks:
            raise SpeechError("Không có chữ nào để đọc.")
        audio = [self._fetch(chunk, index, len(chunks)) for index, chunk in enumerate(chunks)]
        with tempfile.TemporaryDirectory(prefix="truyenthanh-gtts-") as folder:
            parts = []
            for index, data in enumerate(audio):
                part = Path(folder) / f"{index:04d}.mp3"
                part.write_bytes(data)
                parts.append(part)
            try:
                ffmpeg.join_speech(parts, target, pause_s=self._pause_s, tempo=speed)
            except AudioError as exc:
                raise SpeechError(f"gTTS trả về âm thanh không giải mã được: {exc.message}") from exc

    def _throttle(self) -> None:
        with self._lock:
            now = self._monotonic()
            if self._last_request is not None:
                wait = self._last_request + self._min_interval_s - now
                if wait > 0:
                    self._sleep(wait)
                    now = self._monotonic()
            self._last_request = now

    def _fetch(self, chunk: str, index: int, total: int) -> bytes:
        where = f"đoạn {index + 1}/{total}"
        attempt = 0
        while True:
            self._throttle()
            buffer = io.BytesIO()
            try:
                # No pre-processors: the chunk (<= 100 characters) goes out as one request, exactly as cut.
                request = gTTS(chunk, lang=LANGUAGE, lang_check=False, pre_processor_funcs=[], timeout=self._timeout_s)
                request.write_to_fp(buffer)
            except gTTSError as exc:
                response = exc.rsp
                status = None if response is None else int(response.status_code)
                retryable = status is not None and (status == 429 or status >= 500)
                if retryable and attempt < self._retries:
                    self._sleep(self._retry_wait(attempt, response))
                    attempt += 1
                    continue
                if status is None:
                    reason = f"không kết nối được hoặc quá {self._timeout_s:g} giây không trả lời"
                elif status == 429:
                    reason = "máy chủ từ chối vì gửi quá nhiều yêu cầu (HTTP 429)"
                else:
                    reason = f"máy chủ trả lỗi HTTP {status}"
                tries = f" sau {attempt + 1} lần thử" if attempt else ""
                raise SpeechError(f"gTTS không đọc được {where}: {reason}{tries}.") from exc
            data = buffer.getvalue()
            if not data:
                raise SpeechError(f"gTTS không trả về âm thanh cho {where}.")
            return data

    def _retry_wait(self, attempt: int, response: object) -> float:
        wait = float(self._backoff_s * (2**attempt))
        header = str(getattr(response, "headers", {}).get("Retry-After", ""))
        if header.strip().isdigit():
            wait = max(wait, min(float(header), MAX_RETRY_WAIT_S))
        return wait
