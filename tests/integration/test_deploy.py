"""The systemd unit as shipped: ``systemd-analyze verify`` finds nothing to say about it, and the settings
systemd would otherwise ignore sit in the section that reads them."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "truyenthanh.service"
INSTALLED_PROGRAM = "/opt/truyenthanh/venv/bin/truyenthanh"


def verify_unit(unit: Path) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify`` on a unit file (skips the test where systemd's tools cannot run)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False)
    if "Failed to initialize" in result.stderr or "Failed to setup" in result.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()[:200]}")
    return result


def test_the_shipped_unit_verifies_clean(tmp_path: Path) -> None:
    """Verified as the installer writes it: the program path is this checkout's (systemd checks that ExecStart
    is an executable file, and /opt/truyenthanh exists only on an installed box)."""
    program = Path(sys.executable).with_name("truyenthanh")
    assert program.is_file(), "the test environment's truyenthanh script"
    text = UNIT.read_text(encoding="utf-8")
    assert INSTALLED_PROGRAM in text
    unit = tmp_path / "truyenthanh.service"
    unit.write_text(text.replace(INSTALLED_PROGRAM, str(program)), encoding="utf-8")
    result = verify_unit(unit)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_unit_keeps_its_settings_where_systemd_reads_them() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT, encoding="utf-8")
    assert parser["Unit"]["StartLimitIntervalSec"] == "0"
    assert "StartLimitIntervalSec" not in parser["Service"]
    assert not parser["Unit"]["Documentation"].startswith("man:")
    service = parser["Service"]
    assert (service["Type"], service["NotifyAccess"], service["WatchdogSec"]) == ("notify", "main", "30")
    assert (service["User"], service["Group"], service["SupplementaryGroups"]) == (
        "truyenthanh",
        "truyenthanh",
        "audio",
    )
    assert service["UMask"] == "0027"  # operators in the group read the station's data
