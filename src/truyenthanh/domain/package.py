"""Programme packages (``.ttpkg``): the manifest, the signature document, and the limits that keep a hostile
archive from doing harm.

A package is a zip archive holding ``manifest.json``, optionally ``signature.json``, the programme file and
every audio file it names. The manifest lists each other file with its size and SHA-256; the signature is an
ed25519 signature over the exact bytes of ``manifest.json``, so a valid signature vouches for every file.
Pure: reading the archive and checking signatures are adapters' work.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeGuard

from truyenthanh.domain.programme_file import PACKAGE_ID, safe_relative_path
from truyenthanh.errors import PackageError

PACKAGE_FORMAT = "truyenthanh-package"
PACKAGE_FORMAT_VERSION = 1
"""Package layout this program writes and the newest it reads."""
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "signature.json"
PACKAGE_SUFFIX = ".ttpkg"
MAX_MANIFEST_BYTES = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_RENDERED_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}#[1-9][0-9]{0,3}$")


@dataclass(frozen=True)
class PackageLimits:
    """What an archive may hold before it is refused as hostile (zip bombs, floods of entries)."""

    max_entries: int = 2000
    max_total_bytes: int = 2 * 1024**3
    """Sum of the uncompressed sizes."""
    max_file_bytes: int = 1024**3
    max_ratio: float = 100.0
    """Largest uncompressed-to-compressed ratio of one entry (checked for entries above 1 MiB)."""
    ratio_floor_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class ManifestEntry:
    """One file of the package."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """The table of contents of a package."""

    package_id: str
    version: int
    programme_file: str
    """Name of the programme TOML inside the package."""
    files: tuple[ManifestEntry, ...]
    created: str = ""
    """When it was built (ISO 8601), for people."""
    generator: str = ""
    format_version: int = PACKAGE_FORMAT_VERSION
    rendered: tuple[tuple[str, str], ...] = ()
    """Announcements read aloud when the package was built: (``programme-key#item-number``, audio path)."""

    def to_bytes(self) -> bytes:
        """Canonical JSON (sorted keys, UTF-8): the bytes that get signed."""
        data = {
            "format": PACKAGE_FORMAT,
            "format_version": self.format_version,
            "package_id": self.package_id,
            "version": self.version,
            "programme_file": self.programme_file,
            "created": self.created,
            "generator": self.generator,
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        }
        if self.rendered:
            data["rendered"] = dict(self.rendered)
        return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")

    def entry(self, path: str) -> ManifestEntry | None:
        """The entry for ``path``, if listed."""
        return next((f for f in self.files if f.path == path), None)


def _fail(problems: list[str]) -> PackageError:
    return PackageError("Tệp manifest.json của gói không hợp lệ:\n  " + "\n  ".join(problems))


def parse_manifest(raw: bytes) -> Manifest:
    """Read and check ``manifest.json``.

    Raises:
        PackageError: not UTF-8 JSON, wrong format, or any field missing or malformed; every problem is listed.
    """
    data = _load_json(raw)
    problems: list[str] = []
    _check_header(data, problems)
    package_id, version, programme_file = data.get("package_id"), data.get("version"), data.get("programme_file")
    version_of_format = data.get("format_version")
    files, listed_any = _read_files(data.get("files"), problems)
    if isinstance(programme_file, str) and not any(f.path == programme_file for f in files) and listed_any:
        problems.append(f"tệp chương trình «{programme_file}» không có trong «files»")
    rendered = _read_rendered(data.get("rendered", {}), {f.path for f in files}, problems)
    if problems:
        raise _fail(problems)
    assert isinstance(package_id, str) and isinstance(programme_file, str)
    assert _is_int(version) and _is_int(version_of_format)
    return Manifest(
        package_id=package_id,
        version=version,
        programme_file=programme_file,
        files=tuple(files),
        created=str(data.get("created", "")),
        generator=str(data.get("generator", "")),
        format_version=version_of_format,
        rendered=tuple(sorted(rendered)),
    )


def _load_json(raw: bytes) -> dict[str, object]:
    """The manifest's JSON object; anything else (too large, not UTF-8, not JSON, not an object) fails at once."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise _fail([f"quá lớn ({len(raw)} byte, tối đa {MAX_MANIFEST_BYTES})"])
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail([f"không phải văn bản UTF-8 (byte thứ {exc.start})"]) from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise _fail([f"không phải JSON hợp lệ ({exc})"]) from exc
    if not isinstance(data, dict):
        raise _fail(["cần một đối tượng JSON"])
    return data


def _check_header(data: dict[str, object], problems: list[str]) -> None:
    """Check the manifest's scalar fields (format, versions, package id, programme file, created, generator)."""
    if data.get("format") != PACKAGE_FORMAT:
        problems.append(f"«format» phải là «{PACKAGE_FORMAT}»")
    version_of_format = data.get("format_version")
    if not _is_int(version_of_format) or not 1 <= version_of_format <= PACKAGE_FORMAT_VERSION:
        problems.append(
            f"«format_version» {version_of_format!r} không đọc được (chương trình này đọc đến {PACKAGE_FORMAT_VERSION})"
        )
    package_id = data.get("package_id")
    if not isinstance(package_id, str) or not PACKAGE_ID.match(package_id):
        problems.append("«package_id» thiếu hoặc sai dạng")
    version = data.get("version")
    if not _is_int(version) or not 1 <= version <= 1_000_000_000:
        problems.append("«version» phải là số nguyên từ 1")
    programme_file = data.get("programme_file")
    if not isinstance(programme_file, str) or safe_relative_path(programme_file) != programme_file:
        problems.append("«programme_file» thiếu hoặc không phải đường dẫn an toàn")
    for key in ("created", "generator"):
        if not isinstance(data.get(key, ""), str):
            problems.append(f"«{key}» phải là chuỗi chữ")


def _read_files(raw_files: object, problems: list[str]) -> tuple[list[ManifestEntry], bool]:
    """The well-formed entries of ``files`` and whether it listed any; problems with the others are added."""
    if not isinstance(raw_files, list) or not raw_files:
        problems.append("«files» phải là danh sách các tệp")
        return [], False
    files: list[ManifestEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(raw_files, start=1):
        if not isinstance(item, dict):
            problems.append(f"files[{index}]: cần một đối tượng")
            continue
        path, size, digest = item.get("path"), item.get("size"), item.get("sha256")
        if not isinstance(path, str) or safe_relative_path(path) != path or path in (MANIFEST_NAME, SIGNATURE_NAME):
            problems.append(f"files[{index}]: đường dẫn {path!r} không an toàn")
            continue
        folded = fold_name(path)
        if folded in seen:
            problems.append(f"files[{index}]: tệp «{path}» có hai lần")
        seen.add(folded)
        if not _is_int(size) or size < 0:
            problems.append(f"files[{index}] «{path}»: «size» phải là số nguyên không âm")
            continue
        if not isinstance(digest, str) or not _SHA256.match(digest):
            problems.append(f"files[{index}] «{path}»: «sha256» phải là 64 chữ số hex thường")
            continue
        files.append(ManifestEntry(path=path, size=size, sha256=digest))
    return files, True


def _read_rendered(raw_rendered: object, listed: set[str], problems: list[str]) -> list[tuple[str, str]]:
    """The well-formed ``rendered`` pairs (each naming a file in ``listed``); problems with the others are added."""
    if not isinstance(raw_rendered, dict):
        problems.append("«rendered» phải là bảng «khóa#số mục» → tệp âm thanh")
        return []
    rendered: list[tuple[str, str]] = []
    for item, path in raw_rendered.items():
        if not _RENDERED_KEY.match(item) or not isinstance(path, str) or path not in listed:
            problems.append(f"rendered «{item}»: cần dạng khóa#số mục và một tệp có trong «files»")
            continue
        rendered.append((item, path))
    return rendered


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def fold_name(path: str) -> str:
    """A name as case-insensitive, normalising file systems see it (Windows, macOS): two names that fold the
    same would overwrite each other when unpacked there."""
    return unicodedata.normalize("NFC", path).casefold()


@dataclass(frozen=True)
class SignatureDoc:
    """``signature.json``: who signed the manifest, and the signature."""

    key_fingerprint: str
    signer: str
    """The signer's name as written in their key (shown, never trusted by itself)."""
    signature: bytes
    algorithm: str = "ed25519"

    def to_bytes(self) -> bytes:
        """JSON form."""
        data = {
            "algorithm": self.algorithm,
            "key_fingerprint": self.key_fingerprint,
            "signer": self.signer,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }
        return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def parse_signature(raw: bytes) -> SignatureDoc:
    """Read ``signature.json``.

    Raises:
        PackageError: malformed, or an algorithm other than ed25519.
    """
    try:
        data = json.loads(raw.decode("utf-8")) if len(raw) <= 64 * 1024 else None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise PackageError("Tệp chữ ký signature.json của gói không đọc được (hỏng hoặc bị sửa).")
    if data.get("algorithm") != "ed25519":
        raise PackageError(f"Chữ ký dùng thuật toán {data.get('algorithm')!r}; chỉ chấp nhận ed25519.")
    fingerprint, signer, encoded = data.get("key_fingerprint"), data.get("signer"), data.get("signature")
    if not isinstance(fingerprint, str) or not isinstance(signer, str) or not isinstance(encoded, str):
        raise PackageError("Tệp chữ ký signature.json thiếu «key_fingerprint», «signer» hoặc «signature».")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PackageError("Chữ ký trong signature.json không phải base64 hợp lệ.") from exc
    if len(signature) != 64:
        raise PackageError(f"Chữ ký ed25519 phải dài 64 byte, nhận được {len(signature)}.")
    return SignatureDoc(key_fingerprint=fingerprint, signer=signer, signature=signature)


def entry_problems(names: Iterable[str]) -> list[str]:
    """Why a list of archive entry names is unsafe: names escaping the package, odd names, duplicates.

    Directory entries (ending in ``/``) are checked like files, without the slash.
    """
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name in names:
        bare = name[:-1] if name.endswith("/") else name
        if safe_relative_path(bare) != bare:
            problems.append(f"tên «{name}» không an toàn (ra ngoài gói, đường dẫn tuyệt đối, ổ đĩa hoặc ký tự lạ)")
            continue
        folded = fold_name(bare)
        if folded in seen:
            problems.append(f"tên «{name}» trùng với «{seen[folded]}»")
            continue
        seen[folded] = name
    return problems


__all__ = [
    "MANIFEST_NAME",
    "PACKAGE_FORMAT_VERSION",
    "PACKAGE_SUFFIX",
    "SIGNATURE_NAME",
    "Manifest",
    "ManifestEntry",
    "PackageLimits",
    "SignatureDoc",
    "entry_problems",
    "fold_name",
    "parse_manifest",
    "parse_signature",
]
