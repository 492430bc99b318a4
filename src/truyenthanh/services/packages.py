"""Programme packages: checking a programme file, building and signing a ``.ttpkg``, and importing one at a
station after a preview, in one transaction.

Import order, each step refusing with a Vietnamese message before anything is written:

1. unpack into a private folder under the cache, refusing hostile archives (see :mod:`adapters.archive`);
2. read the manifest and check the signature against the station's trusted keys (unsigned or unknown signers
   only if ``allow_unsigned_packages`` is set; a signature that does not match is always refused);
3. check the size and SHA-256 of every file against the manifest, and refuse files it does not list;
4. read the programme file (UTF-8 only) and check every audio file decodes whole (non-audio payloads refused);
5. compare with what the station already has: same package again is a no-op, an older or conflicting version
   is refused, a newer one replaces the older one's future airings and keeps its history;
6. check every new schedule against the station's schedule and rules (the scheduler's own checks);
7. write everything (audio, announcements, programmes, items, schedules, the package record, the audit
   entry) in one database transaction, with audio files published only as it commits.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from truyenthanh import __version__
from truyenthanh.adapters import archive, ffmpeg, files
from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.models import (
    Announcement,
    AudioAsset,
    BroadcastLog,
    Programme,
    ProgrammeItem,
    ProgrammePackage,
    Schedule,
    Station,
    Zone,
)
from truyenthanh.config import Settings
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.enums import AssetSource, Category, ContentStatus, ItemKind
from truyenthanh.domain.package import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    Manifest,
    ManifestEntry,
    PackageLimits,
    SignatureDoc,
    parse_manifest,
    parse_signature,
)
from truyenthanh.domain.programme_file import (
    ItemSpec,
    PackageInfo,
    Problem,
    ProgrammeFile,
    ProgrammeFileError,
    ProgrammeSpec,
    ScheduleEntry,
    ScheduleKind,
    audio_references,
    read_programme_file,
)
from truyenthanh.domain.schedule import Misfire, ScheduleSpec, check, describe, expand
from truyenthanh.domain.station import StationRules
from truyenthanh.domain.toml_lines import dotted
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import AudioError, PackageError
from truyenthanh.locations import Locations
from truyenthanh.services import audit
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.approvals import ApprovalService
from truyenthanh.services.keys import KeyService
from truyenthanh.services.library import InspectedAudio, LibraryService, MediaStaging, inspect_audio
from truyenthanh.services.ports import Clock
from truyenthanh.services.scheduling import SchedulingService

PROGRAMME_NAME = "programme.toml"
"""Name of the programme file inside a package."""
SPEECH_SECONDS_PER_CHAR = 1 / 14
"""Rough reading speed of Vietnamese TTS, to estimate unrendered announcements when checking session lengths."""
PREVIEW_HORIZON = timedelta(days=62)
"""How far ahead airings are counted and checked."""

Narrate = Callable[[str, Path], str]
"""Reads a written announcement aloud into a WAV file at the given path; returns the engine's name.

Raises:
    SpeechError: nothing could read it.
"""

RENDERED_FOLDER = "rendered"
"""Folder inside a package for announcements read aloud at build time."""

Progress = Callable[[str, int], None]
"""Called after each step with a Vietnamese description of it and the total number of steps known so far."""


class ConflictChoice(StrEnum):
    """What to do with a package's schedules that break the station's rules or collide with its schedule."""

    REFUSE = "refuse"
    """Import nothing while there are conflicts (the default)."""
    SKIP = "skip"
    """Import the programmes, leave the conflicting schedules out."""
    FORCE = "force"
    """Import everything as it is."""

    @property
    def label(self) -> str:
        """Vietnamese description."""
        return {
            "refuse": "không nhập gì khi còn xung đột",
            "skip": "nhập chương trình, bỏ các lịch bị xung đột (--on-conflict skip)",
            "force": "nhập tất cả như trong gói (--on-conflict force)",
        }[self.value]


class ImportAction(StrEnum):
    """What importing would do overall."""

    NEW = "new"
    UPGRADE = "upgrade"
    SAME = "same"
    """This version is already imported: nothing to do."""


@dataclass(frozen=True)
class SignerInfo:
    """Who signed a package, as the station sees it."""

    fingerprint: str
    name: str
    """The name the station trusted the key under (or, for an unknown key, the name the package claims)."""
    trusted: bool

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"fingerprint": self.fingerprint, "name": self.name, "trusted": self.trusted}


@dataclass(frozen=True)
class ProgrammeChange:
    """One programme of the package compared with the station's previous version of it."""

    key: str
    title: str
    change: str
    """``added``, ``changed``, ``removed`` or ``unchanged``."""
    details: tuple[str, ...] = ()
    """What changed (Vietnamese)."""
    schedules: tuple[str, ...] = ()
    """Vietnamese summaries of its schedules."""
    airings: int = 0
    """Airings in the coming :data:`PREVIEW_HORIZON`."""
    first_airing: datetime | None = None
    duration_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "title": self.title,
            "change": self.change,
            "details": list(self.details),
            "schedules": list(self.schedules),
            "airings": self.airings,
            "first_airing": self.first_airing.isoformat() if self.first_airing else None,
            "duration_s": round(self.duration_s, 1),
        }


@dataclass(frozen=True)
class PackageConflict:
    """A schedule of the package that collides with the station's schedule or breaks its rules."""

    programme_key: str
    programme_title: str
    schedule: str
    """Where it is in the programme file (``programme[1].schedule[2]``) and its summary."""
    messages: tuple[str, ...]
    """What is wrong (Vietnamese), one line each."""
    forceable: bool = True
    """``False`` when it cannot be imported even with ``force`` (e.g. the station has no such session)."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "programme": self.programme_key,
            "title": self.programme_title,
            "schedule": self.schedule,
            "messages": list(self.messages),
            "forceable": self.forceable,
        }


@dataclass(frozen=True)
class ImportPreview:
    """Everything an operator needs to decide on an import; nothing has been written."""

    package: PackageInfo
    archive_sha256: str
    signer: SignerInfo | None
    action: ImportAction
    previous_version: int | None
    programmes: tuple[ProgrammeChange, ...]
    conflicts: tuple[PackageConflict, ...]
    warnings: tuple[str, ...]
    retired_airings: int
    """Future airings of the previous version that the import removes."""
    new_audio: int
    reused_audio: int

    @property
    def added(self) -> list[ProgrammeChange]:
        """Programmes new to the station."""
        return [p for p in self.programmes if p.change == "added"]

    @property
    def changed(self) -> list[ProgrammeChange]:
        """Programmes of the previous version that this one changes."""
        return [p for p in self.programmes if p.change == "changed"]

    @property
    def removed(self) -> list[ProgrammeChange]:
        """Programmes of the previous version that this one drops."""
        return [p for p in self.programmes if p.change == "removed"]

    @property
    def unchanged(self) -> list[ProgrammeChange]:
        """Programmes identical to the previous version."""
        return [p for p in self.programmes if p.change == "unchanged"]

    @property
    def choices(self) -> tuple[ConflictChoice, ...]:
        """What the operator may choose when there are conflicts."""
        if not self.conflicts:
            return ()
        return (ConflictChoice.SKIP, ConflictChoice.FORCE, ConflictChoice.REFUSE)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        info = self.package
        return {
            "package": {
                "id": info.id,
                "version": info.version,
                "title": info.title,
                "author": info.author,
                "upstream": info.upstream,
                "upstream_id": info.upstream_id,
                "communes": list(info.communes),
            },
            "archive_sha256": self.archive_sha256,
            "signer": self.signer.to_json() if self.signer else None,
            "action": self.action.value,
            "previous_version": self.previous_version,
            "programmes": [p.to_json() for p in self.programmes],
            "conflicts": [c.to_json() for c in self.conflicts],
            "choices": [c.value for c in self.choices],
            "warnings": list(self.warnings),
            "retired_airings": self.retired_airings,
            "new_audio": self.new_audio,
            "reused_audio": self.reused_audio,
        }

    def explain(self, zone: ZoneInfo) -> str:
        """The preview as an operator reads it (Vietnamese, several lines)."""
        info = self.package
        lines = [f"Gói «{info.title}» ({info.id}), phiên bản {info.version}, do {info.author} — {info.upstream}."]
        if self.signer is None:
            lines.append("Chữ ký: KHÔNG CÓ (đài cho phép nhận gói không ký).")
        elif self.signer.trusted:
            lines.append(f"Chữ ký: hợp lệ, khóa tin cậy «{self.signer.name}» ({self.signer.fingerprint}).")
        else:
            lines.append(f"Chữ ký: khóa LẠ «{self.signer.name}» ({self.signer.fingerprint}) — đài cho phép nhận.")
        if self.action is ImportAction.SAME:
            lines.append("Phiên bản này đã được nhập trước đây: không có gì thay đổi.")
            return "\n".join(lines)
        if self.previous_version is not None:
            lines.append(
                f"Thay cho phiên bản {self.previous_version}: bỏ {self.retired_airings} lần phát sắp tới của bản cũ "
                "(các lần đã phát vẫn giữ trong nhật ký)."
            )
        labels = {"added": "Thêm", "changed": "Thay đổi", "removed": "Bỏ", "unchanged": "Giữ nguyên"}
        for programme in self.programmes:
            first = (
                f", lần đầu {programme.first_airing.astimezone(zone):%H:%M %d/%m/%Y}" if programme.first_airing else ""
            )
            lines.append(
                f"  {labels[programme.change]}: «{programme.title}» ({programme.key}), "
                f"{programme.duration_s / 60:.1f} phút, {programme.airings} lần phát{first}"
            )
            lines.extend(f"      {detail}" for detail in programme.details)
            lines.extend(f"      lịch: {summary}" for summary in programme.schedules)
        lines.append(f"Âm thanh: {self.new_audio} tệp mới, {self.reused_audio} tệp đã có trong thư viện.")
        for warning in self.warnings:
            lines.append(f"Lưu ý: {warning}")
        if self.conflicts:
            lines.append(f"Xung đột với lịch và quy định của đài ({len(self.conflicts)}):")
            for conflict in self.conflicts:
                lines.append(f"  «{conflict.programme_title}», {conflict.schedule}:")
                lines.extend(f"      {message}" for message in conflict.messages)
            lines.append("Có thể chọn: " + "; ".join(c.label for c in self.choices) + ".")
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did."""

    preview: ImportPreview
    imported: bool
    """Something was written (``False`` for a dry run or a package already imported)."""
    programme_ids: tuple[int, ...] = ()
    schedule_ids: tuple[int, ...] = ()
    skipped_schedules: tuple[str, ...] = ()
    """Schedules left out because of conflicts (``skip``) or because they cannot be placed."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "imported": self.imported,
            "programme_ids": list(self.programme_ids),
            "schedule_ids": list(self.schedule_ids),
            "skipped_schedules": list(self.skipped_schedules),
            "preview": self.preview.to_json(),
        }


class PackageConflictError(PackageError):
    """The package's schedules conflict with the station's and no choice was made; :attr:`preview` has them."""

    def __init__(self, preview: ImportPreview, zone: ZoneInfo) -> None:
        super().__init__("Chưa nhập gì vì có xung đột.\n" + preview.explain(zone))
        self.preview = preview


@dataclass(frozen=True)
class BuildResult:
    """A package written by :meth:`PackageService.build`."""

    path: Path
    manifest: Manifest
    signer: SignerInfo | None
    size: int


@dataclass
class _Opened:
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


@dataclass
class _PlannedSchedule:
    entry: ScheduleEntry
    spec: ScheduleSpec | None
    """``None`` when it cannot be placed at this station (e.g. unknown session)."""
    where: str
    summary: str
    problems: tuple[str, ...] = ()
    forceable: bool = True


@dataclass
class _PlannedProgramme:
    spec: ProgrammeSpec
    duration_s: float
    schedules: list[_PlannedSchedule] = field(default_factory=list)


@dataclass
class _Plan:
    preview: ImportPreview
    programmes: list[_PlannedProgramme]
    previous: ProgrammePackage | None


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_text(raw: bytes, name: str) -> str:
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


class PackageService:
    """Programme files and packages for upstream editors (check, build, sign) and stations (preview, import)."""

    def __init__(
        self,
        *,
        settings: Settings,
        locations: Locations,
        db: Database,
        clock: Clock,
        library: LibraryService,
        scheduling: SchedulingService,
        keys: KeyService,
        accounts: AccountService,
        approvals: ApprovalService,
        limits: PackageLimits | None = None,
        narrate: Narrate | None = None,
    ) -> None:
        self._settings = settings
        self._locations = locations
        self._db = db
        self._clock = clock
        self._library = library
        self._scheduling = scheduling
        self._keys = keys
        self._accounts = accounts
        self._approvals = approvals
        self.limits = limits or PackageLimits()
        self._narrate = narrate

    # --- editors: check, build, sign ------------------------------------------------------------------------

    def check_file(self, path: Path, *, progress: Progress | None = None) -> ProgrammeFile:
        """Check a programme file and the audio files it names; writes nothing.

        Raises:
            ProgrammeFileError: every problem found (TOML, fields, missing or unreadable audio), with lines.
        """
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise PackageError(f"Không đọc được tệp {path}: {exc.strerror}.") from exc
        text = _read_text(raw, path.name)
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
                inspect_audio(candidate)
            except AudioError as exc:
                problems.append(Problem(line, dotted(where), exc.message))
            if progress:
                progress(relative, len(refs) + 1)
        if problems or programme_file is None:
            raise ProgrammeFileError(path.name, problems)
        return programme_file

    def build(
        self,
        source: Path,
        output: Path,
        *,
        sign_with: str | None = None,
        render_announcements: bool = False,
        progress: Progress | None = None,
    ) -> BuildResult:
        """Check a programme file, then write a package with it, its audio and a manifest (signed if asked).

        Args:
            render_announcements: also read aloud every announcement that has no recording of its own, so
                stations play exactly this reading (they read the text themselves otherwise).

        Raises:
            ProgrammeFileError: the file or its audio has problems (nothing is written).
            PackageError: the package cannot be written, or the key cannot be used.
            SpeechError: an announcement could not be read aloud.
        """
        with tempfile.TemporaryDirectory() as scratch:
            return self._build(
                source,
                output,
                sign_with=sign_with,
                render_announcements=render_announcements,
                scratch=Path(scratch),
                progress=progress,
            )

    def _build(
        self,
        source: Path,
        output: Path,
        *,
        sign_with: str | None,
        render_announcements: bool,
        scratch: Path,
        progress: Progress | None,
    ) -> BuildResult:
        key = self._keys.private_key(sign_with) if sign_with is not None else None
        programme_file = self.check_file(source, progress=progress)
        base = source.resolve().parent
        toml_bytes = source.read_bytes()
        entries: list[tuple[str, bytes | Path]] = [(PROGRAMME_NAME, toml_bytes)]
        listed = [ManifestEntry(PROGRAMME_NAME, len(toml_bytes), _sha256_bytes(toml_bytes))]
        for relative in programme_file.audio_paths():
            audio_path = base.joinpath(*relative.split("/"))
            entries.append((relative, audio_path))
            listed.append(ManifestEntry(relative, audio_path.stat().st_size, files.sha256_file(audio_path)))
        rendered: list[tuple[str, str]] = []
        if render_announcements:
            if self._narrate is None:
                raise PackageError("Máy này chưa có bộ đọc văn bản để đọc sẵn thông báo.")
            taken = {entry.path for entry in listed}
            for programme in programme_file.programmes:
                for number, item in enumerate(programme.items, start=1):
                    if item.kind is not ItemKind.ANNOUNCEMENT or item.audio:
                        continue
                    relative = f"{RENDERED_FOLDER}/{programme.key}-{number}.wav"
                    if relative in taken:
                        raise PackageError(f"Tệp chương trình đã dùng đường dẫn «{relative}»; hãy đổi tên tệp đó.")
                    target = scratch / f"{programme.key}-{number}.wav"
                    self._narrate(item.text or "", target)
                    entries.append((relative, target))
                    listed.append(ManifestEntry(relative, target.stat().st_size, files.sha256_file(target)))
                    rendered.append((f"{programme.key}#{number}", relative))
                    if progress:
                        progress(relative, len(listed) + 1)
        manifest = Manifest(
            package_id=programme_file.package.id,
            version=programme_file.package.version,
            programme_file=PROGRAMME_NAME,
            files=tuple(listed),
            created=self._clock.now().astimezone(UTC).isoformat(timespec="seconds"),
            generator=f"truyenthanh {__version__}",
            rendered=tuple(sorted(rendered)),
        )
        manifest_bytes = manifest.to_bytes()
        head: list[tuple[str, bytes | Path]] = [(MANIFEST_NAME, manifest_bytes)]
        signer = None
        if key is not None:
            doc = SignatureDoc(key.public.fingerprint, key.name, key.sign(manifest_bytes))
            head.append((SIGNATURE_NAME, doc.to_bytes()))
            signer = SignerInfo(key.public.fingerprint, key.name, trusted=True)
        archive.write_archive(output, head + entries)
        if progress:
            progress(output.name, len(listed))
        return BuildResult(path=output, manifest=manifest, signer=signer, size=output.stat().st_size)

    def sign(self, package: Path, *, key_name: str | None = None) -> SignerInfo:
        """Sign (or re-sign) a package with one of this machine's keys; its content is unchanged.

        Raises:
            PackageError: not a package, or the key cannot be used.
        """
        entries = archive.read_entries(package)
        manifest_bytes = entries.get(MANIFEST_NAME)
        if manifest_bytes is None:
            raise PackageError(f"Tệp {package.name} không có manifest.json: không phải gói .ttpkg.")
        parse_manifest(manifest_bytes)
        key = self._keys.private_key(key_name)
        doc = SignatureDoc(key.public.fingerprint, key.name, key.sign(manifest_bytes))
        ordered: list[tuple[str, bytes | Path]] = [(MANIFEST_NAME, manifest_bytes), (SIGNATURE_NAME, doc.to_bytes())]
        ordered += [(name, data) for name, data in entries.items() if name not in (MANIFEST_NAME, SIGNATURE_NAME)]
        archive.write_archive(package, ordered)
        return SignerInfo(key.public.fingerprint, key.name, trusted=True)

    # --- stations: open, preview, import ------------------------------------------------------------------

    @contextmanager
    def _open(self, package: Path, progress: Progress | None) -> Iterator[_Opened]:
        """Unpack and verify a package into a private folder that is removed afterwards."""
        if not package.is_file():
            raise PackageError(f"Không tìm thấy gói {package}.")
        self._keys.require_station()
        self._locations.cache_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="goi-", dir=self._locations.cache_dir))
        try:
            archive_sha = files.sha256_file(package)
            unpacked = archive.unpack(package, work, self.limits)
            if progress:
                progress("Đã giải nén gói", 3)
            yield self._verify(package.name, archive_sha, unpacked, progress)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _verify(self, name: str, archive_sha: str, unpacked: archive.Unpacked, progress: Progress | None) -> _Opened:
        manifest_path = unpacked.files.get(MANIFEST_NAME)
        if manifest_path is None:
            raise PackageError(f"Gói {name} không có manifest.json: không phải gói .ttpkg hoặc đã bị sửa.")
        manifest_bytes = manifest_path.read_bytes()
        manifest = parse_manifest(manifest_bytes)
        signer = self._check_signature(name, manifest_bytes, unpacked.files.get(SIGNATURE_NAME))
        listed = {entry.path for entry in manifest.files}
        extra = sorted(set(unpacked.files) - listed - {MANIFEST_NAME, SIGNATURE_NAME})
        if extra:
            raise PackageError(f"Gói {name} có tệp không ghi trong manifest (bị chèn thêm?): {', '.join(extra)}.")
        for entry in manifest.files:
            found = unpacked.files.get(entry.path)
            if found is None:
                raise PackageError(f"Gói {name} thiếu tệp «{entry.path}» ghi trong manifest.")
            size = found.stat().st_size
            if size != entry.size or files.sha256_file(found) != entry.sha256:
                raise PackageError(
                    f"Gói {name}: tệp «{entry.path}» không khớp mã SHA-256 trong manifest (tệp bị sửa hoặc hỏng)."
                )
        steps = 4 + len(manifest.files)
        if progress:
            progress("Đã kiểm tra chữ ký và mã băm", steps)
        toml_path = unpacked.files[manifest.programme_file]
        programme_file = read_programme_file(
            _read_text(toml_path.read_bytes(), manifest.programme_file), manifest.programme_file
        )
        info = programme_file.package
        if (info.id, info.version) != (manifest.package_id, manifest.version):
            raise PackageError(
                f"Gói {name}: manifest ghi «{manifest.package_id}» phiên bản {manifest.version} nhưng tệp chương "
                f"trình ghi «{info.id}» phiên bản {info.version}."
            )
        audio: dict[str, InspectedAudio] = {}
        for relative in [*programme_file.audio_paths(), *(path for _key, path in manifest.rendered)]:
            if relative not in unpacked.files:
                raise PackageError(f"Gói {name} thiếu tệp âm thanh «{relative}» mà tệp chương trình cần.")
            try:
                audio[relative] = inspect_audio(unpacked.files[relative])
            except AudioError as exc:
                raise PackageError(f"Gói {name}: tệp «{relative}» không dùng được: {exc.message}") from exc
            if progress:
                progress(f"Đã kiểm tra {relative}", steps)
        return _Opened(
            name=name,
            archive_sha256=archive_sha,
            manifest=manifest,
            manifest_sha256=_sha256_bytes(manifest_bytes),
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

    def preview(self, package: Path, *, progress: Progress | None = None) -> ImportPreview:
        """Verify a package and describe what importing it would do; writes nothing.

        Raises:
            PackageError: the package is unsafe, tampered with, untrusted, malformed, or an older or conflicting
                version of one already imported.
        """
        with self._open(package, progress) as opened:
            return self._plan(opened).preview

    def import_package(
        self,
        actor: Actor,
        package: Path,
        *,
        choice: ConflictChoice = ConflictChoice.REFUSE,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportOutcome:
        """Verify, preview and (unless ``dry_run``) import a package in one transaction, for ``actor``.

        Imported programmes and announcements wait for the station's approver, unless the package was signed by
        a trusted upstream key and the station pre-approves such packages (``signed_packages_preapproved``):
        then they are approved in that upstream's name. Everything created is audited.

        Raises:
            PermissionDeniedError: ``actor`` may not import packages.
            PackageConflictError: conflicts and ``choice`` is ``refuse``; nothing is written.
            PackageError: as :meth:`preview`; nothing is written.
        """
        self._accounts.require(actor, Permission.IMPORT_PACKAGES)
        with self._open(package, progress) as opened:
            plan = self._plan(opened)
            preview = plan.preview
            if dry_run or preview.action is ImportAction.SAME:
                return ImportOutcome(preview=preview, imported=False)
            if preview.conflicts and choice is ConflictChoice.REFUSE:
                raise PackageConflictError(preview, self._settings.zone)
            outcome = self._write(opened, plan, choice, actor)
            if progress:
                progress("Đã nhập gói", 0)
            return outcome

    # --- planning ----------------------------------------------------------------------------------------------

    def _station(self) -> tuple[Station | None, StationRules, list[str]]:
        with self._db.session() as session:
            station = session.exec(select(Station)).first()
            zones = [z.name for z in session.exec(select(Zone))]
        rules = StationRules.from_json(station.rules if station else None)
        return station, rules, zones

    def _previous(self, package_id: str) -> list[ProgrammePackage]:
        with self._db.session() as session:
            return list(
                session.exec(
                    select(ProgrammePackage)
                    .where(ProgrammePackage.package_id == package_id)
                    .order_by(col(ProgrammePackage.version))
                )
            )

    def _duration(self, programme: ProgrammeSpec, opened: _Opened) -> float:
        total = 0.0
        for index, item in enumerate(programme.items):
            recording = opened.recording(programme, index, item)
            if recording:
                length = opened.audio[recording].duration_s
            elif item.kind is ItemKind.JINGLE and item.jingle:
                length = TUNES[item.jingle].duration_s
            elif item.kind is ItemKind.ANNOUNCEMENT:
                length = len(item.text or "") * SPEECH_SECONDS_PER_CHAR
            else:
                length = item.duration_s or 0.0
            total += length - (item.crossfade_s if index else 0.0)
        return max(0.0, total)

    def _schedule_spec(
        self,
        programme: ProgrammeSpec,
        entry: ScheduleEntry,
        duration: float,
        rules: StationRules,
        file_zone: ZoneInfo,
    ) -> tuple[ScheduleSpec | None, str | None]:
        """The station-side schedule for an entry, or why it cannot be placed here."""
        zone = self._settings.zone
        start = entry.start
        exclude = entry.exclude
        if entry.kind is ScheduleKind.SESSION:
            session_rule = next((s for s in rules.sessions if s.name == entry.session), None)
            if session_rule is None:
                names = ", ".join(f"«{s.name}»" for s in rules.sessions) or "(chưa đặt buổi nào)"
                return None, f"đài không có buổi «{entry.session}» (các buổi của đài: {names}); lịch này sẽ bị bỏ qua"
            assert entry.start_date is not None
            start = datetime.combine(entry.start_date, session_rule.start, tzinfo=zone).astimezone(UTC)
            exclude = tuple(
                datetime.combine(moment.astimezone(file_zone).date(), session_rule.start, tzinfo=zone).astimezone(UTC)
                for moment in entry.exclude
            )
        assert start is not None
        return (
            ScheduleSpec(
                id=None,
                programme_id=0,
                title=programme.title,
                duration_s=duration,
                start_at=start,
                rrule=entry.rrule if entry.kind is not ScheduleKind.ONCE else None,
                exdates=exclude,
                valid_from=programme.valid_from,
                valid_to=programme.valid_to,
                priority=entry.priority or programme.priority,
                misfire=Misfire.parse(entry.misfire),
                session_name=entry.session,
            ),
            None,
        )

    def _plan(self, opened: _Opened) -> _Plan:
        info = opened.programme_file.package
        zone = self._settings.zone
        now = self._clock.now()
        previous_rows = self._previous(info.id)
        same = next((row for row in previous_rows if row.version == info.version), None)
        newest = previous_rows[-1] if previous_rows else None
        canonical = {p.key: p.canonical() for p in opened.programme_file.programmes}
        if newest is not None and newest.version > info.version:
            raise PackageError(
                f"Gói «{info.id}» phiên bản {info.version} cũ hơn phiên bản {newest.version} đài đã nhập: không nhập."
            )
        if (
            same is not None
            and same.archive_sha256 != opened.archive_sha256
            and same.content.get("programmes") != json.loads(json.dumps(canonical))
        ):
            raise PackageError(
                f"Đài đã nhập «{info.id}» phiên bản {info.version} với nội dung khác gói này. Tuyến trên cần "
                f"tăng số phiên bản (version) khi sửa gói."
            )
        station, rules, station_zones = self._station()
        file_zone = ZoneInfo(info.timezone)
        existing_specs = self._scheduling.specs()
        old_ids = self._package_schedule_ids(info.id)
        others = [s for s in existing_specs if s.id not in old_ids]
        planned: list[_PlannedProgramme] = []
        conflicts: list[PackageConflict] = []
        accepted: list[ScheduleSpec] = []
        changes: list[ProgrammeChange] = []
        previous_content: dict[str, Any] = newest.content.get("programmes", {}) if newest and same is None else {}
        for programme in opened.programme_file.programmes:
            duration = self._duration(programme, opened)
            entry_plans = []
            airings = 0
            first: datetime | None = None
            summaries = []
            for entry in programme.schedules:
                where = dotted(entry.path)
                spec, reason = self._schedule_spec(programme, entry, duration, rules, file_zone)
                if spec is None:
                    assert reason is not None
                    entry_plans.append(_PlannedSchedule(entry, None, where, where, (reason,), forceable=False))
                    conflicts.append(PackageConflict(programme.key, programme.title, where, (reason,), False))
                    continue
                summary = describe(spec, zone)
                summaries.append(summary)
                report = check(spec, [*others, *accepted], rules, zone, now, horizon=PREVIEW_HORIZON)
                messages = tuple(c.message for c in report.conflicts[:5])
                if len(report.conflicts) > 5:
                    messages += (f"... và {len(report.conflicts) - 5} xung đột khác.",)
                entry_plans.append(_PlannedSchedule(entry, spec, where, summary, messages))
                if messages:
                    conflicts.append(PackageConflict(programme.key, programme.title, f"{where} ({summary})", messages))
                accepted.append(spec)
                upcoming = expand(spec, now, now + PREVIEW_HORIZON, zone)
                airings += len(upcoming)
                if upcoming and (first is None or upcoming[0].start < first):
                    first = upcoming[0].start
            planned.append(_PlannedProgramme(programme, duration, entry_plans))
            old = previous_content.get(programme.key)
            change = (
                "added"
                if old is None
                else "unchanged"
                if old == json.loads(json.dumps(canonical[programme.key]))
                else "changed"
            )
            details = _differences(old, canonical[programme.key]) if change == "changed" else ()
            changes.append(
                ProgrammeChange(
                    programme.key, programme.title, change, details, tuple(summaries), airings, first, duration
                )
            )
        for key, old in previous_content.items():
            if key not in canonical:
                changes.append(ProgrammeChange(key, str(old.get("title", key)), "removed"))
        warnings = self._warnings(opened.programme_file, station, station_zones, changes)
        reused = sum(1 for inspected in opened.audio.values() if self._library.find_by_sha(inspected.sha256))
        preview = ImportPreview(
            package=info,
            archive_sha256=opened.archive_sha256,
            signer=opened.signer,
            action=ImportAction.SAME if same is not None else ImportAction.UPGRADE if newest else ImportAction.NEW,
            previous_version=newest.version if newest and same is None else None,
            programmes=tuple(changes),
            conflicts=tuple(conflicts) if same is None else (),
            warnings=tuple(warnings),
            retired_airings=self._future_airings(old_ids, existing_specs, now) if same is None else 0,
            new_audio=len({a.sha256 for a in opened.audio.values()}) - reused,
            reused_audio=reused,
        )
        return _Plan(preview=preview, programmes=planned, previous=newest)

    def _package_schedule_ids(self, package_id: str) -> set[int]:
        with self._db.session() as session:
            rows = session.exec(select(Schedule.id).where(Schedule.package_id == package_id))
            return {row for row in rows if row is not None}

    def _future_airings(self, ids: set[int], specs: list[ScheduleSpec], now: datetime) -> int:
        zone = self._settings.zone
        return sum(len(expand(s, now, now + PREVIEW_HORIZON, zone)) for s in specs if s.id in ids)

    def _warnings(
        self,
        programme_file: ProgrammeFile,
        station: Station | None,
        station_zones: list[str],
        changes: list[ProgrammeChange],
    ) -> list[str]:
        info = programme_file.package
        warnings = []
        if station is not None and info.communes and station.commune and station.commune not in info.communes:
            warnings.append(
                f"gói dành cho các xã {', '.join(info.communes)}; đài này là xã {station.commune}. "
                "Hãy hỏi lại tuyến trên nếu không chắc."
            )
        unknown = sorted({z for p in programme_file.programmes for z in p.zones if z not in station_zones})
        if unknown:
            warnings.append(
                f"đài không có khu vực loa {', '.join(unknown)}; các chương trình đó sẽ phát trên toàn bộ hệ thống loa."
            )
        if all(change.airings == 0 for change in changes if change.change != "removed"):
            warnings.append("gói không có lần phát nào từ nay trở đi (đã hết hiệu lực, hoặc chưa có lịch).")
        relays = sum(1 for p in programme_file.programmes for i in p.items if i.kind is ItemKind.RELAY)
        if relays:
            warnings.append(f"có {relays} mục tiếp sóng qua Internet; khi mất mạng, đài phát mục dự phòng.")
        return warnings

    # --- writing -------------------------------------------------------------------------------------------------

    def _write(self, opened: _Opened, plan: _Plan, choice: ConflictChoice, actor: Actor) -> ImportOutcome:
        info = opened.programme_file.package
        now = self._clock.now()
        # Only a signature checked against a key the station trusts may stand in for the station's approver.
        upstream = opened.signer.name if opened.signer is not None and opened.signer.trusted else None
        preapproved = False
        programme_ids: list[int] = []
        schedule_ids: list[int] = []
        skipped: list[str] = []
        rows: dict[str, dict[str, Any]] = {}
        with (
            tempfile.TemporaryDirectory(dir=self._locations.cache_dir) as scratch,
            self._library.transaction() as (session, staging),
        ):
            assets = _AssetWriter(session, staging, opened, Path(scratch))
            retire_schedules(session, info.id, now, self._settings.zone, actor=actor.username)
            for planned in plan.programmes:
                programme = planned.spec
                fallback_id = assets.for_item(programme.fallback, programme) if programme.fallback else None
                row = Programme(
                    title=programme.title,
                    category=programme.category,
                    priority=programme.priority,
                    language=programme.language,
                    fallback_asset_id=fallback_id,
                    status=ContentStatus.WAITING,
                    package_id=info.id,
                    created_by=info.author,
                    created_at=now,
                )
                session.add(row)
                session.flush()
                assert row.id is not None
                programme_ids.append(row.id)
                for position, item in enumerate(programme.items):
                    session.add(
                        self._item_row(
                            session=session,
                            assets=assets,
                            programme_id=row.id,
                            position=position,
                            item=item,
                            programme=programme,
                            author=info.author,
                            actor=actor,
                            upstream=upstream,
                            now=now,
                        )
                    )
                session.flush()
                audit.record(
                    session,
                    at=now,
                    actor=actor.username,
                    action="programme.import",
                    entity="programme",
                    entity_id=row.id,
                    after=audit.programme_snapshot(session, row),
                )
                if upstream is not None:
                    preapproved = self._approvals.preapprove_package(session, row, upstream=upstream)
                ids = []
                for schedule in planned.schedules:
                    if schedule.spec is None or (schedule.problems and choice is ConflictChoice.SKIP):
                        skipped.append(f"«{programme.title}» {schedule.where}")
                        continue
                    spec = schedule.spec
                    saved = Schedule(
                        programme_id=row.id,
                        start_at=spec.start_at,
                        rrule=spec.rrule,
                        exdates=[moment.astimezone(UTC).isoformat() for moment in spec.exdates],
                        valid_from=spec.valid_from,
                        valid_to=spec.valid_to,
                        priority=spec.priority,
                        misfire=str(spec.misfire),
                        session_name=spec.session_name,
                        package_id=info.id,
                        created_by=actor.username,
                        created_at=now,
                    )
                    session.add(saved)
                    session.flush()
                    assert saved.id is not None
                    audit.record(
                        session,
                        at=now,
                        actor=actor.username,
                        action="schedule.import",
                        entity="schedule",
                        entity_id=saved.id,
                        after=audit.snapshot(saved),
                    )
                    ids.append(saved.id)
                schedule_ids.extend(ids)
                rows[programme.key] = {"programme_id": row.id, "schedule_ids": ids}
            record = ProgrammePackage(
                package_id=info.id,
                version=info.version,
                title=info.title,
                upstream=info.upstream,
                author=info.author,
                signer_fingerprint=opened.signer.fingerprint if opened.signer else None,
                signer_name=opened.signer.name if opened.signer else None,
                archive_sha256=opened.archive_sha256,
                manifest_sha256=opened.manifest_sha256,
                content={
                    "programmes": {p.key: p.canonical() for p in opened.programme_file.programmes},
                    "rows": rows,
                    "zones": {p.key: list(p.zones) for p in opened.programme_file.programmes if p.zones},
                    "communes": list(info.communes),
                    "upstream_id": info.upstream_id,
                },
                imported_at=now,
                imported_by=actor.username,
            )
            session.add(record)
            session.flush()
            audit.record(
                session,
                at=now,
                actor=actor.username,
                action="package.import",
                entity="programme_package",
                entity_id=record.id,
                after={
                    "package_id": info.id,
                    "version": info.version,
                    "archive_sha256": opened.archive_sha256,
                    "signer": opened.signer.fingerprint if opened.signer else None,
                    "preapproved_by": upstream if preapproved else None,
                    "choice": choice.value,
                    "programmes": programme_ids,
                    "schedules": schedule_ids,
                    "skipped": skipped,
                },
            )
        return ImportOutcome(
            preview=plan.preview,
            imported=True,
            programme_ids=tuple(programme_ids),
            schedule_ids=tuple(schedule_ids),
            skipped_schedules=tuple(skipped),
        )

    def _item_row(
        self,
        *,
        session: Session,
        assets: _AssetWriter,
        programme_id: int,
        position: int,
        item: ItemSpec,
        programme: ProgrammeSpec,
        author: str,
        actor: Actor,
        upstream: str | None,
        now: datetime,
    ) -> ProgrammeItem:
        announcement_id = None
        asset_id = None
        if item.kind is ItemKind.ANNOUNCEMENT:
            recording = assets.opened.recording(programme, position, item)
            rendered = assets.for_audio(recording, item.title or programme.title, programme) if recording else None
            announcement = Announcement(
                title=item.title,
                text=item.text or "",
                asset_id=rendered,
                engine="package" if rendered else None,
                status=ContentStatus.WAITING,
                priority=programme.priority,
                category=programme.category,
                created_by=author,
                created_at=now,
                updated_at=now,
            )
            session.add(announcement)
            session.flush()
            audit.record(
                session,
                at=now,
                actor=actor.username,
                action="announcement.import",
                entity="announcement",
                entity_id=announcement.id,
                after=audit.snapshot(announcement),
            )
            if upstream is not None:
                self._approvals.preapprove_package(session, announcement, upstream=upstream)
            announcement_id = announcement.id
        elif item.kind in (ItemKind.AUDIO, ItemKind.JINGLE):
            asset_id = assets.for_item(item, programme)
        return ProgrammeItem(
            programme_id=programme_id,
            position=position,
            kind=item.kind,
            title=item.title,
            asset_id=asset_id,
            announcement_id=announcement_id,
            relay_url=item.relay_url,
            duration_s=item.duration_s,
            gain_db=item.gain_db,
            fade_in_s=item.fade_in_s,
            fade_out_s=item.fade_out_s,
            crossfade_s=item.crossfade_s,
        )

    # --- listing -----------------------------------------------------------------------------------------------

    def imported(self) -> list[dict[str, Any]]:
        """Packages imported at this station, newest first, JSON-ready."""
        with self._db.session() as session:
            rows = session.exec(select(ProgrammePackage).order_by(col(ProgrammePackage.id).desc()))
            return [
                {
                    "package_id": row.package_id,
                    "version": row.version,
                    "title": row.title,
                    "upstream": row.upstream,
                    "author": row.author,
                    "signer": row.signer_name,
                    "signer_fingerprint": row.signer_fingerprint,
                    "imported_at": row.imported_at.isoformat(),
                    "imported_by": row.imported_by,
                }
                for row in rows
            ]


def retire_schedule(session: Session, row: Schedule, now: datetime, zone: ZoneInfo, *, actor: str) -> None:
    """End one schedule at ``now``: delete it if it never aired, else cap its validity at ``now`` (history stays).

    The change is audited as ``schedule.retire`` for ``actor`` (a username).
    """
    before = audit.snapshot(row)
    spec = ScheduleSpec(
        id=row.id,
        programme_id=row.programme_id,
        title="",
        duration_s=0.0,
        start_at=row.start_at,
        rrule=row.rrule,
        exdates=tuple(datetime.fromisoformat(x) for x in row.exdates),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )
    earliest = min(row.start_at, row.valid_from or row.start_at) - timedelta(seconds=1)
    if earliest < now and expand(spec, earliest, now, zone):
        if row.valid_to is not None and row.valid_to <= now:
            return
        row.valid_to = now
        session.add(row)
        after = audit.snapshot(row)
    else:
        session.delete(row)
        after = None
    audit.record(
        session,
        at=now,
        actor=actor,
        action="schedule.retire",
        entity="schedule",
        entity_id=row.id,
        before=before,
        after=after,
    )


def retire_schedules(session: Session, package_id: str, now: datetime, zone: ZoneInfo, *, actor: str) -> None:
    """End the schedules that came from ``package_id`` (an earlier version of a package, or an earlier import
    of the same calendar events) at ``now``: drop those that never aired, cap the others at ``now`` so their
    history stays; then remove that package's programmes that never aired and have no schedule left. Every
    change is audited for ``actor`` (a username)."""
    for row in list(session.exec(select(Schedule).where(Schedule.package_id == package_id))):
        retire_schedule(session, row, now, zone, actor=actor)
    session.flush()
    old_programmes = list(session.exec(select(Programme).where(Programme.package_id == package_id)))
    for programme in old_programmes:
        has_schedule = session.exec(select(Schedule.id).where(Schedule.programme_id == programme.id)).first()
        has_history = session.exec(select(BroadcastLog.id).where(BroadcastLog.programme_id == programme.id)).first()
        if has_schedule is not None or has_history is not None:
            continue
        items = list(session.exec(select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id)))
        announcement_ids = {i.announcement_id for i in items if i.announcement_id is not None}
        audit.record(
            session,
            at=now,
            actor=actor,
            action="programme.delete",
            entity="programme",
            entity_id=programme.id,
            before=audit.programme_snapshot(session, programme),
        )
        for item in items:
            session.delete(item)
        session.flush()
        session.delete(programme)
        session.flush()
        for announcement_id in announcement_ids:
            used = session.exec(
                select(ProgrammeItem.id).where(ProgrammeItem.announcement_id == announcement_id)
            ).first()
            announcement = session.get(Announcement, announcement_id)
            if used is None and announcement is not None:
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="announcement.delete",
                    entity="announcement",
                    entity_id=announcement_id,
                    before=audit.snapshot(announcement),
                )
                session.delete(announcement)
    session.flush()


def _differences(old: dict[str, Any] | None, new: dict[str, Any]) -> tuple[str, ...]:
    """Vietnamese lines saying what changed between two canonical programmes."""
    if old is None:
        return ()
    labels = {
        "title": "tên",
        "category": "thể loại",
        "priority": "mức ưu tiên",
        "language": "ngôn ngữ",
        "items": "các mục",
        "schedules": "lịch phát",
        "fallback": "mục dự phòng",
        "zones": "khu vực loa",
        "valid_from": "ngày bắt đầu hiệu lực",
        "valid_to": "ngày hết hiệu lực",
    }
    found = []
    for key, label in labels.items():
        if old.get(key) != new.get(key):
            if key == "items":
                found.append(f"đổi {label} ({len(old.get(key) or [])} → {len(new.get(key) or [])} mục)")
            elif isinstance(new.get(key), str | int | float) or new.get(key) is None:
                found.append(f"đổi {label}: {old.get(key)} → {new.get(key)}")
            else:
                found.append(f"đổi {label}")
    return tuple(found)


class _AssetWriter:
    """Finds or adds the audio assets a package needs, inside the import transaction."""

    def __init__(self, session: Session, staging: MediaStaging, opened: _Opened, scratch: Path) -> None:
        self._session = session
        self._staging = staging
        self.opened = opened
        self._scratch = scratch
        self._by_sha: dict[str, int] = {}

    def for_item(self, item: ItemSpec, programme: ProgrammeSpec) -> int:
        """Asset id for an audio, pre-rendered announcement, or jingle item."""
        if item.jingle:
            return self._tune(item.jingle)
        assert item.audio is not None
        return self.for_audio(item.audio, item.title or programme.title, programme)

    def for_audio(self, relative: str, title: str, programme: ProgrammeSpec) -> int:
        """Asset id for an audio file of the package."""
        return self._add(
            self.opened.audio[relative],
            title=title,
            category=programme.category,
            language=programme.language,
            source=AssetSource.PACKAGE,
        )

    def _add(
        self, inspected: InspectedAudio, *, title: str, category: Category, language: str, source: AssetSource
    ) -> int:
        known = self._by_sha.get(inspected.sha256)
        if known is not None:
            return known
        row = self._session.exec(select(AudioAsset).where(AudioAsset.sha256 == inspected.sha256)).first()
        if row is None:
            self._staging.stage(inspected.source, inspected.media_path)
            row = inspected.to_row(title=title, category=category, language=language, source=source)
            self._session.add(row)
            self._session.flush()
        assert row.id is not None
        self._by_sha[inspected.sha256] = row.id
        return row.id

    def _tune(self, name: str) -> int:
        relative = f"tunes/{name}.wav"
        row = self._session.exec(select(AudioAsset).where(AudioAsset.path == relative)).first()
        if row is not None and row.id is not None:
            return row.id
        rendered = self._scratch / f"{name}.wav"
        if not rendered.exists():
            ffmpeg.render_tune(TUNES[name], rendered)
        inspected = inspect_audio(rendered)
        known = self._by_sha.get(inspected.sha256)
        if known is not None:
            return known
        existing = self._session.exec(select(AudioAsset).where(AudioAsset.sha256 == inspected.sha256)).first()
        if existing is not None and existing.id is not None:
            return existing.id
        self._staging.stage(rendered, relative)
        row = inspected.to_row(
            title=TUNES[name].title, category=Category.MUSIC, language="vi", source=AssetSource.GENERATED
        )
        row.path = relative
        self._session.add(row)
        self._session.flush()
        assert row.id is not None
        self._by_sha[inspected.sha256] = row.id
        return row.id


def expanded_schedule(
    scheduling: SchedulingService, start: datetime, end: datetime
) -> list[tuple[str, str, str, float]]:
    """The station's airings in ``[start, end)`` as comparable tuples (title, scheduled start, priority, length);
    used to show that an import gives the same schedule at every station with the same rules."""
    return [
        (
            planned.occurrence.title,
            planned.occurrence.start.isoformat(),
            planned.occurrence.priority.value,
            round(planned.occurrence.duration_s, 3),
        )
        for planned in scheduling.occurrences(start, end)
    ]


__all__ = [
    "BuildResult",
    "ConflictChoice",
    "ImportAction",
    "ImportOutcome",
    "ImportPreview",
    "PackageConflict",
    "PackageConflictError",
    "PackageService",
    "ProgrammeChange",
    "SignerInfo",
    "expanded_schedule",
    "retire_schedule",
    "retire_schedules",
]
