"""``truyenthanh`` with no command opens the TUI, or prints the status when there is no terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from truyenthanh import bootstrap


def test_no_command_without_a_terminal_prints_status_instead(container: bootstrap.Container) -> None:
    data_dir = container.locations.data_dir
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    result = subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Không có terminal tương tác: in tình trạng của đài thay cho giao diện." in result.stderr
    assert result.stdout.startswith("Đài: Đài truyền thanh xã")


def test_tui_on_a_folder_without_station_says_how_to_create_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(tmp_path / "empty"), "tui"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "truyenthanh init" in result.stderr
