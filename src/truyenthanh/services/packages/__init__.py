"""Programme packages: checking a programme file, building and signing a ``.ttpkg``, and importing one at a
station after a preview, in one transaction.

Import order, each step refusing with a Vietnamese message before anything is written:

1. unpack into a private folder under the cache, refusing hostile archives (the :class:`.ports.PackageArchive`);
2. read the manifest and check the signature against the station's trusted keys (unsigned or unknown signers
   only if ``allow_unsigned_packages`` is set; a signature that does not match is always refused);
3. check the size and SHA-256 of every file against the manifest, and refuse files it does not list;
4. read the programme file (UTF-8 only) and check every audio file decodes whole (non-audio payloads refused);
5. compare with what the station already has: same package again is a no-op, an older or conflicting version
   is refused, a newer one replaces the older one's future airings and keeps its history;
6. check every new schedule against the station's schedule and rules (the scheduler's own checks);
7. write everything (audio, announcements, programmes, items, schedules, the package record, the audit
   entry) in one database transaction, with audio files published only as it commits.

The package along its seams: :mod:`.results` (what callers get back), :mod:`.verifying` (programme files and
packages checked; steps 1 to 4), :mod:`.building` (build and sign), :mod:`.planning` (steps 5 and 6, the
preview), :mod:`.importing` (step 7) and :mod:`.retiring` (ending an earlier import's schedules).
:class:`PackageService` wires them and is what the rest of the program uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from truyenthanh.config import Settings
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.package import PackageLimits
from truyenthanh.domain.programme_file import ProgrammeFile
from truyenthanh.locations import Locations
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.approvals import ApprovalService
from truyenthanh.services.keys import KeyService
from truyenthanh.services.library import LibraryService
from truyenthanh.services.packages.building import Narrate, PackageBuilder
from truyenthanh.services.packages.importing import PackageImporter
from truyenthanh.services.packages.planning import ImportPlanner, expanded_schedule
from truyenthanh.services.packages.ports import PackageArchive
from truyenthanh.services.packages.results import (
    BuildResult,
    ConflictChoice,
    ImportAction,
    ImportOutcome,
    ImportPreview,
    PackageConflict,
    PackageConflictError,
    ProgrammeChange,
    Progress,
    SignerInfo,
)
from truyenthanh.services.packages.retiring import retire_schedule, retire_schedules
from truyenthanh.services.packages.verifying import PackageVerifier, check_programme_file
from truyenthanh.services.ports import Clock
from truyenthanh.services.scheduling import SchedulingService
from truyenthanh.services.unit_of_work import Store


class PackageService:
    """Programme files and packages for upstream editors (check, build, sign) and stations (preview, import)."""

    def __init__(
        self,
        *,
        settings: Settings,
        locations: Locations,
        store: Store,
        clock: Clock,
        library: LibraryService,
        scheduling: SchedulingService,
        keys: KeyService,
        archive: PackageArchive,
        accounts: AccountService,
        approvals: ApprovalService,
        limits: PackageLimits | None = None,
        narrate: Narrate | None = None,
    ) -> None:
        self._settings = settings
        self._accounts = accounts
        self._inspect = library.inspect
        self._verifier = PackageVerifier(
            settings=settings,
            locations=locations,
            keys=keys,
            archive=archive,
            limits=limits or PackageLimits(),
            inspect=library.inspect,
        )
        self._builder = PackageBuilder(
            keys=keys, archive=archive, clock=clock, narrate=narrate, inspect=library.inspect
        )
        self._planner = ImportPlanner(
            settings=settings, store=store, clock=clock, library=library, scheduling=scheduling
        )
        self._importer = PackageImporter(
            settings=settings, locations=locations, store=store, clock=clock, approvals=approvals, library=library
        )

    @property
    def limits(self) -> PackageLimits:
        """What an archive may hold before it is refused as hostile."""
        return self._verifier.limits

    # --- editors: check, build, sign ------------------------------------------------------------------------

    def check_file(self, path: Path, *, progress: Progress | None = None) -> ProgrammeFile:
        """Check a programme file and the audio files it names; writes nothing.

        Raises:
            ProgrammeFileError: every problem found (TOML, fields, missing or unreadable audio), with lines.
        """
        return check_programme_file(path, inspect=self._inspect, progress=progress)

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
        return self._builder.build(
            source, output, sign_with=sign_with, render_announcements=render_announcements, progress=progress
        )

    def sign(self, package: Path, *, key_name: str | None = None) -> SignerInfo:
        """Sign (or re-sign) a package with one of this machine's keys; its content is unchanged.

        Raises:
            PackageError: not a package, or the key cannot be used.
        """
        return self._builder.sign(package, key_name=key_name)

    # --- stations: preview, import ------------------------------------------------------------------------

    def preview(self, package: Path, *, progress: Progress | None = None) -> ImportPreview:
        """Verify a package and describe what importing it would do; writes nothing.

        Raises:
            PackageError: the package is unsafe, tampered with, untrusted, malformed, or an older or conflicting
                version of one already imported.
        """
        with self._verifier.open(package, progress) as opened:
            return self._planner.plan(opened).preview

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
        with self._verifier.open(package, progress) as opened:
            plan = self._planner.plan(opened)
            preview = plan.preview
            if dry_run or preview.action is ImportAction.SAME:
                return ImportOutcome(preview=preview, imported=False)
            if preview.conflicts and choice is ConflictChoice.REFUSE:
                raise PackageConflictError(preview, self._settings.zone)
            outcome = self._importer.write(opened, plan, choice, actor)
            if progress:
                progress("Đã nhập gói", 0)
            return outcome

    def imported(self) -> list[dict[str, Any]]:
        """Packages imported at this station, newest first, JSON-ready."""
        return self._importer.imported()


__all__ = [
    "BuildResult",
    "ConflictChoice",
    "ImportAction",
    "ImportOutcome",
    "ImportPreview",
    "PackageArchive",
    "PackageConflict",
    "PackageConflictError",
    "PackageService",
    "ProgrammeChange",
    "SignerInfo",
    "expanded_schedule",
    "retire_schedule",
    "retire_schedules",
]
