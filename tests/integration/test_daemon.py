"""The real daemon as a subprocess playing into the private PulseAudio null sink: on-time start measured from
the sink's monitor, kill -9 and restart, downtime accounting, emergency break-in with resume, the lock."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bench.onset import MonitorRecording

from tests.integration.test_cli import write_role_settings
from tests.integration.test_schedule_cli import tone
from tests.people import ADMIN
from tests.pulse import PulseServer, playback_streams, start_pulse
from truyenthanh import bootstrap
from truyenthanh.adapters.control import ControlClient
from truyenthanh.adapters.db.models import Schedule
from truyenthanh.config import load_settings
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ContentStatus
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import DaemonError

pytestmark = [pytest.mark.slow, pytest.mark.realtime]


OPERATOR = "Nguyễn Văn An"


def in_process(station: Path) -> bootstrap.Container:
    """The station's services in this process, acting as its single operator (like the CLI does)."""
    return bootstrap.build(load_settings(station, single_operator=True, single_operator_name=OPERATOR))


def emergency_permit(station: Path, source: Path) -> str:
    """Authorise a recorded emergency bulletin as the operator would (the daemon refuses one without)."""
    built = in_process(station)
    try:
        actor = built.accounts.single_operator_actor()
        return built.approvals.send_emergency(actor, title=source.stem, source=str(source)).token
    finally:
        built.close()


def content_status(station: Path, kind: ContentKind, ident: int) -> ContentStatus:
    built = in_process(station)
    try:
        return built.approvals.get(kind, ident).status
    finally:
        built.close()


def cli(station: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``truyenthanh --data-dir STATION ARGS``."""
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def station(station_dir: Path, pulse_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """An initialised station with no session, quiet-hour or weekend rules (tests run at any hour)."""
    env = {k: v for k, v in pulse_env.items() if not k.startswith("TRUYENTHANH_")}
    env["TRUYENTHANH_OUTPUT"] = "device"
    env["TRUYENTHANH_TTS_ENGINE"] = "espeak"  # no Internet here
    # One named operator runs the station: commands do not prompt, scheduled files are approved as added.
    env.update(TRUYENTHANH_SINGLE_OPERATOR="true", TRUYENTHANH_SINGLE_OPERATOR_NAME=OPERATOR)
    write_role_settings(station_dir, env)  # read from the config file only
    built = bootstrap.build(load_settings(station_dir))
    built.station.init()
    built.scheduling.set_rules(ADMIN, StationRules())
    built.close()
    yield station_dir, env


@contextmanager
def daemon(station: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """The daemon, running until the block ends (then SIGTERM)."""
    log = open(station / "daemon.log", "a", encoding="utf-8")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station), "daemon"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    client = ControlClient(station / "run")
    deadline = time.monotonic() + 30
    while not client.is_running():
        if process.poll() is not None or time.monotonic() > deadline:
            log.close()
            raise AssertionError("daemon did not start:\n" + (station / "daemon.log").read_text())
        time.sleep(0.05)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(20)
        log.close()


def log_rows(station: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    result = cli(station, env, "log", "--json")
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout))


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def schedule_file(station: Path, env: dict[str, str], audio: Path, at: datetime, *extra: str) -> dict[str, Any]:
    result = cli(station, env, "schedule", "add", "--audio", str(audio), "--at", at.isoformat(), "--json", *extra)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_on_time_start_measured_at_the_sink(
    station: tuple[Path, dict[str, str]], pulse: PulseServer, tmp_path: Path
) -> None:
    folder, env = station
    audio = tone(tmp_path / "tin.wav", 1.0)
    amp_log = tmp_path / "amplifier.log"
    env = {
        **env,
        "TRUYENTHANH_AMPLIFIER_LEAD_S": "2",
        "TRUYENTHANH_AMPLIFIER_ON_COMMAND": f"sh -c 'echo on $(date +%s.%N) >> {amp_log}'",
        "TRUYENTHANH_AMPLIFIER_OFF_COMMAND": f"sh -c 'echo off $(date +%s.%N) >> {amp_log}'",
    }
    recording = MonitorRecording(pulse)
    with daemon(folder, env):
        recording.start()
        at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
        added = schedule_file(folder, env, audio, at)  # added while the daemon runs: picked up within a second
        wait_for(lambda: any(r["outcome"] == "played" for r in log_rows(folder, env)), 15, "the broadcast")
        recording.stop()
        status = cli(folder, env, "status", "--json")
        assert json.loads(status.stdout)["daemon"]["running"] is True
    onsets = recording.onsets()
    assert len(onsets) == 1
    error_ms = (onsets[0] - at.timestamp()) * 1000
    assert abs(error_ms) < 50, f"first sample {error_ms:+.1f} ms from the scheduled instant"
    switched = [line.split() for line in amp_log.read_text().splitlines()]
    assert [what for what, _ in switched] == ["on", "off"]
    assert 1.5 < at.timestamp() - float(switched[0][1]) < 2.5  # the amplifier warmed up before the start
    row = next(r for r in log_rows(folder, env) if r["outcome"] == "played")
    actual = datetime.fromisoformat(row["actual_start"])
    assert abs((actual - at).total_seconds()) < 0.02
    assert row["scheduled_start"].startswith(at.isoformat(timespec="seconds").replace("+00:00", ""))
    assert content_status(folder, ContentKind.PROGRAMME, added["programme_id"]) is ContentStatus.AIRED


def test_unapproved_programme_is_skipped_and_logged(station: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    folder, env = station
    audio = tone(tmp_path / "chua-duyet.wav", 0.5)
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
    added = schedule_file(folder, env, audio, at)
    built = in_process(folder)
    with built.store.transaction() as uow:  # edited after approval: waits again, as the programme editor does
        built.approvals.reset_approval(uow, built.accounts.single_operator_actor(), added["programme_id"])
    built.close()
    with daemon(folder, env):
        wait_for(lambda: len(log_rows(folder, env)) >= 1, 15, "the skipped broadcast")
    (row,) = log_rows(folder, env)
    assert row["outcome"] == "skipped" and "chưa được duyệt" in row["reason"]
    assert content_status(folder, ContentKind.PROGRAMME, added["programme_id"]) is ContentStatus.WAITING


def test_second_daemon_is_refused_and_the_cli_talks_to_the_first(station: tuple[Path, dict[str, str]]) -> None:
    folder, env = station
    with daemon(folder, env) as first:
        second = cli(folder, env, "daemon")
        assert second.returncode == 1
        assert f"Dịch vụ phát của đài này đang chạy (PID {first.pid})" in second.stderr
        nothing = cli(folder, env, "emergency", "cancel")
        assert nothing.returncode == 1 and "Không có phát khẩn cấp nào đang chạy" in nothing.stderr
        human = cli(folder, env, "status")
        assert f"Dịch vụ phát: đang chạy (PID {first.pid}), đang chờ." in human.stdout
        with pytest.raises(DaemonError, match="cần được cấp phép"):  # a bare command on the socket cannot cut in
            ControlClient(folder / "run").request("emergency", text="Giả mạo")
        started = cli(folder, env, "emergency", "--file", str(folder / "missing.wav"))
        assert started.returncode == 1 and "Không thấy tệp" in started.stderr
        spoken = cli(folder, env, "emergency", "Bão số 3 đổ bộ lúc 14h30, người dân không ra khơi.", "--repeat", "3",
                     "--every", "30")  # fmt: skip
        assert spoken.returncode == 0, spoken.stderr
        assert "Đang phát khẩn cấp (số 1): phát 3 lần, cách nhau 30 phút." in spoken.stdout
        try:
            wait_for(lambda: [r["outcome"] for r in log_rows(folder, env)] == ["played"] * 2, 45, "the bulletin")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {log_rows(folder, env)}\n{(folder / 'daemon.log').read_text()}") from None
        cancelled = cli(folder, env, "emergency", "cancel")
        assert cancelled.returncode == 0 and "Đã hủy phát khẩn cấp số 1 (đã phát 1 lần)." in cancelled.stdout
    alert, bulletin = log_rows(folder, env)[:2]
    assert alert["item"] == "Tín hiệu khẩn cấp" and alert["outcome"] == "played"
    assert bulletin["engine"] == "espeak" and bulletin["priority"] == "emergency"
    assert bulletin["operator"] == OPERATOR and bulletin["approver"] == OPERATOR
    built = in_process(folder)
    (sent,) = [line for line in built.audit.entries(limit=100) if line.action == "emergency.send"]
    built.close()
    assert content_status(folder, ContentKind.ANNOUNCEMENT, int(sent.entity_id)) is ContentStatus.AIRED
    stopped = cli(folder, env, "status", "--json")
    assert json.loads(stopped.stdout)["daemon"] == {"running": False}


def test_kill_9_mid_broadcast_then_restart(station: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    folder, env = station
    long_tone = tone(tmp_path / "dai.wav", 8.0)
    short_tone = tone(tmp_path / "ngan.wav", 0.5)
    with daemon(folder, env) as process:
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
        schedule_file(folder, env, long_tone, start, "--misfire", "join:5")
        later = start + timedelta(seconds=14)
        schedule_file(folder, env, short_tone, later)
        client = ControlClient(folder / "run")
        wait_for(lambda: (client.request("now_playing") or {}).get("position_s", 0) > 1.0, 30, "the long tone")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(5)
    with daemon(folder, env):
        wait_for(lambda: len(log_rows(folder, env)) >= 3, 40, "the rejoined and the later broadcasts")
        rows = log_rows(folder, env)
    cut = rows[0]
    assert cut["outcome"] == "partial" and "bị dừng đột ngột" in cut["reason"]
    rejoined = rows[1]
    assert rejoined["programme"] == "dai" and "sau khi dịch vụ phát khởi động lại" in rejoined["reason"]
    carried_on = rows[2]
    assert carried_on["programme"] == "ngan" and carried_on["outcome"] == "played"
    actual = datetime.fromisoformat(carried_on["actual_start"])
    assert abs((actual - later).total_seconds()) < 0.5  # exactness is the on-time test's (and the bench's) job


def test_downtime_misses_are_logged_with_reasons(station: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    folder, env = station
    audio = tone(tmp_path / "tin.wav", 0.5)
    first = schedule_file(folder, env, audio, datetime.now(UTC) + timedelta(hours=1))
    now = datetime.now(UTC)
    built = bootstrap.build(load_settings(folder))
    with built.db.session() as session:
        # Airings that fell while the machine was off (40, 20 and 2 minutes ago).
        for minutes, misfire in ((40, "skip"), (20, "late:30"), (2, "late:30")):
            session.add(Schedule(programme_id=first["programme_id"], start_at=now - timedelta(minutes=minutes),
                                 misfire=misfire))  # fmt: skip
    built.close()
    (folder / "daemon-state.json").write_text(
        json.dumps({"alive_at": (now - timedelta(hours=1)).isoformat(), "handled": {}, "playing": {}})
    )
    with daemon(folder, env):
        wait_for(lambda: len(log_rows(folder, env)) >= 3, 15, "the downtime accounting")
    rows = log_rows(folder, env)
    missed = [r for r in rows if r["outcome"] == "missed"]
    assert len(missed) == 2
    assert all("dịch vụ phát không chạy từ" in r["reason"] for r in missed)
    assert any("lịch này không phát trễ" in r["reason"] for r in missed)
    assert any("không phát dồn" in r["reason"] for r in missed)
    late = [r for r in rows if r["outcome"] == "late"]
    assert len(late) == 1 and late[0]["reason"].startswith("Trễ 2 phút")


def test_emergency_cuts_in_and_the_interrupted_item_resumes(
    station: tuple[Path, dict[str, str]], pulse: PulseServer, tmp_path: Path
) -> None:
    folder, env = station
    programme_tone = tone(tmp_path / "chuong-trinh.wav", 6.0)
    bulletin = tone(tmp_path / "khan-cap.wav", 1.0)
    recording = MonitorRecording(pulse)
    with daemon(folder, env):
        recording.start()
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
        schedule_file(folder, env, programme_tone, start)
        client = ControlClient(folder / "run")
        wait_for(lambda: (client.request("now_playing") or {}).get("position_s", 0) > 2.0, 15, "the programme")
        permit = emergency_permit(folder, bulletin)
        sent = time.time()
        client.request("emergency", file=str(bulletin), permit=permit)
        wait_for(lambda: len(log_rows(folder, env)) >= 4, 20, "the emergency and the resumed programme")
        recording.stop()
    rows = log_rows(folder, env)
    outcomes = [(r["programme"], r["outcome"]) for r in rows]
    assert outcomes == [
        ("chuong-trinh", "preempted"),
        ("Phát khẩn cấp", "played"),
        ("Phát khẩn cấp", "played"),
        ("chuong-trinh", "played"),
    ]
    assert rows[1]["item"] == "Tín hiệu khẩn cấp" and rows[1]["priority"] == "emergency"
    assert "Phát tiếp sau khi bị ngắt" in rows[3]["reason"]
    alert_at = datetime.fromisoformat(rows[1]["actual_start"]).timestamp()
    assert alert_at - sent < 0.5  # bench/onset.py measures it without the load of a test run
    # The speaker heard the programme on time, then the alert, the bulletin and the rest of the programme:
    # 6 + 3 + 1 seconds of sound in all (nothing lost, nothing played twice).
    onsets = recording.onsets()
    assert onsets[0] == pytest.approx(start.timestamp(), abs=0.1)
    sounding = recording.sounding_s()
    assert 6.0 + 3.0 + 1.0 - 0.5 < sounding < 6.0 + 3.0 + 1.0 + 0.5


def own_sound_server(tmp_path: Path, env: dict[str, str]) -> tuple[PulseServer, dict[str, str]]:
    """A sound server of the test's own (for tests that kill it; the session's stays up), and ``env`` pointed
    at it."""
    own = start_pulse(tmp_path / "pulse")
    keys = ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER", "HOME")
    return own, {**env, **{k: own.env[k] for k in keys}}


def device_status(folder: Path) -> Callable[[], dict[str, Any]]:
    """Reads the daemon's ``status`` of the sound device (ok, error, standby)."""
    client = ControlClient(folder / "run")
    return lambda: dict(client.request("status")["device"])


def test_a_lost_sound_device_is_reported_logged_and_reopened(
    station: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, env = station
    own, env = own_sound_server(tmp_path, env)
    audio = tone(tmp_path / "tin.wav", 0.5)
    device = device_status(folder)

    try:
        with daemon(folder, env):
            assert device()["ok"] is True
            own.process.kill()
            own.process.wait(5)
            wait_for(lambda: device()["ok"] is False, 15, "the daemon to notice the lost device")
            assert "thiết bị âm thanh" in device()["error"]
            during = schedule_file(folder, env, audio, datetime.now(UTC) + timedelta(seconds=5))
            wait_for(lambda: len(log_rows(folder, env)) >= 1, 20, "the airing that could not play")
            own = start_pulse(tmp_path / "pulse")
            wait_for(lambda: device()["ok"] is True, 20, "the daemon to reopen the device")
            after = schedule_file(folder, env, audio, datetime.now(UTC) + timedelta(seconds=5))
            wait_for(lambda: len(log_rows(folder, env)) >= 2, 20, "the airing after the device came back")
    finally:
        own.stop()
    failed, played = log_rows(folder, env)
    assert failed["schedule_id"] == during["id"] and failed["outcome"] == "failed"
    assert failed["reason"].startswith("Không phát được: ") and "thiết bị âm thanh «mặc định»" in failed["reason"]
    assert played["schedule_id"] == after["id"] and played["outcome"] == "played"


def test_a_hung_sound_server_is_a_lost_device_until_it_answers_again(
    station: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """A frozen PulseAudio answers nothing; the daemon must not wait on it: an airing due meanwhile is logged
    as failed while the server is still frozen, and the device is reopened once it answers."""
    folder, env = station
    own, env = own_sound_server(tmp_path, env)
    audio = tone(tmp_path / "tin.wav", 0.5)
    device = device_status(folder)

    try:
        with daemon(folder, env):
            assert device()["ok"] is True
            own.process.send_signal(signal.SIGSTOP)
            try:
                wait_for(lambda: device()["ok"] is False, 15, "the daemon to notice the hung server")
                during = schedule_file(folder, env, audio, datetime.now(UTC) + timedelta(seconds=5))
                wait_for(lambda: len(log_rows(folder, env)) >= 1, 25, "the airing that could not play")
            finally:
                own.process.send_signal(signal.SIGCONT)
            wait_for(lambda: device()["ok"] is True, 20, "the daemon to reopen the device")
            after = schedule_file(folder, env, audio, datetime.now(UTC) + timedelta(seconds=5))
            wait_for(lambda: len(log_rows(folder, env)) >= 2, 20, "the airing after the server answered")
    finally:
        own.stop()
    failed, played = log_rows(folder, env)
    assert failed["schedule_id"] == during["id"] and failed["outcome"] == "failed"
    assert "thiết bị âm thanh «mặc định»" in failed["reason"]
    assert played["schedule_id"] == after["id"] and played["outcome"] == "played"


def test_play_now_and_skip_from_the_command_line_name_the_operator(
    station: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, env = station
    added = schedule_file(folder, env, tone(tmp_path / "nhac.wav", 6.0), datetime.now(UTC) + timedelta(days=1))
    client = ControlClient(folder / "run")
    with daemon(folder, env):
        played = cli(folder, env, "control", "play-now", str(added["programme_id"]))
        assert played.returncode == 0, played.stderr
        wait_for(lambda: (client.request("now_playing") or {}).get("position_s", 0) > 0.5, 15, "the programme")
        skipped = cli(folder, env, "control", "skip")
        assert skipped.returncode == 0 and skipped.stdout.strip() == "Đã bỏ qua mục đang phát."
        wait_for(lambda: len(log_rows(folder, env)) >= 1, 15, "the skipped item in the log")
    (row,) = log_rows(folder, env)
    assert row["outcome"] == "partial" and row["reason"] == f"Người vận hành {OPERATOR} bỏ qua."
    assert row["operator"] == OPERATOR and row["scheduled_start"] is not None


def test_a_quiet_daemon_gives_the_device_back_and_takes_it_again_in_time(
    station: tuple[Path, dict[str, str]], pulse: PulseServer, tmp_path: Path
) -> None:
    folder, env = station
    env = {**env, "TRUYENTHANH_OUTPUT_STANDBY_S": "1"}
    audio = tone(tmp_path / "tin.wav", 0.5)
    bulletin = tone(tmp_path / "khan-cap.wav", 0.5)
    client = ControlClient(folder / "run")

    def standby() -> bool:
        return bool(client.request("status")["device"]["standby"])

    recording = MonitorRecording(pulse)
    with daemon(folder, env):
        recording.start()
        assert playback_streams(pulse.env) == 1
        wait_for(standby, 10, "the daemon to give the device back")
        assert playback_streams(pulse.env) == 0
        assert client.request("status")["device"]["ok"] is True
        at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
        schedule_file(folder, env, audio, at)
        wait_for(lambda: not standby(), 8, "the daemon to take the device for the airing")
        assert time.time() < at.timestamp() - 1, "the device was taken late"
        wait_for(lambda: any(r["outcome"] == "played" for r in log_rows(folder, env)), 15, "the broadcast")
        wait_for(standby, 10, "the device given back after the airing")
        permit = emergency_permit(folder, bulletin)
        sent = time.time()
        client.request("emergency", file=str(bulletin), permit=permit)
        wait_for(lambda: len(log_rows(folder, env)) >= 3, 20, "the emergency")
        wait_for(lambda: client.request("status")["emergency"] is None, 5, "the single emergency to be over")
        recording.stop()
    rows = log_rows(folder, env)
    assert [r["outcome"] for r in rows] == ["played", "played", "played"]
    onsets = recording.onsets()
    assert onsets[0] == pytest.approx(at.timestamp(), abs=0.05)  # on time although the device was given back
    alert = datetime.fromisoformat(rows[1]["actual_start"]).timestamp()
    # An emergency takes the device back at once (bench/onset.py measures it without a test run's load).
    assert alert - sent < 1.0, f"alert {alert - sent:.3f} s after the command"
    assert next(o for o in onsets if o > sent - 0.05) == pytest.approx(alert, abs=0.05)


def test_a_repeat_that_cannot_take_the_device_back_is_logged_as_failed(
    station: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, env = station
    own, env = own_sound_server(tmp_path, env)
    env["TRUYENTHANH_OUTPUT_STANDBY_S"] = "1"
    bulletin = tone(tmp_path / "khan-cap.wav", 0.5)
    client = ControlClient(folder / "run")
    try:
        with daemon(folder, env):
            permit = emergency_permit(folder, bulletin)
            client.request("emergency", file=str(bulletin), permit=permit, repeat=2, every_min=0.2)
            wait_for(lambda: len(log_rows(folder, env)) >= 2, 20, "the first airing")
            wait_for(lambda: client.request("status")["device"]["standby"], 10, "the device given back")
            own.process.kill()
            own.process.wait(5)
            wait_for(lambda: len(log_rows(folder, env)) >= 3, 25, "the repeat")
            assert client.request("status")["device"]["ok"] is False
    finally:
        own.stop()
    rows = log_rows(folder, env)
    assert [(r["programme"], r["outcome"]) for r in rows] == [
        ("Phát khẩn cấp", "played"),
        ("Phát khẩn cấp", "played"),
        ("Phát khẩn cấp", "failed"),
    ]
    assert rows[2]["reason"].startswith("Không phát được: ") and "PulseAudio" in rows[2]["reason"]


def test_systemd_hears_ready_then_the_watchdog_then_stopping(
    station: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """``deploy/truyenthanh.service`` is ``Type=notify`` with a watchdog: the real daemon must say READY=1 once
    started, WATCHDOG=1 at its heartbeats, and STOPPING=1 on SIGTERM, over the datagram socket systemd names."""
    path, env = station
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "notify.sock")
    listener.bind(address)
    listener.settimeout(20)
    heard: list[str] = []
    try:
        with daemon(path, {**env, "NOTIFY_SOCKET": address}) as process:
            while "WATCHDOG=1" not in heard:
                heard.append(listener.recv(4096).decode())
            process.terminate()
            while "STOPPING=1" not in heard:
                heard.append(listener.recv(4096).decode())
            assert process.wait(20) == 0
    finally:
        listener.close()
    assert heard.index("READY=1") < heard.index("WATCHDOG=1") < heard.index("STOPPING=1")
