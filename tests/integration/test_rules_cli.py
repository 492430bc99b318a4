"""``truyenthanh rules``: export the station's rules, edit the file, import it back (or be told what is wrong)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_cli import write_role_settings

OPERATOR = "Nguyễn Thị Quy"


def run(station: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    env.update(TRUYENTHANH_SINGLE_OPERATOR="true", TRUYENTHANH_SINGLE_OPERATOR_NAME=OPERATOR)
    write_role_settings(station, env)  # read from the config file only
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station), *args],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_export_edit_import_and_a_broken_file_changes_nothing(station_dir: Path, tmp_path: Path) -> None:
    assert run(station_dir, "init").returncode == 0
    before = run(station_dir, "rules", "show")
    assert before.stdout.splitlines()[0] == "Buổi sáng: 05:30–07:00, tối đa 60 phút phát."
    target = tmp_path / "quy-dinh.toml"
    exported = run(station_dir, "rules", "export", str(target))
    assert exported.returncode == 0, exported.stderr
    edited = (
        target.read_text(encoding="utf-8")
        .replace('end = "07:00"', 'end = "06:30"')
        .replace('weekend = "allowed"', 'weekend = "no_sunday"')
    )
    target.write_text(edited, encoding="utf-8")
    checked = run(station_dir, "rules", "import", str(target), "--dry-run")
    assert checked.stdout.strip() == f"Tệp {target} hợp lệ: 2 buổi phát, 1 khoảng yên lặng."
    imported = run(station_dir, "rules", "import", str(target))
    assert imported.returncode == 0, imported.stderr
    shown = run(station_dir, "rules", "show").stdout.splitlines()
    assert shown[0] == "Buổi sáng: 05:30–06:30, tối đa 60 phút phát."
    assert shown[-1] == "Cuối tuần: Không phát Chủ nhật."
    audit = json.loads(run(station_dir, "audit", "list", "--json").stdout)
    assert any(line["action"] == "station.rules" and line["actor"] == OPERATOR for line in audit)

    saved = run(station_dir, "rules", "show", "--json").stdout
    target.write_text(edited.replace('start = "17:00"', 'start = "chiều"'), encoding="utf-8")
    refused = run(station_dir, "rules", "import", str(target))
    assert refused.returncode == 1
    line = next(n for n, text in enumerate(edited.splitlines(), start=1) if text == 'start = "17:00"')
    assert f"{target}:{line}: session[2].start: cần giờ dạng" in refused.stderr
    assert run(station_dir, "rules", "show", "--json").stdout == saved
