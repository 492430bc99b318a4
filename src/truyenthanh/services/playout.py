"""Turning the station's programmes and files into :class:`~truyenthanh.domain.playout.PlayItem` s.

This is what the daemon and ``truyenthanh play`` call before handing items to the engine: it resolves files
in the media folder, computes each item's gain from its stored loudness (EBU R128) so that every item plays
at the station's target loudness without exceeding the true-peak ceiling, and attaches the programme's
fallback. The station filler (the ``filler`` tune) is rendered into the cache folder the first time it is
needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from truyenthanh.config import Settings
from truyenthanh.domain.approval import AirCheck, ItemState, air_check
from truyenthanh.domain.content import AnnouncementRef, AssetRecord, ItemRecord, Rundown
from truyenthanh.domain.enums import Category, ItemKind
from truyenthanh.domain.playout import PlayItem
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import AudioError, NotFoundError
from truyenthanh.locations import Locations
from truyenthanh.services.media import MediaTools
from truyenthanh.services.unit_of_work import Store, UnitOfWork

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


@dataclass(frozen=True)
class AiringPlan:
    """One programme as the daemon hands it to the engine (see :meth:`PlayoutService.plan_airing`)."""

    title: str
    category: Category
    language: str
    items: list[PlayItem]
    """Its play items in order, each with the programme's fallback attached."""
    check: AirCheck
    """The approval gate: whether it may air, and which announcement items must be skipped."""
    duration_s: float
    """Planned length in seconds: the items' stored lengths less the crossfades between them (announcements
    not rendered yet count as zero), the same figure as the schedule repository's
    :meth:`~truyenthanh.services.unit_of_work.ScheduleRepository.programme` gives."""


@dataclass(frozen=True)
class _LoadedRundown:
    """A programme's rundown, read once with the announcements its items read and every asset they name."""

    rundown: Rundown
    announcements: dict[int, AnnouncementRef]
    assets: dict[int, AssetRecord]

    @classmethod
    def load(cls, uow: UnitOfWork, programme_id: int) -> _LoadedRundown:
        """Read them in ``uow`` (three queries after the rundown).

        Raises:
            NotFoundError: no programme has this id.
        """
        rundown = uow.programmes.get(programme_id)
        if rundown is None:
            raise NotFoundError(f"Không có chương trình số {programme_id}.")
        items = rundown.items
        announcements = uow.announcements.many(i.announcement_id for i in items if i.announcement_id is not None)
        asset_ids = {i.asset_id for i in items if i.asset_id is not None}
        asset_ids |= {a.asset_id for a in announcements.values() if a.asset_id is not None}
        if rundown.programme.fallback_asset_id is not None:
            asset_ids.add(rundown.programme.fallback_asset_id)
        return cls(rundown=rundown, announcements=announcements, assets=uow.assets.many(asset_ids))

    def announcement(self, item: ItemRecord) -> AnnouncementRef | None:
        """The announcement an item reads, if any."""
        return self.announcements.get(item.announcement_id) if item.announcement_id is not None else None

    def asset(self, item: ItemRecord) -> AssetRecord | None:
        """The audio an item plays: its own asset, else its announcement's rendering."""
        asset_id = item.asset_id
        announcement = self.announcement(item)
        if asset_id is None and announcement is not None:
            asset_id = announcement.asset_id
        return self.assets.get(asset_id) if asset_id is not None else None

    def duration_s(self) -> float:
        """The programme's planned length (see :attr:`AiringPlan.duration_s`)."""
        total = 0.0
        for index, item in enumerate(self.rundown.items):
            length = item.duration_s
            if length is None and item.asset_id is not None:
                asset = self.assets.get(item.asset_id)
                length = asset.duration_s if asset else 0.0
            announcement = self.announcement(item)
            if length is None and announcement is not None:
                asset = self.assets.get(announcement.asset_id) if announcement.asset_id is not None else None
                length = asset.duration_s if asset else 0.0
            total += (length or 0.0) - (item.crossfade_s if index else 0.0)
        return max(0.0, total)


class PlayoutService:
    """Builds play items from programmes, library assets and loose files."""

    def __init__(self, *, settings: Settings, locations: Locations, store: Store, media: MediaTools) -> None:
        """Args:
        settings: the station's loudness target and true-peak ceiling.
        locations: where the media and cache folders are.
        store: where programmes and assets are kept.
        media: measuring, probing and hashing files, rendering the filler tune.
        """
        self._settings = settings
        self._locations = locations
        self._store = store
        self._media = media

    def _gain(self, asset: AssetRecord | None, item_gain_db: float = 0.0) -> float:
        return normalising_gain(
            loudness_lufs=asset.loudness_lufs if asset else None,
            true_peak_dbtp=asset.true_peak_dbtp if asset else None,
            target_lufs=self._settings.target_lufs,
            ceiling_dbtp=self._settings.true_peak_dbtp,
            item_gain_db=item_gain_db,
        )

    def asset_item(self, asset: AssetRecord, *, key: str | None = None, kind: ItemKind = ItemKind.AUDIO) -> PlayItem:
        """A library asset played whole at the station's loudness."""
        return PlayItem(
            key=key or f"asset:{asset.id}",
            title=asset.title,
            kind=kind,
            source=self._locations.media_dir / asset.path,
            gain_db=self._gain(asset),
            expected_s=asset.duration_s or None,
        )

    def programme_items(self, programme_id: int) -> list[PlayItem]:
        """The programme's items in order, each with the programme's fallback attached.

        Raises:
            NotFoundError: no programme has this id.
        """
        with self._store.transaction() as uow:
            loaded = _LoadedRundown.load(uow, programme_id)
        return self._play_items(loaded)

    def plan_airing(self, programme_id: int) -> AiringPlan:
        """Everything the daemon needs at the hand-over of one airing, read in a single transaction: the
        programme, its play items, the approval gate and its planned length.

        Raises:
            NotFoundError: no programme has this id.
        """
        with self._store.transaction() as uow:
            loaded = _LoadedRundown.load(uow, programme_id)
        programme = loaded.rundown.programme
        states = [
            ItemState(
                item_id=item.id or 0,
                position=item.position,
                title=item.title or (announcement.title if announcement else ""),
                announcement_id=item.announcement_id,
                announcement_status=announcement.status if announcement else None,
            )
            for item in loaded.rundown.items
            for announcement in [loaded.announcement(item)]
        ]
        check = air_check(programme_id, programme.title, programme.status, programme.approved_by, states)
        return AiringPlan(
            title=programme.title,
            category=programme.category,
            language=programme.language,
            items=self._play_items(loaded),
            check=check,
            duration_s=loaded.duration_s(),
        )

    def _play_items(self, loaded: _LoadedRundown) -> list[PlayItem]:
        """Play items for a programme's loaded rundown."""
        programme_id = loaded.rundown.id
        fallback = None
        fallback_asset = loaded.assets.get(loaded.rundown.programme.fallback_asset_id or -1)
        if fallback_asset is not None:
            fallback = self.asset_item(fallback_asset, key=f"programme:{programme_id}/fallback")
        items = []
        for row in loaded.rundown.items:
            announcement = loaded.announcement(row)
            asset = loaded.asset(row)
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
                    expected_s=asset.duration_s or None if asset else None,
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
            digest = self._media.sha256_file(path)
            with self._store.transaction() as uow:
                asset = uow.assets.by_sha(digest)
            if asset is not None and asset.loudness_lufs is not None:
                gain = self._gain(asset)
            else:
                loudness = self._media.measure_loudness(path)
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
                    total += max(0.0, self._media.probe(item.source).duration_s - item.start_offset_s)
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
            self._media.render_tune(tune, target)
        loudness = self._media.measure_loudness(target)
        gain = normalising_gain(
            loudness_lufs=loudness.integrated_lufs,
            true_peak_dbtp=loudness.true_peak_dbtp,
            target_lufs=self._settings.target_lufs,
            ceiling_dbtp=self._settings.true_peak_dbtp,
        )
        return PlayItem(key="station:filler", title=tune.title, kind=ItemKind.JINGLE, source=target, gain_db=gain)


__all__ = ["AiringPlan", "PlayoutService", "normalising_gain"]
