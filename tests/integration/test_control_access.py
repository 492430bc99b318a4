"""Who may use the control channel: the station's owner, and its operators' group when the station folder is
shared with that group (``init``'s 0750, the systemd unit's state folder); a personal folder keeps it private."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from truyenthanh.adapters.control import ControlClient, ControlServer


def _echo(name: str, args: dict[str, Any]) -> Any:
    return {"cmd": name, **args}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("force_tcp", [False, True], ids=["unix", "tcp"])
@pytest.mark.parametrize(("station_mode", "shared"), [(0o750, True), (0o700, False)], ids=["group", "private"])
def test_the_channel_and_its_secret_are_readable_by_the_station_users_only(
    tmp_path: Path, force_tcp: bool, station_mode: int, shared: bool
) -> None:
    station = tmp_path / "station"
    station.mkdir(mode=station_mode)
    station.chmod(station_mode)
    runtime = station / "run"
    server = ControlServer(runtime, _echo, force_tcp=force_tcp)
    server.start()
    try:
        assert ControlClient(runtime).request("ping") == {"cmd": "ping"}
        endpoint = json.loads((runtime / "control.json").read_text(encoding="utf-8"))
        assert _mode(runtime) == (0o750 if shared else 0o700)
        assert _mode(runtime / "control.json") == (0o640 if shared else 0o600)  # holds the TCP token
        if force_tcp:
            assert endpoint["transport"] == "tcp" and len(endpoint["token"]) == 32
            assert not (runtime / "control.sock").exists()
        else:
            assert endpoint["transport"] == "unix"
            assert _mode(runtime / "control.sock") == (0o660 if shared else 0o600)
    finally:
        server.stop()
