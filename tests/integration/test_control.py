"""The control channel (Unix socket 0600, loopback TCP with a token) and the one-daemon-per-station lock."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from truyenthanh.adapters.control import ControlClient, ControlServer
from truyenthanh.adapters.runtime import InstanceLock, StateFile
from truyenthanh.errors import DaemonError


def handler(name: str, args: dict[str, Any]) -> Any:
    if name == "echo":
        return args
    raise DaemonError(f"Lệnh «{name}» không có.")


@pytest.mark.parametrize("force_tcp", [False, True], ids=["unix", "tcp"])
def test_commands_errors_and_events(tmp_path: Path, force_tcp: bool) -> None:
    runtime = tmp_path / "run"
    server = ControlServer(runtime, handler, force_tcp=force_tcp)
    server.start()
    try:
        client = ControlClient(runtime, timeout=5)
        assert client.request("echo", text="Bão số 3") == {"text": "Bão số 3"}
        with pytest.raises(DaemonError, match="Lệnh «nope» không có"):
            client.request("nope")
        received: list[dict[str, Any]] = []
        with client.events() as stream:
            reader = threading.Thread(target=lambda: received.extend([next(stream), next(stream)]))
            reader.start()
            # The subscription is registered once the server answered; publish after it is.
            server.publish({"type": "started", "item": "Nhạc hiệu"})
            server.publish({"type": "ended", "item": "Nhạc hiệu"})
            reader.join(5)
        assert [e["type"] for e in received] == ["started", "ended"]
        endpoint = json.loads((runtime / "control.json").read_text())
        assert stat.S_IMODE((runtime / "control.json").stat().st_mode) == 0o600
        if force_tcp:
            assert endpoint["transport"] == "tcp" and endpoint["host"] == "127.0.0.1"
            with socket.create_connection(("127.0.0.1", endpoint["port"]), timeout=5) as raw:
                raw.sendall(b'{"cmd": "echo", "token": "wrong"}\n')
                assert "Sai mã truy cập" in raw.makefile().readline()
        else:
            assert stat.S_IMODE((runtime / "control.sock").stat().st_mode) == 0o600
    finally:
        server.stop()
    assert not (runtime / "control.json").exists()
    with pytest.raises(DaemonError, match="không chạy"):
        ControlClient(runtime).request("echo")
    assert not ControlClient(runtime).is_running()


def test_one_lock_per_station(tmp_path: Path) -> None:
    first = InstanceLock(tmp_path / "daemon.lock")
    first.acquire()
    second = InstanceLock(tmp_path / "daemon.lock")
    with pytest.raises(DaemonError) as refused:
        second.acquire()
    assert "đang chạy" in refused.value.message and "mỗi đài chỉ chạy một dịch vụ phát" in refused.value.message
    first.release()
    second.acquire()
    second.release()


def test_state_file_is_replaced_whole(tmp_path: Path) -> None:
    state = StateFile(tmp_path / "state.json")
    assert state.read() == {}
    state.write({"handled": {"1@x": "y"}, "text": "Thông báo"})
    assert state.read()["text"] == "Thông báo"
    (tmp_path / "state.json").write_text("{broken")
    assert state.read() == {}


@pytest.mark.parametrize("force_tcp", [False, True], ids=["unix", "tcp"])
def test_cli_passes_the_status_on_as_sent_and_reads_what_plays_through_the_protocol(
    station_dir: Path, force_tcp: bool
) -> None:
    status = {
        "running": True,
        "pid": 4242,
        "device": {"ok": True, "name": "Loa", "error": None, "standby": False},
        "playing": {"programme": "Bản tin sáng", "item": "Nhạc hiệu", "position_s": 12.34, "duration_s": 30.0},
        "field_of_a_newer_daemon": [1, 2],
    }

    def answer(name: str, _args: dict[str, Any]) -> Any:
        return {"status": status, "now_playing": status["playing"]}[name]

    server = ControlServer(station_dir / "run", answer, force_tcp=force_tcp)
    server.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}

        def cli(*args: str) -> str:
            command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(station_dir), *args]
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
            assert result.returncode == 0, result.stderr
            return result.stdout

        assert json.loads(cli("control", "status")) == status
        assert cli("control", "now") == "Đang phát «Bản tin sáng» / Nhạc hiệu, giây 12.3.\n"
    finally:
        server.stop()
