"""Audio assets in the database: the one mapping between an :class:`~truyenthanh.domain.content.AssetRecord` and its
:class:`~truyenthanh.adapters.db.models.AudioAsset` row, and the repository over them inside one session.

Writes return a :class:`~truyenthanh.domain.changes.RecordChange` for the audit trail; they flush, they never
commit: the unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from truyenthanh.adapters.db.audit import snapshot
from truyenthanh.adapters.db.models import Announcement, AudioAsset, Programme, ProgrammeItem
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.content import AssetRecord, AssetUsers, DuplicateAssetError
from truyenthanh.domain.enums import Category

ENTITY = "audio_asset"
"""The audit trail's name for an asset record."""


def asset_of(row: AudioAsset) -> AssetRecord:
    """A stored asset in domain form."""
    return AssetRecord(
        id=row.id,
        path=row.path,
        sha256=row.sha256,
        duration_s=row.duration_s,
        format=row.format,
        codec=row.codec,
        channels=row.channels,
        sample_rate=row.sample_rate,
        loudness_lufs=row.loudness_lufs,
        true_peak_dbtp=row.true_peak_dbtp,
        title=row.title,
        category=row.category,
        language=row.language,
        source=row.source,
        engine=row.engine,
        voice=row.voice,
        created_at=row.created_at,
    )


def asset_row(asset: AssetRecord) -> AudioAsset:
    """A new (unsaved) row for an asset (its id left to the database; no ``created_at``: now)."""
    row = AudioAsset(
        path=asset.path,
        sha256=asset.sha256,
        duration_s=asset.duration_s,
        format=asset.format,
        codec=asset.codec,
        channels=asset.channels,
        sample_rate=asset.sample_rate,
        loudness_lufs=asset.loudness_lufs,
        true_peak_dbtp=asset.true_peak_dbtp,
        title=asset.title,
        category=asset.category,
        language=asset.language,
        source=asset.source,
        engine=asset.engine,
        voice=asset.voice,
    )
    if asset.created_at is not None:
        row.created_at = asset.created_at.astimezone(UTC)
    return row


def _change(row: AudioAsset, before: dict[str, object] | None, *, deleted: bool = False) -> RecordChange:
    return RecordChange(ENTITY, row.id, before, None if deleted else snapshot(row))


class SqlAssetRepository:
    """Audio assets inside one session (see :class:`truyenthanh.services.unit_of_work.AssetRepository`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, asset_id: int) -> AssetRecord | None:
        """One asset, or ``None``."""
        row = self._session.get(AudioAsset, asset_id)
        return asset_of(row) if row is not None else None

    def by_sha(self, sha256: str) -> AssetRecord | None:
        """The asset holding exactly these bytes, or ``None``."""
        row = self._session.exec(select(AudioAsset).where(AudioAsset.sha256 == sha256)).first()
        return asset_of(row) if row is not None else None

    def by_path(self, path: str) -> AssetRecord | None:
        """The asset stored at ``path`` (relative to the media folder), or ``None``."""
        row = self._session.exec(select(AudioAsset).where(AudioAsset.path == path)).first()
        return asset_of(row) if row is not None else None

    def many(self, asset_ids: Iterable[int]) -> dict[int, AssetRecord]:
        """The assets among ``asset_ids`` that exist, by id (one query)."""
        wanted = set(asset_ids)
        if not wanted:
            return {}
        rows = self._session.exec(select(AudioAsset).where(col(AudioAsset.id).in_(wanted))).all()
        return {row.id: asset_of(row) for row in rows if row.id is not None}

    def all(self, *, category: Category | None = None, language: str | None = None) -> list[AssetRecord]:
        """Every asset, newest first, optionally only those of one category or language tag."""
        query = select(AudioAsset)
        if category is not None:
            query = query.where(AudioAsset.category == category)
        if language is not None:
            query = query.where(AudioAsset.language == language)
        return [asset_of(row) for row in self._session.exec(query.order_by(col(AudioAsset.id).desc())).all()]

    def by_title(self) -> list[AssetRecord]:
        """Every asset, by title."""
        return [asset_of(row) for row in self._session.exec(select(AudioAsset).order_by(col(AudioAsset.title))).all()]

    def add(self, asset: AssetRecord) -> tuple[AssetRecord, RecordChange]:
        """Store a new asset; another one with the same bytes or path raises :class:`DuplicateAssetError`."""
        row = asset_row(asset)
        self._session.add(row)
        try:
            self._session.flush()
        except IntegrityError as exc:
            raise DuplicateAssetError(
                f"Tệp «{asset.title}» (SHA-256 {asset.sha256[:12]}…, {asset.path}) đã có trong thư viện."
            ) from exc
        return asset_of(row), _change(row, None)

    def put(self, asset: AssetRecord) -> RecordChange | None:
        """Replace a stored asset's title, category and language; ``None`` if it is gone."""
        row = self._session.get(AudioAsset, asset.id) if asset.id is not None else None
        if row is None:
            return None
        before = snapshot(row)
        row.title = asset.title
        row.category = asset.category
        row.language = asset.language
        self._session.add(row)
        self._session.flush()
        return _change(row, before)

    def users(self, asset_id: int) -> AssetUsers:
        """What still uses an asset, by title."""
        programmes = self._session.exec(
            select(Programme.title)
            .join(ProgrammeItem, col(ProgrammeItem.programme_id) == col(Programme.id))
            .where(ProgrammeItem.asset_id == asset_id)
            .distinct()
        ).all()
        fallbacks = self._session.exec(select(Programme.title).where(Programme.fallback_asset_id == asset_id)).all()
        announcements = self._session.exec(select(Announcement.title).where(Announcement.asset_id == asset_id)).all()
        return AssetUsers(tuple(programmes), tuple(fallbacks), tuple(announcements))

    def remove(self, asset_id: int) -> RecordChange | None:
        """Delete an asset's record; ``None`` if it did not exist."""
        row = self._session.get(AudioAsset, asset_id)
        if row is None:
            return None
        change = _change(row, snapshot(row), deleted=True)
        self._session.delete(row)
        self._session.flush()
        return change


__all__ = ["ENTITY", "SqlAssetRepository", "asset_of", "asset_row"]
