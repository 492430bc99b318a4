"""A live audio stream served on 127.0.0.1 that a test can cut, silence and restore, and a real icecast2."""

from __future__ import annotations

import math
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

RATE = 48000
_BLOCK_S = 0.02


def _wav_header(rate: int) -> bytes:
    """A mono 16-bit WAV header whose sizes say "as long as it lasts"."""
    huge = 0xFFFFFFFF - 36
    return (
        b"RIFF"
        + struct.pack("<I", 0xFFFFFFFF)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", huge)
    )


class LiveStream:
    """An endless WAV stream of a sine, paced in real time, at ``url``.

    ``cut()`` drops every listener and refuses new ones (HTTP 503) until ``restore()``; ``silence()`` keeps
    the connections but sends zeros.
    """

    def __init__(self, hz: float = 1000.0, amplitude: float = 0.3) -> None:
        self.hz = hz
        self.amplitude = amplitude
        self.mode = "tone"
        self.connections = 0
        stream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                if stream.mode == "down":
                    self.send_error(503, "cut by the test")
                    return
                stream.connections += 1
                self.send_response(200)
                self.send_header("Content-Type", "audio/wav")
                self.end_headers()
                self.wfile.write(_wav_header(RATE))
                stream.serve(self.wfile)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/live.wav"

    def serve(self, out: object) -> None:
        """Write real-time blocks to one listener until the stream is cut or the listener leaves."""
        frames = int(RATE * _BLOCK_S)
        sent = 0
        began = time.monotonic()
        while self.mode != "down":
            t = (np.arange(frames) + sent) / RATE
            level = self.amplitude if self.mode == "tone" else 0.0
            block = level * np.sin(2 * math.pi * self.hz * t)
            try:
                out.write((block * 32767).astype("<i2").tobytes())  # type: ignore[attr-defined]
            except OSError:
                return
            sent += frames
            ahead = began + sent / RATE - 0.2 - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)

    def cut(self) -> None:
        """Drop every listener and refuse new ones."""
        self.mode = "down"

    def silence(self) -> None:
        """Keep listeners connected but send silence."""
        self.mode = "silence"

    def restore(self) -> None:
        """Send the tone again."""
        self.mode = "tone"

    def close(self) -> None:
        """Stop serving."""
        self.mode = "down"
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Icecast:
    """A real icecast2 on 127.0.0.1 with its own configuration and folder.

    icecast2 refuses to run as root, so it is told to become ``nobody``; its folder is made where that
    user can write its logs (pytest's own temporary folders are private to root).
    """

    SOURCE_PASSWORD = "nguon-thu"

    def __init__(self) -> None:
        binary = shutil.which("icecast2") or shutil.which("icecast")
        if binary is None:
            raise RuntimeError("icecast2 is not installed (scripts/setup.sh installs it)")
        folder = self.folder = Path(tempfile.mkdtemp(prefix="truyenthanh-icecast-"))
        folder.chmod(0o755)
        (folder / "log").mkdir()
        if os.geteuid() == 0:
            shutil.chown(folder / "log", "nobody", "nogroup")
        # The free port is only free when probed: another test run on this machine may take it before icecast2
        # binds it, and then icecast2 exits. A few fresh ports make that race harmless.
        failures: list[str] = []
        for _attempt in range(5):
            self.port = free_port()
            failure = self._launch(binary)
            if failure is None:
                return
            failures.append(failure)
        shutil.rmtree(self.folder, ignore_errors=True)
        raise RuntimeError("icecast2 did not start: " + " | ".join(failures))

    def _launch(self, binary: str) -> str | None:
        """Start icecast2 on ``self.port`` and wait until it listens; on failure, why (it is stopped)."""
        folder = self.folder
        share = Path("/usr/share/icecast2")
        owner = "<security><changeowner><user>nobody</user><group>nogroup</group></changeowner></security>"
        owner = owner if os.geteuid() == 0 else ""
        config = folder / "icecast.xml"
        config.write_text(
            f"""<icecast>
  <limits><clients>10</clients><sources>2</sources><burst-size>0</burst-size></limits>
  <authentication>
    <source-password>{self.SOURCE_PASSWORD}</source-password>
    <admin-user>admin</admin-user><admin-password>quan-tri</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{self.port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths>
    <basedir>{folder}</basedir><logdir>{folder / "log"}</logdir>
    <webroot>{share / "web"}</webroot><adminroot>{share / "admin"}</adminroot>
  </paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>2</loglevel></logging>
{owner}</icecast>
""",
            encoding="utf-8",
        )
        self.process = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                listening = probe.connect_ex(("127.0.0.1", self.port)) == 0
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode() if self.process.stderr else ""
                self._end_process()
                return f"icecast2 exited on port {self.port}: {stderr}"
            if listening:
                return None
            time.sleep(0.05)
        self._end_process()
        return f"icecast2 did not listen on port {self.port} within 10 s"

    def source_url(self, mount: str) -> str:
        """Where a source sends a mount."""
        return f"icecast://source:{self.SOURCE_PASSWORD}@127.0.0.1:{self.port}/{mount}"

    def listen_url(self, mount: str) -> str:
        """Where a listener reads a mount."""
        return f"http://127.0.0.1:{self.port}/{mount}"

    def stop(self) -> None:
        """Terminate icecast2."""
        self._end_process()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _end_process(self) -> None:
        """Terminate the icecast2 process (killed after 5 s) and close its pipe."""
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
