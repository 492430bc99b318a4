"""Issue 14, point 8: the control socket under load and against a request line that never ends.

The server is the real :class:`~truyenthanh.adapters.control.ControlServer` in a process of its own (as in the
daemon), so its memory is measured apart from the clients'.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from truyenthanh.adapters.control import MAX_LINE, ControlClient
from truyenthanh.errors import DaemonError

SERVER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from truyenthanh.adapters.control import ControlServer

    def answer(name, args):
        if name == "status":
            time.sleep(0.005)  # a real status reads the ledger and the device under locks
            return {"running": True, "playing": None, "note": "Đang chờ buổi chiều"}
        if name == "rss":
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise ValueError(name)

    server = ControlServer(Path(sys.argv[1]), answer, force_tcp=sys.argv[2] == "tcp")
    server.start()
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()
    """
)


@pytest.fixture(params=["unix", "tcp"])
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A control server in its own process, on a Unix socket and on loopback TCP; yields its runtime folder."""
    runtime = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(runtime), str(request.param)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    assert process.stdout.readline().strip() == "ready"
    try:
        yield runtime
    finally:
        process.stdin.close()
        process.wait(timeout=10)


def test_twenty_concurrent_clients_get_every_answer(served: Path) -> None:
    answers: list[object] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        control = ControlClient(served, timeout=5)
        for _ in range(50):
            try:
                result = control.request("status")
            except DaemonError as exc:
                with lock:
                    failures.append(exc.message)
                continue
            with lock:
                answers.append(result)

    threads = [threading.Thread(target=client) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert len(answers) == 1000
    assert all(isinstance(a, dict) and a["note"] == "Đang chờ buổi chiều" for a in answers)


def _raw_connection(endpoint: dict[str, Any]) -> socket.socket:
    """A connection to the control channel named in ``control.json``, without the client's protocol."""
    if endpoint["transport"] == "tcp":
        return socket.create_connection((endpoint["host"], endpoint["port"]), timeout=10)
    raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    raw.connect(endpoint["path"])
    return raw


def test_a_200_mib_line_without_newline_is_refused_while_it_is_read(served: Path) -> None:
    control = ControlClient(served, timeout=5)
    before = control.request("rss")
    endpoint = json.loads((served / "control.json").read_text())
    chunk = b"x" * (1 << 20)
    sent = 0
    with _raw_connection(endpoint) as raw:
        raw.settimeout(10)
        try:
            while sent < 200 << 20:
                raw.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the daemon hung up: what matters is that it did so early
        reply = raw.makefile("rb").readline()
    assert sent < 200 << 20
    assert "Yêu cầu dài quá" in json.loads(reply)["error"]
    after = control.request("rss")
    assert after - before < 4 * MAX_LINE, f"RSS grew by {(after - before) / 2**20:.1f} MiB"
    assert control.request("status")["running"] is True  # and it still answers


def test_down_and_busy_are_told_apart(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir()
    path = runtime / "control.sock"
    (runtime / "control.json").write_text(json.dumps({"transport": "unix", "path": str(path), "pid": 4242}))
    with pytest.raises(DaemonError, match="Dịch vụ phát không chạy: kênh điều khiển của PID 4242"):
        ControlClient(runtime, timeout=1).request("status")
    # A daemon that never accepts: its listen queue fills up, then connections wait, time out once, retry once.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(0)
    held = []
    try:
        for _ in range(4):  # fill the queue (Linux keeps backlog + 1 waiting connections)
            extra = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            extra.setblocking(False)
            try:
                extra.connect(str(path))
            except BlockingIOError:
                extra.close()
                break
            held.append(extra)
        started = time.monotonic()
        with pytest.raises(DaemonError, match="đang chạy nhưng quá bận") as busy:
            ControlClient(runtime, timeout=0.5).request("status")
        assert 1.0 <= time.monotonic() - started < 5
        assert "một lần thử lại" in busy.value.message
    finally:
        for extra in held:
            extra.close()
        listener.close()
