"""The audio library: importing files with measured loudness, listing, searching and editing them.

An imported file is checked end to end before anything is written: the media tools (ffprobe) read its format,
then decode it whole through ffmpeg's ``ebur128`` filter (integrated loudness, true peak, and the length really
decoded, which catches truncated files). Only then is it copied into the media folder and recorded, so a failed
import leaves neither a file without a record nor a record without a file.

The service reaches the database only through the :class:`~truyenthanh.services.unit_of_work.Store` and the
tools only through the :class:`~truyenthanh.services.media.MediaTools` port; other services that store audio (the
package import, speech) do the same through :meth:`LibraryService.inspect`, :meth:`LibraryService.staged` and
``uow.assets.add(inspected.record(...))``.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.content import AssetRecord, AssetUsers, DuplicateAssetError
from truyenthanh.domain.enums import AssetSource, Category
from truyenthanh.domain.tunes import Tune
from truyenthanh.errors import AudioError, LibraryError, NotFoundError, StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.media import AudioLoudness, AudioProbe, MediaTools
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store, UnitOfWork

AUDIO_EXTENSIONS = (".mp3", ".wav", ".ogg", ".oga", ".flac", ".m4a", ".aac")
"""File name endings the library accepts (checked again by probing the content)."""

LIBRARY_FOLDER = "library"
"""Sub-folder of the media folder holding imported files, named by their SHA-256."""

TRUNCATION_TOLERANCE_S = 0.25
"""How much shorter than its announced length (plus 1 %) a file may decode before it counts as truncated;
encoders pad and containers round, by a few hundredths of a second."""

_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

Progress = Callable[[Path], None]
"""Called with each file's path once that file is done (imported, found duplicate or refused)."""

FileProgress = Callable[[Path, float], None]
"""Called now and then while a file is decoded, with its path and the share of it decoded so far (0 to 1)."""


@dataclass(frozen=True)
class AssetInfo:
    """An audio asset as the CLI and the TUI show it."""

    id: int
    title: str
    category: Category
    language: str
    path: str
    """Relative to the media folder."""
    sha256: str
    duration_s: float
    format: str
    codec: str
    channels: int
    sample_rate: int
    loudness_lufs: float | None
    true_peak_dbtp: float | None
    source: str

    @classmethod
    def of(cls, row: AssetRecord) -> AssetInfo:
        """Copy the fields of a stored asset."""
        assert row.id is not None
        return cls(
            id=row.id,
            title=row.title,
            category=row.category,
            language=row.language,
            path=row.path,
            sha256=row.sha256,
            duration_s=row.duration_s,
            format=row.format,
            codec=row.codec,
            channels=row.channels,
            sample_rate=row.sample_rate,
            loudness_lufs=row.loudness_lufs,
            true_peak_dbtp=row.true_peak_dbtp,
            source=row.source.value,
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (``--json`` output)."""
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category.value,
            "category_label": self.category.label,
            "language": self.language,
            "path": self.path,
            "sha256": self.sha256,
            "duration_s": round(self.duration_s, 3),
            "format": self.format,
            "codec": self.codec,
            "channels": self.channels,
            "sample_rate": self.sample_rate,
            "loudness_lufs": self.loudness_lufs,
            "true_peak_dbtp": self.true_peak_dbtp,
            "source": self.source,
        }


@dataclass(frozen=True)
class InspectedAudio:
    """A file that probed, hashed and decoded cleanly: everything needed to record it."""

    source: Path
    sha256: str
    probe: AudioProbe
    loudness: AudioLoudness

    @property
    def extension(self) -> str:
        """The lower-case file name ending kept in the media folder (``.mp3``)."""
        return self.source.suffix.lower()

    @property
    def duration_s(self) -> float:
        """Length in seconds: what was really decoded (exact), else what the container states."""
        return self.loudness.decoded_s if self.loudness.decoded_s else self.probe.duration_s

    @property
    def media_path(self) -> str:
        """Where the file goes, relative to the media folder (named by content, so never two copies)."""
        return f"{LIBRARY_FOLDER}/{self.sha256[:20]}{self.extension}"

    def record(
        self,
        *,
        title: str,
        category: Category,
        language: str,
        source: AssetSource,
        path: str | None = None,
        created_at: datetime | None = None,
    ) -> AssetRecord:
        """A new (unsaved) asset for this file, at :attr:`media_path` unless ``path`` says otherwise."""
        return AssetRecord(
            path=path or self.media_path,
            sha256=self.sha256,
            duration_s=self.duration_s,
            format=self.probe.format,
            codec=self.probe.codec,
            channels=self.probe.channels,
            sample_rate=self.probe.sample_rate,
            loudness_lufs=self.loudness.integrated_lufs,
            true_peak_dbtp=self.loudness.true_peak_dbtp,
            title=title,
            category=category,
            language=language,
            source=source,
            created_at=created_at,
        )


@dataclass(frozen=True)
class ImportResult:
    """What happened to one file of a batch: exactly one of ``asset``, ``duplicate_of`` or ``error`` is set."""

    path: Path
    asset: AssetInfo | None = None
    """The new asset."""
    duplicate_of: AssetInfo | None = None
    """The asset already holding the same bytes (nothing was written)."""
    error: str | None = None
    """Vietnamese reason the file was refused (nothing was written)."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        status = "imported" if self.asset else "duplicate" if self.duplicate_of else "failed"
        asset = self.asset or self.duplicate_of
        return {
            "file": str(self.path),
            "status": status,
            "asset": asset.to_json() if asset else None,
            "error": self.error,
        }


@dataclass(frozen=True)
class ImportReport:
    """The outcome of a batch, in the order the files were given."""

    results: tuple[ImportResult, ...] = field(default_factory=tuple)

    @property
    def imported(self) -> list[AssetInfo]:
        """Assets created by this batch."""
        return [r.asset for r in self.results if r.asset is not None]

    @property
    def duplicates(self) -> list[ImportResult]:
        """Files whose content was already in the library."""
        return [r for r in self.results if r.duplicate_of is not None]

    @property
    def failures(self) -> list[ImportResult]:
        """Files that were refused, each with its reason."""
        return [r for r in self.results if r.error is not None]


def validate_language(tag: str) -> str:
    """Check a BCP 47 language tag such as ``vi``, ``hmn`` or ``vi-VN`` and return it trimmed.

    Raises:
        LibraryError: the tag is not of that shape.
    """
    cleaned = tag.strip()
    if not _LANGUAGE_TAG.match(cleaned):
        raise LibraryError(f"Mã ngôn ngữ «{tag}» không hợp lệ; ví dụ đúng: vi, hmn (tiếng Mông), tay (tiếng Tày).")
    return cleaned


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics, for searching ("Thông báo" matches "thong bao")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _title_from(path: Path) -> str:
    return unicodedata.normalize("NFC", re.sub(r"[_]+", " ", path.stem)).strip() or path.name


def _clean_title(title: str) -> str:
    cleaned = unicodedata.normalize("NFC", title).strip()
    if not cleaned:
        raise LibraryError("Tiêu đề không được để trống.")
    if len(cleaned) > 300:
        raise LibraryError(f"Tiêu đề quá dài ({len(cleaned)} ký tự, tối đa 300).")
    return cleaned


def inspect_with(media: MediaTools, path: Path, *, decoding: FileProgress | None = None) -> InspectedAudio:
    """Probe, hash and fully decode one file with ``media``; nothing is written. ``decoding`` hears how much
    of the file is decoded so far (see :data:`FileProgress`).

    Raises:
        AudioError: the file is missing, empty, of an unsupported kind, not audio, corrupt or truncated; the
            message names the file.
    """
    if path.suffix.lower() not in AUDIO_EXTENSIONS:
        raise AudioError(
            f"Tệp {path}: định dạng «{path.suffix or '(không có đuôi)'}» không được hỗ trợ; "
            f"chỉ nhận {', '.join(AUDIO_EXTENSIONS)}."
        )
    info = media.probe(path)
    decoded = None
    if decoding is not None:
        total = info.duration_s

        def decoded(seconds: float) -> None:
            decoding(path, min(1.0, seconds / total) if total > 0 else 0.0)

    loudness = media.measure_loudness(path, decoded=decoded)
    shortfall = info.duration_s - (loudness.decoded_s or 0.0)
    if (
        loudness.decoded_s is not None
        and not info.duration_estimated
        and shortfall > TRUNCATION_TOLERANCE_S + 0.01 * info.duration_s
    ):
        raise AudioError(
            f"Tệp {path} hỏng hoặc bị cắt cụt: tệp ghi dài {info.duration_s:.1f} giây nhưng chỉ giải mã được "
            f"{loudness.decoded_s:.1f} giây."
        )
    if loudness.decoded_s is not None and loudness.decoded_s <= 0:
        raise AudioError(f"Tệp {path} không chứa âm thanh nào giải mã được.")
    return InspectedAudio(source=path, sha256=media.sha256_file(path), probe=info, loudness=loudness)


class MediaStaging:
    """Files copied into the media folder under temporary names, made final only with the database commit.

    Use :meth:`stage` for each file inside ``with staging:``; call :meth:`publish` just before the
    transaction commits. If the block fails, every staged or published file that did not exist before is
    removed, so no orphan remains.
    """

    def __init__(self, media_dir: Path) -> None:
        self._media_dir = media_dir
        self._staged: dict[str, Path] = {}
        self._published: list[Path] = []

    def stage(self, source: Path, relative: str) -> None:
        """Copy ``source`` beside its final place ``relative`` (skipped if that file already exists).

        Raises:
            StorageError: the copy failed (disk full, permissions).
        """
        target = self._media_dir / relative
        if target.exists() or relative in self._staged:
            return
        partial = target.with_name(f".{target.name}.part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, partial)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise StorageError(f"Không chép được tệp {source} vào {target.parent}: {exc.strerror}.") from exc
        self._staged[relative] = partial

    def publish(self) -> None:
        """Give every staged file its final name."""
        for relative, partial in list(self._staged.items()):
            target = self._media_dir / relative
            partial.replace(target)
            self._published.append(target)
            del self._staged[relative]

    def discard(self) -> None:
        """Remove every file this staging wrote (staged or already published)."""
        for partial in self._staged.values():
            partial.unlink(missing_ok=True)
        for target in self._published:
            target.unlink(missing_ok=True)
        self._staged.clear()
        self._published.clear()

    def __enter__(self) -> MediaStaging:
        return self

    def __exit__(self, kind: object, _value: object, _tb: object) -> None:
        if kind is not None:
            self.discard()
        else:
            # Anything still staged was not published: the caller chose not to keep it.
            for partial in self._staged.values():
                partial.unlink(missing_ok=True)
            self._staged.clear()


class LibraryService:
    """Imports audio files into the station's library and lets people find, describe and delete them.

    Every change is authorised (``edit_content``) and audited with the record before and after, in the same
    transaction as the change.
    """

    def __init__(
        self, *, locations: Locations, store: Store, media: MediaTools, clock: Clock, accounts: AccountService
    ) -> None:
        """Args:
        locations: where the media folder is.
        store: where asset records are kept.
        media: probing, measuring and hashing files.
        clock: the time of new assets.
        accounts: who may change content.
        """
        self._locations = locations
        self._store = store
        self._media = media
        self._clock = clock
        self._accounts = accounts

    @property
    def media_dir(self) -> Path:
        """The station's media folder (assets' paths are relative to it)."""
        return self._locations.media_dir

    def inspect(self, path: Path, *, decoding: FileProgress | None = None) -> InspectedAudio:
        """Probe, hash and fully decode one file (see :func:`inspect_with`); nothing is written.

        Raises:
            AudioError: the file is missing, empty, of an unsupported kind, not audio, corrupt or truncated.
        """
        return inspect_with(self._media, path, decoding=decoding)

    def render_tune(self, tune: Tune, target: Path) -> None:
        """Render one of the station's tunes into a 48 kHz mono WAV file at ``target`` with the media tools, whole
        or not at all (for a package naming a tune the station has not recorded yet).

        Raises:
            AudioError: it cannot be rendered.
        """
        self._media.render_tune(tune, target)

    @contextmanager
    def staged(self) -> Iterator[tuple[UnitOfWork, MediaStaging]]:
        """A unit of work and a media staging area that succeed or fail together.

        Files staged in the block appear under their final names just before the commit; if the block or the
        commit fails, they are removed and the unit of work is rolled back.
        """
        with MediaStaging(self._locations.media_dir) as staging, self._store.transaction() as uow:
            yield uow, staging
            staging.publish()
            # Reaching here means the commit succeeded; a failure above removed the published files.

    def add(
        self,
        actor: Actor,
        paths: Sequence[Path],
        *,
        title: str | None = None,
        category: Category = Category.OTHER,
        language: str = "vi",
        progress: Progress | None = None,
        decoding: FileProgress | None = None,
    ) -> ImportReport:
        """Import files one by one for ``actor``; a refused file does not stop the others.

        Args:
            actor: who imports them (recorded in the audit trail).
            paths: the files to import.
            title: title for the asset (only with a single file); default: the file name.
            category: content category of every file.
            language: BCP 47 tag of every file (``vi`` or an ethnic-minority language).
            progress: called after each file.
            decoding: called while each file is decoded, with the share of it done (for a per-file bar).

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            LibraryError: the title, or the language tag, is invalid (nothing is imported).
            StorageError: the station folder cannot be written.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        if title is not None and len(paths) > 1:
            raise LibraryError("Chỉ đặt được tiêu đề khi nhập một tệp; với nhiều tệp, tiêu đề lấy theo tên tệp.")
        language = validate_language(language)
        chosen_title = _clean_title(title) if title is not None else None
        self._locations.media_dir.mkdir(parents=True, exist_ok=True)
        results = []
        for path in paths:
            results.append(
                self._add_one(actor, path, chosen_title or _title_from(path), category, language, decoding=decoding)
            )
            if progress is not None:
                progress(path)
        return ImportReport(tuple(results))

    def _add_one(
        self, actor: Actor, path: Path, title: str, category: Category, language: str, *, decoding: FileProgress | None
    ) -> ImportResult:
        try:
            inspected = self.inspect(path, decoding=decoding)
        except AudioError as exc:
            return ImportResult(path=path, error=exc.message)
        existing = self.find_by_sha(inspected.sha256)
        if existing is not None:
            return ImportResult(path=path, duplicate_of=existing)
        record = inspected.record(
            title=title, category=category, language=language, source=AssetSource.IMPORTED, created_at=self._clock.now()
        )
        try:
            with self.staged() as (uow, staging):
                staging.stage(path, inspected.media_path)
                stored, change = uow.assets.add(record)
                uow.audited(actor.username, "asset.import", change)
        except DuplicateAssetError:
            # Another process imported the same bytes meanwhile; its file and record stand.
            existing = self.find_by_sha(inspected.sha256)
            if existing is None:
                raise
            return ImportResult(path=path, duplicate_of=existing)
        return ImportResult(path=path, asset=AssetInfo.of(stored))

    def find_by_sha(self, sha256: str) -> AssetInfo | None:
        """The asset holding exactly these bytes, if any."""
        with self._store.transaction() as uow:
            found = uow.assets.by_sha(sha256)
        return AssetInfo.of(found) if found is not None else None

    def get(self, asset_id: int) -> AssetInfo:
        """One asset.

        Raises:
            NotFoundError: no asset has that id.
        """
        with self._store.transaction() as uow:
            return AssetInfo.of(_asset(uow, asset_id))

    def list(
        self,
        *,
        category: Category | None = None,
        language: str | None = None,
        search: str | None = None,
    ) -> list[AssetInfo]:
        """Assets, newest first, filtered by category, language and words of the title (accents optional)."""
        with self._store.transaction() as uow:
            found = uow.assets.all(category=category, language=language.strip() if language is not None else None)
        assets = [AssetInfo.of(asset) for asset in found]
        if search:
            words = fold(search).split()
            assets = [a for a in assets if all(word in fold(a.title) for word in words)]
        return assets

    def update(
        self,
        actor: Actor,
        asset_id: int,
        *,
        title: str | None = None,
        category: Category | None = None,
        language: str | None = None,
    ) -> AssetInfo:
        """Change an asset's title, category or language (``None`` leaves a field as it is).

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: no asset has that id.
            LibraryError: the new title or language tag is invalid.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        new_title = _clean_title(title) if title is not None else None
        new_language = validate_language(language) if language is not None else None
        with self._store.transaction() as uow:
            old = _asset(uow, asset_id)
            new = replace(
                old,
                title=new_title if new_title is not None else old.title,
                category=category if category is not None else old.category,
                language=new_language if new_language is not None else old.language,
            )
            change = uow.assets.put(new)
            assert change is not None, "the asset was read in this transaction"
            if change.after != change.before:
                uow.audited(actor.username, "asset.edit", change)
        return AssetInfo.of(new)

    def delete(self, actor: Actor, asset_id: int) -> AssetInfo:
        """Remove an asset no programme, announcement or fallback uses, and then its file.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: no asset has that id.
            LibraryError: something still uses it (the message says what); nothing is changed.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        with self._store.transaction() as uow:
            info = AssetInfo.of(_asset(uow, asset_id))
            users = uow.assets.users(asset_id)
            if users:
                raise LibraryError(
                    f"Không xóa được tệp số {asset_id} «{info.title}» vì đang được dùng trong: {_describe(users)}. "
                    "Hãy bỏ tệp khỏi những nơi đó trước."
                )
            change = uow.assets.remove(asset_id)
            assert change is not None, "the asset was read in this transaction"
            uow.audited(actor.username, "asset.delete", change)
        # The record is gone (committed); a file left behind by a failing disk is harmless and named by its content.
        with contextlib.suppress(OSError):
            (self._locations.media_dir / info.path).unlink(missing_ok=True)
        return info

    def absolute_path(self, asset: AssetInfo) -> Path:
        """Where an asset's file is on disk."""
        return self._locations.media_dir / asset.path


def _asset(uow: UnitOfWork, asset_id: int) -> AssetRecord:
    found = uow.assets.get(asset_id)
    if found is None:
        raise NotFoundError(f"Không có tệp âm thanh số {asset_id} trong thư viện.")
    return found


def _describe(users: AssetUsers) -> str:
    """What uses an asset, in Vietnamese, as the refusal to delete it names it."""
    parts = [f"chương trình «{title}»" for title in users.programmes]
    parts += [f"mục dự phòng của chương trình «{title}»" for title in users.fallbacks]
    parts += [f"thông báo «{title}»" for title in users.announcements]
    return "; ".join(parts)


__all__ = [
    "AUDIO_EXTENSIONS",
    "AssetInfo",
    "FileProgress",
    "ImportReport",
    "ImportResult",
    "InspectedAudio",
    "LibraryService",
    "MediaStaging",
    "fold",
    "inspect_with",
    "validate_language",
]
