"""Issue 14, point 7: a full or read-only disk is a Vietnamese message, never a traceback; ``status`` still
prints what it can and warns about the disk. A real small filesystem: a tmpfs mounted with ``size=`` (the
tests are skipped where mounting is not allowed, e.g. without root)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, input=stdin, check=False, timeout=120)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs holding an initialised station; unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)]
    mounted = subprocess.run(command, capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        station = mount / "station"
        assert _cli(station, "init").returncode == 0
        yield station
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> None:
    with (folder.parent / "filler.bin").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass


def _assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("trouble", ["full", "read-only"])
def test_commands_on_a_full_or_read_only_disk_say_so(small_disk: Path, trouble: str) -> None:
    if trouble == "full":
        _fill(small_disk)
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk.parent)], check=True)
    status = _cli(small_disk, "status")
    _assert_clean(status)
    assert status.returncode == 0 and "Đài: Đài truyền thanh xã" in status.stdout
    word = "đã đầy" if trouble == "full" else "chỉ cho đọc"
    assert f"Cảnh báo: đĩa chứa dữ liệu của đài ({small_disk}) {word}" in status.stderr
    for reading in (("log",), ("audit", "verify"), ("schedule", "list")):
        result = _cli(small_disk, *reading)
        _assert_clean(result)
        assert result.returncode == 0, result.stderr
    added = _cli(small_disk, "user", "add", "quantri", "--name", "Lê Văn Quản", "--role", "admin",
                 "--password-stdin", stdin="mat-khau-dai-12345\n")  # fmt: skip
    _assert_clean(added)
    assert added.returncode == 1
    assert "đĩa đã đầy, chỉ cho đọc hoặc bị lỗi" in added.stderr and "Dữ liệu của đài vẫn như cũ" in added.stderr
    if trouble == "full":
        (small_disk.parent / "filler.bin").unlink()
    else:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk.parent)], check=True)
    again = _cli(small_disk, "user", "add", "quantri", "--name", "Lê Văn Quản", "--role", "admin",
                 "--password-stdin", stdin="mat-khau-dai-12345\n")  # fmt: skip
    assert again.returncode == 0, again.stderr
