"""Zip member modes in programme packages (real zip files, real folder): what we write is a plain 0644 file on
Unix, what we unpack is never executable nor writable by others whatever the archive claims, and only a member
whose file type is neither a file nor a folder is refused."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from truyenthanh.adapters import archive
from truyenthanh.domain.package import PackageLimits
from truyenthanh.errors import PackageError

LIMITS = PackageLimits()


def _zip_with_modes(path: Path, modes: dict[str, int]) -> Path:
    with zipfile.ZipFile(path, "w") as written:
        for name, mode in modes.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            written.writestr(info, f"nội dung {name}".encode())
    return path


def test_members_we_write_are_plain_files_readable_by_all(tmp_path: Path) -> None:
    target = tmp_path / "goi.ttpkg"
    archive.write_archive(target, [("manifest.json", b"{}"), ("audio/a.mp3", b"\xff\xfb" * 10)])
    for info in zipfile.ZipFile(target).infolist():
        assert info.create_system == 3
        assert info.external_attr >> 16 == stat.S_IFREG | 0o644


def test_unpacked_files_are_never_executable_or_world_writable(tmp_path: Path) -> None:
    source = _zip_with_modes(
        tmp_path / "modes.ttpkg",
        {
            "untyped.txt": 0o600,  # Python's writestr(name, data)
            "no-mode.txt": 0,  # a zip made on Windows
            "script.sh": stat.S_IFREG | 0o4777,  # setuid, executable, world-writable
            "sub/dir/file.toml": stat.S_IFREG | 0o666,
        },
    )
    destination = tmp_path / "ra"
    destination.mkdir()
    unpacked = archive.unpack(source, destination, LIMITS)
    assert sorted(unpacked.files) == ["no-mode.txt", "script.sh", "sub/dir/file.toml", "untyped.txt"]
    for path in unpacked.files.values():
        assert stat.S_IMODE(path.stat().st_mode) == archive.UNPACKED_FILE_MODE
    for folder in (destination / "sub", destination / "sub" / "dir"):
        assert stat.S_IMODE(folder.stat().st_mode) & (stat.S_IWOTH | stat.S_IWGRP) == 0


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (stat.S_IFLNK | 0o777, "liên kết tượng trưng"),
        (stat.S_IFIFO | 0o644, "không phải tệp thường"),
        (stat.S_IFCHR | 0o644, "không phải tệp thường"),
    ],
)
def test_links_and_special_files_are_still_refused(tmp_path: Path, mode: int, expected: str) -> None:
    source = _zip_with_modes(tmp_path / "dac-biet.ttpkg", {"ok.txt": 0o600, "evil": mode})
    destination = tmp_path / "ra"
    destination.mkdir()
    with pytest.raises(PackageError, match=expected) as caught:
        archive.unpack(source, destination, LIMITS)
    assert "«evil»" in caught.value.message and "«ok.txt»" not in caught.value.message
    assert list(destination.iterdir()) == []
