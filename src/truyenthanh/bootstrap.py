"""The one place that builds real adapters and wires services; the CLI, daemon, TUI and tests go through it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from truyenthanh.adapters.clock import SystemClock
from truyenthanh.adapters.db.chainkey import KEY_FILE, KeyPlace
from truyenthanh.adapters.db.database import Database, make_engine, sqlite_url
from truyenthanh.adapters.platform import configure_tools
from truyenthanh.config import Settings
from truyenthanh.locations import Locations
from truyenthanh.services.ports import Clock, SpeechEngine

if TYPE_CHECKING:
    from truyenthanh.adapters.db.store import SqlStore
    from truyenthanh.adapters.media import FfmpegMedia
    from truyenthanh.adapters.playout import PlayoutEngine
    from truyenthanh.services.accounts import AccountService
    from truyenthanh.services.approvals import ApprovalService
    from truyenthanh.services.audit import AuditService
    from truyenthanh.services.broadcast_log import BroadcastLogService
    from truyenthanh.services.calendar import CalendarService
    from truyenthanh.services.fleet import FleetService
    from truyenthanh.services.keys import KeyService
    from truyenthanh.services.library import LibraryService
    from truyenthanh.services.packages import PackageService
    from truyenthanh.services.playout import PlayoutService
    from truyenthanh.services.programmes import ProgrammeService
    from truyenthanh.services.reports import ReportService
    from truyenthanh.services.scheduling import SchedulingService
    from truyenthanh.services.speech import SpeechService
    from truyenthanh.services.station import StationService


KEY_PASSPHRASE_ENV = "TRUYENTHANH_KEY_PASSPHRASE"
"""Environment variable holding the signing key's passphrase, for scripts (read, like every setting, when the
container is built; not a setting, so that it is never written to or shown from the configuration file)."""


# Services are built on first use and import their modules only then: a CLI command that needs the library
# does not pay for loading the report writers, the package signer and the speech engines (about 1 s at start-up).
@dataclass
class Container:
    """Everything one process needs for one station. Build it with :func:`build`; close it when done.

    Each service is created the first time it is used, once per container.
    """

    settings: Settings
    locations: Locations
    db: Database
    clock: Clock
    speech_engines: dict[str, SpeechEngine] = field(default_factory=dict)
    """Speech engines by name; empty: the real ones (gTTS and espeak-ng). Tests may pass their own."""

    @cached_property
    def store(self) -> SqlStore:
        """Where the station's records are kept: the one :class:`~truyenthanh.services.unit_of_work.Store` the
        services write through, each transaction a unit of work."""
        from truyenthanh.adapters.db.store import SqlStore

        return SqlStore(self.db, self.clock, db_file=self.locations.db_path)

    @cached_property
    def media(self) -> FfmpegMedia:
        """The audio tools (ffmpeg and file hashing) behind the :class:`~truyenthanh.services.media.MediaTools`
        port."""
        from truyenthanh.adapters.media import FfmpegMedia

        return FfmpegMedia()

    @cached_property
    def station(self) -> StationService:
        """Creating the station, the demo, and its status."""
        from truyenthanh.adapters.db.schema import SqlSchema
        from truyenthanh.adapters.tune_renderer import FfmpegTuneRenderer
        from truyenthanh.services.station import StationService

        return StationService(
            settings=self.settings,
            locations=self.locations,
            store=self.store,
            schema=SqlSchema(self.db, self.locations.data_dir),
            tunes=FfmpegTuneRenderer(),
            media=self.media,
            clock=self.clock,
        )

    @cached_property
    def audit(self) -> AuditService:
        """The hash-chained audit trail."""
        from truyenthanh.services.audit import AuditService

        return AuditService(store=self.store, unwritten=self.broadcast_log.unwritten)

    @cached_property
    def accounts(self) -> AccountService:
        """Accounts, log-in and permissions."""
        from truyenthanh.services.accounts import AccountService

        return AccountService(settings=self.settings, store=self.store, clock=self.clock)

    @cached_property
    def approvals(self) -> ApprovalService:
        """The approval workflow."""
        from truyenthanh.services.approvals import ApprovalService

        return ApprovalService(settings=self.settings, store=self.store, clock=self.clock, accounts=self.accounts)

    @cached_property
    def reports(self) -> ReportService:
        """The weekly logbook and the periodic reports."""
        from truyenthanh.adapters.reports import DocumentWriters
        from truyenthanh.adapters.reports.source import SqlReportSource
        from truyenthanh.services.reports import ReportService

        return ReportService(
            settings=self.settings,
            locations=self.locations,
            source=SqlReportSource(self.db),
            writers=DocumentWriters(),
            clock=self.clock,
        )

    @cached_property
    def library(self) -> LibraryService:
        """The audio library."""
        from truyenthanh.services.library import LibraryService

        return LibraryService(
            locations=self.locations, store=self.store, media=self.media, clock=self.clock, accounts=self.accounts
        )

    @cached_property
    def programmes(self) -> ProgrammeService:
        """Programmes and their items."""
        from truyenthanh.services.programmes import ProgrammeService

        return ProgrammeService(settings=self.settings, store=self.store, clock=self.clock, accounts=self.accounts)

    @cached_property
    def scheduling(self) -> SchedulingService:
        """Schedules, occurrences and rule checks."""
        from truyenthanh.services.scheduling import SchedulingService

        return SchedulingService(
            settings=self.settings,
            locations=self.locations,
            store=self.store,
            clock=self.clock,
            accounts=self.accounts,
        )

    @cached_property
    def broadcast_log(self) -> BroadcastLogService:
        """The append-only broadcast log (the daemon writes it through its journal in the station folder)."""
        from truyenthanh.adapters.log_journal import LOG_JOURNAL_FILE, FileLogJournal
        from truyenthanh.services.broadcast_log import BroadcastLogService

        journal = FileLogJournal(self.locations.data_dir / LOG_JOURNAL_FILE)
        return BroadcastLogService(store=self.store, clock=self.clock, journal=journal)

    @cached_property
    def playout(self) -> PlayoutService:
        """Turning programmes into play items."""
        from truyenthanh.services.playout import PlayoutService

        return PlayoutService(settings=self.settings, locations=self.locations, store=self.store, media=self.media)

    @cached_property
    def speech(self) -> SpeechService:
        """Normalising and reading Vietnamese text aloud."""
        from truyenthanh.services.speech import SpeechService

        if not self.speech_engines:
            from truyenthanh.adapters.tts.espeak import EspeakEngine
            from truyenthanh.adapters.tts.gtts import GttsEngine

            self.speech_engines.update(
                gtts=GttsEngine(timeout_s=self.settings.tts_timeout_s),
                espeak=EspeakEngine(),
            )
        return SpeechService(
            settings=self.settings,
            locations=self.locations,
            store=self.store,
            media=self.media,
            clock=self.clock,
            library=self.library,
            engines=self.speech_engines,
        )

    @cached_property
    def keys(self) -> KeyService:
        """Signing keys and trusted upstream keys."""
        from truyenthanh.adapters.key_ring import FileKeyRing
        from truyenthanh.services.keys import KeyService

        configured = self.settings.key_passphrase_file  # relative: beside the configuration file
        return KeyService(
            locations=self.locations,
            store=self.store,
            clock=self.clock,
            accounts=self.accounts,
            ring=FileKeyRing(self.locations.config_file.parent / "keys"),
            passphrase=os.environ.get(KEY_PASSPHRASE_ENV),
            passphrase_file=(
                None if configured is None else self.locations.config_file.parent / configured.expanduser()
            ),
        )

    @cached_property
    def packages(self) -> PackageService:
        """Programme files and signed packages."""
        from truyenthanh.adapters.package_archive import ZipPackageArchive
        from truyenthanh.services.packages import PackageService

        return PackageService(
            settings=self.settings,
            locations=self.locations,
            store=self.store,
            clock=self.clock,
            library=self.library,
            scheduling=self.scheduling,
            keys=self.keys,
            archive=ZipPackageArchive(),
            accounts=self.accounts,
            approvals=self.approvals,
            narrate=self.speech.render_file,
        )

    @cached_property
    def calendar(self) -> CalendarService:
        """iCalendar import and export of schedules."""
        from truyenthanh.services.calendar import CalendarService

        return CalendarService(
            settings=self.settings,
            store=self.store,
            clock=self.clock,
            scheduling=self.scheduling,
            accounts=self.accounts,
        )

    @cached_property
    def fleet(self) -> FleetService:
        """The loudspeaker clusters (issue 18): zones, enrolment, zone schedules, receivers' reports."""
        from truyenthanh.adapters.fleet_broker import MosquittoBrokerFiles
        from truyenthanh.services.fleet import FleetService

        return FleetService(
            settings=self.settings,
            locations=self.locations,
            store=self.store,
            clock=self.clock,
            broker=MosquittoBrokerFiles(self.locations.data_dir / "broker"),
            station_key=lambda: self.keys.own_public().raw,
        )

    def make_playout(self, output: str | None = None, *, realtime: bool = True) -> PlayoutEngine:
        """A playout engine (a :class:`~truyenthanh.services.ports.Playout`) for this station's output
        (``output`` overrides the setting), not yet opened.

        Renders the station filler into the cache folder if it is not there yet.

        Args:
            output: ``device``, ``file:PATH`` or ``icecast:URL``; default: the ``output`` setting.
            realtime: for ``file:`` outputs, ``False`` writes as fast as the decoders go.

        Raises:
            AudioError: the output specification is invalid or the filler cannot be rendered.
        """
        from truyenthanh.adapters.playout import PlayoutEngine, make_output

        settings = self.settings
        sink = make_output(
            output or settings.output,
            device=settings.output_device,
            rate=settings.sample_rate,
            buffer_ms=settings.buffer_ms,
            realtime=realtime,
        )
        return PlayoutEngine(sink, filler=self.playout.filler())

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()


def chain_key_place(settings: Settings, locations: Locations) -> KeyPlace | None:
    """Where the database's chain key lives: ``chain_key_file`` when set; beside the SQLite file for a station on
    SQLite (``None``: the database layer finds it there, exactly as it always has); ``chain.key`` in the data
    folder for a database on a server (PostgreSQL, e.g. a hub's), recorded and checked as shared (see
    :class:`~truyenthanh.adapters.db.chainkey.KeyPlace`)."""
    on_server = bool(settings.database_url) and not str(settings.database_url).startswith("sqlite")
    if settings.chain_key_file is not None:
        return KeyPlace(settings.chain_key_file, shared=on_server)
    if not on_server:
        return None
    return KeyPlace(locations.data_dir / KEY_FILE, shared=True)


def build(
    settings: Settings, *, clock: Clock | None = None, speech_engines: dict[str, SpeechEngine] | None = None
) -> Container:
    """Wire a station from its settings. Nothing is opened on disk until a service is used.

    Args:
        settings: the station's settings.
        clock: the source of time (default: the system clock).
        speech_engines: speech engines by name (default: gTTS and espeak-ng).
    """
    locations = settings.locations()
    url = settings.database_url or sqlite_url(locations.db_path)
    configure_tools(ffmpeg_path=settings.ffmpeg_path, espeak_path=settings.espeak_path)
    return Container(
        settings=settings,
        locations=locations,
        db=Database(make_engine(url), chain_key=chain_key_place(settings, locations)),
        clock=clock or SystemClock(),
        speech_engines=dict(speech_engines or {}),
    )
