"""Creating a station, the demo station, and reporting its state.

The database is reached through the store (the station's record, its schedules, programmes, audio assets and
counts) and the :class:`~truyenthanh.services.unit_of_work.Schema` port; tunes are rendered through
:class:`TuneRenderer` and measured through the :class:`~truyenthanh.services.media.MediaTools` port.
"""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any, Protocol

from truyenthanh import __version__
from truyenthanh.config import Settings, load_settings, write_config_file
from truyenthanh.domain.accounts import AccessPolicy, Actor, Permission
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.content import AssetRecord, ItemRecord, ProgrammeRecord
from truyenthanh.domain.enums import AssetSource, Category, ContentStatus, ItemKind, ReadingVariant
from truyenthanh.domain.provinces import find_province
from truyenthanh.domain.station import DEFAULT_RULES
from truyenthanh.domain.station_profile import (
    IDENTITY_FIELDS,
    SETUP_SETTINGS,
    StationProfile,
    StationSetup,
    commune_name,
)
from truyenthanh.domain.tunes import TUNES, Tune
from truyenthanh.errors import ConfigError, StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.media import MediaTools
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
        media: MediaTools,
        clock: Clock,
    ) -> None:
        """Args:
        settings: the station's settings (name of its upstream, zone, reading variant).
        locations: the station's folders.
        store: where the station's records are kept.
        schema: the database's schema (migrations).
        tunes: renders the demo's tunes.
        media: measures them.
        clock: the source of time.
        """
        self._settings = settings
        self._locations = locations
        self._store = store
        self._schema = schema
        self._tunes = tunes
        self._media = media
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
        assets: dict[str, int] = {}
        for name in DEMO_TUNES:
            tune = TUNES[name]
            relative = str(Path("tunes") / f"{name}.wav")
            with self._store.transaction() as uow:
                existing = uow.assets.by_path(relative)
            if existing is None:
                existing = self._add_tune(tune, relative)
                rendered += 1
            assert existing.id is not None
            assets[name] = existing.id
            if progress:
                progress(tune.title)
        with self._store.transaction() as uow:
            if any(r.programme.title.startswith("Chương trình mẫu") for r in uow.programmes.all()):
                return rendered
            zone = self._settings.zone
            now = self._clock.now()
            today = now.astimezone(zone).date()
            items = [
                ItemRecord(kind=ItemKind.JINGLE, title=TUNES[tune_name].title, asset_id=assets[tune_name])
                for tune_name in ("signature", "chime", "closing")
            ]
            for title, at in (
                ("Chương trình mẫu buổi sáng", time(5, 30)),
                ("Chương trình mẫu buổi chiều", time(17, 0)),
            ):
                programme = ProgrammeRecord(
                    title=title,
                    category=Category.LOCAL_AFFAIRS,
                    fallback_asset_id=assets["filler"],
                    status=ContentStatus.APPROVED,
                    approved_by=DEMO_AUTHOR,
                    created_at=now,
                )
                programme_id = uow.programmes.add(programme, items).entity_id
                assert isinstance(programme_id, int)
                from truyenthanh.domain.schedule import ScheduleSpec  # the demo only: ``status`` starts without it

                spec = ScheduleSpec(
                    id=None,
                    programme_id=programme_id,
                    title=title,
                    duration_s=0.0,
                    start_at=datetime.combine(today, at, tzinfo=zone),
                    rrule="FREQ=DAILY",
                    session_name="Buổi sáng" if at.hour < 12 else "Buổi chiều",
                )
                uow.schedules.add(spec, created_by=DEMO_AUTHOR, created_at=now)
        return rendered

    def _add_tune(self, tune: Tune, relative: str) -> AssetRecord:
        """Render one tune into the media folder at ``relative``, measure it and record it as an asset."""
        from truyenthanh.services.library import inspect_with  # the demo only: ``status`` starts without it

        target = self._locations.media_dir / relative
        self._tunes.render(tune, target)
        inspected = inspect_with(self._media, target)
        record = AssetRecord(
            path=relative,
            sha256=inspected.sha256,
            duration_s=inspected.probe.duration_s,
            format=inspected.probe.format,
            codec=inspected.probe.codec,
            channels=inspected.probe.channels,
            sample_rate=inspected.probe.sample_rate,
            loudness_lufs=inspected.loudness.integrated_lufs,
            true_peak_dbtp=inspected.loudness.true_peak_dbtp,
            title=tune.title,
            category=Category.MUSIC,
            source=AssetSource.GENERATED,
            created_at=self._clock.now(),
        )
        with self._store.transaction() as uow:
            stored, _change = uow.assets.add(record)
        return stored

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

    # --- The station's identity and report settings (helper F4) -----------------------------------------------

    def setup(self) -> StationSetup:
        """The station's record and the settings its setup changes, as now in force.

        Raises:
            StorageError: the station has not been initialised (``truyenthanh init``).
        """
        with self._store.transaction() as uow:
            profile = uow.station_profile.profile()
        if profile is None:
            raise StorageError(f"Chưa có đài nào ở {self._locations.data_dir}. Hãy chạy «truyenthanh init».")
        current = self._settings.model_dump(mode="json", include=set(SETUP_SETTINGS))
        return StationSetup(profile=profile, settings=current, config_file=self._locations.config_file)

    def change_setup(
        self, actor: Actor, *, identity: Mapping[str, str] | None = None, settings: Mapping[str, Any] | None = None
    ) -> tuple[str, ...]:
        """Change the station's name, commune or province (``identity``, in its record) and the settings of
        :data:`SETUP_SETTINGS` (``settings``, in its config file; ``None`` or an empty text: back to the
        default), both audited in one transaction. The settings in force in this process follow at once.

        Returns:
            The names of the fields that changed (empty: nothing did, nothing was written).

        Raises:
            PermissionDeniedError: ``actor`` may not change the station's settings.
            ConfigError: a value is refused (``field`` names it; e.g. a province not among the 34); nothing
                is changed.
            StorageError: the station has not been initialised.
        """
        AccessPolicy(
            emergency_roles=frozenset(self._settings.emergency_roles), single_operator=self._settings.single_operator
        ).require(actor, Permission.MANAGE_STATION)
        current = self.setup()
        profile = _changed_profile(current.profile, identity or {})
        wanted = _setup_values(settings or {})
        if "reading_variant" in wanted and wanted["reading_variant"] is not None:
            profile = replace(profile, reading_variant=ReadingVariant(wanted["reading_variant"]))
        changes = {name: value for name, value in wanted.items() if current.settings.get(name) != value}
        changed = [name for name in IDENTITY_FIELDS if getattr(profile, name) != getattr(current.profile, name)]
        with self._store.transaction() as uow:
            if profile != current.profile:
                record = uow.station_profile.update(profile)
                assert record is not None  # setup() found the record
                uow.audited(actor.username, "station.profile", record)
            if changes:
                before = {name: current.settings.get(name) for name in changes}
                config = RecordChange("config", current.config_file.name, before=before, after=dict(changes))
                uow.audited(actor.username, "station.config", config)
                # Written last in the transaction: a refused or failed write rolls the audit entries back.
                write_config_file(current.config_file, changes)
        if changes:
            fresh = load_settings(self._settings.data_dir)
            for name in changes:
                setattr(self._settings, name, getattr(fresh, name))
        return (*changed, *changes)

    def write_config(self) -> bool:
        """Write the station's config file listing every setting with its documentation and default, unless
        the file exists (it is never replaced); returns whether it was written.

        Raises:
            ConfigError: the file cannot be written.
        """
        return write_config_file(self._locations.config_file)

    def first_identity(self, *, commune: str | None, province: str | None) -> bool:
        """Give a new station (``init --commune --province``) its commune and province when its record has none
        yet, audited as done by ``init``; returns whether the record changed.

        Raises:
            ConfigError: the province is not one of the 34, or the station already has another commune or
                province (``truyenthanh station set`` changes them, with a login).
            StorageError: the station has not been initialised.
        """
        current = self.setup().profile
        wanted = _changed_profile(current, {"commune": commune or "", "province": province or ""})
        for name in ("commune", "province"):
            old, new = getattr(current, name), getattr(wanted, name)
            if old and new and old != new:
                raise ConfigError(
                    f"Đài đã có {_LABELS[name]} «{old}»; đổi bằng «truyenthanh station set» (cần đăng nhập).",
                    field=name,
                )
        wanted = replace(
            wanted, commune=current.commune or wanted.commune, province=current.province or wanted.province
        )
        if wanted == current:
            return False
        with self._store.transaction() as uow:
            record = uow.station_profile.update(wanted)
            assert record is not None
            uow.audited(INIT_ACTOR, "station.profile", record)
        return True


INIT_ACTOR = "init"
"""Audit actor of what ``truyenthanh init`` writes before any account exists."""

_LABELS = {"name": "tên đài", "commune": "tên xã", "province": "tỉnh"}
"""The Vietnamese name of each identity field, for messages."""


def _changed_profile(profile: StationProfile, identity: Mapping[str, str]) -> StationProfile:
    """``profile`` with the identity fields given in ``identity`` (NFC, spaces tidied; the province as the list
    writes it, the commune without a leading "xã").

    Raises:
        ConfigError: an unknown field, an empty name, or a province not among the 34 (``field`` names it).
    """
    values: dict[str, str] = {}
    for name, typed in identity.items():
        if name not in IDENTITY_FIELDS:
            raise ConfigError(f"Không có mục «{name}» trong thông tin của đài.", field=name)
        text = " ".join(unicodedata.normalize("NFC", typed or "").split())
        if name == "name" and not text:
            raise ConfigError("Tên đài không được để trống.", field="name")
        if name == "commune":
            text = commune_name(text)
        if name == "province" and text:
            found = find_province(text)
            if found is None:
                raise ConfigError(
                    f"«{text}» không phải một trong 34 tỉnh, thành phố (từ 1/7/2025). Hãy chọn trong danh sách, "
                    "ví dụ: Phú Thọ, Thành phố Hồ Chí Minh.",
                    field="province",
                )
            text = found
        values[name] = text
    return replace(
        profile,
        name=values.get("name", profile.name),
        commune=values.get("commune", profile.commune),
        province=values.get("province", profile.province),
    )


def _setup_values(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The setup's settings in JSON form: texts in NFC with spaces trimmed, an empty text meaning "not set" for
    the sound devices and "" for the report lines.

    Raises:
        ConfigError: a setting the setup does not change (``field`` names it).
    """
    values: dict[str, Any] = {}
    for name, given in settings.items():
        if name not in SETUP_SETTINGS:
            raise ConfigError(f"Thiết lập đài không đổi «{name}»; sửa nó trong tệp cấu hình.", field=name)
        value = given
        if isinstance(value, ReadingVariant):
            value = value.value
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value).strip()
            if not value and name in ("output_device", "preview_device"):
                value = None
        values[name] = value
    return values


__all__ = ["INIT_ACTOR", "InitResult", "StationService"]
