"""``truyenthanh broker config`` and ``truyenthanh zone add|list|enroll`` as an operator types them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_cli import write_role_settings
from tests.streams import free_port
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.domain.fleet import ReceiverStatus

OPERATOR = "Nguyễn Thị Quy"


def run(station: Path, *args: str, single_operator: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    if single_operator:
        env.update(TRUYENTHANH_SINGLE_OPERATOR="true", TRUYENTHANH_SINGLE_OPERATOR_NAME=OPERATOR)
        write_role_settings(station, env)
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station), *args],
        capture_output=True, text=True, env=env, check=False, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.slow
def test_broker_config_zones_and_an_enrolment_code(station_dir: Path) -> None:
    assert run(station_dir, "init").returncode == 0
    assert run(station_dir, "keys", "generate", "Đài xã Tân Lập").returncode == 0
    port = free_port()
    configured = run(station_dir, "broker", "config", "--port", str(port), "--host", "10.0.0.5")
    assert configured.returncode == 0, configured.stderr
    conf = station_dir / "broker" / "mosquitto.conf"
    assert f"mosquitto -c {conf}" in configured.stdout
    assert "fleet_enabled = true" in configured.stdout and f"fleet_broker_port = {port}" in configured.stdout
    assert f"listener {port}" in conf.read_text()

    added = run(station_dir, "zone", "add", "Thôn Đông", "--hamlet", "Đông")
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[0] == "Đã thêm cụm loa «Thôn Đông» (mã thon-dong)."
    duplicate = run(station_dir, "zone", "add", "Thôn Đông")
    assert duplicate.returncode == 1 and "Đã có cụm loa tên «Thôn Đông»" in duplicate.stderr
    assert "chưa có máy thu (truyenthanh zone enroll thon-dong)" in run(station_dir, "zone", "list").stdout

    enrolled = run(station_dir, "zone", "enroll", "thon-dong")
    assert enrolled.returncode == 0, enrolled.stderr
    code = re.search(r"thon-dong: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})$", enrolled.stdout.splitlines()[0])
    assert code is not None, enrolled.stdout
    assert f"truyenthanh receiver enrol http://127.0.0.1:8730 {code[1]} --name" in enrolled.stdout
    unknown = run(station_dir, "zone", "enroll", "Thôn Bắc")
    assert unknown.returncode == 1 and "Không có cụm loa «Thôn Bắc»" in unknown.stderr

    # The box enrols through the station's file server (work-r's receiver); here the service itself is called.
    container = bootstrap.build(load_settings(station_dir))
    try:
        enrolment = container.fleet.enrol(code[1], "Loa Đông")
        container.fleet.record_status(
            ReceiverStatus(enrolment.receiver, enrolment.zone, True, container.clock.now(), last_sync=None)
        )
    finally:
        container.close()
    listed = json.loads(run(station_dir, "zone", "list", "--json").stdout)
    assert [(z["slug"], [(r["slug"], r["light"]) for r in z["receivers"]]) for z in listed] == [
        ("thon-dong", [("loa-dong", "stale")])
    ]
    assert "◐ lịch cũ  Loa Đông [loa-dong]" in run(station_dir, "zone", "list").stdout
    assert "loa-dong:$7$" in (station_dir / "broker" / "passwd").read_text()


def test_changing_zones_needs_a_login(station_dir: Path) -> None:
    assert run(station_dir, "init", single_operator=False).returncode == 0
    refused = run(station_dir, "zone", "add", "Thôn Đông", single_operator=False)
    assert refused.returncode == 1 and "Lệnh này cần đăng nhập" in refused.stderr
    assert "Chưa có cụm loa nào" in run(station_dir, "zone", "list", single_operator=False).stdout
