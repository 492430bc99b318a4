"""``truyenthanh service install|remove [--serve]`` and the units it writes: the shipped
``deploy/truyenthanh.service`` and ``deploy/truyenthanh-serve.service`` are exactly what it writes for the default
paths, so they never drift apart."""

from __future__ import annotations

import getpass
import grp
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_deploy import UNIT, verify_unit
from tests.integration.test_deploy_serve import UNIT as SERVE_UNIT
from truyenthanh.adapters.autostart import SERVE, ServicePlan, systemd_unit, windows_task
from truyenthanh.adapters.web import AccessPasswordFile
from truyenthanh.cli.serve import WEB_FOLDER
from truyenthanh.domain.accounts import hash_password
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


def test_the_shipped_serve_unit_is_the_rendering_of_the_default_serve_plan() -> None:
    assert systemd_unit(ServicePlan(service=SERVE)) == SERVE_UNIT.read_text(encoding="utf-8")


def test_the_serve_unit_carries_this_station_and_its_address_and_refuses_what_it_cannot_hold() -> None:
    plan = ServicePlan(service=SERVE, data_dir=Path("/var/lib/tan-lap"), host="192.168.1.20", port=8443)
    unit = systemd_unit(plan)
    assert "ExecStart=/opt/truyenthanh/venv/bin/truyenthanh serve --host 192.168.1.20 --port 8443\n" in unit
    assert "ReadWritePaths=/var/lib/tan-lap\n" in unit and "StateDirectory" not in unit  # the daemon's unit makes it
    with pytest.raises(DaemonError, match=r"«host» = «192\.168\.1\.20 x» rỗng hoặc có khoảng trắng") as spaced:
        systemd_unit(ServicePlan(service=SERVE, host="192.168.1.20 x"))
    assert spaced.value.field == "host"
    with pytest.raises(DaemonError, match="cổng 0 phải từ 1 đến 65535") as port:
        windows_task(ServicePlan(service=SERVE, port=0))
    assert port.value.field == "port"


def test_the_windows_serve_task_starts_the_browser_interface_of_this_station_at_boot() -> None:
    plan = ServicePlan(
        program=r"C:\Program Files\truyenthanh\venv\Scripts\truyenthanh.exe", data_dir=Path("D:/dai"), service=SERVE
    )
    command = windows_task(plan)
    assert command[:4] == ["schtasks", "/Create", "/TN", "truyenthanh-serve"] and "ONSTART" in command
    assert command[command.index("/RU") + 1] == "SYSTEM"
    action = command[command.index("/TR") + 1]
    assert action == (
        f'"C:\\Program Files\\truyenthanh\\venv\\Scripts\\truyenthanh.exe" --data-dir {plan.data_dir} '
        "serve --host 0.0.0.0 --port 8720"
    )


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


def test_service_install_serve_needs_the_access_password_then_writes_its_own_unit(
    station_dir: Path, tmp_path: Path
) -> None:
    """On the LAN (the default 0.0.0.0) serve would stop at once without the access password: nothing is written
    until it is set; the serve unit lives beside the daemon's, and removing one leaves the other."""
    units = tmp_path / "units"
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    install = ["service", "install", "--serve", "--user", user, "--group", group, "--unit-dir", str(units)]
    refused = _cli(station_dir, *install, "--no-start")
    assert refused.returncode != 0 and refused.stdout == ""
    assert "Lỗi cấu hình (--host): Giao diện mở ra mạng (0.0.0.0) cần mật khẩu truy cập" in refused.stderr
    assert "«truyenthanh serve password»" in refused.stderr and not units.exists()

    # As «truyenthanh serve password» stores it (that command and its login are tested with serve itself).
    AccessPasswordFile(station_dir / WEB_FOLDER / "access-password").write(hash_password("mat-khau-truy-cap-1"))
    installed = _cli(station_dir, *install, "--port", "8721", "--no-start")
    assert installed.returncode == 0, installed.stderr
    target = units / "truyenthanh-serve.service"
    assert f"Đã ghi {target}" in installed.stdout and "enable --now truyenthanh-serve.service" in installed.stdout
    assert "https://0.0.0.0:8721/" in installed.stdout
    unit = target.read_text(encoding="utf-8")
    program = Path(sys.executable).with_name("truyenthanh")
    assert f"ExecStart={program} serve --host 0.0.0.0 --port 8721\n" in unit
    assert f"Environment=TRUYENTHANH_DATA_DIR={station_dir}\n" in unit and f"User={user}\nGroup={group}\n" in unit
    verified = verify_unit(target)
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")

    daemon = _cli(
        station_dir, "service", "install", "--user", user, "--group", group, "--unit-dir", str(units), "--no-start"
    )
    assert daemon.returncode == 0, daemon.stderr
    removed = _cli(station_dir, "service", "remove", "--serve", "--unit-dir", str(units), "--no-stop")
    assert removed.returncode == 0 and "Đã gỡ giao diện trong trình duyệt" in removed.stdout
    assert not target.exists() and (units / "truyenthanh.service").is_file()
    again = _cli(station_dir, "service", "remove", "--serve", "--unit-dir", str(units), "--no-stop")
    assert "Không có giao diện trong trình duyệt nào được cài" in again.stdout


def test_service_install_serve_on_loopback_needs_no_password(station_dir: Path, tmp_path: Path) -> None:
    """Behind a reverse proxy on the same box (README): 127.0.0.1 needs no access password to start. --host and
    --port without --serve are refused, not ignored."""
    units = tmp_path / "units"
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    installed = _cli(
        station_dir,
        "service",
        "install",
        "--serve",
        "--host",
        "127.0.0.1",
        "--user",
        user,
        "--group",
        group,
        "--unit-dir",
        str(units),
        "--no-start",
    )
    assert installed.returncode == 0, installed.stderr
    assert "http://127.0.0.1:8720/" in installed.stdout
    unit = (units / "truyenthanh-serve.service").read_text(encoding="utf-8")
    assert "serve --host 127.0.0.1 --port 8720\n" in unit
    for_the_daemon = _cli(station_dir, "service", "install", "--port", "8721", "--unit-dir", str(units), "--no-start")
    assert for_the_daemon.returncode == 2 and "--port chỉ dùng với --serve" in for_the_daemon.stderr
    assert not (units / "truyenthanh.service").exists()
