"""What one browser session of ``truyenthanh serve`` costs: resident memory and time to the first screen.

Run from the repository root: ``.venv/bin/python -m bench.serve [SESSIONS]`` (default 3). It initialises a demo
station in a temporary folder, starts ``truyenthanh serve`` on a free loopback port (no access password: loopback),
starts the station's daemon so the sessions do not, then opens SESSIONS websocket sessions one after another,
as the browser page does (``/ws?width=100&height=40``), and prints for each:

* time to first screen: from opening the websocket until the bytes received hold «Hôm nay» (the app's first
  frame with its tabs; the page's own load, a few kB of HTML and textual.js from the same server, is not in it);
* the resident memory (VmRSS) added by the session: all processes ``serve`` started for it (the shell and the
  TUI process), read from /proc once the first screen is there and two seconds have passed.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (Linux /proc)."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                if kid not in found:
                    found.add(kid)
                    pending.append(kid)
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _first_screen(url: str) -> tuple[float, aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]:
    """Open one session; seconds until «Hôm nay» arrived, and the open connection (closed by the caller)."""
    session = aiohttp.ClientSession()
    started = time.perf_counter()
    socket_ = await session.ws_connect(url)
    received = b""
    while "Hôm nay".encode() not in received:
        message = await asyncio.wait_for(socket_.receive(), timeout=60)
        if message.type == aiohttp.WSMsgType.BINARY:
            received += message.data
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            raise RuntimeError("the session closed before its first screen")
    return time.perf_counter() - started, session, socket_


async def _run(server_pid: int, url: str, sessions: int) -> None:
    opened: list[tuple[aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]] = []
    try:
        for number in range(1, sessions + 1):
            before = _children(server_pid)
            seconds, client, connection = await _first_screen(url)
            opened.append((client, connection))
            await asyncio.sleep(2)
            added = _children(server_pid) - before
            memory = sum(_rss_mb(pid) for pid in added)
            print(f"phiên {number}: màn hình đầu tiên sau {seconds:.2f} s; ", end="")
            print(f"bộ nhớ thêm {memory:.1f} MB ({len(added)} tiến trình)")
    finally:
        for client, connection in opened:
            await connection.close()
            await client.close()


def main() -> None:
    """Start a station and ``serve``, measure SESSIONS sessions, stop everything."""
    sessions = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRUYENTHANH_")}
    env["TRUYENTHANH_TTS_ENGINE"] = "espeak"
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        station = Path(folder) / "station"
        command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(station)]
        subprocess.run([*command, "init", "--demo"], env=env, check=True, capture_output=True)
        env["TRUYENTHANH_OUTPUT"] = f"file:{Path(folder) / 'on-air.wav'}"
        daemon = subprocess.Popen([*command, "daemon"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = _free_port()
        server = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            server.stdout.readline()  # "Đang mở giao diện của đài tại ..."
            print(f"serve: {_rss_mb(server.pid):.1f} MB trước phiên đầu tiên")
            asyncio.run(_run(server.pid, f"ws://127.0.0.1:{port}/ws?width=100&height=40", sessions))
        finally:
            for process in (server, daemon):
                process.terminate()
                process.wait(20)


if __name__ == "__main__":
    main()
