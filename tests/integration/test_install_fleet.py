"""``scripts/install.sh --receiver --enrol URL CODE --name NAME`` and ``scripts/install.sh --broker`` into temporary
prefixes, without systemd as PID 1 (``--no-start``): a cluster box is enrolled with a real station daemon's
one-time code at install time and gets ``truyenthanh-receiver.service`` on its state folder; a station installed
with ``--broker`` gets mosquitto's configuration and ``truyenthanh-broker.service`` beside the daemon's unit."""

from __future__ import annotations

import getpass
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.fleet_rig import FleetRig, fleet_rig
from tests.integration.test_cli import write_role_settings
from tests.integration.test_deploy import verify_unit
from tests.integration.test_install import ROOT, _env
from tests.pulse import PulseServer

pytestmark = [pytest.mark.slow]


@pytest.fixture
def rig(tmp_path: Path, pulse: PulseServer) -> Iterator[FleetRig]:
    """A station with its broker and daemon (and so its enrolment file server) running."""
    made = fleet_rig(tmp_path / "rig", pulse)
    try:
        made.start_daemon()
        yield made
    finally:
        made.close()


_NOT_SOURCE = (".git", ".venv", "build", "*.egg-info", "__pycache__", "*_cache", ".hypothesis", "demo-station")
"""What a working copy holds besides the package's source: left out of the copy that is installed."""


def _install(prefix: Path, units: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``install.sh`` from a copy of the source beside ``prefix`` (pip builds inside the folder it installs from:
    the repository stays untouched and other runs may install from it at the same time)."""
    source = prefix.parent / "source"
    if not source.exists():
        shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    command = ["bash", str(ROOT / "scripts" / "install.sh"), "--prefix", str(prefix), "--unit-dir", str(units)]
    command += ["--source", str(source), "--user", getpass.getuser(), "--no-start", "--no-system-packages", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_install_sh_receiver_enrols_a_box_and_broker_sets_up_a_station_broker(rig: FleetRig, tmp_path: Path) -> None:
    prefix, box, units = tmp_path / "opt", tmp_path / "cum-loa", tmp_path / "units"
    issued = json.loads(rig.ok("zone", "enroll", "thon-a", "--json"))
    env = _env(box)
    del env["TRUYENTHANH_DATA_DIR"]
    refused = _install(prefix, units, "--enrol", issued["url"], issued["code"], "--name", "Loa A1", env=env)
    assert refused.returncode != 0 and "--enrol chỉ dùng với --receiver" in refused.stderr and not prefix.exists()

    enrol = ["--enrol", issued["url"], issued["code"], "--name", "Loa thôn A"]
    installed = _install(prefix, units, "--receiver", "--state-dir", str(box), *enrol, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "Máy thu chưa ghi danh" not in installed.stdout and "receiver status --state-dir" in installed.stdout
    program = prefix / "venv" / "bin" / "truyenthanh"
    unit = (units / "truyenthanh-receiver.service").read_text(encoding="utf-8")
    assert f"ExecStart={program} receiver run --state-dir {box}\n" in unit
    assert f"ConditionPathExists={box}/enrolment.json\n" in unit and not (units / "truyenthanh.service").exists()
    verified = verify_unit(units / "truyenthanh-receiver.service")
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
    status = subprocess.run(
        [program, "receiver", "status", "--state-dir", str(box), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(status.stdout)["zone"] == "thon-a"
    assert [(view.name, view.zone) for view in rig.receivers().values()] == [("Loa thôn A", "thon-a")]
    assert not (box / "station.db").exists()  # a box is no station

    station, station_units = tmp_path / "station", tmp_path / "station-units"
    # «broker config» needs someone who may change the station: here its single operator, set in its file.
    write_role_settings(
        station, {"TRUYENTHANH_SINGLE_OPERATOR": "true", "TRUYENTHANH_SINGLE_OPERATOR_NAME": "Trần Văn Bình"}
    )
    station_env = _env(station)
    broker = ["--data-dir", str(station), "--broker", "--broker-host", "192.168.1.10"]
    done = _install(prefix, station_units, *broker, env=station_env)  # the same prefix: an upgrade in place
    assert done.returncode == 0, done.stdout + done.stderr
    conf = station / "broker" / "mosquitto.conf"
    assert conf.is_file() and "Chưa có cấu hình máy chủ tin nhắn" not in done.stdout
    broker_unit = (station_units / "truyenthanh-broker.service").read_text(encoding="utf-8")
    assert f"ExecStart=/usr/sbin/mosquitto -c {conf}\n" in broker_unit
    assert (station_units / "truyenthanh.service").is_file()
    verified = verify_unit(station_units / "truyenthanh-broker.service")
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
    shutil.rmtree(prefix)  # the venv is large; do not keep it in the temporary folder
    shutil.rmtree(tmp_path / "source")
