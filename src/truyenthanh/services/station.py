"""Creating a station, the demo station, and reporting its state.

The database is reached through the store (the station's record, its schedules, its counts) and the
:class:`~truyenthanh.services.unit_of_work.Schema` port; tunes are rendered through :class:`TuneRenderer`. The
demo's audio assets, programmes and items still go through the unit of work's session until programmes and
assets have their repository.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import select

from truyenthanh import __version__
from truyenthanh.adapters.db.models import AudioAsset, Programme, ProgrammeItem
from truyenthanh.config import Settings
from truyenthanh.domain.enums import AssetSource, Category, ContentStatus, ItemKind
from truyenthanh.domain.schedule import ScheduleSpec
from truyenthanh.domain.station import DEFAULT_RULES
from truyenthanh.domain.station_profile import StationProfile
from truyenthanh.domain.tunes import TUNES, Tune
from truyenthanh.errors import StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.library import inspect_audio
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Schema, Store

Progress = Callable[[str], None]
"""Called with a Vietnamese description each time one step of a long task is done."""

DEMO_TUNES = ("signature", "chime", "closing", "alert", "tone", "filler")
DEMO_AUTHOR = "demo"
"""Who the demo station's content is credited to."""


class TuneRenderer(Protocol):
    """Renders the station's own tunes (signature, chime...) into WAV files. Thread-safe."""

    def render(self, tune: Tune, target: Path) -> None:
        """Write ``tune`` to ``target`` (its folder is created).

        Raises:
            AudioError: the tune could not be rendered (ffmpeg missing or failing).
        """
        ...


@dataclass(frozen=True)
class InitResult:
    """What ``init`` did."""

    created: bool
    """A new station row was written."""
    upgraded_from: str | None
    """Schema revision before the upgrade (``None``: the database was new)."""
    revision: str
    demo_assets: int
    """Tunes rendered into the media folder for the demo."""


class StationService:
    """Initialises a station folder and describes its state."""

    def __init__(
        self,
        *,
        settings: Settings,
        locations: Locations,
        store: Store,
        schema: Schema,
        tunes: TuneRenderer,
        clock: Clock,
    ) -> None:
        """Args:
        settings: the station's settings (name of its upstream, zone, reading variant).
        locations: the station's folders.
        store: where the station's records are kept.
        schema: the database's schema (migrations).
        tunes: renders the demo's tunes.
        clock: the source of time.
        """
        self._settings = settings
        self._locations = locations
        self._store = store
        self._schema = schema
        self._tunes = tunes
        self._clock = clock

    def init(self, *, demo: bool = False, name: str | None = None, progress: Progress | None = None) -> InitResult:
        """Create or upgrade the station's folders and database; optionally add the demo station's content.

        Running it again on the same folder changes nothing.

        Raises:
            StorageError: the folder or database cannot be written.
        """
        try:
            self._locations.ensure()
        except OSError as exc:
            raise StorageError(f"Không tạo được thư mục {exc.filename}: {exc.strerror}.") from exc
        before = self._schema.current()
        self._schema.upgrade()
        profile = StationProfile(
            name=name or ("Đài truyền thanh xã Tân Lập (mẫu)" if demo else "Đài truyền thanh xã"),
            commune="Tân Lập" if demo else "",
            province="Phú Thọ" if demo else "",
            upstream=self._settings.upstream_name,
            timezone=self._settings.timezone,
            reading_variant=self._settings.reading_variant,
        )
        with self._store.transaction() as uow:
            created = uow.station_profile.create(profile, DEFAULT_RULES)
        rendered = self._add_demo(progress) if demo else 0
        return InitResult(created=created, upgraded_from=before, revision=self._schema.head(), demo_assets=rendered)

    def _add_demo(self, progress: Progress | None) -> int:
        """Render the demo tunes and add a morning and an afternoon programme (once)."""
        rendered = 0
        assets: dict[str, AudioAsset] = {}
        for name in DEMO_TUNES:
            tune = TUNES[name]
            relative = Path("tunes") / f"{name}.wav"
            with self._store.transaction() as uow:
                existing = uow.session.exec(select(AudioAsset).where(AudioAsset.path == str(relative))).first()
            if existing is None:
                target = self._locations.media_dir / relative
                self._tunes.render(tune, target)
                inspected = inspect_audio(target)
                info, loudness = inspected.probe, inspected.loudness
                existing = AudioAsset(
                    path=str(relative),
                    sha256=inspected.sha256,
                    duration_s=info.duration_s,
                    format=info.format,
                    codec=info.codec,
                    channels=info.channels,
                    sample_rate=info.sample_rate,
                    loudness_lufs=loudness.integrated_lufs,
                    true_peak_dbtp=loudness.true_peak_dbtp,
                    title=tune.title,
                    category=Category.MUSIC,
                    source=AssetSource.GENERATED,
                )
                with self._store.transaction() as uow:
                    uow.session.add(existing)
                rendered += 1
            assets[name] = existing
            if progress:
                progress(tune.title)
        with self._store.transaction() as uow:
            session = uow.session
            if session.exec(select(Programme).where(Programme.title.startswith("Chương trình mẫu"))).first():
                return rendered
            zone = self._settings.zone
            today = self._clock.now().astimezone(zone).date()
            for title, at in (
                ("Chương trình mẫu buổi sáng", time(5, 30)),
                ("Chương trình mẫu buổi chiều", time(17, 0)),
            ):
                programme = Programme(
                    title=title,
                    category=Category.LOCAL_AFFAIRS,
                    fallback_asset_id=assets["filler"].id,
                    status=ContentStatus.APPROVED,
                    approved_by=DEMO_AUTHOR,
                )
                session.add(programme)
                session.flush()
                assert programme.id is not None
                for position, tune_name in enumerate(("signature", "chime", "closing")):
                    session.add(
                        ProgrammeItem(
                            programme_id=programme.id,
                            position=position,
                            kind=ItemKind.JINGLE,
                            title=TUNES[tune_name].title,
                            asset_id=assets[tune_name].id,
                        )
                    )
                session.flush()
                spec = ScheduleSpec(
                    id=None,
                    programme_id=programme.id,
                    title=title,
                    duration_s=0.0,
                    start_at=datetime.combine(today, at, tzinfo=zone),
                    rrule="FREQ=DAILY",
                    session_name="Buổi sáng" if at.hour < 12 else "Buổi chiều",
                )
                uow.schedules.add(spec, created_by=DEMO_AUTHOR, created_at=self._clock.now())
        return rendered

    def revision(self) -> str:
        """The schema revision of the station's database (cheap: one query, no migration scripts read).

        Raises:
            StorageError: the station has not been initialised (``truyenthanh init``).
        """
        revision = self._store.schema_revision()
        if revision is None:
            raise StorageError(
                f"Chưa có đài nào ở {self._locations.data_dir}. "
                "Hãy chạy «truyenthanh init» để khởi tạo đài (có thể kèm nội dung mẫu)."
            )
        return revision

    def status(self) -> dict[str, Any]:
        """The station's identity, storage and content counts, JSON-ready.

        Raises:
            StorageError: the station has not been initialised (``truyenthanh init``).
        """
        revision = self.revision()
        with self._store.transaction() as uow:
            station = uow.station_profile.profile()
            counts = uow.station_profile.counts().to_json()
        usage = shutil.disk_usage(self._locations.data_dir).free // (1024 * 1024)
        return {
            "version": __version__,
            "station": None
            if station is None
            else {
                "name": station.name,
                "commune": station.commune,
                "province": station.province,
                "timezone": station.timezone,
                "reading_variant": station.reading_variant.value,
            },
            "schema_revision": revision,
            "schema_up_to_date": revision == self._schema.head(),
            "paths": self._locations.as_dict(),
            "counts": counts,
            "disk_free_mb": usage,
            "now": self._clock.now().astimezone(self._settings.zone).isoformat(timespec="seconds"),
        }


__all__ = ["InitResult", "StationService"]
