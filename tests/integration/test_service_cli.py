"""``truyenthanh service install|remove`` and the unit it writes: the shipped ``deploy/truyenthanh.service`` is
exactly what it writes for the default paths, so the two never drift apart."""

from __future__ import annotations

import getpass
import grp
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_deploy import UNIT, verify_unit
from truyenthanh.adapters.autostart import ServicePlan, systemd_unit, windows_task
from truyenthanh.errors import DaemonError


def test_the_shipped_unit_is_the_rendering_of_the_default_plan() -> None:
    assert systemd_unit(ServicePlan()) == UNIT.read_text(encoding="utf-8")


def test_a_station_folder_below_var_lib_is_a_state_directory_and_elsewhere_only_writable() -> None:
    under = systemd_unit(ServicePlan(data_dir=Path("/var/lib/tan-lap")))
    assert "StateDirectory=tan-lap\n" in under and "ReadWritePaths=/var/lib/tan-lap\n" in under
    elsewhere = systemd_unit(ServicePlan(data_dir=Path("/srv/dai/tan-lap")))
    assert "StateDirectory" not in elsewhere and "ReadWritePaths=/srv/dai/tan-lap\n" in elsewhere
    with pytest.raises(DaemonError, match="«data_dir» = «/srv/Đài xã» rỗng hoặc có khoảng trắng"):
        systemd_unit(ServicePlan(data_dir=Path("/srv/Đài xã")))


def test_the_windows_task_starts_the_daemon_of_this_station_at_boot() -> None:
    plan = ServicePlan(program=r"C:\Program Files\truyenthanh\venv\Scripts\truyenthanh.exe", data_dir=Path("D:/dai"))
    command = windows_task(plan)
    assert command[:3] == ["schtasks", "/Create", "/TN"] and "ONSTART" in command
    action = command[command.index("/TR") + 1]
    assert action.startswith('"C:\\Program Files\\truyenthanh\\venv\\Scripts\\truyenthanh.exe" --data-dir ')
    assert action.endswith(" daemon")


def _cli(station_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRUYENTHANH_")}
    command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(station_dir), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_service_install_and_remove_write_and_delete_the_unit(station_dir: Path, tmp_path: Path) -> None:
    units = tmp_path / "units"
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name  # as root the folder is given to them
    installed = _cli(
        station_dir, "service", "install", "--user", user, "--group", group, "--unit-dir", str(units), "--no-start"
    )
    assert installed.returncode == 0, installed.stderr
    assert f"Đã ghi {units / 'truyenthanh.service'}" in installed.stdout and "Chưa bật" in installed.stdout
    unit = (units / "truyenthanh.service").read_text(encoding="utf-8")
    assert f"ExecStart={Path(sys.executable).with_name('truyenthanh')} daemon\n" in unit
    assert f"Environment=TRUYENTHANH_DATA_DIR={station_dir}\n" in unit
    assert f"User={user}\nGroup={group}\n" in unit
    verified = verify_unit(units / "truyenthanh.service")
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
    removed = _cli(station_dir, "service", "remove", "--unit-dir", str(units), "--no-stop")
    assert removed.returncode == 0 and "Đã gỡ dịch vụ phát" in removed.stdout
    assert not (units / "truyenthanh.service").exists() and station_dir.is_dir()
    again = _cli(station_dir, "service", "remove", "--unit-dir", str(units), "--no-stop")
    assert "Không có dịch vụ phát nào được cài" in again.stdout
