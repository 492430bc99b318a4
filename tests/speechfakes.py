"""Google's speech endpoint, intercepted: real MP3 answers in gTTS's wire format, and a server that never answers.

The endpoint cannot be reached from tests (and must not be), so HTTP is intercepted with ``responses``; the
answers carry real MP3 audio made by ffmpeg, so decoding and stitching run for real.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from requests import PreparedRequest

GTTS_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"
TONE_S = 0.6


def make_mp3(seconds: float = TONE_S, hz: int = 440) -> bytes:
    """A short tone encoded as 24 kHz mono MP3, like the audio Google sends."""
    result = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={hz}:sample_rate=24000:duration={seconds}",
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "32k",
            "-f",
            "mp3",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    return result.stdout


def batchexecute_body(mp3: bytes) -> str:
    """An answer the way gTTS expects it: the base64 audio inside the ``jQ1olc`` RPC line."""
    encoded = base64.b64encode(mp3).decode("ascii")
    payload = json.dumps([encoded])
    rpc = [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]]
    return ")]}'\n\n" + json.dumps(rpc, separators=(",", ":")) + "\n"


def sent_text_and_language(body: str | bytes | None) -> tuple[str, str]:
    """Decode one gTTS request body into the text and the language it asked for."""
    raw = body.decode() if isinstance(body, bytes) else body or ""
    request = json.loads(urllib.parse.parse_qs(raw)["f.req"][0])
    parameter = json.loads(request[0][0][1])
    return parameter[0], parameter[1]


@dataclass
class FakeGoogle:
    """Answers each request with the next status of ``statuses`` (then 200s), recording what was asked."""

    mp3: bytes
    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        """The ``responses`` callback."""
        # gTTS posts a form-encoded string; requests types the body for streamed uploads too.
        assert isinstance(request.body, str | bytes), f"gTTS sent an unexpected body: {request.body!r}"
        self.requests.append(sent_text_and_language(request.body))
        status = self.statuses.pop(0) if self.statuses else 200
        if status != 200:
            return status, {}, "error"
        return 200, {"Content-Type": "application/json"}, batchexecute_body(self.mp3)


@contextmanager
def silent_server() -> Iterator[tuple[str, int]]:
    """A loopback TCP server that accepts connections and never sends a byte."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in held:
            connection.close()
        listener.close()


def no_sleep_log() -> tuple[list[float], Callable[[float], None]]:
    """A sleep function that records the waits instead of waiting (back-off is checked, not endured)."""
    waits: list[float] = []
    return waits, waits.append
