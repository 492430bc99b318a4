"""``scripts/install.sh`` into a temporary prefix, as on a station box but without systemd as PID 1
(``--no-start``): run time only, the unit written from ``deploy/truyenthanh.service`` with these paths, the
station initialised, and ``truyenthanh status`` of the installed program answers through a running daemon."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _NO_INTERNET
from tests.integration.test_deploy import verify_unit

ROOT = Path(__file__).resolve().parents[2]
_NOT_SOURCE = (".git", ".venv", "build", "*.egg-info", "__pycache__", "*_cache", ".hypothesis", "demo-station")
"""What a working copy holds besides the package's source: left out of the copy that is installed."""


def _env(data_dir: Path) -> dict[str, str]:
    """The station's environment. pip reaches the package index as on a real install: the closed proxy the
    tests put in front of the Internet (tests/conftest.py) is left out."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRUYENTHANH_")}
    env = {key: value for key, value in env.items() if value != _NO_INTERNET}
    return {**env, "TRUYENTHANH_DATA_DIR": str(data_dir)}


@pytest.mark.slow
def test_install_sh_installs_a_station_whose_status_answers(tmp_path: Path) -> None:
    prefix, data_dir, units = tmp_path / "opt", tmp_path / "data", tmp_path / "units"
    # pip builds the package inside the folder it installs from (build/, *.egg-info): a copy keeps the repository
    # untouched and lets other runs on this machine install from it at the same time.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    command = ["bash", str(ROOT / "scripts" / "install.sh"), "--prefix", str(prefix), "--data-dir", str(data_dir)]
    command += ["--source", str(source)]
    command += ["--unit-dir", str(units), "--user", getpass.getuser(), "--no-start", "--no-system-packages"]
    result = subprocess.run(command, env=_env(data_dir), capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    program = prefix / "venv" / "bin" / "truyenthanh"
    unit = (units / "truyenthanh.service").read_text(encoding="utf-8")
    assert f"ExecStart={program} daemon\n" in unit
    assert f"Environment=TRUYENTHANH_DATA_DIR={data_dir}\n" in unit and f"ReadWritePaths={data_dir}\n" in unit
    assert "StateDirectory=" not in unit  # the station folder is not below /var/lib
    verified = verify_unit(units / "truyenthanh.service")
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
    assert (prefix / "LICENSE").is_file() and (prefix / "README.md").is_file()
    python = prefix / "venv" / "bin" / "python"
    for dev_only in ("pytest", "pydub", "ruff", "numpy"):  # run time only: no test tools, no bench extra
        probe = subprocess.run([python, "-c", f"import {dev_only}"], capture_output=True, timeout=60, check=False)
        assert probe.returncode != 0, f"{dev_only} was installed"
    assert (data_dir / "station.db").is_file()

    daemon = subprocess.Popen(
        [program, "daemon", "--output", f"file:{tmp_path / 'air.wav'}"],
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline, status = time.monotonic() + 60, dict[str, Any]()
        while time.monotonic() < deadline and not status.get("daemon", {}).get("running"):
            time.sleep(0.5)
            assert daemon.poll() is None, daemon.stderr.read() if daemon.stderr else ""
            answer = subprocess.run(
                [program, "status", "--json"],
                env=_env(data_dir),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            status = json.loads(answer.stdout) if answer.returncode == 0 else {}
        assert status["daemon"]["running"] is True and status["daemon"]["pid"] == daemon.pid
        human = subprocess.run(
            [program, "status"], env=_env(data_dir), capture_output=True, text=True, timeout=60, check=True
        )
        assert f"Dịch vụ phát: đang chạy (PID {daemon.pid})" in human.stdout
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    assert daemon.returncode == 0
    shutil.rmtree(prefix)  # the venv is large; do not keep it in the temporary folder
