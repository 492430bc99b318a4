"""Turning the station's programmes and files into :class:`~truyenthanh.domain.playout.PlayItem` s.

This is what the daemon and ``truyenthanh play`` call before handing items to the engine: it resolves files
in the media folder, computes each item's gain from its stored loudness (EBU R128) so that every item plays
at the station's target loudness without exceeding the true-peak ceiling, and attaches the programme's
fallback. The station filler (the ``filler`` tune) is rendered into the cache folder the first time it is
needed.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from truyenthanh.adapters import ffmpeg, files
from truyenthanh.adapters.db import database
from truyenthanh.adapters.db.models import Announcement, AudioAsset, Programme, ProgrammeItem
from truyenthanh.config import Settings
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.playout import PlayItem
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import AudioError, NotFoundError
from truyenthanh.locations import Locations

FILLER_TUNE = "filler"


def normalising_gain(
    *,
    loudness_lufs: float | None,
    true_peak_dbtp: float | None,
    target_lufs: float,
    ceiling_dbtp: float,
    item_gain_db: float = 0.0,
) -> float:
    """The gain (dB) that brings an item to ``target_lufs`` plus its own gain, capped at the true-peak ceiling.

    An item never measured keeps its own gain only (still capped when its peak is known). Silence (measured
    at the gate's floor, -70 LUFS) is not boosted.
    """
    gain = item_gain_db
    if loudness_lufs is not None and loudness_lufs > -70.0:
        gain += target_lufs - loudness_lufs
    if true_peak_dbtp is not None:
        gain = min(gain, ceiling_dbtp - true_peak_dbtp)
    return round(gain, 2)


class PlayoutService:
    """Builds play items from programmes, library assets and loose files."""

    def __init__(self, *, settings: Settings, locations: Locations, db: database.Database) -> None:
        self._settings = settings
        self._locations = locations
        self._db = db

    def _gain(self, asset: AudioAsset | None, item_gain_db: float = 0.0) -> float:
        return normalising_gain(
            loudness_lufs=asset.loudness_lufs if asset else None,
            true_peak_dbtp=asset.true_peak_dbtp if asset else None,
            target_lufs=self._settings.target_lufs,
            ceiling_dbtp=self._settings.true_peak_dbtp,
            item_gain_db=item_gain_db,
        )

    def asset_item(self, asset: AudioAsset, *, key: str | None = None, kind: ItemKind = ItemKind.AUDIO) -> PlayItem:
        """A library asset played whole at the station's loudness."""
        return PlayItem(
            key=key or f"asset:{asset.id}",
            title=asset.title,
            kind=kind,
            source=self._locations.media_dir / asset.path,
            gain_db=self._gain(asset),
        )

    def programme_items(self, programme_id: int) -> list[PlayItem]:
        """The programme's items in order, each with the programme's fallback attached.

        Raises:
            NotFoundError: no programme has this id.
        """
        with self._db.session() as session:
            programme = session.get(Programme, programme_id)
            if programme is None:
                raise NotFoundError(f"Không có chương trình số {programme_id}.")
            rows = session.exec(
                select(ProgrammeItem)
                .where(ProgrammeItem.programme_id == programme_id)
                .order_by(col(ProgrammeItem.position))
            ).all()
            asset_ids = {row.asset_id for row in rows if row.asset_id is not None}
            announcements = {
                row.announcement_id: session.get(Announcement, row.announcement_id)
                for row in rows
                if row.announcement_id is not None
            }
            asset_ids |= {a.asset_id for a in announcements.values() if a is not None and a.asset_id is not None}
            if programme.fallback_asset_id is not None:
                asset_ids.add(programme.fallback_asset_id)
            assets = {
                asset.id: asset
                for asset in session.exec(select(AudioAsset).where(col(AudioAsset.id).in_(asset_ids))).all()
            }
        fallback = None
        if programme.fallback_asset_id in assets:
            fallback = self.asset_item(assets[programme.fallback_asset_id], key=f"programme:{programme_id}/fallback")
        items = []
        for row in rows:
            asset_id = row.asset_id
            announcement = announcements.get(row.announcement_id) if row.announcement_id is not None else None
            if asset_id is None and announcement is not None:
                asset_id = announcement.asset_id
            asset = assets.get(asset_id) if asset_id is not None else None
            title = row.title or (asset.title if asset else "") or (announcement.title if announcement else "")
            items.append(
                PlayItem(
                    key=f"programme:{programme_id}/item:{row.position}",
                    title=title or f"Mục {row.position + 1}",
                    kind=row.kind,
                    source=self._locations.media_dir / asset.path if asset else None,
                    relay_url=row.relay_url,
                    duration_s=row.duration_s if row.kind in (ItemKind.SILENCE, ItemKind.RELAY) else None,
                    gain_db=self._gain(asset, row.gain_db),
                    fade_in_s=row.fade_in_s,
                    fade_out_s=row.fade_out_s,
                    crossfade_s=row.crossfade_s,
                    fallback=fallback,
                )
            )
        return items

    def file_items(self, paths: list[Path]) -> list[PlayItem]:
        """Loose files played at the station's loudness: the library's measurement when the file is in it
        (same content), otherwise measured now with ffmpeg.

        Raises:
            AudioError: a file is missing or not audio (the message names it).
        """
        items = []
        for index, path in enumerate(paths):
            if not path.is_file():
                raise AudioError(f"Không tìm thấy tệp {path}.")
            digest = files.sha256_file(path)
            with self._db.session() as session:
                asset = session.exec(select(AudioAsset).where(AudioAsset.sha256 == digest)).first()
            if asset is not None and asset.loudness_lufs is not None:
                gain = self._gain(asset)
            else:
                loudness = ffmpeg.measure_loudness(path)
                gain = normalising_gain(
                    loudness_lufs=loudness.integrated_lufs,
                    true_peak_dbtp=loudness.true_peak_dbtp,
                    target_lufs=self._settings.target_lufs,
                    ceiling_dbtp=self._settings.true_peak_dbtp,
                )
            items.append(
                PlayItem(key=f"file:{index}", title=path.name, kind=ItemKind.AUDIO, source=path.resolve(), gain_db=gain)
            )
        return items

    def planned_seconds(self, items: list[PlayItem]) -> float:
        """How long the items should last: their set durations, else the files' probed lengths (unreadable
        files count as nothing)."""
        total = 0.0
        for item in items:
            if item.duration_s is not None:
                total += item.duration_s
            elif item.source is not None:
                try:
                    total += max(0.0, ffmpeg.probe(item.source).duration_s - item.start_offset_s)
                except AudioError:
                    continue
        return total

    def filler(self) -> PlayItem:
        """The station filler: the ``filler`` tune rendered into the cache folder (once) at the target loudness.

        Raises:
            AudioError: the tune cannot be rendered.
        """
        tune = TUNES[FILLER_TUNE]
        target = self._locations.cache_dir / "tunes" / f"{FILLER_TUNE}.wav"
        if not target.is_file():
            ffmpeg.render_tune(tune, target)
        loudness = ffmpeg.measure_loudness(target)
        gain = normalising_gain(
            loudness_lufs=loudness.integrated_lufs,
            true_peak_dbtp=loudness.true_peak_dbtp,
            target_lufs=self._settings.target_lufs,
            ceiling_dbtp=self._settings.true_peak_dbtp,
        )
        return PlayItem(key="station:filler", title=tune.title, kind=ItemKind.JINGLE, source=target, gain_db=gain)


__all__ = ["PlayoutService", "normalising_gain"]
