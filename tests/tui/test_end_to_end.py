"""End to end: the real TUI in tmux, the daemon it starts, the private PulseAudio sink.

Type an announcement, render it, approve it, schedule it a few seconds ahead, watch "Hôm nay" turn it to
"đã phát", and check that the sink heard it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.people import ADMIN
from tests.pulse import Recorder
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.domain.station import StationRules

pytestmark = [pytest.mark.slow, pytest.mark.realtime]


class Terminal:
    """A tmux session on a private server socket, running one command."""

    def __init__(self, socket: Path, command: list[str], env: dict[str, str]) -> None:
        self.socket = socket
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", "150", "-y", "45", *_env_args(env), *command
        )
        self._tmux("set-option", "-t", "tui", "remain-on-exit", "on")  # a crash stays readable

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, check=True, timeout=10
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        """Send tmux key names (``F6``, ``C-s``, ``Enter``)."""
        self._tmux("send-keys", "-t", "tui", *keys)

    def type(self, text: str) -> None:
        """Type text literally."""
        self._tmux("send-keys", "-t", "tui", "-l", text)

    def screen(self) -> str:
        """What the terminal shows now."""
        return self._tmux("capture-pane", "-t", "tui", "-p")

    def wait_for(self, check: Callable[[str], bool], timeout: float, what: str) -> str:
        """Poll the screen until ``check`` passes."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if check(shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{shown}")
            time.sleep(0.2)

    def close(self) -> None:
        """Kill the session and the tmux server."""
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, check=False)


def _env_args(env: dict[str, str]) -> list[str]:
    return [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]


@pytest.fixture
def station(station_dir: Path, pulse_env: dict[str, str]) -> Iterator[tuple[Path, dict[str, str]]]:
    """A station with no session or quiet-hour rules (tests run at any hour), offline voice, single operator."""
    (station_dir / "truyenthanh.toml").write_text(
        'tts_engine = "espeak"\noutput = "device"\nsingle_operator = true\nsingle_operator_name = "Nguyễn Văn An"\n',
        encoding="utf-8",
    )
    built = bootstrap.build(load_settings(station_dir))
    built.station.init()
    built.scheduling.set_rules(ADMIN, StationRules())
    built.close()
    env = {k: v for k, v in pulse_env.items() if not k.startswith("TRUYENTHANH_")}
    yield station_dir, env
    endpoint = station_dir / "run" / "control.json"
    if endpoint.exists():  # the daemon the TUI started keeps running after the TUI: stop it
        pid = json.loads(endpoint.read_text(encoding="utf-8")).get("pid")
        if pid:
            os.kill(int(pid), signal.SIGTERM)
            deadline = time.monotonic() + 20
            while endpoint.exists() and time.monotonic() < deadline:
                time.sleep(0.1)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/setup.sh")
def test_announcement_typed_rendered_scheduled_and_heard(
    station: tuple[Path, dict[str, str]], recorder: Recorder, tmp_path: Path
) -> None:
    folder, env = station
    terminal = Terminal(
        tmp_path / "tmux.sock",
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(folder)],
        # COLUMNS and LINES would override the window's size if inherited from the test's environment.
        {**env, "TERM": "xterm-256color", "PATH": os.environ.get("PATH", ""), "COLUMNS": "150", "LINES": "45"},
    )
    try:
        terminal.wait_for(lambda s: "Dịch vụ phát: đang chạy" in s, 60, "the TUI to start the daemon")
        terminal.keys("F6")
        terminal.wait_for(lambda s: "Giọng đọc sẽ đọc là" in s, 10, "the announcements screen")
        terminal.type("Họp dân")
        terminal.keys("Enter")
        time.sleep(0.5)  # focus moves after the key is handled; keys sent at once would still reach the title
        terminal.type("UBND xã mời bà con họp lúc 7h30.")
        terminal.wait_for(lambda s: "Ủy ban nhân dân xã mời" in s, 10, "the spoken form")
        terminal.keys("C-r")
        terminal.wait_for(lambda s: "đã đọc bằng espeak" in s, 60, "the rendering")
        terminal.keys("C-d")
        terminal.wait_for(lambda s: "Đã duyệt" in s, 10, "the approval")
        terminal.keys("C-o")
        terminal.wait_for(lambda s: "Thêm lịch phát" in s, 10, "the schedule form")
        zone = ZoneInfo("Asia/Ho_Chi_Minh")
        at = (datetime.now(zone) + timedelta(seconds=25)).replace(microsecond=0)
        for _ in range(3):  # programme (chosen), repeat, date → time
            terminal.keys("Tab")
            time.sleep(0.3)
        terminal.type(at.strftime("%H:%M:%S"))
        terminal.wait_for(lambda s: f"Sẽ phát: Một lần, {at:%H:%M:%S}" in s, 10, "the summary")
        with recorder.record() as recordings:
            terminal.keys("C-s")
            terminal.wait_for(lambda s: "Thêm lịch phát" not in s, 10, "the schedule to be saved")
            terminal.keys("F2")
            shown = terminal.wait_for(lambda s: "Họp dân" in s and "đã phát" in s, 90, "the broadcast")
        assert "Họp dân" in shown
        recording = recordings[0]
        # Look from one second before the scheduled instant (the operator's preview of the rendering may still
        # have been sounding when the recording began).
        levels = recording.rms_windows(0.001)
        skip = max(0, int((at.timestamp() - 1.0 - recording.started_at) * 1000))
        heard = next((i for i in range(skip, len(levels)) if levels[i] > 0.01), None)
        assert heard is not None, "the sink heard nothing around the scheduled instant"
        error_s = recording.started_at + heard / 1000 - at.timestamp()
        assert abs(error_s) < 0.5, f"first sound {error_s:+.3f} s from the scheduled instant"
    finally:
        terminal.close()
