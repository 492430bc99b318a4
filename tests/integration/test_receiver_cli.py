"""``truyenthanh receiver enrol|run|status`` as real processes: enrolment with a one-time code, a receiver killed
with -9 and restarted that carries on from its own copy (and reports what it missed while down), and its report
of itself."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.audio import tone
from tests.fleet.mosquitto import MISSING, Mosquitto, make_accounts
from tests.fleet.station_sim import StationSim, airing, null_sink
from tests.pulse import PulseServer, Recorder
from truyenthanh.domain.fleet import PlayedOutcome

RECEIVER, ZONE = "loa-a", "thon-a"


@pytest.fixture
def station(tmp_path: Path) -> Iterator[StationSim]:
    """A private mosquitto that knows ``loa-a`` in ``thon-a``, and the simulated station on it."""
    if shutil.which("mosquitto") is None:
        pytest.fail(MISSING)
    accounts, passwords = make_accounts([(RECEIVER, ZONE)])
    broker = Mosquitto(tmp_path / "broker", accounts, passwords)
    broker.start()
    sim = StationSim(broker)
    try:
        yield sim
    finally:
        sim.close()
        broker.kill()


def _cli(state_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "receiver", *args, "--state-dir", str(state_dir)],
        capture_output=True, text=True, check=False, timeout=60, env=env,
    )  # fmt: skip


def test_enrol_saves_the_enrolment_once_and_a_used_or_unknown_code_writes_nothing(
    station: StationSim, tmp_path: Path
) -> None:
    code = station.issue_code(RECEIVER, ZONE)
    box = tmp_path / "box"
    done = _cli(box, "enrol", station.files_url, code, "--name", "Cụm loa thôn A")
    assert done.returncode == 0, done.stderr
    assert "Đã ghi danh máy thu «loa-a» vào cụm «thon-a»" in done.stdout
    assert (box / "enrolment.json").stat().st_mode & 0o777 == 0o600
    other = tmp_path / "other"
    again = _cli(other, "enrol", station.files_url, code, "--name", "Cụm loa khác")
    assert again.returncode == 1
    assert "Đài từ chối mã ghi danh" in again.stderr and "đã dùng" in again.stderr
    assert not (other / "enrolment.json").exists()
    unreachable = _cli(other, "enrol", "http://127.0.0.1:9", "abcd", "--name", "Cụm loa khác")
    assert unreachable.returncode == 1
    assert "Không kết nối được tới đài" in unreachable.stderr
    assert not (other / "enrolment.json").exists()
    not_enrolled = _cli(other, "status")
    assert not_enrolled.returncode == 1 and "chưa được ghi danh" in not_enrolled.stderr


@pytest.mark.slow
def test_a_receiver_killed_with_minus_9_and_restarted_carries_on_and_reports_each_airing_once(
    station: StationSim, pulse: PulseServer, pulse_env: dict[str, str], tmp_path: Path
) -> None:
    box = tmp_path / "box"
    assert _cli(box, "enrol", station.files_url, station.issue_code(RECEIVER, ZONE), "--name", "A").returncode == 0
    first = station.serve(tone(tmp_path / "mot.wav", 600, 0.5))
    second = station.serve(tone(tmp_path / "hai.wav", 900, 0.5))
    with null_sink(pulse_env, f"rx{secrets.token_hex(3)}") as sink:
        env = {**pulse_env, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "truyenthanh", "receiver", "run", "--device", f"pulse:{sink}"]
        command += ["--state-dir", str(box)]
        log = (tmp_path / "receiver.log").open("wb")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            station.wait(lambda: RECEIVER in station.statuses and station.statuses[RECEIVER].online, timeout=30)
            now = datetime.now(UTC)
            station.schedule(ZONE, [airing("1@a", now + timedelta(seconds=5), first),
                                    airing("3@off", now + timedelta(seconds=8), first),
                                    airing("2@b", now + timedelta(seconds=16), second)])  # fmt: skip
            station.wait(lambda: any(r.airing_id == "1@a" for r in station.played), timeout=20)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            station.wait(lambda: not station.statuses[RECEIVER].online, timeout=40, message="no last will")
            time.sleep(max(0.0, (now + timedelta(seconds=9.5)).timestamp() - time.time()))  # «3@off» passes
            with Recorder(pulse, sink=sink).record() as heard:
                process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
                station.wait(lambda: any(r.airing_id == "2@b" for r in station.played), timeout=30)
            assert heard[0].first_sound() is not None, "the restarted receiver did not air the second airing"
            time.sleep(1.0)
            assert sorted((r.record_id, r.outcome, r.reason) for r in station.played) == [
                (f"{RECEIVER}/1@a/0", PlayedOutcome.PLAYED, ""),
                (f"{RECEIVER}/2@b/0", PlayedOutcome.PLAYED, ""),
                (f"{RECEIVER}/3@off/0", PlayedOutcome.MISSED, "máy thu không hoạt động vào giờ phát"),
            ]
            assert station.statuses[RECEIVER].online and station.statuses[RECEIVER].refused is None
        finally:
            process.terminate()
            process.wait(timeout=15)
            log.close()
    report = _cli(box, "status")
    assert report.returncode == 0, report.stderr
    assert f"Lịch phát: số {station.seq}, hiệu lực đến " in report.stdout
    assert "Lượt phát kế tiếp: không có." in report.stdout
    assert "Tệp âm thanh: 2 đã có, 0 còn thiếu" in report.stdout
    assert "Bản ghi chờ gửi về đài: 0" in report.stdout
