"""``truyenthanh service install|remove --receiver|--broker``: a loudspeaker-cluster box's receiver, and the
station's MQTT broker, started at boot. The shipped ``deploy/truyenthanh-receiver.service`` and
``deploy/truyenthanh-broker.service`` are exactly what it writes for the default paths and verify clean with
``systemd-analyze verify``; the receiver's unit waits for the box's enrolment, a clock and the network, the
broker's for ``broker config``, whose configuration its command line really starts mosquitto on."""

from __future__ import annotations

import configparser
import getpass
import grp
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.test_cli import write_role_settings
from tests.integration.test_deploy import INSTALLED_PROGRAM, ROOT, verify_unit
from tests.streams import free_port
from truyenthanh.adapters.autostart import (
    BROKER,
    DEFAULT_RECEIVER_DIR,
    RECEIVER,
    ServicePlan,
    systemd_unit,
    windows_task,
)
from truyenthanh.errors import DaemonError

UNIT = ROOT / "deploy" / "truyenthanh-receiver.service"
BROKER_UNIT = ROOT / "deploy" / "truyenthanh-broker.service"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("TRUYENTHANH_")}
    command = [sys.executable, "-m", "truyenthanh", *args]
    return subprocess.run(
        command, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_shipped_receiver_unit_is_the_rendering_of_the_default_plan_and_verifies_clean(tmp_path: Path) -> None:
    text = UNIT.read_text(encoding="utf-8")
    assert systemd_unit(ServicePlan(service=RECEIVER, data_dir=DEFAULT_RECEIVER_DIR)) == text
    assert f"ExecStart={INSTALLED_PROGRAM} receiver run --state-dir /var/lib/truyenthanh-receiver\n" in text
    unit = tmp_path / "truyenthanh-receiver.service"
    unit.write_text(text.replace(INSTALLED_PROGRAM, str(Path(sys.executable).with_name("truyenthanh"))))
    result = verify_unit(unit)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_receiver_unit_waits_for_enrolment_the_clock_and_the_network_and_restarts_always() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT, encoding="utf-8")
    unit, service = parser["Unit"], parser["Service"]
    assert set(unit["After"].split()) >= {"network-online.target", "time-sync.target", "sound.target"}
    assert set(unit["Wants"].split()) == {"network-online.target", "time-sync.target"}
    assert unit["ConditionPathExists"] == "/var/lib/truyenthanh-receiver/enrolment.json"
    assert (unit["StartLimitIntervalSec"], service["Restart"]) == ("0", "always")
    assert (service["SupplementaryGroups"], service["StateDirectory"]) == ("audio", "truyenthanh-receiver")
    assert service["ReadWritePaths"] == "/var/lib/truyenthanh-receiver"
    elsewhere = systemd_unit(ServicePlan(service=RECEIVER, data_dir=Path("/srv/loa")))
    assert "StateDirectory" not in elsewhere and "receiver run --state-dir /srv/loa\n" in elsewhere


def test_the_windows_receiver_task_runs_the_receiver_on_its_state_folder_at_boot() -> None:
    plan = ServicePlan(
        program=r"C:\Program Files\truyenthanh\venv\Scripts\truyenthanh.exe",
        data_dir=Path("D:/cum-loa"),
        service=RECEIVER,
    )
    command = windows_task(plan)
    assert command[:4] == ["schtasks", "/Create", "/TN", "truyenthanh-receiver"] and "ONSTART" in command
    assert command[command.index("/TR") + 1] == (
        f'"C:\\Program Files\\truyenthanh\\venv\\Scripts\\truyenthanh.exe" receiver run --state-dir {plan.data_dir}'
    )


def test_service_install_receiver_writes_a_unit_that_waits_for_enrolment_and_remove_deletes_it(
    tmp_path: Path,
) -> None:
    units, state = tmp_path / "units", tmp_path / "cum-loa"
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    install = ["service", "install", "--receiver", "--state-dir", str(state), "--user", user, "--group", group]
    installed = _cli(*install, "--unit-dir", str(units), "--no-start")
    assert installed.returncode == 0, installed.stderr
    target = units / "truyenthanh-receiver.service"
    assert f"Đã ghi {target} (trạng thái: {state}" in installed.stdout
    assert "Máy thu chưa ghi danh" in installed.stdout and f"--state-dir {state}" in installed.stdout
    text = target.read_text(encoding="utf-8")
    program = Path(sys.executable).with_name("truyenthanh")
    assert f"ExecStart={program} receiver run --state-dir {state}\n" in text
    assert f"ConditionPathExists={state}/enrolment.json\n" in text and f"User={user}\nGroup={group}\n" in text
    assert state.is_dir() and state.stat().st_mode & 0o777 == 0o750
    verified = verify_unit(target)
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")

    # Once enrolled (the file «receiver enrol» writes), the installer no longer asks for it.
    (state / "enrolment.json").write_text(json.dumps({"station": "xa"}), encoding="utf-8")
    again = _cli(*install, "--unit-dir", str(units), "--no-start")
    assert again.returncode == 0 and "chưa ghi danh" not in again.stdout

    removed = _cli("service", "remove", "--receiver", "--unit-dir", str(units), "--no-stop")
    assert removed.returncode == 0 and "Đã gỡ máy thu cụm loa" in removed.stdout
    assert not target.exists() and (state / "enrolment.json").is_file()
    nothing = _cli("service", "remove", "--receiver", "--unit-dir", str(units), "--no-stop")
    assert "Không có máy thu cụm loa nào được cài" in nothing.stdout


def test_service_install_refuses_state_dir_without_receiver_and_receiver_with_serve(tmp_path: Path) -> None:
    units = tmp_path / "units"
    stray = _cli("service", "install", "--state-dir", str(tmp_path / "x"), "--unit-dir", str(units), "--no-start")
    assert stray.returncode == 2 and "--state-dir chỉ dùng với --receiver" in stray.stderr
    both = _cli("service", "install", "--serve", "--receiver", "--unit-dir", str(units), "--no-start")
    assert both.returncode == 2 and "Chọn nhiều nhất một trong: --serve, --broker, --receiver" in both.stderr
    assert not units.exists()


def test_the_shipped_broker_unit_is_the_rendering_of_the_default_plan_and_verifies_clean(tmp_path: Path) -> None:
    text = BROKER_UNIT.read_text(encoding="utf-8")
    assert systemd_unit(ServicePlan(service=BROKER)) == text
    assert "ExecStart=/usr/sbin/mosquitto -c /var/lib/truyenthanh/broker/mosquitto.conf\n" in text
    assert "ConditionPathExists=/var/lib/truyenthanh/broker/mosquitto.conf\n" in text
    if not Path("/usr/sbin/mosquitto").is_file():
        pytest.skip("mosquitto is not installed (scripts/setup.sh installs it)")
    unit = tmp_path / "truyenthanh-broker.service"
    unit.write_text(text, encoding="utf-8")
    result = verify_unit(unit)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
    with pytest.raises(DaemonError, match="chỉ cài được thành dịch vụ systemd") as windows:
        windows_task(ServicePlan(service=BROKER))
    assert windows.value.field == "broker"


@pytest.mark.slow
def test_service_install_broker_runs_mosquitto_on_the_station_broker_config(tmp_path: Path) -> None:
    """Before «broker config» the unit is written and says what is left; after it, the unit's own ExecStart line
    starts mosquitto on that configuration (its pid file appears, SIGTERM stops it cleanly)."""
    station, units = tmp_path / "station", tmp_path / "units"
    env = {"TRUYENTHANH_DATA_DIR": str(station), "TRUYENTHANH_SINGLE_OPERATOR_NAME": "Trần Văn Bình"}
    write_role_settings(station, {**env, "TRUYENTHANH_SINGLE_OPERATOR": "true"})
    assert _cli("init", env=env).returncode == 0
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    install = ["service", "install", "--broker", "--user", user, "--group", group, "--unit-dir", str(units)]
    early = _cli(*install, "--no-start", env=env)
    assert early.returncode == 0, early.stderr
    assert "Chưa có cấu hình máy chủ tin nhắn: chạy «truyenthanh broker config --host" in early.stdout

    port = free_port()
    configured = _cli("broker", "config", "--port", str(port), "--bind", "127.0.0.1", "--host", "127.0.0.1", env=env)
    assert configured.returncode == 0, configured.stderr
    installed = _cli(*install, "--no-start", env=env)
    assert installed.returncode == 0 and "Chưa có cấu hình" not in installed.stdout
    target = units / "truyenthanh-broker.service"
    text = target.read_text(encoding="utf-8")
    assert f"User={user}\nGroup={group}\n" in text and f"ReadWritePaths={station / 'broker'}\n" in text
    verified = verify_unit(target)
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")

    (exec_start,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    broker = subprocess.Popen(
        shlex.split(exec_start.removeprefix("ExecStart=")), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        pid_file = station / "broker" / "mosquitto.pid"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (pid_file.is_file() and pid_file.read_text().strip()):
            assert broker.poll() is None, broker.stderr.read() if broker.stderr else b""
            time.sleep(0.05)
        assert int(pid_file.read_text()) == broker.pid
    finally:
        broker.terminate()
        broker.wait(timeout=10)
    assert broker.returncode == 0

    removed = _cli("service", "remove", "--broker", "--unit-dir", str(units), "--no-stop", env=env)
    assert removed.returncode == 0 and "Đã gỡ máy chủ tin nhắn của các cụm loa" in removed.stdout
    assert not target.exists() and (station / "broker" / "mosquitto.conf").is_file()
