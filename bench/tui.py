"""How fast the operator's TUI starts on a busy station, and how fast it answers keys while the daemon plays.

1. Start to first frame on a station with 5,000 broadcast-log rows and 500 programmes, its daemon running:
   ``truyenthanh --data-dir STATION tui`` is started in a pseudo-terminal (120x40) and the bytes it writes are
   watched: "first frame" is when the screen's navigation line arrives, "rundown" when the first row of today's
   rundown arrives (the data is read by a worker after the first frame). Also the in-process figure (a
   ``python -c`` script that builds the container and the app headless, no CLI) up to the painted "Hôm nay"
   view. Baselines in the same run: the command on an empty station, and a bare Textual app with one label in
   the same pseudo-terminal. Each line gives wall-clock time and the child's CPU time (user + system), which a
   shared machine disturbs less.
2. Key to repaint while the daemon plays: the daemon (a real subprocess, playing a long programme into a file
   output in real time) is on air; the TUI moves the cursor through the 5,000-row log table and switches
   screens, and each key's time to the next repaint is measured. Baseline in the same run: the same keys on a
   bare Textual app with a DataTable of the same rows, no daemon.

Targets (issue 6): first frame <= 1 s; key to repaint <= 100 ms.

Run: ``.venv/bin/python -m bench.tui``
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.media import make_tone

FIRST_FRAME_TUI = r"""
import sys, time
started = time.perf_counter()
from pathlib import Path
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend

class Bench(TruyenthanhApp):
    def on_today_loaded(self, _message):
        self.call_after_refresh(self.done)
    def done(self):
        print(f"{time.perf_counter() - started:.6f}", flush=True)
        self.exit()

container = bootstrap.build(load_settings(Path(sys.argv[1])))
Bench(StationBackend(container), start_daemon=False).run(headless=True, size=(120, 40))
"""

FIRST_FRAME_BARE = r"""
from textual.app import App
from textual.widgets import Label

class Bare(App):
    BINDINGS = [("ctrl+q", "quit")]
    def compose(self):
        yield Label("F2 Hôm nay")

Bare().run()
"""

NAVIGATION = "F2 Hôm nay"
"""Text of the status bar's first link: on screen from the first frame of every station screen."""


def fill_station(folder: Path, *, log_rows: int, programmes: int) -> None:
    """Initialise a station and write ``programmes`` programmes (3 items each, 20 of them scheduled daily) and
    ``log_rows`` chained broadcast-log rows."""
    from truyenthanh import bootstrap
    from truyenthanh.adapters.db import chains
    from truyenthanh.adapters.db.models import AudioAsset, BroadcastLog, Programme, ProgrammeItem, Schedule
    from truyenthanh.config import load_settings
    from truyenthanh.domain.enums import ContentStatus, ItemKind, Outcome

    container = bootstrap.build(load_settings(folder))
    container.station.init()
    if programmes == 0 and log_rows == 0:
        container.close()
        return
    now = datetime.now(UTC)
    with container.db.session() as session:
        asset = AudioAsset(
            path="bench/tone.wav", sha256="0" * 64, duration_s=300.0, format="wav", channels=1, sample_rate=48000,
            title="Bản tin mẫu",
        )  # fmt: skip
        session.add(asset)
        session.flush()
        for number in range(programmes):
            programme = Programme(title=f"Chương trình số {number + 1}", status=ContentStatus.APPROVED)
            session.add(programme)
            session.flush()
            assert programme.id is not None
            for position in range(3):
                session.add(
                    ProgrammeItem(
                        programme_id=programme.id, position=position, kind=ItemKind.AUDIO, asset_id=asset.id,
                        title=f"Mục {position + 1}",
                    )
                )  # fmt: skip
            if number < 20:
                session.add(
                    Schedule(
                        programme_id=programme.id,
                        start_at=now.replace(hour=number % 24, minute=0, second=0, microsecond=0),
                        rrule="FREQ=DAILY",
                    )
                )
        for number in range(log_rows):
            at = now - timedelta(hours=3 * number)
            chains.append_broadcast(
                session,
                BroadcastLog(
                    programme_title=f"Chương trình số {number % programmes + 1}" if programmes else "Chương trình",
                    item_title="Mục 1",
                    scheduled_start=at,
                    actual_start=at + timedelta(milliseconds=3),
                    end=at + timedelta(minutes=5),
                    outcome=Outcome.PLAYED,
                    recorded_at=at,
                ),
            )
    container.close()


def in_terminal(command: list[str], markers: list[str], *, size: tuple[int, int] = (120, 40)) -> list[float]:
    """Start ``command`` in a pseudo-terminal of ``size`` (columns, rows); return the seconds from the start
    until each of ``markers`` appeared in its output, then the child's CPU seconds (user + system). The app
    is closed with Ctrl+Q once every marker was seen."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    wanted = {marker: marker.encode() for marker in markers}
    seen: dict[str, float] = {}
    output = b""
    deadline = time.monotonic() + 60
    try:
        while len(seen) < len(markers):
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"{command[-1]}: {sorted(set(markers) - set(seen))} never appeared:\n"
                                 + output.decode(errors="replace")[-2000:])  # fmt: skip
            if select.select([master], [], [], 0.2)[0]:
                output += os.read(master, 1 << 16)
                for marker, encoded in wanted.items():
                    if marker not in seen and encoded in output:
                        seen[marker] = time.perf_counter() - started
        os.write(master, b"\x11")  # Ctrl+Q
        while True:  # keep reading, or the app blocks writing its last frame
            if select.select([master], [], [], 0.2)[0]:
                try:
                    os.read(master, 1 << 16)
                except OSError:  # the child closed the terminal
                    break
            elif process.poll() is not None:
                break
        _pid, _status, usage = os.wait4(process.pid, 0)
        process.returncode = 0
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
        os.close(master)
    return [*(seen[m] for m in markers), usage.ru_utime + usage.ru_stime]


def command_first_frames(folder: Path, rundown_marker: str, *, runs: int) -> tuple[list[float], ...]:
    """First frame, rundown shown and CPU seconds of ``truyenthanh tui`` on ``folder``, ``runs`` times."""
    command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(folder), "tui"]
    found = [in_terminal(command, [NAVIGATION, rundown_marker]) for _ in range(runs)]
    return tuple(list(column) for column in zip(*found, strict=True))


def first_frame(script: str, *args: str, runs: int) -> list[float]:
    """Seconds from starting ``python`` to the first painted frame, one fresh process per run: the child's own
    time from its first line to the frame, plus the time an empty interpreter takes to start."""
    found = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False, timeout=120
        )
        if result.returncode != 0:
            raise SystemExit(f"the app failed to start:\n{result.stderr[-3000:]}")
        found.append(float(result.stdout.strip().splitlines()[-1]) + _spawn_cost())
    return found


_SPAWN: list[float] = []


def _spawn_cost() -> float:
    """Seconds to start and stop an empty interpreter (part of every start, measured once)."""
    if not _SPAWN:
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            samples.append(time.perf_counter() - started)
        _SPAWN.append(min(samples))
    return _SPAWN[0]


async def key_latencies(app: Any, keys: list[str], size: tuple[int, int]) -> list[float]:
    """Seconds from each key press to the end of the repaint it caused (Pilot, headless)."""
    found = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.5)
        for key in keys:
            started = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()  # the refresh the key scheduled has run
            found.append(time.perf_counter() - started)
    return found


def tui_latencies(folder: Path, keys: list[str]) -> list[float]:
    """Key latencies of the real TUI on the station (daemon link live)."""
    from truyenthanh import bootstrap
    from truyenthanh.config import load_settings
    from truyenthanh.tui.app import TruyenthanhApp
    from truyenthanh.tui.backend import StationBackend

    container = bootstrap.build(load_settings(folder))
    try:
        app = TruyenthanhApp(StationBackend(container), start_daemon=False)
        return asyncio.run(key_latencies(app, keys, (140, 40)))
    finally:
        container.close()


def bare_latencies(rows: int, keys: list[str]) -> list[float]:
    """Key latencies of a bare Textual app holding a DataTable of ``rows`` rows (the baseline)."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*(f"Cột {i}" for i in range(10)))
            table.add_rows([tuple(f"ô {r}.{c}" for c in range(10)) for r in range(rows)])
            table.focus()

    return asyncio.run(key_latencies(Bare(), [k for k in keys if not k.startswith("f")], (140, 40)))


def start_daemon(folder: Path, output: Path) -> subprocess.Popen[bytes]:
    """The station's daemon playing into a file in real time; returns once it answers."""
    from truyenthanh.adapters.control import ControlClient
    from truyenthanh.locations import resolve

    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(folder), "daemon", "--output", f"file:{output}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = ControlClient(resolve(folder).runtime_dir, timeout=2)
    deadline = time.monotonic() + 30
    while not client.is_running():
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise SystemExit("the daemon did not start")
        time.sleep(0.1)
    return process


BENCH_PASSWORD = "mật-khẩu-đo-hiệu-năng"
"""Password of the bench's account (it opens the session that play-now carries)."""


def play_now(folder: Path, audio: Path) -> None:
    """Put a long programme on air through the daemon's control socket."""
    from truyenthanh import bootstrap
    from truyenthanh.adapters.control import ControlClient
    from truyenthanh.config import load_settings
    from truyenthanh.domain.enums import Role

    # The bench acts as a single operator, whose programmes are approved as they are made.
    container = bootstrap.build(load_settings(folder, single_operator=True, single_operator_name="Đo Hiệu Năng"))
    try:
        actor = container.accounts.single_operator_actor()
        [imported] = container.library.add(actor, [audio]).imported
        programme = container.scheduling.programme_for_asset(actor, imported.id, title="Bài dài (đo độ trễ)")
        client = ControlClient(container.locations.runtime_dir)
        # The daemon puts nothing on air without a session token, which the services issue to an account.
        accounts = container.accounts
        if not accounts.has_users():
            accounts.add(
                None, username="dohieunang", full_name="Đo Hiệu Năng", role=Role.ADMIN, password=BENCH_PASSWORD
            )
        session = accounts.open_session(accounts.login("dohieunang", BENCH_PASSWORD))
        client.request("play_now", programme=programme, session=session)
        deadline = time.monotonic() + 15
        while (client.request("status") or {}).get("playing") is None:
            if time.monotonic() > deadline:
                raise SystemExit("the daemon did not start playing")
            time.sleep(0.1)
    finally:
        container.close()


def summary(values: list[float]) -> str:
    """min / median / p95 / max in milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"min {ordered[0] * 1000:7.1f}  median {statistics.median(ordered) * 1000:7.1f}  "
        f"p95 {p95 * 1000:7.1f}  max {ordered[-1] * 1000:7.1f} ms"
    )


def main() -> None:
    """Build the stations, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per first-frame measurement")
    parser.add_argument("--log-rows", type=int, default=5000)
    parser.add_argument("--programmes", type=int, default=500)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as temporary:
        root = Path(temporary)
        busy, empty = root / "busy", root / "empty"
        started = time.perf_counter()
        fill_station(busy, log_rows=options.log_rows, programmes=options.programmes)
        fill_station(empty, log_rows=0, programmes=0)
        print(f"stations built in {time.perf_counter() - started:.1f} s "
              f"({options.log_rows} log rows, {options.programmes} programmes)")  # fmt: skip

        keys = ["f7", *["down"] * 40, "pagedown", "pagedown", "f2", "f5", "f7", *["up"] * 20]
        audio = make_tone(root / "bai-dai.wav", seconds=600, hz=440)
        daemon = start_daemon(busy, root / "on-air.wav")
        idle_daemon = start_daemon(empty, root / "empty-air.wav")
        time.sleep(5)  # a daemon just started is still busy (it renders its filler): let both settle first
        try:
            print(f"\nStart to first frame (fresh process each run, {options.runs} runs, 120x40):")
            frame, rundown, cpu = command_first_frames(busy, "Chương trình số", runs=options.runs)
            print("  truyenthanh tui, busy station, in a terminal (daemon running):")
            print(f"    first frame            {summary(frame)}")
            print(f"    rundown shown          {summary(rundown)}")
            print(f"    CPU time               {summary(cpu)}")
            print("  app script, busy station, headless: Hôm nay painted")
            print(f"                           {summary(first_frame(FIRST_FRAME_TUI, str(busy), runs=options.runs))}")
            frame, rundown, cpu = command_first_frames(empty, "Hôm nay không còn buổi phát nào", runs=options.runs)
            print("  baseline: truyenthanh tui, empty station, rundown shown")
            print(f"                           {summary(rundown)}")
            bare = [in_terminal([sys.executable, "-c", FIRST_FRAME_BARE], [NAVIGATION]) for _ in range(options.runs)]
            print("  baseline: bare Textual app in a terminal, first frame")
            print(f"                           {summary([wall for wall, _cpu in bare])}")
            print(f"    CPU time               {summary([cpu for _wall, cpu in bare])}")
            print("  target: <= 1000 ms")
        finally:
            idle_daemon.terminate()
            idle_daemon.wait(timeout=20)
        try:
            play_now(busy, audio)
            print("\nKey to repaint while the daemon plays (log table of the busy station, screen switches):")
            print(f"  TUI, daemon on air       {summary(tui_latencies(busy, keys))}")
        finally:
            daemon.terminate()
            daemon.wait(timeout=20)
        print(f"  baseline: bare DataTable {summary(bare_latencies(min(options.log_rows, 2000), keys))}")
        print("  target: <= 100 ms")


if __name__ == "__main__":
    main()
