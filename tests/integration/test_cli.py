"""The ``truyenthanh`` command as a real subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from truyenthanh import __version__

SINGLE_OPERATOR = {"TRUYENTHANH_SINGLE_OPERATOR": "true", "TRUYENTHANH_SINGLE_OPERATOR_NAME": "Nguyễn Văn An"}
"""A station run by one named person: content-changing commands act for them without a login. These settings
are read only from the station's config file: :func:`run` writes them there (the environment is ignored)."""

_ROLE_VARIABLES = {
    "TRUYENTHANH_SINGLE_OPERATOR": "single_operator",
    "TRUYENTHANH_SINGLE_OPERATOR_NAME": "single_operator_name",
}


def write_role_settings(data_dir: Path, values: dict[str, str]) -> None:
    """Set single-operator mode in the station's config file (``truyenthanh.toml``), keeping its other lines."""
    config = data_dir / "truyenthanh.toml"
    data_dir.mkdir(parents=True, exist_ok=True)
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    for variable, key in _ROLE_VARIABLES.items():
        if variable in values and not re.search(rf"(?m)^{key} =", text):  # a commented default does not count
            value = "true" if key == "single_operator" else json.dumps(values[variable], ensure_ascii=False)
            text += f"{key} = {value}\n"
    config.write_text(text, encoding="utf-8")


def run(
    *args: str, data_dir: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m truyenthanh`` with a clean TRUYENTHANH_* environment and no terminal on stdin.

    stdin is ``/dev/null`` so a command that prompts (``keys generate`` asks for a passphrase) sees end of input
    at once instead of waiting on the terminal of ``pytest -s``.
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    base.update(env or {})
    if data_dir is not None and any(variable in base for variable in _ROLE_VARIABLES):
        write_role_settings(data_dir, base)
    prefix = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", *prefix, *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env=base,
        check=False,
        timeout=120,
    )


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"truyenthanh {__version__}"


@pytest.mark.slow
def test_help_and_usage_mistakes_are_in_vietnamese() -> None:
    helped = run("schedule", "add", "--help")
    assert helped.returncode == 0
    assert helped.stdout.startswith("Cách dùng: ") and "truyenthanh schedule add [OPTIONS]" in helped.stdout
    assert "\nTùy chọn:\n" in helped.stdout and "Xem hướng dẫn này rồi thoát." in helped.stdout
    unknown = run("schedule", "add", "--khong-co")
    assert unknown.returncode == 2
    assert "Lỗi: Không có tùy chọn --khong-co" in unknown.stderr
    assert "truyenthanh schedule add -h»." in unknown.stderr and "Xem hướng dẫn: «" in unknown.stderr
    choice = run("schedule", "add", "x", "--priority", "cao")
    assert "Lỗi: Giá trị không hợp lệ cho '--priority': 'cao' không thuộc các lựa chọn:" in choice.stderr
    assert "Lỗi: Không có lệnh 'lichphat'." in run("lichphat").stderr


def test_init_demo_then_status(station_dir: Path) -> None:
    created = run("init", "--demo", data_dir=station_dir)
    assert created.returncode == 0, created.stderr
    assert "Đã tạo đài mới" in created.stdout
    assert (station_dir / "media" / "tunes" / "signature.wav").stat().st_size > 100_000
    status = run("status", "--json", data_dir=station_dir)
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["station"]["name"] == "Đài truyền thanh xã Tân Lập (mẫu)"
    assert info["counts"] == {"audio_assets": 6, "programmes": 2, "schedules": 2, "broadcast_log": 0}
    assert info["schema_up_to_date"] is True
    human = run("status", data_dir=station_dir)
    assert "Đài: Đài truyền thanh xã Tân Lập (mẫu)" in human.stdout


@pytest.mark.slow
def test_init_twice_changes_nothing(station_dir: Path) -> None:
    assert run("init", "--demo", data_dir=station_dir).returncode == 0
    # Checkpoint the WAL so the comparison sees the whole database file.
    import sqlite3

    with sqlite3.connect(station_dir / "station.db") as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _snapshot(station_dir)
    again = run("init", "--demo", data_dir=station_dir)
    assert again.returncode == 0
    assert "không thay đổi gì" in again.stdout
    assert "đã tạo 0 tệp âm thanh mới" in again.stdout
    with sqlite3.connect(station_dir / "station.db") as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert _snapshot(station_dir) == before


def test_locate(station_dir: Path) -> None:
    result = run("locate", "db", data_dir=station_dir)
    assert result.stdout.strip() == str(station_dir.resolve() / "station.db")
    everything = run("locate", env={"TRUYENTHANH_DATA_DIR": str(station_dir)})
    assert f"media    {station_dir.resolve() / 'media'}" in everything.stdout


def test_status_before_init_is_a_vietnamese_error(station_dir: Path) -> None:
    result = run("status", data_dir=station_dir)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Chưa có đài nào" in result.stderr
    assert "truyenthanh init" in result.stderr


def test_broken_config_exits_non_zero_with_file_and_line(station_dir: Path) -> None:
    (station_dir / "truyenthanh.toml").write_text("[sai\n", encoding="utf-8")
    result = run("status", data_dir=station_dir)
    assert result.returncode == 1
    assert result.stderr.startswith("Lỗi cấu hình:")
    assert "truyenthanh.toml, dòng 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_core_modules_do_not_load_textual() -> None:
    code = (
        "import pkgutil, importlib, sys, truyenthanh\n"
        "for m in pkgutil.walk_packages(truyenthanh.__path__, 'truyenthanh.'):\n"
        "    if m.name.startswith('truyenthanh.tui') or m.name.endswith('__main__') or '.migrations' in m.name:\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "loaded = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
        "print(len(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def test_daemon_module_does_not_load_textual() -> None:
    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.find_spec('truyenthanh.daemon')\n"
        "import truyenthanh.daemon\n"
        "print(any(n == 'textual' or n.startswith('textual.') for n in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if "No module named 'truyenthanh.daemon'" in result.stderr:
        pytest.skip("the daemon (issue 4) is not built yet")
    assert result.stdout.strip() == "False", result.stderr
