"""End to end: the real TUI in tmux, the daemon it starts, the private PulseAudio sink; and the TUI in Pilot
talking to a real daemon subprocess.

Type an announcement, render it, approve it, schedule it a few seconds ahead, watch "Hôm nay" turn it to
"đã phát", and check that the sink heard it. Break in with an emergency from F9 and cancel it; see a daemon
without its sound device reported. (The same screens are tested in-process against ``FakeDaemonLink`` in
``test_emergency.py`` and ``test_today.py``.)
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
from sqlmodel import col, select
from textual.widgets import Checkbox, TextArea

from tests.people import ADMIN, PASSWORD
from tests.pulse import Recorder
from tests.tui.conftest import daemon_running, until
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import BroadcastLog
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import Priority
from truyenthanh.domain.station import StationRules
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.emergency import EmergencyScreen
from truyenthanh.tui.screens.log import LogScreen
from truyenthanh.tui.screens.today import TodayScreen

pytestmark = [pytest.mark.slow, pytest.mark.realtime]


class Terminal:
    """A tmux session on a private server socket, running one command."""

    def __init__(
        self, socket: Path, command: list[str], env: dict[str, str], *, size: tuple[int, int] = (150, 45)
    ) -> None:
        self.socket = socket
        width, height = (str(n) for n in size)
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", width, "-y", height, *_env_args(env), *command
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
    built.station.first_identity(commune="Tân Lập", province="Phú Thọ")  # set up: Thiết lập đài stays closed
    built.scheduling.set_rules(ADMIN, StationRules())
    built.close()
    env = {k: v for k, v in pulse_env.items() if not k.startswith("TRUYENTHANH_")}
    yield station_dir, env
    stop_started_daemon(station_dir)


def stop_started_daemon(station_dir: Path) -> None:
    """Stop the daemon a TUI started for the station (it keeps running after the TUI), if any."""
    endpoint = station_dir / "run" / "control.json"
    if endpoint.exists():
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


# --- the TUI in Pilot, with the daemon as a real subprocess --------------------------------------------------

BULLETIN = "Lũ trên sông Cả đang lên nhanh, bà con vùng trũng di chuyển ngay lên chỗ cao."


@pytest.fixture
def on_air(station_dir: Path, tmp_path: Path) -> Iterator[bootstrap.Container]:
    """A station (offline voice, no session or quiet-hour rules) whose daemon runs as a real subprocess, playing
    in real time into a file; yields the TUI's container (system clock)."""
    with daemon_running(station_dir, tmp_path, TRUYENTHANH_OUTPUT=f"file:{tmp_path / 'on-air.wav'}") as container:
        yield container


async def test_f9_from_any_screen_breaks_in_and_today_shows_it_until_cancelled(on_air: bootstrap.Container) -> None:
    # The daemon takes a cancel only with a session token, which the services issue to a real account.
    on_air.accounts.add(None, username=ADMIN.username, full_name=ADMIN.full_name, role=ADMIN.role, password=PASSWORD)
    app = TruyenthanhApp(StationBackend(on_air, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f7")
        await settle(app, pilot)
        assert isinstance(app.screen, LogScreen)

        await pilot.press("f9")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, EmergencyScreen)
        assert form.query_one("#emergency-text", TextArea).has_focus
        await pilot.press("ctrl+s")  # nothing to read yet: said, and nothing is sent
        await settle(app, pilot)
        assert app.screen is form
        assert "Cần đúng một trong hai" in str(form.query_one("#form-error").render())
        form.query_one("#emergency-text", TextArea).insert(BULLETIN)
        form.query_one("#emergency-until", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        today = app.screen
        assert isinstance(today, TodayScreen), "after sending, the operator is taken to Hôm nay"
        await until(
            app,
            pilot,
            lambda: today.view is not None and today.view.emergency is not None and today.view.on_air is not None,
            "the emergency on air",
            timeout=30,
        )
        assert today.view is not None and today.view.emergency is not None
        banner = str(today.query_one("#emergency-banner").render())
        assert banner.startswith(f"KHẨN CẤP: {today.view.emergency.title} — đã phát")
        assert "đến khi hủy" in banner and banner.endswith("Nhấn H để hủy.")
        assert str(today.query_one("#on-air-title").render()) != "Không có gì đang phát."

        await pilot.press("h")
        await until(
            app,
            pilot,
            lambda: today.view is not None and today.view.emergency is None,
            "the emergency cancelled",
            timeout=30,
        )
        assert not today.query_one("#emergency-banner").display

    with on_air.db.session() as session:
        rows = session.exec(
            select(BroadcastLog).where(BroadcastLog.priority == Priority.EMERGENCY).order_by(col(BroadcastLog.id))
        ).all()
    assert rows and rows[0].item_title == "Tín hiệu khẩn cấp"
    assert all(row.operator == ADMIN.full_name for row in rows)


async def test_a_daemon_without_its_sound_device_is_shown_as_an_error(station_dir: Path, tmp_path: Path) -> None:
    missing = "loa-khong-co-that"
    with daemon_running(station_dir, tmp_path, TRUYENTHANH_OUTPUT="device", TRUYENTHANH_OUTPUT_DEVICE=missing) as built:
        app = TruyenthanhApp(StationBackend(built), start_daemon=False)
        async with app.run_test(size=(140, 36)) as pilot:
            screen = app.screen
            assert isinstance(screen, TodayScreen)
            await settle(app, pilot)
            assert screen.view is not None and screen.view.daemon_up
            warnings = str(screen.query_one("#warnings").render())
            assert f"Đầu ra âm thanh có lỗi: Không mở được thiết bị âm thanh «{missing}»" in warnings
            assert "Các buổi phát sẽ không ra loa cho đến khi sửa xong" in warnings
            assert "Dịch vụ phát (daemon) không chạy" not in warnings
