"""What the TUI asks of the station, in one small facade over the bootstrap container.

Screens call these methods from thread workers (every method may block on the database or the daemon) and
render the plain data they return. Nothing here imports Textual, so the facade can be driven from tests and
benchmarks on its own.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal
from sqlmodel import col, select

from truyenthanh.adapters import files, platform
from truyenthanh.adapters.control import ControlClient
from truyenthanh.adapters.db.models import Announcement, AudioAsset, BroadcastLog, Programme, ProgrammeItem, Station
from truyenthanh.adapters.db.types import UTCDateTime
from truyenthanh.adapters.preview import PreviewPlayer
from truyenthanh.adapters.sound_devices import SoundDevice, default_sink, output_devices
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import Category, ContentStatus, ItemKind, Outcome, Priority, Role
from truyenthanh.domain.fleet import Action
from truyenthanh.domain.rundown import AirState, air_state
from truyenthanh.domain.schedule import MisfireKind
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import DaemonError, LoginError, NotFoundError, StorageError, TruyenthanhError
from truyenthanh.protocol import DaemonEvent, DaemonStatus, EmergencyState, decode_event
from truyenthanh.services.library import fold
from truyenthanh.services.station import INIT_ACTOR
from truyenthanh.tui import formatting
from truyenthanh.tui.approval_queue import PendingContent, oldest_first, pending_content

if TYPE_CHECKING:
    from truyenthanh.bootstrap import Container
    from truyenthanh.domain.station_profile import StationSetup
    from truyenthanh.domain.vietnamese.lexicon_file import LexiconEntry
    from truyenthanh.domain.vietnamese.normalizer import Step
    from truyenthanh.services.accounts import UserInfo
    from truyenthanh.services.approvals import ContentView
    from truyenthanh.services.fleet import ReceiverView
    from truyenthanh.services.library import LibraryService
    from truyenthanh.services.packages.results import ImportOutcome, Progress
    from truyenthanh.services.programmes import ProgrammeDetail, ProgrammeService, ProgrammeSummary
    from truyenthanh.services.scheduling import SchedulingService

DISK_LOW_MB = 1024
"""Below this much free space on the station's disk the operator is warned."""


class DaemonLink(Protocol):
    """The TUI's line to the playout daemon (the daemon owns the speaker; the TUI never plays).

    It carries the wire form (JSON-ready dicts); :class:`StationBackend` is the one place in the TUI that turns
    it into the typed messages of :mod:`truyenthanh.protocol`. :class:`truyenthanh.adapters.control.ControlClient`
    is the real one; ``tests.fakes.FakeDaemonLink`` answers as a daemon would, in-process.
    """

    def request(self, command: str, **arguments: Any) -> Any:
        """Send one control command and return its result.

        Raises:
            DaemonError: the daemon is not running, did not answer, or refused (Vietnamese message).
        """
        ...

    def events(self) -> AbstractContextManager[Iterator[dict[str, Any]]]:
        """Subscribe to the daemon's events, in their wire form (blocks reading until the next one).

        Raises:
            DaemonError: the daemon is not running.
        """
        ...


@dataclass(frozen=True)
class Alert:
    """Something the operator should act on, in Vietnamese."""

    text: str
    severity: str = "warning"
    """``warning`` or ``error``."""


@dataclass(frozen=True)
class RundownEntry:
    """One broadcast due today."""

    schedule_id: int
    programme_id: int
    title: str
    session_name: str
    start: datetime
    """Due time, in the station's zone."""
    duration_s: float
    state: AirState
    approved: bool

    @property
    def end(self) -> datetime:
        """When it is due to end."""
        return self.start + timedelta(seconds=self.duration_s)


@dataclass(frozen=True)
class OnAir:
    """What the daemon is playing."""

    title: str
    position_s: float
    duration_s: float | None


@dataclass(frozen=True)
class EmergencySent:
    """An emergency bulletin the daemon accepted, with the repeats the operator asked for."""

    state: EmergencyState
    """The emergency as the daemon runs it (its number, title, count so far)."""
    repeat: int
    every_min: float
    until_cancelled: bool

    @property
    def plan(self) -> str:
        """The repeats, in Vietnamese (``phát một lần``, ``lặp lại mỗi 120 phút cho đến khi hủy`` …)."""
        if self.until_cancelled:
            return f"lặp lại mỗi {self.every_min:g} phút cho đến khi hủy"
        if self.repeat > 1:
            return f"phát {self.repeat} lần, cách nhau {self.every_min:g} phút"
        return "phát một lần"


def log_pending_text(rows: int) -> str:
    """The warning shown while the daemon cannot write its broadcast log (Hôm nay, ``status``)."""
    return (
        f"Nhật ký đang chờ ghi: {rows} dòng (cơ sở dữ liệu đang bị khóa hoặc đĩa đầy); dịch vụ phát vẫn phát và "
        "sẽ ghi ngay khi ghi được."
    )


@dataclass(frozen=True)
class TodayView:
    """Everything the "Hôm nay" screen shows."""

    now: datetime
    """The current instant in the station's zone."""
    station_name: str
    entries: tuple[RundownEntry, ...]
    on_air: OnAir | None
    daemon_up: bool
    warnings: tuple[Alert, ...] = field(default_factory=tuple)
    emergency: EmergencyState | None = None
    """The emergency the daemon is repeating (``None``: none)."""

    @property
    def next_entry(self) -> RundownEntry | None:
        """The first broadcast still waiting."""
        return next((e for e in self.entries if e.state is AirState.WAITING), None)


class StationBackend:
    """The facade the TUI is built on: the container's services plus the daemon link."""

    def __init__(
        self,
        container: Container,
        *,
        daemon: DaemonLink | None = None,
        actor: Actor | None = None,
        disk_low_mb: int = DISK_LOW_MB,
    ) -> None:
        """``daemon`` defaults to the control client of the station's runtime folder; ``actor`` is who is
        logged in (``None``: nobody yet); below ``disk_low_mb`` MiB free on the station's disk the operator is
        warned."""
        self.container = container
        self.daemon: DaemonLink = daemon or ControlClient(container.locations.runtime_dir, timeout=2.0)
        self.disk_low_mb = disk_low_mb
        self.actor = actor
        """Who the TUI's changes act for: set when someone logs in."""

    def acting(self) -> Actor:
        """The person a change made from the TUI acts for (and is audited under): the logged-in account, or the
        station's named operator in single-operator mode.

        Raises:
            LoginError: nobody is logged in (the message says how to log in).
            ConfigError: single-operator mode without the operator's name.
        """
        if self.actor is None and self.container.settings.single_operator:
            self.actor = self.container.accounts.single_operator_actor()
        if self.actor is None:
            raise LoginError("Việc này cần biết ai làm để ghi vào nhật ký thay đổi: hãy đăng nhập (Ctrl+L) trước.")
        return self.actor

    # --- the signing key's passphrase (wherever the TUI signs or makes a key, it asks in PassphraseScreen) ---

    def key_needs_passphrase(self, name: str | None = None) -> bool:
        """Whether signing with the own key (the only one, if ``name`` is not given) needs a passphrase this
        process was not given (then ask for it with :class:`~truyenthanh.tui.screens.passphrase.PassphraseScreen`).

        Raises:
            NotFoundError: no such key.
            PackageError: several keys and no name, or the passphrase file is set but cannot be read.
        """
        return self.container.keys.needs_passphrase(name)

    def own_key_name(self, name: str | None = None) -> str:
        """The own signing key's name as its owner gave it (the only key, if ``name`` is not given).

        Raises:
            NotFoundError: no such key.
            PackageError: several keys and no name.
        """
        return self.container.keys.own(name).name

    def unlock_key(self, passphrase: str, name: str | None = None) -> None:
        """Check ``passphrase`` against the own key and, if right, sign with it from now on in this process.

        Raises:
            PackageError: the passphrase is wrong (``field="passphrase"``; nothing changed), or the key is damaged.
            NotFoundError: no such key.
        """
        keys = self.container.keys
        keys.private_key(name, passphrase=passphrase)
        keys.use_passphrase(passphrase)

    def generate_key(self, name: str, passphrase: str | None) -> str:
        """Create the own signing key ``name`` under ``passphrase`` (``None`` or empty: none); returns its
        fingerprint.

        Raises:
            PackageError: a key with that name exists already, or it cannot be written.
        """
        return self.container.keys.generate(name, passphrase=passphrase).fingerprint

    @property
    def library(self) -> LibraryService:
        """The audio library."""
        return self.container.library

    drive_folders: tuple[Path, ...] | None = None
    """Folders whose sub-folders are mounted drives (USB sticks); ``None``: the usual places on Linux
    (``/media/USER``, ``/run/media/USER``, ``/media``, ``/mnt``)."""

    def file_places(self) -> list[tuple[str, Path]]:
        """Where the file picker can start: the home folder, then each mounted drive, with Vietnamese labels."""
        user = Path.home().name
        bases = self.drive_folders
        if bases is None:
            bases = (Path("/media") / user, Path("/run/media") / user, Path("/media"), Path("/mnt"))
        places = [(f"Thư mục nhà ({Path.home()})", Path.home())]
        for base in bases:
            try:
                found = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
            except OSError:
                continue
            # /media/USER is itself a base: list the drives in it, not the folder.
            places += [(f"Ổ đĩa «{p.name}» ({p})", p) for p in found if p not in bases]
        return places

    def preview_package(self, package: Path, progress: Progress | None = None) -> str:
        """Verify a programme package and say, in Vietnamese, what importing it would do; writes nothing.

        Raises:
            PackageError: the package is unsafe, tampered with, untrusted or malformed (the message says which).
        """
        return self.container.packages.preview(package, progress=progress).explain(self.zone)

    def import_package(self, actor: Actor, package: Path, progress: Progress | None = None) -> ImportOutcome:
        """Import a programme package for ``actor``, all or nothing; a schedule conflict refuses the whole import.

        Raises:
            PackageError: as :meth:`preview_package`, or its schedules clash with the station's.
            PermissionDeniedError: ``actor`` may not import packages.
        """
        return self.container.packages.import_package(actor, package, progress=progress)

    @property
    def programmes(self) -> ProgrammeService:
        """Building programmes and their items."""
        return self.container.programmes

    @property
    def scheduling(self) -> SchedulingService:
        """Schedules, the week's airings and the station's sessions."""
        return self.container.scheduling

    @property
    def zone(self) -> ZoneInfo:
        """The station's time zone."""
        return self.container.settings.zone

    def now(self) -> datetime:
        """The current instant in the station's zone."""
        return self.container.clock.now().astimezone(self.zone)

    def station_name(self) -> str:
        """The station's name (empty before ``init``)."""
        with self.container.db.session() as session:
            station = session.exec(select(Station)).first()
        return station.name if station else ""

    def schema_up_to_date(self) -> bool:
        """Whether the station's database is at the newest migration this program knows (reads the scripts)."""
        from truyenthanh.adapters.db import database

        return database.current_revision(self.container.db.engine) == database.head_revision()

    def today(self) -> TodayView:
        """Today's rundown, what is on air and the warnings that matter."""
        now = self.now()
        status = self.daemon_status()
        on_air = _on_air(status)
        entries = self._rundown(now, on_air)
        warnings = list(self._warnings(now, entries, status))
        return TodayView(
            now=now,
            station_name=self.station_name(),
            entries=entries,
            on_air=on_air,
            daemon_up=status is not None,
            warnings=tuple(warnings),
            emergency=status.emergency if status is not None else None,
        )

    def daemon_status(self) -> DaemonStatus | None:
        """The daemon's ``status`` reply, decoded, or ``None`` when no daemon answers."""
        try:
            result = self.daemon.request("status")
        except DaemonError:
            return None
        return DaemonStatus.from_json(result) if isinstance(result, dict) else None

    @contextmanager
    def daemon_events(self) -> Iterator[Iterator[DaemonEvent]]:
        """Subscribe to the daemon's events, decoded: ``with backend.daemon_events() as events: for e in events``.

        Events of a kind this program does not know (a newer daemon) are skipped. Reading blocks until the next
        event; the iterator ends when the daemon stops.

        Raises:
            DaemonError: the daemon is not running.
        """
        with self.daemon.events() as stream:
            yield (event for event in map(decode_event, stream) if event is not None)

    def start_daemon(self) -> int | None:
        """Start the station's daemon in the background if none answers; returns its PID, or ``None`` when one
        was already running.

        The daemon is a separate process (it owns the speaker); its output goes to ``daemon.log`` in the
        runtime folder. Waits up to 10 s for it to answer.

        Raises:
            DaemonError: it did not start (the message quotes the end of its log).
        """
        if self.daemon_status() is not None:
            return None
        runtime = self.container.locations.runtime_dir
        runtime.mkdir(parents=True, exist_ok=True)
        log_path = runtime / "daemon.log"
        command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(self.container.locations.data_dir), "daemon"]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                **platform.detached(),  # keeps playing after the TUI (and its console) closes
            )
        deadline = monotonic() + 10
        while monotonic() < deadline:
            if self.daemon_status() is not None:
                return process.pid
            if process.poll() is not None:
                break
            sleep(0.1)
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        raise DaemonError("Không khởi động được dịch vụ phát. " + " ".join(tail))

    def emergency(
        self,
        *,
        text: str | None,
        file: Path | None,
        repeat: int,
        every_min: float,
        until_cancelled: bool,
        actor: Actor,
    ) -> EmergencySent:
        """Break in on air now through the daemon (alert tone, then the bulletin), with its repeats; ``actor``
        authorises it (recorded in the audit trail, logged as the sender).

        Raises:
            PermissionDeniedError: ``actor`` may not send emergencies.
            DaemonError: no daemon, or it refused (Vietnamese message).
        """
        source = str(file.expanduser().resolve()) if file else None
        self.daemon.request("ping")  # no authorisation is recorded for a bulletin that cannot go out
        permit = self.container.approvals.send_emergency(actor, text=text, source=source)
        result = self.daemon.request(
            "emergency",
            text=text,
            file=source,
            repeat=repeat,
            every_min=every_min,
            until_cancelled=until_cancelled,
            permit=permit.token,
        )
        return EmergencySent(
            state=EmergencyState.from_json(result if isinstance(result, dict) else {}),
            repeat=repeat,
            every_min=every_min,
            until_cancelled=until_cancelled,
        )

    def cancel_emergency(self, actor: Actor) -> EmergencyState:
        """Stop repeating the running emergency bulletin for ``actor``; returns it as it was when cancelled.

        Raises:
            DaemonError: no daemon, or no emergency is running.
            PermissionDeniedError: ``actor`` may neither send emergencies nor run the air.
        """
        result = self.daemon.request("cancel", session=self.container.accounts.open_session(actor))
        return EmergencyState.from_json(result if isinstance(result, dict) else {})

    # --- what the screens ask of the services (so no screen reaches into the container) -----------------------

    @property
    def data_dir(self) -> Path:
        """The station's data folder."""
        return self.container.locations.data_dir

    def preview_player(self) -> PreviewPlayer:
        """A player for the operator to check files on the ``preview_device`` (headphones), never on air."""
        settings = self.container.settings
        return PreviewPlayer(
            settings.preview_device,
            on_air_device=(settings.output_device or "default") if settings.output == "device" else None,
            rate=settings.sample_rate,
            buffer_ms=settings.buffer_ms,
        )

    def login(self, username: str, password: str) -> Actor:
        """Check a password; the person returned is who the TUI acts for once the app keeps them.

        Raises:
            LoginError: wrong name or password, a disabled account, or no account at all (says how to make one).
        """
        accounts = self.container.accounts
        if not accounts.has_users():
            raise LoginError(
                "Đài chưa có tài khoản nào. Tạo tài khoản quản trị ở màn hình Tài khoản (F10, phím N), hoặc bật "
                "chế độ một người vận hành (single_operator) trong tệp cấu hình."
            )
        return accounts.login(username, password)

    def session_names(self) -> list[str]:
        """The names of the station's broadcast sessions (``Buổi sáng`` …), in their order."""
        return [session.name for session in self.container.scheduling.rules().sessions]

    def announcements(self) -> list[ContentView]:
        """Every announcement with its approval state, for the list under the editor."""
        return self.container.approvals.list(ContentKind.ANNOUNCEMENT)

    def spoken_form(self, text: str) -> str:
        """The words the voice will say for ``text`` (numbers, dates, abbreviations read out); empty for blank.

        Raises:
            TruyenthanhError: the text cannot be normalised.
        """
        return self.container.speech.normalize(text) if text.strip() else ""

    def save_announcement(
        self, actor: Actor, current: AnnouncementText | None, draft: AnnouncementDraft, then: str | None
    ) -> tuple[AnnouncementText, str]:
        """Save ``draft`` (a new announcement when ``current`` is ``None``; unchanged text is not written again),
        then ``render`` it to speech, ``submit`` it for approval or ``approve`` it; returns the saved announcement
        and what to tell the operator (Vietnamese).

        Raises:
            TruyenthanhError: saving, rendering or the approval step was refused (the message says why).
        """
        approvals = self.container.approvals
        title, text, category, priority = draft.title, draft.text, draft.category, draft.priority
        if current is None:
            view = approvals.add_announcement(actor, title=title, text=text, category=category, priority=priority)
        elif (current.title, current.text, current.category, current.priority) != (title, text, category, priority):
            view = approvals.edit_announcement(
                actor, current.id, title=title, text=text, category=category, priority=priority
            )
        else:
            view = approvals.get(ContentKind.ANNOUNCEMENT, current.id)
        notice = "Đã lưu."
        if then == "render":
            rendering = self.container.speech.render_announcement(view.id, by=actor.username)
            notice = rendering.notice or f"Đã đọc bằng {rendering.engine} ({rendering.voice})."
        elif then == "submit":
            approvals.submit(actor, ContentKind.ANNOUNCEMENT, view.id)
            notice = "Đã gửi duyệt."
        elif then == "approve":
            approvals.approve(actor, ContentKind.ANNOUNCEMENT, view.id)
            notice = f"Đã duyệt (người duyệt: {actor.full_name})."
        return self.announcement(view.id), notice

    def programme_for_announcement(self, actor: Actor, announcement_id: int) -> list[ProgrammeSummary]:
        """Make a one-item programme that reads the announcement, approved when ``actor`` may approve (else sent
        for approval); returns it as the schedule form lists programmes.

        Raises:
            TruyenthanhError: the announcement is gone, or a step was refused.
        """
        approvals = self.container.approvals
        found = self.announcement(announcement_id)
        programme = self.programmes.create(actor, found.title, category=found.category, priority=found.priority)
        self.programmes.add_item(actor, programme.id, ItemKind.ANNOUNCEMENT, announcement_id=announcement_id)
        if self.container.accounts.allows(actor, Permission.APPROVE):
            try:
                approvals.approve(actor, ContentKind.PROGRAMME, programme.id)
            except TruyenthanhError:
                approvals.submit(actor, ContentKind.PROGRAMME, programme.id)
        else:
            approvals.submit(actor, ContentKind.PROGRAMME, programme.id)
        return [p for p in self.programmes.list() if p.id == programme.id]

    def report(self, kind: str, day: date) -> list[Path]:
        """Write the inspectors' records for the period holding ``day``: ``week`` (the weekly logbook, DOCX),
        ``half`` (the 6-monthly report) or else the annual one (DOCX, XLSX and CSV); returns the files.

        Raises:
            TruyenthanhError: the report could not be written.
        """
        reports = self.container.reports
        if kind == "week":
            year, week, _ = day.isocalendar()
            return [reports.weekly(f"{year}-W{week:02d}")]
        if kind == "half":
            return list(reports.semiannual(day.year, 1 if day.month <= 6 else 2))
        return list(reports.annual(day.year))

    def announcement(self, announcement_id: int) -> AnnouncementText:
        """One announcement with its text and rendered audio.

        Raises:
            NotFoundError: no announcement has that id.
        """
        with self.container.db.session() as session:
            row = session.get(Announcement, announcement_id)
            if row is None or row.id is None:
                raise NotFoundError(f"Không có thông báo số {announcement_id}.")
            asset = session.get(AudioAsset, row.asset_id) if row.asset_id is not None else None
            return AnnouncementText(
                id=row.id,
                title=row.title,
                text=row.text,
                category=row.category,
                priority=row.priority,
                status=row.status,
                engine=row.engine,
                audio=self.container.locations.media_dir / asset.path if asset else None,
            )

    def log(self, wanted: LogFilter, *, limit: int = 2000) -> list[tuple[str, ...]]:
        """Broadcast-log rows (latest broadcast first, at most ``limit``) as the text of :data:`LOG_COLUMNS`."""
        zone = self.zone
        start = datetime.combine(wanted.first_day, time(), tzinfo=zone)
        end = datetime.combine(wanted.last_day + timedelta(days=1), time(), tzinfo=zone)
        moment = func.coalesce(col(BroadcastLog.scheduled_start), col(BroadcastLog.actual_start))
        query = (
            select(BroadcastLog)
            .where(moment >= literal(start, UTCDateTime()), moment < literal(end, UTCDateTime()))
            .order_by(moment.desc(), col(BroadcastLog.id).desc())
        )
        if wanted.outcome is not None:
            query = query.where(BroadcastLog.outcome == wanted.outcome)
        words = fold(wanted.search).split()
        rows: list[tuple[str, ...]] = []
        with self.container.db.session() as session:
            for row in session.exec(query):
                if words and not all(w in fold(f"{row.programme_title} {row.item_title}") for w in words):
                    continue
                rows.append(_log_text(row, zone))
                if len(rows) >= limit:
                    break
        return rows

    def export_log(self, wanted: LogFilter) -> Path:
        """Write the filtered log (all rows, oldest first) as CSV (UTF-8 with BOM, for Excel) and return its path.

        Raises:
            StorageError: the file cannot be written.
        """
        rows = list(reversed(self.log(wanted, limit=1_000_000)))
        folder = self.container.locations.data_dir / "exports"
        target = folder / f"nhat-ky-{wanted.first_day:%Y%m%d}-{wanted.last_day:%Y%m%d}.csv"
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(LOG_COLUMNS)
        writer.writerows(rows)
        try:
            files.write_atomic(target, buffer.getvalue().encode("utf-8-sig"))
        except OSError as exc:
            raise StorageError(f"Không ghi được tệp {target}: {exc.strerror or exc}.") from exc
        return target

    # --- accounts and the station's rules (issue 15, items 2 and 6) -------------------------------------------

    def accounts(self) -> list[UserInfo]:
        """Every account (username, full name, role, disabled, locked until), by username."""
        return self.container.accounts.list()

    def add_account(self, actor: Actor | None, *, username: str, full_name: str, role: Role, password: str) -> UserInfo:
        """Create an account for ``actor`` (an admin; ``None`` only for the station's first account, an admin).

        Raises:
            TruyenthanhError: not allowed, a taken or malformed username, no name, a short password (``field``
                says which input).
        """
        return self.container.accounts.add(actor, username=username, full_name=full_name, role=role, password=password)

    def set_role(self, actor: Actor, username: str, role: Role) -> UserInfo:
        """Give an account another role.

        Raises:
            TruyenthanhError: not allowed, no such account, or the last active admin.
        """
        return self.container.accounts.set_role(actor, username, role)

    def set_disabled(self, actor: Actor, username: str, *, disabled: bool) -> UserInfo:
        """Disable an account, or enable it again.

        Raises:
            TruyenthanhError: not allowed, no such account, or the last active admin.
        """
        return self.container.accounts.set_disabled(actor, username, disabled=disabled)

    def unlock_account(self, actor: Actor, username: str) -> UserInfo:
        """Lift a lockout after too many wrong passwords.

        Raises:
            TruyenthanhError: not allowed, no such account, or not locked.
        """
        return self.container.accounts.unlock(actor, username)

    def set_password(self, actor: Actor, username: str, password: str) -> None:
        """Change ``actor``'s own password, or (an admin) reset anyone's.

        Raises:
            TruyenthanhError: not allowed, no such account, or a password too short.
        """
        self.container.accounts.set_password(actor, username, password)

    def rules(self) -> StationRules:
        """The station's broadcasting rules (sessions with their seasons, quiet hours, weekend, days off)."""
        return self.container.scheduling.rules()

    def save_rules(self, actor: Actor, rules: StationRules) -> StationRules:
        """Replace the station's rules (audited; the daemon picks the change up) and return them as stored.

        Raises:
            TruyenthanhError: ``actor`` may not change the station's rules, or the station is not initialised.
        """
        self.container.scheduling.set_rules(actor, rules)
        return self.container.scheduling.rules()

    # --- approvals, programme workflow, air control and the live log (issue 15) ------------------------------

    def pending_approvals(self) -> list[PendingContent]:
        """Announcements and programmes waiting for approval, the longest waiting first, each with who sent it
        and what changed since its last approval (read from the audit trail)."""
        waiting = self.container.approvals.list(status=ContentStatus.WAITING)
        audit = self.container.audit
        return oldest_first(
            [
                pending_content(
                    view, audit.entries(entity=view.kind.value, entity_id=str(view.id), limit=500), self.zone
                )
                for view in waiting
            ]
        )

    def content_text(self, kind: ContentKind, ident: int) -> str:
        """What an approver reads before deciding: an announcement's text, or a programme's items in order.

        Raises:
            NotFoundError: no such record.
        """
        if kind is ContentKind.ANNOUNCEMENT:
            return self.announcement(ident).text
        detail = self.programmes.get(ident)
        lines = [
            f"{item.position + 1}. {item.kind.label}: {item.title} ({formatting.duration(item.duration_s)})"
            for item in detail.items
        ]
        return "\n".join(lines) or "(chưa có mục nào)"

    def submit(self, actor: Actor, kind: ContentKind, ident: int) -> ContentView:
        """Send a draft or rejected announcement or programme for approval.

        Raises:
            TruyenthanhError: not allowed, not found, or not in a state that can be sent (the message says why).
        """
        return self.container.approvals.submit(actor, kind, ident)

    def approve(self, actor: Actor, kind: ContentKind, ident: int) -> ContentView:
        """Approve content waiting for approval in ``actor``'s name.

        Raises:
            TruyenthanhError: not allowed (their own content, no right), not found, or not waiting.
        """
        return self.container.approvals.approve(actor, kind, ident)

    def reject(self, actor: Actor, kind: ContentKind, ident: int, reason: str) -> ContentView:
        """Reject content waiting for approval, with the reason its author reads.

        Raises:
            TruyenthanhError: no reason, not allowed, not found, or not waiting.
        """
        return self.container.approvals.reject(actor, kind, ident, reason)

    def rename_programme(self, actor: Actor, programme_id: int, title: str) -> ProgrammeDetail:
        """Give a programme a new title (an approved one goes back for approval).

        Raises:
            TruyenthanhError: an empty or too long title, no right, or no such programme.
        """
        return self.programmes.update(actor, programme_id, title=title)

    def duplicate_programme(self, actor: Actor, programme_id: int, title: str) -> ProgrammeDetail:
        """A new draft programme called ``title`` with the same category, priority and items as another, made in
        one transaction (a failure part-way leaves no copy).

        Raises:
            TruyenthanhError: an empty or too long title, no right, or no such programme.
        """
        return self.programmes.duplicate(actor, programme_id, title)

    def delete_programme(self, actor: Actor, programme_id: int) -> ProgrammeSummary:
        """Delete a programme no schedule uses.

        Raises:
            TruyenthanhError: schedules still air it (the message names them), no right, or no such programme.
        """
        return self.programmes.delete(actor, programme_id)

    def play_now(self, actor: Actor, programme: ProgrammeSummary) -> str:
        """Ask the daemon to put ``programme`` on air now for ``actor``; returns its answer, in Vietnamese.

        Raises:
            DaemonError: no daemon, or it refused (Vietnamese message).
        """
        session = self.container.accounts.open_session(actor)
        answer = self.daemon.request("play_now", programme=str(programme.id), session=session)
        airing = answer.get("airing") if isinstance(answer, dict) else None
        said = f"Dịch vụ phát đã nhận lệnh phát ngay «{programme.title}»"
        return f"{said} (lượt phát {airing})." if airing else f"{said}."

    def stop_air(self, actor: Actor) -> str:
        """Stop what is on air and clear the queue, for ``actor``; returns the daemon's answer, in Vietnamese.

        Raises:
            DaemonError: no daemon, or it refused.
        """
        self.daemon.request("stop", session=self.container.accounts.open_session(actor))
        return "Dịch vụ phát đã dừng phát và xóa hàng đợi."

    def skip_item(self, actor: Actor) -> str:
        """Skip the item on air (the programme goes on with the next one), for ``actor``; returns the daemon's
        answer, in Vietnamese.

        Raises:
            DaemonError: no daemon, or it refused.
        """
        self.daemon.request("skip", session=self.container.accounts.open_session(actor))
        return "Dịch vụ phát đã bỏ qua mục đang phát."

    def log_version(self) -> int:
        """A counter that grows whenever the daemon writes a broadcast-log row (the newest row's number): one
        cheap query, so a screen can poll it."""
        with self.container.db.session() as session:
            return int(session.exec(select(func.max(BroadcastLog.id))).one() or 0)

    # --- the station's lexicon ("Từ điển đọc") ----------------------------------------------------------------

    def lexicon_entries(self) -> tuple[Path, list[LexiconEntry]]:
        """The station's lexicon file and its own entries (the built-in ones are not listed).

        Raises:
            ConfigError: the file is unreadable or malformed (file, line, field).
        """
        speech = self.container.speech
        return speech.lexicon_file(), speech.lexicon_entries()

    def save_lexicon_entry(self, entry: LexiconEntry, replacing: LexiconEntry | None = None) -> LexiconEntry:
        """Write ``entry`` into the station's lexicon file (in place of ``replacing``), keeping its comments.

        Raises:
            ConfigError: the file or the change would not load (file, line, field); nothing was written.
            StorageError: the file cannot be written.
        """
        return self.container.speech.save_lexicon_entry(entry, replacing=replacing)

    def explain_reading(self, text: str) -> tuple[str, list[Step]]:
        """The words the voice will say for ``text`` and every rule that changed it (``normalize --explain``).

        Raises:
            ConfigError: the station's lexicon file is malformed.
        """
        if not text.strip():
            return "", []
        return self.container.speech.explain(text)

    def sample_speech(self, text: str) -> Path:
        """Read ``text`` aloud with the station's voice into a file in the cache folder (no library asset is
        made) and return it, for the operator to hear on the preview device.

        Raises:
            SpeechError: no engine could read it.
            StorageError: the cache folder cannot be written.
        """
        target = self.container.locations.cache_dir / "nghe-thu" / "tu-dien.wav"
        self.container.speech.render_file(text, target)
        return target

    def _unapproved_airings(self, now: datetime) -> list[Alert]:
        """Warnings for airings of today (still waiting) and tomorrow whose programme is not approved, or that
        hold an announcement that is not (it would be skipped on air)."""
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        planned = self.container.scheduling.occurrences(
            day_start.astimezone(UTC), (day_start + timedelta(days=2)).astimezone(UTC)
        )
        tomorrow = day_start + timedelta(days=1)
        due: dict[str, list[int]] = {"hôm nay": [], "ngày mai": []}
        for item in planned:
            start = item.start.astimezone(self.zone)
            if start >= tomorrow:
                due["ngày mai"].append(item.occurrence.programme_id)
            elif start >= now:
                due["hôm nay"].append(item.occurrence.programme_id)
        wanted = {pid for ids in due.values() for pid in ids}
        if not wanted:
            return []
        with self.container.db.session() as session:
            programmes = {
                pid: (title, status)
                for pid, title, status in session.exec(
                    select(Programme.id, Programme.title, Programme.status).where(col(Programme.id).in_(wanted))
                ).all()
            }
            held = session.exec(
                select(ProgrammeItem.programme_id, Announcement.title)
                .join(Announcement, col(ProgrammeItem.announcement_id) == col(Announcement.id))
                .where(
                    col(ProgrammeItem.programme_id).in_(wanted),
                    col(Announcement.status).not_in([ContentStatus.APPROVED, ContentStatus.AIRED]),
                )
            ).all()
        blocked: dict[int, list[str]] = {}
        for pid, title in held:
            blocked.setdefault(pid, []).append(title)
        found = []
        for day, ids in due.items():
            if day == "ngày mai":
                waiting = sorted(
                    {programmes[p][0] for p in ids if p in programmes and not _airable(ContentStatus(programmes[p][1]))}
                )
                if waiting:
                    found.append(Alert(f"Chưa được duyệt nhưng phát ngày mai: {', '.join(waiting)}."))
            skipped = sorted(
                {
                    f"{programmes[p][0]} (thông báo {', '.join(f'«{t}»' for t in sorted(set(blocked[p])))})"
                    for p in ids
                    if p in blocked and p in programmes
                }
            )
            if skipped:
                found.append(Alert(f"Có thông báo chưa duyệt, sẽ bị bỏ qua khi phát {day}: {'; '.join(skipped)}."))
        return found

    def _rundown(self, now: datetime, on_air: OnAir | None) -> tuple[RundownEntry, ...]:
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        day_end = day_start + timedelta(days=1)
        planned = self.container.scheduling.occurrences(day_start.astimezone(UTC), day_end.astimezone(UTC))
        with self.container.db.session() as session:
            statuses = dict(session.exec(select(Programme.id, Programme.status)).all())
            logged = session.exec(
                select(BroadcastLog.schedule_id, BroadcastLog.scheduled_start, BroadcastLog.outcome).where(
                    col(BroadcastLog.scheduled_start) >= day_start, col(BroadcastLog.scheduled_start) < day_end
                )
            ).all()
        outcomes: dict[tuple[int | None, datetime], list[Outcome]] = {}
        for schedule_id, scheduled, outcome in logged:
            if scheduled is not None:
                outcomes.setdefault((schedule_id, scheduled.astimezone(UTC)), []).append(Outcome(outcome))
        entries = []
        for item in planned:
            occurrence = item.occurrence
            start = item.start.astimezone(self.zone)
            playing = on_air is not None and item.start <= now < item.end + timedelta(seconds=1)
            misfire = occurrence.misfire
            grace = timedelta(minutes=0 if misfire.kind is MisfireKind.SKIP else misfire.minutes)
            status = statuses.get(occurrence.programme_id)
            entries.append(
                RundownEntry(
                    schedule_id=occurrence.schedule_id or 0,
                    programme_id=occurrence.programme_id,
                    title=occurrence.title,
                    session_name=item.session or occurrence.session_name or "",
                    start=start,
                    duration_s=occurrence.duration_s,
                    state=air_state(
                        start=item.start,
                        now=now,
                        outcome=_summary(outcomes.get((occurrence.schedule_id, occurrence.start.astimezone(UTC)))),
                        on_air=playing,
                        grace=grace,
                    ),
                    approved=status in (ContentStatus.APPROVED, ContentStatus.AIRED),
                )
            )
        return tuple(sorted(entries, key=lambda e: e.start))

    def _offline_voiced(self, programme_ids: set[int]) -> list[str]:
        """Titles of announcements due today that were rendered by the offline voice."""
        if not programme_ids:
            return []
        with self.container.db.session() as session:
            rows = session.exec(
                select(Announcement.title)
                .join(ProgrammeItem, col(ProgrammeItem.announcement_id) == col(Announcement.id))
                .where(col(ProgrammeItem.programme_id).in_(programme_ids), Announcement.engine == "espeak")
            ).all()
        return sorted(set(rows))

    def _warnings(self, now: datetime, entries: tuple[RundownEntry, ...], status: DaemonStatus | None) -> list[Alert]:
        found = []
        if status is None:
            found.append(Alert("Dịch vụ phát (daemon) không chạy: lịch hôm nay sẽ không được phát.", "error"))
        device = _device_problem(status)
        if device is not None:
            found.append(device)
        if status is not None and status.log_pending:
            found.append(Alert(log_pending_text(status.log_pending), "error"))
        if status is not None and status.clock_warning:
            found.append(Alert(status.clock_warning, "error"))
        free = files.disk_free_mb(self.container.locations.data_dir)
        if free < self.disk_low_mb:
            found.append(Alert(f"Đĩa sắp đầy: chỉ còn {free} MB trống."))
        if self.container.settings.tts_engine == "espeak":
            found.append(Alert("Đài đang đặt giọng đọc ngoại tuyến (espeak-ng): giọng máy, kém tự nhiên."))
        else:
            offline = self._offline_voiced({e.programme_id for e in entries if e.state is AirState.WAITING})
            if offline:
                found.append(
                    Alert(
                        "Đọc bằng giọng ngoại tuyến (espeak-ng) vì không có mạng: "
                        + ", ".join(offline)
                        + ". Khi có mạng, mở màn hình Thông báo và đọc lại (Ctrl+R)."
                    )
                )
        pending = sorted({e.title for e in entries if not e.approved and e.state is AirState.WAITING})
        if pending:
            found.append(Alert("Chưa được duyệt nhưng phát hôm nay: " + ", ".join(pending) + "."))
        found.extend(self._unapproved_airings(now))
        return found

    # --- Thiết lập đài: the station's identity, report lines and sound outputs (helper F4) ---------------------

    def station_setup(self) -> StationSetup:
        """The station's record and the settings its setup changes.

        Raises:
            StorageError: the station has not been initialised.
        """
        return self.container.station.setup()

    def change_station_setup(self, identity: dict[str, str], settings: dict[str, Any]) -> tuple[str, ...]:
        """Save the setup for the logged-in person (audited); returns the fields that changed. A preview player
        the app kept is left to the app to drop (the preview device may have changed).

        Raises:
            LoginError: nobody is logged in.
            PermissionDeniedError: that person may not change the station's settings.
            ConfigError: a value is refused (``field`` names it); nothing is saved.
        """
        return self.container.station.change_setup(self._setup_actor(), identity=identity, settings=settings)

    def setup_needs_login(self) -> bool:
        """Whether the setup must ask for a login first: nobody is logged in and the station has accounts (a
        station without any account is set up without one, as its first account is made)."""
        if self.actor is not None or self.container.settings.single_operator:
            return False
        return self.container.accounts.has_users()

    def _setup_actor(self) -> Actor:
        """Who the setup acts for: the logged-in person, else (no account yet) the station's first start."""
        if self.actor is None and not self.setup_needs_login() and not self.container.settings.single_operator:
            return Actor(username=INIT_ACTOR, full_name="Thiết lập lần đầu", role=Role.ADMIN)
        return self.acting()

    def sound_devices(self) -> list[SoundDevice]:
        """The outputs the station can play on (PulseAudio sinks, PortAudio devices); blocks a few seconds."""
        return output_devices()

    def play_test_tone(self, device: str | None) -> str:
        """Play the station's 1 kHz test tone (5 s) on ``device`` (``None``: where an unset ``output_device``
        plays, PulseAudio's default sink) through the preview path, in a child process; returns the device
        it plays on, once it sounds. The player is the caller's to stop (:meth:`PreviewPlayer.stop`) — here it
        ends by itself with the tone.

        Raises:
            AudioError: the tone cannot be rendered, or the device cannot be opened (Vietnamese message).
        """
        from truyenthanh.adapters.tune_renderer import FfmpegTuneRenderer
        from truyenthanh.domain.tunes import TUNES

        target = device or default_sink() or "default"
        tone = self.container.locations.cache_dir / "tunes" / "tone.wav"
        if not tone.is_file():
            FfmpegTuneRenderer().render(TUNES["tone"], tone)
        settings = self.container.settings
        self._test_tone = PreviewPlayer(
            target, on_air_device=None, rate=settings.sample_rate, buffer_ms=settings.buffer_ms
        )
        self._test_tone.play(tone)
        return target

    # --- Cụm loa: the station's IP loudspeaker clusters (issue 18, helper work-u) ------------------------------

    def clusters(self) -> ClustersView:
        """Every zone and every enrolled receiver with its last status, whether the fleet is switched on and
        whether the daemon (which talks to the receivers) answers."""
        fleet = self.container.fleet
        zones = tuple(ZoneLine(name=z.name, slug=z.slug, hamlet=z.hamlet) for z in fleet.zones())
        return ClustersView(
            now=self.now(),
            enabled=self.container.settings.fleet_enabled,
            daemon_up=self.daemon_status() is not None,
            zones=zones,
            receivers=tuple(fleet.receivers()),
        )

    def add_zone(self, actor: Actor, name: str, hamlet: str = "") -> ZoneLine:
        """A new zone (khu vực) for ``actor``, who must manage the station; audited.

        Raises:
            PermissionDeniedError: ``actor`` may not change the station's settings.
            FleetError: an empty or taken name (``field`` names the input).
        """
        self.container.accounts.require(actor, Permission.MANAGE_STATION)
        zone = self.container.fleet.add_zone(actor.username, name, hamlet)
        return ZoneLine(name=zone.name, slug=zone.slug, hamlet=zone.hamlet)

    def enrolment_code(self, actor: Actor, zone: str) -> EnrolmentOffer:
        """A one-time code to enrol a new cluster box in ``zone`` (its slug), with its expiry and the command to
        type on the box; only the code's digest is kept.

        Raises:
            PermissionDeniedError: ``actor`` may not change the station's settings.
            FleetError: no such zone.
        """
        self.container.accounts.require(actor, Permission.MANAGE_STATION)
        fleet = self.container.fleet
        issued = fleet.issue_code(actor.username, zone)
        names = {z.slug: z.name for z in fleet.zones()}
        settings = self.container.settings
        host = settings.fleet_public_host or settings.fleet_broker_host
        return EnrolmentOffer(
            code=issued.code,
            zone=names.get(issued.zone, issued.zone),
            expires_at=issued.expires_at.astimezone(self.zone),
            command=f"truyenthanh receiver enrol http://{host}:{settings.fleet_http_port} {issued.code} --name TÊN",
        )

    def cluster_command(
        self, actor: Actor, action: Action, receiver: str, *, volume: int | None = None, name: str = ""
    ) -> str:
        """Have the daemon send ``action`` (test tone, volume, re-sync) to one receiver (its slug; ``name`` is how
        the operator knows it), signed, for ``actor``; returns what was done, in Vietnamese.

        Raises:
            DaemonError: no daemon, the fleet is off, or it refused (Vietnamese message).
            PermissionDeniedError: ``actor`` may not run the air.
        """
        arguments: dict[str, Any] = {"action": action.value, "target": receiver}
        if volume is not None:
            arguments["volume"] = volume
        session = self.container.accounts.open_session(actor)
        self.daemon.request(ZONE_COMMAND, session=session, **arguments)
        said = {
            Action.TEST_TONE: "phát tiếng thử",
            Action.VOLUME: f"đặt âm lượng {volume}%",
            Action.RESYNC: "đồng bộ lại lịch và tệp",
            Action.STOP: "dừng phát",
        }.get(action, action.value)
        return f"Đã gửi lệnh {said} tới cụm loa «{name or receiver}»."


@dataclass(frozen=True)
class AnnouncementText:
    """An announcement as the editor loads it."""

    id: int
    title: str
    text: str
    category: Category
    priority: Priority
    status: ContentStatus
    engine: str | None
    audio: Path | None
    """The rendered speech on disk, if rendered."""


@dataclass(frozen=True)
class AnnouncementDraft:
    """An announcement as the operator typed it in the editor."""

    title: str
    text: str
    category: Category
    priority: Priority


@dataclass(frozen=True)
class LogFilter:
    """Which broadcast-log rows to show: local dates (inclusive), an outcome, words of the title."""

    first_day: date
    last_day: date
    outcome: Outcome | None = None
    search: str = ""


LOG_COLUMNS = (
    "Ngày",
    "Giờ dự kiến",
    "Giờ phát",
    "Kết thúc",
    "Chương trình",
    "Mục",
    "Ưu tiên",
    "Kết quả",
    "Lý do",
    "Người vận hành",
)
"""Columns of the log table and of its CSV export, in Vietnamese."""


def _log_text(row: BroadcastLog, zone: ZoneInfo) -> tuple[str, ...]:
    def hm(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%H:%M:%S") if moment else ""

    day = row.scheduled_start or row.actual_start or row.recorded_at
    return (
        day.astimezone(zone).strftime("%d/%m/%Y"),
        hm(row.scheduled_start),
        hm(row.actual_start),
        hm(row.end),
        row.programme_title,
        row.item_title,
        row.priority.label,
        row.outcome.label,
        row.reason,
        row.operator or "",
    )


def _on_air(status: DaemonStatus | None) -> OnAir | None:
    playing = status.playing if status is not None else None
    if playing is None:
        return None
    title = " — ".join(part for part in (playing.programme, playing.item) if part)
    return OnAir(title, playing.position_s, playing.duration_s)


def _device_problem(status: DaemonStatus | None) -> Alert | None:
    """The daemon's device report (its name and error already in Vietnamese) as a warning when the audio output
    is not working; a daemon that does not report it is taken as working."""
    if status is None or status.device.ok:
        return None
    device = status.device
    error = (device.error or f"không dùng được {device.name or 'đầu ra âm thanh'}").rstrip(".")
    return Alert(
        f"Đầu ra âm thanh có lỗi: {error}. Các buổi phát sẽ không ra loa cho đến khi sửa xong "
        "(kiểm tra dây cắm, nguồn amply).",
        "error",
    )


def _airable(status: ContentStatus) -> bool:
    return status in (ContentStatus.APPROVED, ContentStatus.AIRED)


def _summary(outcomes: list[Outcome] | None) -> Outcome | None:
    """One outcome for a programme whose items were logged one by one: the worst one counts."""
    if not outcomes:
        return None
    for worst in (Outcome.FAILED, Outcome.MISSED, Outcome.SKIPPED, Outcome.LATE, Outcome.PREEMPTED, Outcome.PARTIAL):
        if worst in outcomes:
            return worst
    return outcomes[0]


# --- Cụm loa: what the «Cụm loa» screen shows (issue 18, helper work-u) ----------------------------------------

ZONE_COMMAND = "zone_command"
"""The daemon's control command that sends a signed command to a zone's receivers or to one receiver."""


@dataclass(frozen=True)
class ZoneLine:
    """A zone as the «Cụm loa» screen lists it."""

    name: str
    slug: str
    hamlet: str = ""


@dataclass(frozen=True)
class ClustersView:
    """Everything the «Cụm loa» screen shows."""

    now: datetime
    """The current instant in the station's zone."""
    enabled: bool
    """Whether the station drives IP receivers at all (``fleet_enabled``)."""
    daemon_up: bool
    """Whether the daemon answers (it publishes schedules and commands)."""
    zones: tuple[ZoneLine, ...]
    receivers: tuple[ReceiverView, ...]


@dataclass(frozen=True)
class EnrolmentOffer:
    """A one-time enrolment code as the operator reads it out or types it on the box."""

    code: str
    zone: str
    """The zone's name."""
    expires_at: datetime
    """When the code stops working, in the station's zone."""
    command: str
    """What to type on the cluster box (``TÊN`` to be replaced by the box's name)."""
