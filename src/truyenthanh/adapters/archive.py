"""Zip archives of programme packages: writing them, and unpacking untrusted ones safely (``zipfile``).

Unpacking checks every entry before writing anything: names that would escape the folder (``../``,
absolute paths, drive letters), symbolic links, encrypted entries, duplicate names (also after case folding),
too many entries, and sizes or compression ratios that betray a zip bomb. While copying, the real number of
bytes is counted (a forged header cannot make it write more than allowed) and zipfile checks each CRC.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from truyenthanh.domain.package import PackageLimits, entry_problems
from truyenthanh.errors import PackageError

_STORED_SUFFIXES = (".mp3", ".ogg", ".oga", ".m4a", ".aac", ".flac", ".opus")
"""Already compressed: stored as they are."""
UNPACKED_FILE_MODE = 0o644
"""Mode of every unpacked file, whatever the archive says (no execute bits, not writable by others)."""
UNPACKED_DIR_MODE = 0o755
"""Mode of the folders made while unpacking (less what the umask removes)."""
MEMBER_MODE = stat.S_IFREG | 0o644
"""Type and mode written for every member of the packages we build."""
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)
"""Entry timestamp, so that building the same content twice gives the same bytes."""


def write_archive(target: Path, entries: Sequence[tuple[str, bytes | Path]]) -> None:
    """Write a zip with ``entries`` (name, bytes or file) in order, whole or not at all.

    Raises:
        PackageError: the file cannot be written.
    """
    partial = target.with_name(f".{target.name}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w") as archive:
            for name, content in entries:
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.external_attr = MEMBER_MODE << 16
                info.create_system = 3  # Unix: the mode bits above are read as such by every unzip
                info.compress_type = (
                    zipfile.ZIP_STORED if name.lower().endswith(_STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
                )
                if isinstance(content, bytes):
                    archive.writestr(info, content)
                else:
                    with content.open("rb") as source, archive.open(info, "w") as sink:
                        while block := source.read(1 << 20):
                            sink.write(block)
        partial.replace(target)
    except OSError as exc:
        raise PackageError(f"Không ghi được gói {target}: {exc.strerror or exc}.") from exc
    finally:
        partial.unlink(missing_ok=True)


def read_entries(source: Path) -> dict[str, bytes]:
    """Every entry of a small archive we wrote ourselves, by name (used to re-sign a package).

    Raises:
        PackageError: not a readable zip.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise PackageError(f"Tệp {source} không phải gói .ttpkg đọc được ({exc}).") from exc


@dataclass(frozen=True)
class Unpacked:
    """An archive's files, unpacked into a private folder."""

    root: Path
    files: dict[str, Path]
    """Entry name to unpacked file (directory entries are left out)."""


def unpack(source: Path, destination: Path, limits: PackageLimits) -> Unpacked:
    """Unpack an untrusted archive into the empty folder ``destination``.

    Raises:
        PackageError: the archive is unreadable, truncated or tampered with, or breaks a safety rule; the
            message names the entry. Files already written to ``destination`` are left for the caller to remove
            with the folder.
    """
    name = source.name
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise PackageError(f"Tệp {name} không phải gói .ttpkg hoặc đã bị hỏng, cắt cụt ({exc}).") from exc
    with archive:
        infos = archive.infolist()
        _check_entries(name, infos, limits)
        files: dict[str, Path] = {}
        for info in infos:
            if info.is_dir():
                continue
            target = destination.joinpath(*info.filename.split("/"))
            # Names were checked above; this guards against anything the check did not foresee.
            if not target.resolve().is_relative_to(destination.resolve()):
                raise PackageError(f"Gói {name}: mục «{info.filename}» trỏ ra ngoài gói.")
            target.parent.mkdir(mode=UNPACKED_DIR_MODE, parents=True, exist_ok=True)
            _copy_entry(name, archive, info, target, limits)
            files[info.filename] = target
    return Unpacked(root=destination, files=files)


def _check_entries(name: str, infos: Sequence[zipfile.ZipInfo], limits: PackageLimits) -> None:
    if len(infos) > limits.max_entries:
        raise PackageError(f"Gói {name} có {len(infos)} mục, quá giới hạn {limits.max_entries}: từ chối.")
    problems = entry_problems(info.filename for info in infos)
    total = 0
    for info in infos:
        mode = info.external_attr >> 16
        # Only the file-type bits matter: Python's own ``writestr(name, data)`` writes 0o600 with no type and a
        # zip made on Windows none at all; both are plain files. The permission bits are never used (see
        # _copy_entry), so an "executable" or world-writable member is harmless.
        kind = stat.S_IFMT(mode)
        if stat.S_ISLNK(mode):
            problems.append(f"mục «{info.filename}» là liên kết tượng trưng (symlink)")
        elif kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            problems.append(f"mục «{info.filename}» không phải tệp thường")
        if info.flag_bits & 0x1:
            problems.append(f"mục «{info.filename}» bị mã hóa")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(f"mục «{info.filename}» dùng kiểu nén không hỗ trợ ({info.compress_type})")
        if info.file_size > limits.max_file_bytes:
            problems.append(f"mục «{info.filename}» quá lớn ({info.file_size} byte)")
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            problems.append(f"mục «{info.filename}» nén {ratio:.0f} lần (dấu hiệu bom nén)")
        total += info.file_size
    if total > limits.max_total_bytes:
        problems.append(f"tổng dung lượng khi giải nén {total} byte vượt giới hạn {limits.max_total_bytes}")
    if problems:
        raise PackageError(f"Gói {name} không an toàn, từ chối:\n  " + "\n  ".join(problems))


def _copy_entry(
    name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limits: PackageLimits
) -> None:
    allowed = min(info.file_size, limits.max_file_bytes)
    written = 0
    try:
        with archive.open(info) as entry, target.open("xb") as sink:
            while block := entry.read(1 << 20):
                written += len(block)
                if written > allowed:
                    raise PackageError(
                        f"Gói {name}: mục «{info.filename}» giải nén ra nhiều hơn kích thước khai báo (bom nén?)."
                    )
                sink.write(block)
    except FileExistsError as exc:
        raise PackageError(f"Gói {name}: mục «{info.filename}» xuất hiện hai lần.") from exc
    except (zipfile.BadZipFile, EOFError, zlib.error, ValueError) as exc:
        raise PackageError(
            f"Gói {name}: mục «{info.filename}» hỏng hoặc bị sửa (kiểm tra CRC thất bại hoặc tệp bị cắt cụt: {exc})."
        ) from exc
    except OSError as exc:
        raise PackageError(f"Không giải nén được mục «{info.filename}» của gói {name}: {exc.strerror}.") from exc
    if written != info.file_size:
        raise PackageError(f"Gói {name}: mục «{info.filename}» bị cắt cụt ({written}/{info.file_size} byte).")
    # Whatever mode the archive claims: never executable, never writable by others.
    os.chmod(target, UNPACKED_FILE_MODE)
