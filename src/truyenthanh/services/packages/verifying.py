"""Checking programme files and packages: a programme file and its audio before building, and a package's
archive, manifest, signature, checksums, programme file and audio before anything of it is used."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from truyenthanh.config import Settings
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.package import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    Manifest,
    PackageLimits,
    parse_manifest,
    parse_signature,
)
from truyenthanh.domain.programme_file import (
    ItemSpec,
    Problem,
    ProgrammeFile,
    ProgrammeFileError,
    ProgrammeSpec,
    audio_references,
    read_programme_file,
)
from truyenthanh.domain.toml_lines import dotted
from truyenthanh.errors import AudioError, PackageError
from truyenthanh.locations import Locations
from truyenthanh.services.keys import KeyService
from truyenthanh.services.library import InspectedAudio
from truyenthanh.services.packages.ports import PackageArchive
from truyenthanh.services.packages.results import Progress, SignerInfo


@dataclass
class OpenedPackage:
    """A package unpacked and verified, ready to preview or import."""

    name: str
    archive_sha256: str
    manifest: Manifest
    manifest_sha256: str
    signer: SignerInfo | None
    programme_file: ProgrammeFile
    audio: dict[str, InspectedAudio]
    """By path inside the package."""
    rendered: dict[str, str] = field(default_factory=dict)
    """Announcements read aloud at build time: ``programme-key#item-number`` to their audio path."""

    def recording(self, programme: ProgrammeSpec, position: int, item: ItemSpec) -> str | None:
        """The audio path an item plays: its own, or for an announcement the one read aloud at build time."""
        if item.audio:
            return item.audio
        if item.kind is ItemKind.ANNOUNCEMENT:
            return self.rendered.get(f"{programme.key}#{position + 1}")
        return None


def read_programme_text(raw: bytes, name: str) -> str:
    """Programme files are UTF-8 (a BOM is tolerated); anything else is refused, naming the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ProgrammeFileError(name, [Problem(None, "", "tệp mã hóa UTF-16; hãy lưu lại dạng UTF-8")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProgrammeFileError(
            name,
            [
                Problem(
                    line,
                    "",
                    f"không phải văn bản UTF-8 (byte thứ {exc.start}); có thể tệp gõ bằng bảng mã TCVN3 hoặc VNI. "
                    "Hãy chuyển sang Unicode (UTF-8) rồi lưu lại",
                )
            ],
        ) from exc


Inspect = Callable[[Path], InspectedAudio]
"""Probes, hashes and fully decodes one audio file (:meth:`~truyenthanh.services.library.LibraryService.inspect`),
raising ``AudioError`` for one that cannot be played."""


def check_programme_file(path: Path, *, inspect: Inspect, progress: Progress | None = None) -> ProgrammeFile:
    """Check a programme file and the audio files it names (each with ``inspect``); writes nothing.

    Raises:
        ProgrammeFileError: every problem found (TOML, fields, missing or unreadable audio), with lines.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PackageError(f"Không đọc được tệp {path}: {exc.strerror}.") from exc
    text = read_programme_text(raw, path.name)
    problems: list[Problem] = []
    programme_file: ProgrammeFile | None = None
    try:
        programme_file = read_programme_file(text, path.name)
    except ProgrammeFileError as exc:
        problems.extend(exc.problems)
    base = path.resolve().parent
    refs = audio_references(text)
    for relative, where, line in refs:
        candidate = base.joinpath(*relative.split("/"))
        try:
            resolved = candidate.resolve(strict=True)
        except (FileNotFoundError, RuntimeError, OSError):
            problems.append(Problem(line, dotted(where), f"không tìm thấy tệp «{relative}» cạnh tệp chương trình"))
            continue
        if not resolved.is_relative_to(base) or not resolved.is_file():
            problems.append(Problem(line, dotted(where), f"«{relative}» trỏ ra ngoài thư mục của tệp chương trình"))
            continue
        try:
            inspect(candidate)
        except AudioError as exc:
            problems.append(Problem(line, dotted(where), exc.message))
        if progress:
            progress(relative, len(refs) + 1)
    if problems or programme_file is None:
        raise ProgrammeFileError(path.name, problems)
    return programme_file


class PackageVerifier:
    """Unpacks packages into private folders and verifies them against the station's trusted keys."""

    def __init__(
        self,
        *,
        settings: Settings,
        locations: Locations,
        keys: KeyService,
        archive: PackageArchive,
        limits: PackageLimits,
        inspect: Inspect,
    ) -> None:
        self._settings = settings
        self._inspect = inspect
        self._locations = locations
        self._keys = keys
        self._archive = archive
        self.limits = limits
        """What an archive may hold before it is refused as hostile."""

    @contextmanager
    def open(self, package: Path, progress: Progress | None) -> Iterator[OpenedPackage]:
        """Unpack and verify a package into a private folder that is removed afterwards.

        Raises:
            PackageError: the package is missing, unsafe, tampered with, untrusted or malformed.
            StorageError: this folder has no station.
        """
        if not package.is_file():
            raise PackageError(f"Không tìm thấy gói {package}.")
        self._keys.require_station()
        self._locations.cache_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="goi-", dir=self._locations.cache_dir))
        try:
            archive_sha = self._archive.sha256(package)
            unpacked = self._archive.unpack(package, work, self.limits)
            if progress:
                progress("Đã giải nén gói", 3)
            yield self._verify(package.name, archive_sha, unpacked, progress)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _verify(
        self, name: str, archive_sha: str, unpacked: Mapping[str, Path], progress: Progress | None
    ) -> OpenedPackage:
        manifest_path = unpacked.get(MANIFEST_NAME)
        if manifest_path is None:
            raise PackageError(f"Gói {name} không có manifest.json: không phải gói .ttpkg hoặc đã bị sửa.")
        manifest_bytes = manifest_path.read_bytes()
        manifest = parse_manifest(manifest_bytes)
        signer = self._check_signature(name, manifest_bytes, unpacked.get(SIGNATURE_NAME))
        listed = {entry.path for entry in manifest.files}
        extra = sorted(set(unpacked) - listed - {MANIFEST_NAME, SIGNATURE_NAME})
        if extra:
            raise PackageError(f"Gói {name} có tệp không ghi trong manifest (bị chèn thêm?): {', '.join(extra)}.")
        for entry in manifest.files:
            found = unpacked.get(entry.path)
            if found is None:
                raise PackageError(f"Gói {name} thiếu tệp «{entry.path}» ghi trong manifest.")
            size = found.stat().st_size
            if size != entry.size or self._archive.sha256(found) != entry.sha256:
                raise PackageError(
                    f"Gói {name}: tệp «{entry.path}» không khớp mã SHA-256 trong manifest (tệp bị sửa hoặc hỏng)."
                )
        steps = 4 + len(manifest.files)
        if progress:
            progress("Đã kiểm tra chữ ký và mã băm", steps)
        toml_path = unpacked[manifest.programme_file]
        programme_file = read_programme_file(
            read_programme_text(toml_path.read_bytes(), manifest.programme_file), manifest.programme_file
        )
        info = programme_file.package
        if (info.id, info.version) != (manifest.package_id, manifest.version):
            raise PackageError(
                f"Gói {name}: manifest ghi «{manifest.package_id}» phiên bản {manifest.version} nhưng tệp chương "
                f"trình ghi «{info.id}» phiên bản {info.version}."
            )
        audio: dict[str, InspectedAudio] = {}
        for relative in [*programme_file.audio_paths(), *(path for _key, path in manifest.rendered)]:
            if relative not in unpacked:
                raise PackageError(f"Gói {name} thiếu tệp âm thanh «{relative}» mà tệp chương trình cần.")
            try:
                audio[relative] = self._inspect(unpacked[relative])
            except AudioError as exc:
                raise PackageError(f"Gói {name}: tệp «{relative}» không dùng được: {exc.message}") from exc
            if progress:
                progress(f"Đã kiểm tra {relative}", steps)
        return OpenedPackage(
            name=name,
            archive_sha256=archive_sha,
            manifest=manifest,
            manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
            signer=signer,
            programme_file=programme_file,
            audio=audio,
            rendered=dict(manifest.rendered),
        )

    def _check_signature(self, name: str, manifest_bytes: bytes, signature_path: Path | None) -> SignerInfo | None:
        allow = self._settings.allow_unsigned_packages
        if signature_path is None:
            if allow:
                return None
            raise PackageError(
                f"Gói {name} không có chữ ký: từ chối. Chỉ nhận gói ký bằng khóa đã tin cậy "
                "(«truyenthanh keys trust TỆP_KHÓA»), hoặc bật allow_unsigned_packages trong cấu hình."
            )
        doc = parse_signature(signature_path.read_bytes())
        key = self._keys.trusted_key(doc.key_fingerprint)
        if key is None:
            if not allow:
                raise PackageError(
                    f"Gói {name} được ký bằng khóa lạ «{doc.signer}» ({doc.key_fingerprint}), không nằm trong danh "
                    "sách khóa tin cậy của đài: từ chối. Nếu đúng là tuyến trên, hãy nhận tệp khóa công khai của họ "
                    "và chạy «truyenthanh keys trust TỆP_KHÓA» (so dấu vân tay qua điện thoại)."
                )
            return SignerInfo(doc.key_fingerprint, doc.signer, trusted=False)
        if not key.verify(manifest_bytes, doc.signature):
            raise PackageError(
                f"Chữ ký của gói {name} KHÔNG KHỚP với khóa «{key.name}»: gói đã bị sửa sau khi ký, hoặc chữ ký "
                "bị giả. Từ chối."
            )
        return SignerInfo(doc.key_fingerprint, key.name, trusted=True)
