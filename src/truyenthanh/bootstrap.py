"""The one place that builds real adapters and wires services; the CLI, daemon, TUI and tests go through it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from truyenthanh.adapters.clock import SystemClock
from truyenthanh.adapters.db.database import Database, make_engine, sqlite_url
from truyenthanh.adapters.tts.espeak import EspeakEngine
from truyenthanh.adapters.tts.gtts import GttsEngine
from truyenthanh.config import Settings
from truyenthanh.locations import Locations
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.approvals import ApprovalService
from truyenthanh.services.audit import AuditService
from truyenthanh.services.broadcast_log import BroadcastLogService
from truyenthanh.services.calendar import CalendarService
from truyenthanh.services.keys import KeyService
from truyenthanh.services.library import LibraryService
from truyenthanh.services.packages import PackageService
from truyenthanh.services.playout import PlayoutService
from truyenthanh.services.ports import Clock, SpeechEngine
from truyenthanh.services.programmes import ProgrammeService
from truyenthanh.services.reports import ReportService
from truyenthanh.services.scheduling import SchedulingService
from truyenthanh.services.speech import SpeechService
from truyenthanh.services.station import StationService

if TYPE_CHECKING:
    from truyenthanh.adapters.playout import PlayoutEngine


@dataclass
class Container:
    """Everything one process needs for one station. Build it with :func:`build`; close it when done."""

    settings: Settings
    locations: Locations
    db: Database
    clock: Clock
    speech_engines: dict[str, SpeechEngine] = field(default_factory=dict)
    """Speech engines by name; empty: the real ones (gTTS and espeak-ng). Tests may pass their own."""
    station: StationService = field(init=False)
    audit: AuditService = field(init=False)
    accounts: AccountService = field(init=False)
    approvals: ApprovalService = field(init=False)
    reports: ReportService = field(init=False)
    library: LibraryService = field(init=False)
    programmes: ProgrammeService = field(init=False)
    scheduling: SchedulingService = field(init=False)
    broadcast_log: BroadcastLogService = field(init=False)
    playout: PlayoutService = field(init=False)
    speech: SpeechService = field(init=False)
    keys: KeyService = field(init=False)
    packages: PackageService = field(init=False)
    calendar: CalendarService = field(init=False)

    def __post_init__(self) -> None:
        self.station = StationService(settings=self.settings, locations=self.locations, db=self.db, clock=self.clock)
        self.audit = AuditService(db=self.db)
        self.accounts = AccountService(settings=self.settings, db=self.db, clock=self.clock)
        self.approvals = ApprovalService(settings=self.settings, db=self.db, clock=self.clock, accounts=self.accounts)
        self.reports = ReportService(settings=self.settings, locations=self.locations, db=self.db, clock=self.clock)
        self.library = LibraryService(locations=self.locations, db=self.db, clock=self.clock)
        self.programmes = ProgrammeService(db=self.db, clock=self.clock)
        self.scheduling = SchedulingService(
            settings=self.settings, locations=self.locations, db=self.db, clock=self.clock
        )
        self.broadcast_log = BroadcastLogService(db=self.db, clock=self.clock)
        self.playout = PlayoutService(settings=self.settings, locations=self.locations, db=self.db)
        if not self.speech_engines:
            self.speech_engines = {
                "gtts": GttsEngine(timeout_s=self.settings.tts_timeout_s),
                "espeak": EspeakEngine(),
            }
        self.speech = SpeechService(
            settings=self.settings,
            locations=self.locations,
            db=self.db,
            clock=self.clock,
            library=self.library,
            engines=self.speech_engines,
        )
        self.keys = KeyService(locations=self.locations, db=self.db, clock=self.clock)
        self.packages = PackageService(
            settings=self.settings,
            locations=self.locations,
            db=self.db,
            clock=self.clock,
            library=self.library,
            scheduling=self.scheduling,
            keys=self.keys,
        )
        self.calendar = CalendarService(
            settings=self.settings, db=self.db, clock=self.clock, scheduling=self.scheduling
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
    return Container(
        settings=settings,
        locations=locations,
        db=Database(make_engine(url)),
        clock=clock or SystemClock(),
        speech_engines=dict(speech_engines or {}),
    )
