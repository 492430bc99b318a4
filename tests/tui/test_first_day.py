"""The operator's first day, end to end, keys only: the real TUI in tmux on a station fresh from ``init`` (not the
demo), the daemon it starts, the private PulseAudio sink.

Thiết lập đài (commune and province typed) → F10 the first admin and an approver → F11 no quiet hours (the test
runs at any hour) → F3 import an audio file with the picker → F6 an announcement, read aloud and submitted → F4 a
programme of the file and the announcement, submitted → Ctrl+L the approver, F8 approves both → Ctrl+L the admin,
F5 schedules the programme a minute ahead → the sink hears it on time → its rows appear on F7 Nhật ký without a
key → W writes this week's logbook, whose header carries the commune and province that were typed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest

from tests.pulse import Recorder
from tests.tui.test_end_to_end import Terminal, stop_started_daemon

pytestmark = [
    pytest.mark.slow,
    pytest.mark.realtime,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/setup.sh"),
]

PASSWORD = "matkhau-2026"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
LEAD_S = 60
"""How far ahead the programme is scheduled, in seconds."""
TONE_COMMAND = ("ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-ar", "48000")
"""Makes the audio file the operator imports: three seconds of 440 Hz, loud enough to be heard on the sink."""
PAUSE_S = 0.4
"""Between keys that move focus: keys sent at once may reach a widget before focus has moved."""


@pytest.fixture
def fresh_station(station_dir: Path, pulse_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A station made by ``truyenthanh init`` (no commune), with an offline voice; and a home folder holding
    one audio file for the picker to find. Stops the daemon the TUI starts."""
    env = {k: v for k, v in pulse_env.items() if not k.startswith("TRUYENTHANH_")}
    subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station_dir), "init"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    config = station_dir / "truyenthanh.toml"
    # Offline voice (no network here); the daemon plays on the default sink, the private null sink.
    config.write_text(
        config.read_text(encoding="utf-8") + '\ntts_engine = "espeak"\noutput = "device"\n', encoding="utf-8"
    )
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run(
        [*TONE_COMMAND, str(home / "nhac-hieu.wav")],
        check=True,
        timeout=60,
    )
    yield station_dir, home
    stop_started_daemon(station_dir)


def _keys(terminal: Terminal, *keys: str) -> None:
    """Send keys one at a time, pausing after each."""
    for key in keys:
        terminal.keys(key)
        time.sleep(PAUSE_S)


def _type(terminal: Terminal, text: str) -> None:
    terminal.type(text)
    time.sleep(PAUSE_S)


def _choose(terminal: Terminal, search: str) -> None:
    """Open the focused drop-down, type to find an option, and take it."""
    _keys(terminal, "Enter")
    _type(terminal, search)
    _keys(terminal, "Enter")


def _log_in(terminal: Terminal, username: str, full_name: str) -> None:
    """Answer the login dialog that is open (or opening) and wait for the header to name the person."""
    terminal.wait_for(lambda s: "Đăng nhập để tiếp tục" in s, 30, "the login dialog")
    _type(terminal, username)
    _keys(terminal, "Tab")
    _type(terminal, PASSWORD)
    terminal.keys("C-s")
    terminal.wait_for(lambda s: full_name in s.splitlines()[1], 30, f"{full_name} in the header")


def _set_up_station(terminal: Terminal) -> None:
    terminal.wait_for(lambda s: "Thiết lập đài" in s and "Tỉnh, thành phố" in s, 60, "the first-start setup")
    _type(terminal, "Đài truyền thanh xã Xuân Viên")
    _keys(terminal, "Tab")
    _choose(terminal, "Phú T")
    _keys(terminal, "Tab")
    _type(terminal, "Xuân Viên")
    terminal.wait_for(lambda s: "UBND xã Xuân Viên, tỉnh Phú Thọ" in s, 30, "the governing body suggested")
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "Phát: đang chạy" in s and "Tỉnh, thành phố" not in s, 60, "the setup saved")


def _add_accounts(terminal: Terminal) -> None:
    _keys(terminal, "F10", "n")
    terminal.wait_for(lambda s: "Tài khoản quản trị đầu tiên của đài" in s, 30, "the first account's form")
    _type(terminal, "quantri")
    _keys(terminal, "Tab")
    _type(terminal, "Lê Văn Quản")
    _keys(terminal, "Tab", "Tab")  # the role of the first account is Quản trị
    _type(terminal, PASSWORD)
    _keys(terminal, "Tab")
    _type(terminal, PASSWORD)
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "Đã thêm tài khoản «quantri»" in s, 30, "the first admin")
    _keys(terminal, "n")
    terminal.wait_for(lambda s: "Thêm tài khoản" in s, 30, "the account form")
    _type(terminal, "duyet")
    _keys(terminal, "Tab")
    _type(terminal, "Nguyễn Văn Duyệt")
    _keys(terminal, "Tab")
    _choose(terminal, "Duy")
    terminal.wait_for(lambda s: "Duyệt (approver)" in s, 30, "the approver role chosen")
    _keys(terminal, "Tab")
    _type(terminal, PASSWORD)
    _keys(terminal, "Tab")
    _type(terminal, PASSWORD)
    terminal.keys("C-s")  # the station has an admin now: the save asks who makes it, then carries on
    _log_in(terminal, "quantri", "Lê Văn Quản")
    terminal.wait_for(lambda s: "Nguyễn Văn Duyệt  Duyệt" in s, 30, "the approver in the list")


def _drop_quiet_hours(terminal: Terminal) -> None:
    _keys(terminal, "F11")
    terminal.wait_for(lambda s: "21:30   05:00" in s, 30, "the rules screen with the default quiet hours")
    _keys(terminal, "Tab", "Delete")
    terminal.wait_for(lambda s: "Bỏ giờ yên lặng 21:30–05:00?" in s, 30, "the question")
    terminal.keys("y")
    terminal.wait_for(lambda s: "Đã xóa." in s, 30, "the quiet hours removed")


def _import_with_the_picker(terminal: Terminal) -> None:
    _keys(terminal, "F3", "i")
    terminal.wait_for(lambda s: "Nhập tệp âm thanh vào thư viện" in s, 30, "the import form")
    terminal.keys("C-o")
    terminal.wait_for(lambda s: "nhac-hieu.wav" in s, 30, "the picker showing the home folder")
    _keys(terminal, "Down", "Space")
    terminal.wait_for(lambda s: "Đã chọn 1 tệp: nhac-hieu.wav" in s, 30, "the file chosen")
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "Đã chọn 1 tệp: nhac-hieu.wav" in s and "Chọn tệp âm thanh" not in s, 30, "back")
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "Đã nhập 1 tệp." in s, 60, "the import")


def _announce_and_submit(terminal: Terminal) -> None:
    _keys(terminal, "F6")
    terminal.wait_for(lambda s: "Giọng đọc sẽ đọc là" in s, 30, "the announcements screen")
    _type(terminal, "Họp dân")
    _keys(terminal, "Enter")
    _type(terminal, "UBND xã mời bà con họp lúc 7h30.")
    terminal.wait_for(lambda s: "Ủy ban nhân dân xã mời" in s, 30, "the spoken form")
    terminal.keys("C-r")
    terminal.wait_for(lambda s: "đã đọc bằng espeak" in s, 60, "the reading")
    terminal.keys("C-g")
    terminal.wait_for(lambda s: "Chờ duyệt; đã đọc bằng espeak" in s, 30, "the announcement submitted")


def _programme_and_submit(terminal: Terminal) -> None:
    _keys(terminal, "F4", "n")
    terminal.wait_for(lambda s: "Chương trình mới" in s, 30, "the new programme form")
    _type(terminal, "Bản tin chiều")
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "Đã tạo chương trình «Bản tin chiều»" in s, 30, "the programme")
    for search, shown in (("", "nhac-hieu (0:03)"), ("Thông", "Họp dân")):
        _keys(terminal, "a")
        terminal.wait_for(lambda s: "Thêm mục vào chương trình" in s, 30, "the item form")
        if search:  # the kind of item (Âm thanh by default)
            _choose(terminal, search)
        _keys(terminal, "Tab")
        _choose(terminal, shown.split(" ")[0])
        terminal.wait_for(_shows(shown), 30, f"{shown} chosen")
        terminal.keys("C-s")
        terminal.wait_for(lambda s: "Thêm mục vào chương trình" not in s, 30, "the item added")
    terminal.wait_for(lambda s: "Bản tin chiều  Bản nháp" in s and "Họp dân" in s, 30, "two items")
    _keys(terminal, "g")
    terminal.wait_for(lambda s: "Bản tin chiều  Chờ duyệt" in s, 30, "the programme submitted")


def _approve_as_the_approver(terminal: Terminal) -> None:
    terminal.keys("C-l")
    _log_in(terminal, "duyet", "Nguyễn Văn Duyệt")
    _keys(terminal, "F8")
    queue = terminal.wait_for(
        lambda s: "Nội dung và thay đổi" in s and all(title in _queue(s) for title in ("Họp dân", "Bản tin chiều")),
        10,
        "both rows in the queue, the detail below it",
    )
    assert _queue(queue).index("Họp dân") < _queue(queue).index("Bản tin chiều"), "oldest first"
    for kind, title in (("thông báo", "Họp dân"), ("chương trình", "Bản tin chiều")):
        _keys(terminal, "d")
        terminal.wait_for(_shows(f"Duyệt {kind} «{title}»"), 30, f"the question for {title}")
        terminal.keys("y")
        terminal.wait_for(_left_the_queue(title), 30, f"{title} approved")


def _shows(text: str) -> Callable[[str], bool]:
    """A check that the screen shows ``text``."""
    return lambda screen: text in screen


def _left_the_queue(title: str) -> Callable[[str], bool]:
    """A check that ``title`` is no longer in the Chờ duyệt list."""
    return lambda screen: title not in _queue(screen)


def _queue(screen: str) -> str:
    """The Chờ duyệt list, without the detail of the chosen row below it."""
    return screen.split("Nội dung và thay đổi", maxsplit=1)[0]


def _schedule_a_minute_ahead(terminal: Terminal) -> datetime:
    terminal.keys("C-l")
    _log_in(terminal, "quantri", "Lê Văn Quản")
    _keys(terminal, "F5", "a")
    terminal.wait_for(lambda s: "Thêm lịch phát" in s, 30, "the schedule form")
    _choose(terminal, "Bản")
    terminal.wait_for(lambda s: "Bản tin chiều   " in s, 30, "the programme chosen")
    _keys(terminal, "Tab", "Tab", "Tab")  # repeat, date → time
    at = (datetime.now(ZONE) + timedelta(seconds=LEAD_S)).replace(microsecond=0)
    _type(terminal, at.strftime("%H:%M:%S"))
    terminal.wait_for(lambda s: f"Sẽ phát: Một lần, {at:%H:%M:%S}" in s, 30, "the summary")
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "Đã lưu lịch: Bản tin chiều" in s, 30, "the schedule saved")
    return at


def _wait_past_midnight() -> None:
    """The schedule form's date is today's: keep the airing on the day the form shows."""
    now = datetime.now(ZONE)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=ZONE)
    if midnight - now < timedelta(minutes=4):
        time.sleep((midnight - now).total_seconds() + 1)


def test_first_day_from_a_fresh_station_to_the_weekly_logbook(
    fresh_station: tuple[Path, Path], pulse_env: dict[str, str], recorder: Recorder, tmp_path: Path
) -> None:
    folder, home = fresh_station
    _wait_past_midnight()
    env = {k: v for k, v in pulse_env.items() if not k.startswith("TRUYENTHANH_")}
    terminal = Terminal(
        tmp_path / "tmux.sock",
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(folder), "tui"],
        # COLUMNS and LINES would override the window's size if inherited from the test's environment.
        {**env, "HOME": str(home), "TERM": "xterm-256color", "PATH": os.environ.get("PATH", "")}
        | {"COLUMNS": "100", "LINES": "30"},
        size=(100, 30),
    )
    try:
        _set_up_station(terminal)
        _add_accounts(terminal)
        _drop_quiet_hours(terminal)
        _import_with_the_picker(terminal)
        _announce_and_submit(terminal)
        _programme_and_submit(terminal)
        _approve_as_the_approver(terminal)
        with recorder.record() as recordings:
            at = _schedule_a_minute_ahead(terminal)
            _keys(terminal, "F7")
            terminal.wait_for(lambda s: "Nhật ký phát thanh — 0 dòng" in s, 30, "the empty log")
            # No key from here: the rows must appear as the daemon writes them.
            shown = terminal.wait_for(
                lambda s: s.count("Đã phát") >= 2, LEAD_S + 60, "the airing's rows on Nhật ký without a key"
            )
        assert "Bản tin chiều  nhac-hieu" in shown and "Bản tin chiều  Họp dân" in shown
        levels = recordings[0].rms_windows(0.001)
        skip = max(0, int((at.timestamp() - 1.0 - recordings[0].started_at) * 1000))
        heard = next((i for i in range(skip, len(levels)) if levels[i] > 0.01), None)
        assert heard is not None, "the sink heard nothing around the scheduled instant"
        error_s = recordings[0].started_at + heard / 1000 - at.timestamp()
        assert abs(error_s) < 0.5, f"first sound {error_s:+.3f} s from the scheduled instant"

        terminal.keys("w")
        terminal.wait_for(lambda s: "Đã ghi" in s, 30, "the weekly logbook written")
        [logbook] = (folder / "reports").glob("so-nhat-ky-*.docx")
        week = datetime.now(ZONE).isocalendar()
        assert logbook.name == f"so-nhat-ky-{week.year}-W{week.week:02d}.docx"  # this week, not the last
        header = [cell.text for cell in docx.Document(str(logbook)).tables[0].rows[0].cells]
        assert header[0].startswith("UBND XÃ XUÂN VIÊN, TỈNH PHÚ THỌ\nĐÀI TRUYỀN THANH XÃ XUÂN VIÊN"), header
        assert f"Xuân Viên, ngày {datetime.now(ZONE):%d} tháng" in header[1], header
    finally:
        terminal.close()
