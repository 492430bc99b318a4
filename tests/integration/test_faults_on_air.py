"""Issue 14 through the real daemon (a subprocess) on the private PulseAudio null sink, its monitor recorded:
an audio file cut short after scheduling is logged partial and the filler covers the rest of its slot with no
silence longer than the engine's early-end tolerance; on a full disk (a real tmpfs) the daemon still starts,
answers ``status`` with the disk warning, and airs what it can read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from bench.onset import MonitorRecording

from tests.integration.test_cli import write_role_settings
from tests.integration.test_daemon import OPERATOR, cli, daemon, log_rows, schedule_file, wait_for
from tests.integration.test_faults_playout import truncated_mp3
from tests.integration.test_schedule_cli import tone
from tests.people import ADMIN
from tests.pulse import RATE, PulseServer
from truyenthanh import bootstrap
from truyenthanh.adapters.control import ControlClient
from truyenthanh.adapters.playout.engine import EARLY_TOLERANCE_S
from truyenthanh.config import load_settings
from truyenthanh.domain.station import StationRules

pytestmark = [pytest.mark.slow, pytest.mark.realtime]

WINDOW_S = 0.05
QUIET = 300
"""Peak below this (about -40 dBFS) in a window counts as silence."""


def _environment(folder: Path, pulse_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in pulse_env.items() if not k.startswith("TRUYENTHANH_")}
    env.update(
        TRUYENTHANH_OUTPUT="device",
        TRUYENTHANH_TTS_ENGINE="espeak",
        TRUYENTHANH_SINGLE_OPERATOR="true",
        TRUYENTHANH_SINGLE_OPERATOR_NAME=OPERATOR,
    )
    write_role_settings(folder, env)  # read from the config file only
    return env


def _initialise(folder: Path) -> None:
    built = bootstrap.build(load_settings(folder))
    built.station.init()
    built.scheduling.set_rules(ADMIN, StationRules())
    built.close()


@pytest.fixture
def on_air(station_dir: Path, pulse_env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """An initialised station without session rules, its daemon to play into the null sink."""
    env = _environment(station_dir, pulse_env)
    _initialise(station_dir)
    return station_dir, env


def sounding_windows(recording: MonitorRecording) -> np.ndarray:
    """Whether each 50 ms window of the recording sounds."""
    samples = np.frombuffer(recording.samples.tobytes(), dtype=np.int16).astype(np.int32)
    size = int(RATE * WINDOW_S)
    usable = len(samples) - len(samples) % size
    peaks: np.ndarray = np.abs(samples[:usable]).reshape(-1, size).max(axis=1)
    return peaks >= QUIET


def longest_run(flags: np.ndarray, value: bool) -> int:
    """The longest run of ``value`` in ``flags``."""
    best = run = 0
    for flag in flags:
        run = run + 1 if bool(flag) is value else 0
        best = max(best, run)
    return best


def test_a_file_cut_short_after_scheduling_is_logged_partial_and_the_filler_covers_its_slot(
    on_air: tuple[Path, dict[str, str]], pulse: PulseServer, tmp_path: Path
) -> None:
    folder, env = on_air
    whole = tmp_path / "whole.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=10", "-ac", "1",
         "-c:a", "libmp3lame", "-b:a", "32k", "-write_xing", "0", str(whole)],
        check=True,
    )  # fmt: skip
    recording = MonitorRecording(pulse)
    with daemon(folder, env):
        recording.start()
        at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
        schedule_file(folder, env, whole, at)  # the library measures its 10 s now
        [stored] = list((folder / "media").rglob("*.mp3"))
        stored.write_bytes(truncated_mp3(tmp_path, xing=False).read_bytes())  # then the file is damaged
        wait_for(lambda: any(r["outcome"] == "partial" for r in log_rows(folder, env)), 25, "the cut airing")
        wait_for(lambda: len(log_rows(folder, env)) >= 2, 15, "the filler's row")
        recording.stop()
        rows = log_rows(folder, env)
    cut = rows[0]
    assert cut["outcome"] == "partial" and "Kết thúc sớm: tệp chỉ phát được" in cut["reason"], cut
    assert "Nhạc đệm dự phòng" in cut["reason"]
    flags = sounding_windows(recording)
    first = int(np.argmax(flags))
    slot = flags[first : first + int(10.0 / WINDOW_S)]
    assert len(slot) == int(10.0 / WINDOW_S) and slot.any()
    gap_s = longest_run(slot, False) * WINDOW_S
    assert gap_s < EARLY_TOLERANCE_S, f"{gap_s:.2f} s of silence in the slot"
    # The filler is cut to the slot: nothing sounds from half a second after it on.
    assert not flags[first + int(10.5 / WINDOW_S) :].any()


def _mount_small_disk(mount: Path) -> None:
    mount.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)]
    mounted = subprocess.run(command, capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")


@pytest.fixture
def full_disk_station(tmp_path: Path, pulse_env: dict[str, str]) -> Iterator[tuple[Path, dict[str, str], Path]]:
    """A station on a 16 MiB tmpfs (unmounted afterwards); the test fills it."""
    mount = tmp_path / "disk"
    _mount_small_disk(mount)
    try:
        folder = mount / "station"
        env = _environment(folder, pulse_env)
        _initialise(folder)
        yield folder, env, mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path) -> Path:
    ballast = mount / "ballast.bin"
    descriptor = os.open(ballast, os.O_WRONLY | os.O_CREAT, 0o600)
    block = b"\0" * 65536
    try:
        while True:
            try:
                os.write(descriptor, block)
            except OSError:
                if len(block) == 1:
                    break
                block = block[: len(block) // 2]  # the last few kilobytes too
    finally:
        os.close(descriptor)
    return ballast


@contextmanager
def daemon_off_disk(station: Path, env: dict[str, str], log_file: Path) -> Iterator[subprocess.Popen[str]]:
    """The daemon with its output kept off the station's disk (which is full), until the block ends."""
    with log_file.open("a", encoding="utf-8") as log:
        command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(station), "daemon"]
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            client = ControlClient(station / "run")
            wait_for(lambda: client.is_running() or process.poll() is not None, 30, "the daemon")
            assert process.poll() is None, "daemon did not start:\n" + log_file.read_text(encoding="utf-8")
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(20)


def test_on_a_full_disk_the_daemon_starts_warns_and_airs_what_it_can_read(
    full_disk_station: tuple[Path, dict[str, str], Path], pulse: PulseServer, tmp_path: Path
) -> None:
    folder, env, mount = full_disk_station
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=20)
    schedule_file(folder, env, tone(tmp_path / "tin.wav", 1.0), at)
    with daemon_off_disk(folder, env, tmp_path / "first-run.log"):
        pass  # a station that has run before: its filler and alert tunes are in the cache
    ballast = _fill(mount)
    assert os.statvfs(mount).f_bavail == 0
    recording = MonitorRecording(pulse)
    daemon_log = tmp_path / "daemon.log"
    with daemon_off_disk(folder, env, daemon_log):
        recording.start()
        status = cli(folder, env, "status")
        assert "Traceback" not in status.stderr, status.stderr
        assert status.returncode == 0, status.stderr
        assert f"Cảnh báo: đĩa chứa dữ liệu của đài ({folder}) đã đầy" in status.stderr
        as_json = json.loads(cli(folder, env, "status", "--json").stdout)
        assert as_json["daemon"]["running"] is True
        wait_for(lambda: datetime.now(UTC) > at + timedelta(seconds=2), 40, "the airing")
        recording.stop()
        ballast.unlink()  # the disk is back: the airing's log row is written
        wait_for(lambda: any(r["outcome"] == "played" for r in log_rows(folder, env)), 20, "the journalled row")
    onsets = recording.onsets()
    assert len(onsets) == 1 and abs(onsets[0] - at.timestamp()) < 0.5, onsets
    said = daemon_log.read_text(encoding="utf-8")
    assert "Traceback" not in said, said
