"""Importing a planned package: programmes, items, announcements, audio, schedules, the package record and
their audit entries, all written in one unit of work, with audio files published only as it commits.

Every record is written through the unit of work's repositories (programmes with their items, announcements,
audio assets, schedules, the package record); audio files are inspected, tunes rendered and files staged through
the library service (its media tools and staging area).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from truyenthanh.config import Settings
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.content import (
    AnnouncementRecord,
    AssetRecord,
    DuplicateAssetError,
    ItemRecord,
    ProgrammeRecord,
)
from truyenthanh.domain.enums import AssetSource, Category, ContentStatus, ItemKind
from truyenthanh.domain.package_record import ImportedPackage
from truyenthanh.domain.programme_file import (
    ItemSpec,
    ProgrammeSpec,
)
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import PackageError
from truyenthanh.locations import Locations
from truyenthanh.services.approvals import ApprovalService
from truyenthanh.services.library import InspectedAudio, LibraryService, MediaStaging
from truyenthanh.services.packages.days_off import DAYS_OFF_ACTION, import_days_off
from truyenthanh.services.packages.planning import ImportPlan, PlannedProgramme
from truyenthanh.services.packages.results import ConflictChoice, ImportOutcome
from truyenthanh.services.packages.retiring import retire_schedules
from truyenthanh.services.packages.verifying import OpenedPackage
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store, UnitOfWork


@dataclass
class _Run:
    """One import being written: its unit of work, who imports and how, and what has been written so far."""

    uow: UnitOfWork
    assets: _AssetWriter
    opened: OpenedPackage
    actor: Actor
    choice: ConflictChoice
    upstream: str | None
    """The trusted upstream that signed the package, who pre-approves its content if the station allows."""
    now: datetime
    programme_ids: list[int] = field(default_factory=list)
    schedule_ids: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    """By programme key: the ids of its programme row and schedule rows."""
    preapproved: bool = False


class PackageImporter:
    """Writes planned imports and lists the packages imported at this station."""

    def __init__(
        self,
        *,
        settings: Settings,
        locations: Locations,
        store: Store,
        clock: Clock,
        approvals: ApprovalService,
        library: LibraryService,
    ) -> None:
        self._settings = settings
        self._library = library
        self._locations = locations
        self._store = store
        self._clock = clock
        self._approvals = approvals

    def write(self, opened: OpenedPackage, plan: ImportPlan, choice: ConflictChoice, actor: Actor) -> ImportOutcome:
        """Write what ``plan`` says for ``actor`` in one transaction, replacing the schedules of the package's
        earlier versions; schedules with conflicts are written or skipped as ``choice`` says."""
        info = opened.programme_file.package
        now = self._clock.now()
        # Only a signature checked against a key the station trusts may stand in for the station's approver.
        upstream = opened.signer.name if opened.signer is not None and opened.signer.trusted else None
        with (
            tempfile.TemporaryDirectory(dir=self._locations.cache_dir) as scratch,
            self._library.staged() as (uow, staging),
        ):
            run = _Run(
                uow=uow,
                assets=_AssetWriter(uow, self._library, staging, opened, Path(scratch)),
                opened=opened,
                actor=actor,
                choice=choice,
                upstream=upstream,
                now=now,
            )
            retire_schedules(uow, info.id, now, self._settings.zone, actor=actor.username)
            self._write_days_off(run, plan)
            for planned in plan.programmes:
                self._write_programme(run, planned)
            # Schedules after every programme: one may swap to another of the package on holidays.
            for planned in plan.programmes:
                ids = self._write_schedules(run, planned, run.rows[planned.spec.key]["programme_id"])
                run.schedule_ids.extend(ids)
                run.rows[planned.spec.key]["schedule_ids"] = ids
            # Files appear under their final names just before the commit (the library's staged unit of work
            # publishes them); if the commit fails, the staging area removes them again.
            self._write_record(run)
        return ImportOutcome(
            preview=plan.preview,
            imported=True,
            programme_ids=tuple(run.programme_ids),
            schedule_ids=tuple(run.schedule_ids),
            skipped_schedules=tuple(run.skipped),
        )

    def _write_programme(self, run: _Run, planned: PlannedProgramme) -> None:
        """Write one programme and its items (its schedules are written after every programme)."""
        programme, info = planned.spec, run.opened.programme_file.package
        fallback_id = run.assets.for_item(programme.fallback, programme) if programme.fallback else None
        # Each item's announcement or audio asset is written first, in the rundown's order.
        items = [self._item(run, position, item, programme) for position, item in enumerate(programme.items)]
        change = run.uow.programmes.add(
            ProgrammeRecord(
                title=programme.title,
                category=programme.category,
                priority=programme.priority,
                language=programme.language,
                fallback_asset_id=fallback_id,
                status=ContentStatus.WAITING,
                package_id=info.id,
                created_by=info.author,
                created_at=run.now,
            ),
            items,
        )
        run.uow.audited(run.actor.username, "programme.import", change)
        assert isinstance(change.entity_id, int)
        programme_id = change.entity_id
        run.programme_ids.append(programme_id)
        if run.upstream is not None:
            run.preapproved = self._approvals.preapprove_package(
                run.uow, ContentKind.PROGRAMME, programme_id, upstream=run.upstream
            )
        run.rows[programme.key] = {"programme_id": programme_id, "schedule_ids": []}

    @staticmethod
    def _write_days_off(run: _Run, plan: ImportPlan) -> None:
        """Add the package's days off to the station's list (audited), as the preview showed them."""
        change = import_days_off(run.uow.station, plan.preview.days_off)
        if change is not None:
            run.uow.audited(run.actor.username, DAYS_OFF_ACTION, change)

    def _write_schedules(self, run: _Run, planned: PlannedProgramme, programme_id: int) -> list[int]:
        """Write a programme's schedules (skipping those that cannot be placed, or conflict when told to skip);
        returns their ids."""
        ids = []
        for schedule in planned.schedules:
            if schedule.spec is None or (schedule.problems and run.choice is ConflictChoice.SKIP):
                run.skipped.append(f"«{planned.spec.title}» {schedule.where}")
                continue
            spec = replace(schedule.spec, programme_id=programme_id)
            swap_key = schedule.entry.holiday_programme
            if swap_key is not None and spec.holiday_swap is not None:
                swap = replace(spec.holiday_swap, programme_id=run.rows[swap_key]["programme_id"])
                spec = replace(spec, calendar=replace(spec.calendar, holiday_swap=swap))
            change = run.uow.schedules.add(
                spec,
                created_by=run.actor.username,
                created_at=run.now,
                package_id=run.opened.programme_file.package.id,
            )
            run.uow.audited(run.actor.username, "schedule.import", change)
            assert isinstance(change.entity_id, int)
            ids.append(change.entity_id)
        return ids

    def _write_record(self, run: _Run) -> None:
        """Write the package's own record (what it held and which rows it became) and its audit entry."""
        opened, info = run.opened, run.opened.programme_file.package
        record = ImportedPackage(
            id=None,
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
                "rows": run.rows,
                "zones": {p.key: list(p.zones) for p in opened.programme_file.programmes if p.zones},
                "communes": list(info.communes),
                "upstream_id": info.upstream_id,
            },
            imported_at=run.now,
            imported_by=run.actor.username,
        )
        saved = run.uow.packages.add(record)
        run.uow.note(
            run.actor.username,
            "package.import",
            "programme_package",
            str(saved.id),
            {
                "package_id": info.id,
                "version": info.version,
                "archive_sha256": opened.archive_sha256,
                "signer": opened.signer.fingerprint if opened.signer else None,
                "preapproved_by": run.upstream if run.preapproved else None,
                "choice": run.choice.value,
                "programmes": run.programme_ids,
                "schedules": run.schedule_ids,
                "skipped": run.skipped,
            },
        )

    def _item(self, run: _Run, position: int, item: ItemSpec, programme: ProgrammeSpec) -> ItemRecord:
        """One item of the rundown (its announcement or audio asset written first)."""
        announcement_id = None
        asset_id = None
        if item.kind is ItemKind.ANNOUNCEMENT:
            announcement_id = self._announcement(run, position, item, programme)
        elif item.kind in (ItemKind.AUDIO, ItemKind.JINGLE):
            asset_id = run.assets.for_item(item, programme)
        return ItemRecord(
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
            position=position,
        )

    def _announcement(self, run: _Run, position: int, item: ItemSpec, programme: ProgrammeSpec) -> int:
        """Write an announcement item's announcement (with its reading, if read aloud at build time)."""
        recording = run.assets.opened.recording(programme, position, item)
        rendered = run.assets.for_audio(recording, item.title or programme.title, programme) if recording else None
        announcement = AnnouncementRecord(
            title=item.title,
            text=item.text or "",
            status=ContentStatus.WAITING,
            priority=programme.priority,
            category=programme.category,
            created_by=run.opened.programme_file.package.author,
            created_at=run.now,
            updated_at=run.now,
        )
        announcements = run.uow.announcements
        change = (
            announcements.add_read(announcement, asset_id=rendered, engine="package")
            if rendered
            else announcements.add(announcement)
        )
        run.uow.audited(run.actor.username, "announcement.import", change)
        assert isinstance(change.entity_id, int)
        if run.upstream is not None:
            self._approvals.preapprove_package(
                run.uow, ContentKind.ANNOUNCEMENT, change.entity_id, upstream=run.upstream
            )
        return change.entity_id

    def imported(self) -> list[dict[str, Any]]:
        """Packages imported at this station, newest first, JSON-ready."""
        with self._store.transaction() as uow:
            return [package.to_json() for package in uow.packages.all()]


class _AssetWriter:
    """Finds or adds the audio assets a package needs, inside the import's unit of work (not audited, as the
    import's summary lists what it brought)."""

    def __init__(
        self, uow: UnitOfWork, library: LibraryService, staging: MediaStaging, opened: OpenedPackage, scratch: Path
    ) -> None:
        self._uow = uow
        self._library = library
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
        inspected = self.opened.audio[relative]
        known = self._known(inspected)
        if known is not None:
            return known
        self._staging.stage(inspected.source, inspected.media_path)
        return self._store(
            inspected,
            inspected.record(
                title=title, category=programme.category, language=programme.language, source=AssetSource.PACKAGE
            ),
        )

    def _known(self, inspected: InspectedAudio) -> int | None:
        """The asset already holding these bytes (written by this import or stored before), if any."""
        known = self._by_sha.get(inspected.sha256)
        if known is None:
            stored = self._uow.assets.by_sha(inspected.sha256)
            known = stored.id if stored is not None else None
        if known is not None:
            self._by_sha[inspected.sha256] = known
        return known

    def _store(self, inspected: InspectedAudio, record: AssetRecord) -> int:
        """Add a new asset (its file already staged); refuses the import if another process stored it first."""
        try:
            stored, _change = self._uow.assets.add(record)
        except DuplicateAssetError as exc:
            # The unit of work must roll back: the whole import is refused and nothing is written.
            raise PackageError(
                f"Gói {self.opened.name}: tệp âm thanh «{record.title}» ({record.path}) vừa được nhập vào thư viện "
                "trong lúc nhập gói (từ một cửa sổ hoặc lệnh khác); chưa có gì được ghi, hãy nhập lại gói."
            ) from exc
        assert stored.id is not None
        self._by_sha[inspected.sha256] = stored.id
        return stored.id

    def _tune(self, name: str) -> int:
        """Asset id for one of the station's tunes, rendered and stored under ``tunes/`` if it is not yet."""
        relative = f"tunes/{name}.wav"
        stored = self._uow.assets.by_path(relative)
        if stored is not None and stored.id is not None:
            return stored.id
        rendered = self._scratch / f"{name}.wav"
        if not rendered.exists():
            self._library.render_tune(TUNES[name], rendered)
        inspected = self._library.inspect(rendered)
        known = self._known(inspected)
        if known is not None:
            return known
        self._staging.stage(rendered, relative)
        record = inspected.record(
            title=TUNES[name].title,
            category=Category.MUSIC,
            language="vi",
            source=AssetSource.GENERATED,
            path=relative,
        )
        return self._store(inspected, record)
