"""Creating a station, the demo station, and reporting its state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from sqlmodel import func, select

from truyenthanh import __version__
from truyenthanh.adapters import ffmpeg, files
from truyenthanh.adapters.db import database
from truyenthanh.adapters.db.models import (
    AudioAsset,
    BroadcastLog,
    Programme,
    ProgrammeItem,
    Schedule,
    Station,
)
from truyenthanh.config import Settings
from truyenthanh.domain.enums import AssetSource, Category, ContentStatus, ItemKind
from truyenthanh.domain.station import DEFAULT_RULES
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.ports import Clock

Progress = Callable[[str], None]
"""Called with a Vietnamese description each time one step of a long task is done."""

DEMO_TUNES = ("signature", "chime", "closing", "alert", "tone", "filler")


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

    def __init__(self, *, settings: Settings, locations: Locations, db: database.Database, clock: Clock) -> None:
        self._settings = settings
        self._locations = locations
        self._db = db
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
        before = database.current_revision(self._db.engine)
        database.upgrade(self._db.engine)
        database.protect(self._db, self._locations.data_dir)  # 0750/0640, and the chain key (issue 14)
        created = False
        with self._db.session() as session:
            if session.exec(select(Station)).first() is None:
                session.add(
                    Station(
                        name=name or ("Đài truyền thanh xã Tân Lập (mẫu)" if demo else "Đài truyền thanh xã"),
                        commune="Tân Lập" if demo else "",
                        province="Phú Thọ" if demo else "",
                        upstream=self._settings.upstream_name,
                        timezone=self._settings.timezone,
                        reading_variant=self._settings.reading_variant,
                        rules=DEFAULT_RULES.to_json(),
                    )
                )
                created = True
        rendered = self._add_demo(progress) if demo else 0
        return InitResult(
            created=created, upgraded_from=before, revision=database.head_revision(), demo_assets=rendered
        )

    def _add_demo(self, progress: Progress | None) -> int:
        """Render the demo tunes and add a morning and an afternoon programme (once)."""
        rendered = 0
        assets: dict[str, AudioAsset] = {}
        for name in DEMO_TUNES:
            tune = TUNES[name]
            relative = Path("tunes") / f"{name}.wav"
            with self._db.session() as session:
                existing = session.exec(select(AudioAsset).where(AudioAsset.path == str(relative))).first()
            if existing is None:
                target = self._locations.media_dir / relative
                ffmpeg.render_tune(tune, target)
                info = ffmpeg.probe(target)
                loudness = ffmpeg.measure_loudness(target)
                existing = AudioAsset(
                    path=str(relative),
                    sha256=files.sha256_file(target),
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
                with self._db.session() as session:
                    session.add(existing)
                rendered += 1
            assets[name] = existing
            if progress:
                progress(tune.title)
        with self._db.session() as session:
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
                    approved_by="demo",
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
                start = datetime.combine(today, at, tzinfo=zone)
                session.add(
                    Schedule(
                        programme_id=programme.id,
                        start_at=start,
                        rrule="FREQ=DAILY",
                        session_name="Buổi sáng" if at.hour < 12 else "Buổi chiều",
                    )
                )
        return rendered

    def revision(self) -> str:
        """The schema revision of the station's database (cheap: one query, no migration scripts read).

        Raises:
            StorageError: the station has not been initialised (``truyenthanh init``).
        """
        revision = database.current_revision(self._db.engine) if self._locations.db_path.exists() else None
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
        with self._db.session() as session:
            station = session.exec(select(Station)).first()

            def count(model: Any) -> int:
                return int(session.exec(select(func.count()).select_from(model)).one())

            counts = {
                "audio_assets": count(AudioAsset),
                "programmes": count(Programme),
                "schedules": count(Schedule),
                "broadcast_log": count(BroadcastLog),
            }
        usage = files.disk_free_mb(self._locations.data_dir)
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
            "schema_up_to_date": revision == database.head_revision(),
            "paths": self._locations.as_dict(),
            "counts": counts,
            "disk_free_mb": usage,
            "now": self._clock.now().astimezone(self._settings.zone).isoformat(timespec="seconds"),
        }


__all__ = ["InitResult", "StationService"]
