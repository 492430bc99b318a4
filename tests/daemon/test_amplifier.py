"""The amplifier relay's commands run as argument lists, never through a shell: a TOML list as it is, a string
split the platform's way; a command that fails is published, and the daemon carries on."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daemon.conftest import Station
from tests.fakes import FakePlayout, FrozenClock
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.daemon import Daemon
from truyenthanh.protocol import Problem

WRITE = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2], encoding='utf-8')"


def _station(station_dir: Path, clock: FrozenClock, **settings: object) -> Iterator[Station]:
    container = bootstrap.build(load_settings(station_dir, **settings), clock=clock)
    container.station.init()
    fake = FakePlayout(clock)
    built = Station(container, clock, fake, Daemon(container, output="device", playout=fake))
    built.daemon.journal.send = built.sent.append
    yield built
    container.close()


@pytest.fixture
def relay_file(tmp_path: Path) -> Path:
    """Where the relay "program" writes its state: a folder with a space, as on Windows' Program Files."""
    folder = tmp_path / "Relay Tools"
    folder.mkdir()
    return folder / "state.txt"


def test_a_list_and_a_string_both_run_without_a_shell(station_dir: Path, clock: FrozenClock, relay_file: Path) -> None:
    on = [sys.executable, "-c", WRITE, str(relay_file), "bật; echo không chạy qua shell"]
    off = shlex.join([sys.executable, "-c", WRITE, str(relay_file), "tắt"])
    for station in _station(station_dir, clock, amplifier_on_command=on, amplifier_off_command=off):
        station.daemon.amplifier.switch(True)
        assert relay_file.read_text(encoding="utf-8") == "bật; echo không chạy qua shell"
        assert station.daemon.amplifier.on
        station.daemon.amplifier.switch(False)
        assert relay_file.read_text(encoding="utf-8") == "tắt"
        assert station.events() == []


def test_a_failing_or_unreadable_command_is_published_not_raised(station_dir: Path, clock: FrozenClock) -> None:
    on = [sys.executable, "-c", "raise SystemExit(3)"]
    for station in _station(station_dir, clock, amplifier_on_command=on, amplifier_off_command="relay 'off"):
        station.daemon.amplifier.switch(True)
        station.daemon.amplifier.switch(False)
        problems = [event.message for event in station.events() if isinstance(event, Problem)]
        assert len(problems) == 2 and all(message.startswith("Lệnh bật/tắt âm ly lỗi") for message in problems)
        assert "«amplifier_on_command»" in problems[0] and "exit status 3" in problems[0]
        assert "«amplifier_off_command»" in problems[1] and "thiếu dấu nháy đóng" in problems[1]
