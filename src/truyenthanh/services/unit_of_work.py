"""One write path per record: repositories behind ports, and a unit of work that writes each change's audit
entry in the same transaction as the change.

Services depend on the :class:`Store` and :class:`UnitOfWork` protocols below, never on a database session:

.. code-block:: python

    with self._store.transaction() as uow:
        change = uow.schedules.put(schedule_id, spec)
        uow.audited(actor.username, "schedule.edit", change)

A transaction commits when the block ends normally and rolls back on any error, audit entries included.
Schedules, the station's rules, accounts, trusted keys, the broadcast log, the audit trail itself, programmes
with their items, audio assets and announcements (read, and their renderings recorded) are behind repositories:
a ``Sql...Repository`` in ``adapters/db`` taking the unit of work's session, a Protocol here, an attribute on
:class:`UnitOfWork`.

This module holds only the ports. The SQLite implementation, ``SqlStore``, is in
:mod:`truyenthanh.adapters.db.store`; ``bootstrap`` builds it and hands it to the services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

# The domain types are named in annotations only: importing them here would load every domain module (the
# schedule's rules, the reports, the fleet) into every command that opens a unit of work (see bench/cli_start.py).
if TYPE_CHECKING:
    from truyenthanh.domain.accounts import Account
    from truyenthanh.domain.broadcast_log import LogEntry, LoggedBroadcast
    from truyenthanh.domain.changes import RecordChange
    from truyenthanh.domain.content import (
        AnnouncementRecord,
        AnnouncementRef,
        AnnouncementScript,
        AssetRecord,
        AssetUsers,
        ItemRecord,
        ProgrammeRecord,
        Rundown,
    )
    from truyenthanh.domain.enums import Category, ContentStatus
    from truyenthanh.domain.fleet import AsPlayed
    from truyenthanh.domain.fleet_records import (
        CodeRecord,
        CommandRecord,
        ReceiverRecord,
        ScheduleTargets,
        ZoneRecord,
    )
    from truyenthanh.domain.keys import TrustedKeyEntry
    from truyenthanh.domain.package_record import ImportedPackage
    from truyenthanh.domain.passes import AirPass
    from truyenthanh.domain.records import AuditRecord, ChainReport
    from truyenthanh.domain.reports import LogRow
    from truyenthanh.domain.schedule import ProgrammeRef, ScheduleSpec, ZoneRef
    from truyenthanh.domain.station import StationRules
    from truyenthanh.domain.station_profile import ContentCounts, StationProfile
    from truyenthanh.domain.upstream import ShippedRow


class ScheduleRepository(Protocol):
    """The station's schedules, read and written inside one unit of work. Not thread-safe (one per
    transaction). Writes flush but never commit; each returns the :class:`RecordChange` to audit."""

    def programme(self, programme_id: int) -> ProgrammeRef | None:
        """A programme by id, with its length in seconds; ``None`` if there is none."""
        ...

    def find_programme(self, programme: int | str) -> ProgrammeRef | None:
        """A programme by id (a number or digits), else by exact title; ``None`` if none matches."""
        ...

    def programmes(self) -> list[ProgrammeRef]:
        """Every programme, in id order."""
        ...

    def specs(self) -> list[ScheduleSpec]:
        """Every schedule (enabled or not), in the order they were saved (the operator's order)."""
        ...

    def zones(self) -> list[ZoneRef]:
        """The station's enabled loudspeaker zones (cụm loa), in slug order: what a schedule's "every zone" means."""
        ...

    def get(self, schedule_id: int) -> ScheduleSpec | None:
        """One schedule, or ``None``."""
        ...

    def origins(self) -> dict[int, str | None]:
        """The package or calendar import each schedule came from (``None``: made at the station), by id."""
        ...

    def add(
        self, spec: ScheduleSpec, *, created_by: str, created_at: datetime, package_id: str | None = None
    ) -> RecordChange:
        """Store a new schedule (``spec.id`` ignored); the change's ``entity_id`` is the new id."""
        ...

    def put(self, schedule_id: int, spec: ScheduleSpec) -> RecordChange | None:
        """Replace a saved schedule's values (its origin, author and creation time stay); ``None`` if gone."""
        ...

    def drop_airings(self, schedule_id: int, starts: Iterable[datetime]) -> RecordChange | None:
        """Skip airings (aware starts): a recurring schedule gains exception dates, a one-off is disabled;
        ``None`` if gone."""
        ...

    def remove(self, schedule_id: int) -> RecordChange | None:
        """Delete a schedule; ``None`` if it did not exist."""
        ...

    def timing_digest(self) -> str:
        """A digest that changes whenever a schedule, a programme's items or the station's rules change."""
        ...


class StationRepository(Protocol):
    """The station's own record inside one unit of work."""

    def identity(self) -> tuple[int, str, datetime] | None:
        """The station's id, name and creation time; ``None`` before ``truyenthanh init``."""
        ...

    def rules(self) -> StationRules:
        """The station's broadcasting rules (the defaults before ``truyenthanh init``)."""
        ...

    def set_rules(self, rules: StationRules) -> RecordChange | None:
        """Replace the rules; ``None`` if the station has not been initialised."""
        ...


class AccountRepository(Protocol):
    """The station's accounts inside one unit of work. Writes flush but never commit; each returns the
    :class:`RecordChange` to audit, whose snapshots never hold the password hash."""

    def count(self) -> int:
        """How many accounts exist (disabled ones included)."""
        ...

    def active_admins(self) -> int:
        """How many admin accounts are not disabled."""
        ...

    def get(self, username: str) -> Account | None:
        """One account by its exact username, or ``None``."""
        ...

    def all(self) -> list[Account]:
        """Every account, by username."""
        ...

    def add(self, account: Account) -> RecordChange:
        """Store a new account (the caller has checked that the username is free)."""
        ...

    def put(self, account: Account) -> RecordChange | None:
        """Replace a stored account's values (found by username; the name never changes); ``None`` if gone."""
        ...


class TrustedKeyRepository(Protocol):
    """The upstream keys the station accepts packages from, inside one unit of work."""

    def find(self, fingerprint: str) -> TrustedKeyEntry | None:
        """The trusted key with exactly this fingerprint, or ``None``."""
        ...

    def all(self) -> list[TrustedKeyEntry]:
        """Every trusted key, oldest first."""
        ...

    def add(
        self, *, fingerprint: str, name: str, public_key: bytes, added_at: datetime, added_by: str | None
    ) -> tuple[TrustedKeyEntry, RecordChange]:
        """Trust a new key (the caller has checked that its fingerprint is not trusted yet)."""
        ...

    def remove(self, key_id: int) -> RecordChange | None:
        """Stop trusting a key; ``None`` if it was not trusted."""
        ...


class BroadcastLogRepository(Protocol):
    """The append-only, hash-chained broadcast log inside one unit of work. Rows are never changed or removed."""

    def append(self, entry: LogEntry, *, recorded_at: datetime) -> LoggedBroadcast:
        """Append one row at the end of the chain (aware ``recorded_at``). Safe while other processes append:
        the database's write lock is taken before the chain's tail is read."""
        ...

    def rows(self) -> list[LoggedBroadcast]:
        """Every row, in chain order."""
        ...

    def logged_keys(self, since: datetime) -> set[tuple[int, datetime]]:
        """``(schedule_id, scheduled_start)`` of every row about a scheduled airing since ``since``."""
        ...

    def check(self) -> ChainReport:
        """Check the whole chain against its hashes and its anchor (memory stays flat); changes nothing."""
        ...

    def head(self, up_to: int | None = None) -> tuple[int, str]:
        """The chain's last row id (0 when empty; with ``up_to``, the last one up to that id) and the short, keyed
        fingerprint of its hash (``XXXX-XXXX-XXXX-XXXX``) that a printed logbook carries as an anchor."""
        ...

    def after(self, row_id: int, limit: int) -> list[ShippedRow]:
        """Up to ``limit`` rows after ``row_id``, in chain order, as they travel to the station's hub (issue 19)."""
        ...

    def misses_since(self, instant: datetime) -> int:
        """How many rows record a missed airing (outcome ``missed``) at or after ``instant`` (aware): one
        counting query, no rows loaded."""
        ...


class AuditTrail(Protocol):
    """The append-only, hash-chained audit trail inside one unit of work."""

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        entity: str,
        entity_id: str | int | None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """Append one entry (aware ``at``; ``before``/``after`` JSON-ready) at the end of the chain."""
        ...

    def entries(self, *, entity: str | None = None, entity_id: str | None = None, limit: int = 50) -> list[AuditRecord]:
        """The newest entries first, optionally only those about one record."""
        ...

    def check(self) -> ChainReport:
        """Check the whole chain against its hashes and its anchor (memory stays flat); changes nothing."""
        ...


# --- The station's profile, imported packages and the schema -------------------------------------


class StationProfileRepository(Protocol):
    """Who the station is, its loudspeaker zones and how much it holds, inside one unit of work."""

    def profile(self) -> StationProfile | None:
        """The station's identity; ``None`` before ``truyenthanh init``."""
        ...

    def create(self, profile: StationProfile, rules: StationRules) -> bool:
        """Write the station's one record with these rules, unless it exists; returns whether it was written."""
        ...

    def update(self, profile: StationProfile) -> RecordChange | None:
        """Replace the station's name, commune, province, upstream, zone and reading variant with
        ``profile``'s; ``None`` before ``truyenthanh init`` (flushes)."""
        ...

    def zones(self) -> list[str]:
        """The names of the loudspeaker zones (cụm loa) the station can address, by name."""
        ...

    def counts(self) -> ContentCounts:
        """How many audio assets, programmes, schedules and broadcast log rows the station holds (one query
        each, no rows loaded)."""
        ...


class PackageRecordRepository(Protocol):
    """The record of every package version imported at this station, inside one unit of work. Records are
    never changed; :meth:`add` flushes but never commits."""

    def versions(self, package_id: str) -> list[ImportedPackage]:
        """Every imported version of one package, oldest version first."""
        ...

    def all(self) -> list[ImportedPackage]:
        """Every imported package version, the newest import first."""
        ...

    def add(self, package: ImportedPackage) -> ImportedPackage:
        """Store the record of an import (``package.id`` ignored); returns it with its new id."""
        ...


class Schema(Protocol):
    """The station database's schema: which migration it is at, and upgrading it. Thread-safe; each call is
    its own connection."""

    def current(self) -> str | None:
        """The migration the database is at; ``None`` for an empty database (asking may create the file)."""
        ...

    def head(self) -> str:
        """The newest migration this program knows (cheap: no migration code loaded)."""
        ...

    def upgrade(self) -> None:
        """Create or upgrade the schema to :meth:`head` (on an up-to-date database it changes nothing), and keep
        the station's files closed to other local users, with its secret chain key.

        Raises:
            StorageError: the database cannot be opened or written, or is newer than this program.
        """
        ...


# --- Programmes, audio assets and announcements (read) ----------------------------------------------------------


class ProgrammeRepository(Protocol):
    """Programmes with their items, read and written as one :class:`Rundown` inside one unit of work (the one
    mapping of a programme and its items: the programme, playout and package services all go through it). Not
    thread-safe. Writes flush but never commit; each returns the :class:`RecordChange` to audit, whose snapshots
    hold the programme's values and, except for :meth:`set_status`, its items in order (``items``)."""

    def get(self, programme_id: int) -> Rundown | None:
        """A programme with its items in order; ``None`` if there is none."""
        ...

    def all(self) -> list[Rundown]:
        """Every programme with its items, newest first."""
        ...

    def find(self, programme: int | str) -> ProgrammeRecord | None:
        """A programme's own values (not its items) by id (a number or digits), else by exact title; ``None`` if
        none matches."""
        ...

    def schedules(self, programme_id: int) -> list[tuple[int, datetime]]:
        """The id and first start (aware) of every schedule airing a programme, in id order (cheap: no lengths
        are computed, unlike :meth:`ScheduleRepository.specs`)."""
        ...

    def of_package(self, package_id: str) -> list[ProgrammeRecord]:
        """The own values of the programmes that came from one package (``package_id``), in id order."""
        ...

    def aired(self, programme_id: int) -> bool:
        """Whether the broadcast log holds a row about a programme (its history must stay)."""
        ...

    def add(self, programme: ProgrammeRecord, items: Sequence[ItemRecord] = ()) -> RecordChange:
        """Store a new programme (``programme.id`` ignored; no ``created_at``: now) with ``items`` in that order
        (their ids and positions ignored; the caller has checked the assets and announcements they name); the
        change's ``entity_id`` is the new id."""
        ...

    def put(self, rundown: Rundown) -> RecordChange | None:
        """Replace a stored programme's values and items with ``rundown``'s: items keep their ids where the
        rundown gives them, the others are added, the missing ones removed, all numbered in the rundown's order.
        ``None`` if the programme is gone. The change may have equal ``before`` and ``after`` (nothing changed).
        """
        ...

    def set_status(
        self,
        programme_id: int,
        status: ContentStatus,
        *,
        approved_by: str | None,
        approved_at: datetime | None,
        rejected_reason: str | None,
    ) -> RecordChange | None:
        """Move a programme in the approval workflow (the caller has checked the move); the change's snapshots
        hold the programme's values only, as every approval entry does. ``None`` if the programme is gone."""
        ...

    def remove(self, programme_id: int) -> RecordChange | None:
        """Delete a programme and its items (the caller has checked no schedule airs it); ``None`` if gone."""
        ...


class AssetRepository(Protocol):
    """The audio library's records inside one unit of work (the files themselves are the library service's).
    Writes flush but never commit; each returns the :class:`RecordChange` to audit."""

    def get(self, asset_id: int) -> AssetRecord | None:
        """One asset, or ``None``."""
        ...

    def by_sha(self, sha256: str) -> AssetRecord | None:
        """The asset holding exactly these bytes, or ``None``."""
        ...

    def by_path(self, path: str) -> AssetRecord | None:
        """The asset stored at ``path`` (relative to the media folder), or ``None``."""
        ...

    def many(self, asset_ids: Iterable[int]) -> dict[int, AssetRecord]:
        """The assets among ``asset_ids`` that exist, by id."""
        ...

    def all(self, *, category: Category | None = None, language: str | None = None) -> list[AssetRecord]:
        """Every asset, newest first, optionally only those of one category or language tag."""
        ...

    def by_title(self) -> list[AssetRecord]:
        """Every asset, by title."""
        ...

    def add(self, asset: AssetRecord) -> tuple[AssetRecord, RecordChange]:
        """Store a new asset (``asset.id`` ignored; no ``created_at``: now); returns it with its id.

        Raises:
            DuplicateAssetError: an asset with the same bytes or path is stored (another process was first);
                the unit of work must roll back.
        """
        ...

    def put(self, asset: AssetRecord) -> RecordChange | None:
        """Replace a stored asset's title, category and language with ``asset``'s; ``None`` if it is gone."""
        ...

    def users(self, asset_id: int) -> AssetUsers:
        """What still uses an asset: programmes' items and fallbacks, announcements' renderings."""
        ...

    def remove(self, asset_id: int) -> RecordChange | None:
        """Delete an asset's record (the caller has checked :meth:`users`); ``None`` if it did not exist."""
        ...


class AnnouncementReader(Protocol):
    """Announcements as programme items refer to them, read inside one unit of work."""

    def get(self, announcement_id: int) -> AnnouncementRef | None:
        """One announcement, or ``None``."""
        ...

    def many(self, announcement_ids: Iterable[int]) -> dict[int, AnnouncementRef]:
        """The announcements among ``announcement_ids`` that exist, by id."""
        ...

    def all(self) -> list[AnnouncementRef]:
        """Every announcement, newest first."""
        ...


# --- Announcements read aloud ------------------------------------------------------------------------


class AnnouncementRepository(AnnouncementReader, Protocol):
    """Announcements inside one unit of work: read as items refer to them, as the speech service reads them aloud
    and records their renderings, and as the approval service writes and moves them. Writes flush but never
    commit; each returns the :class:`RecordChange` to audit (the announcement's values before and after)."""

    def script(self, announcement_id: int) -> AnnouncementScript | None:
        """One announcement's text and current rendering, or ``None``."""
        ...

    def rendered_without(self, engine: str, among: Iterable[int] | None = None) -> list[int]:
        """The ids of the announcements rendered by another engine than ``engine`` (never-rendered ones left
        out), in id order; ``among``: only those ids."""
        ...

    def record_rendering(
        self, announcement_id: int, *, spoken_text: str, engine: str, voice: str, asset_id: int, at: datetime
    ) -> RecordChange | None:
        """Record a new rendering on an announcement (aware ``at``: its time of change); ``None`` if it is gone."""
        ...

    # The approval workflow's writes (services/approvals.py): the announcement's own values, never its rendering.

    def record(self, announcement_id: int) -> AnnouncementRecord | None:
        """One announcement's written values and approval state, or ``None``."""
        ...

    def records(self, status: ContentStatus | None = None) -> list[AnnouncementRecord]:
        """Every announcement (or those in one state), newest first."""
        ...

    def add(self, announcement: AnnouncementRecord) -> RecordChange:
        """Store a new announcement (``announcement.id`` ignored; no ``created_at``: now; no ``updated_at``: its
        ``created_at``); the change's ``entity_id`` is the new id."""
        ...

    def add_read(self, announcement: AnnouncementRecord, *, asset_id: int, engine: str) -> RecordChange:
        """Store a new announcement already read aloud (a package's recording) into the asset ``asset_id`` by
        ``engine`` (no spoken text nor voice); as :meth:`add` otherwise, its change's ``after`` holding the
        rendering."""
        ...

    def used(self, announcement_id: int) -> bool:
        """Whether a programme item reads an announcement."""
        ...

    def remove(self, announcement_id: int) -> RecordChange | None:
        """Delete an announcement (the caller has checked :meth:`used`); ``None`` if it did not exist."""
        ...

    def put(self, announcement: AnnouncementRecord) -> RecordChange | None:
        """Replace a stored announcement's title, text, category, priority and approval state with
        ``announcement``'s, and its ``updated_at`` if given (its author, creation time and rendering stay);
        ``None`` if it is gone."""
        ...

    def set_status(
        self,
        announcement_id: int,
        status: ContentStatus,
        *,
        approved_by: str | None,
        approved_at: datetime | None,
        rejected_reason: str | None,
    ) -> RecordChange | None:
        """Move an announcement in the approval workflow (the caller has checked the move; ``updated_at`` stays).
        ``None`` if it is gone."""
        ...

    def waiting_in(self, programme_id: int, *, created_by: str | None) -> list[int]:
        """The ids of the announcements waiting for approval that a programme's items read and ``created_by``
        wrote (those brought in the same package as the programme), in id order."""
        ...


# --- Session tokens, emergency permits and the log journal's marks ----------------------------------------


class AirPassRepository(Protocol):
    """Session tokens and single-use emergency permits inside one unit of work, found by their token's digest
    (:func:`truyenthanh.domain.passes.token_digest`; the token itself is never stored)."""

    def add(self, token_hash: str, granted: AirPass) -> None:
        """Store a new pass."""
        ...

    def find(self, token_hash: str) -> AirPass | None:
        """The pass with this digest, or ``None``."""
        ...

    def use(self, token_hash: str, at: datetime) -> bool:
        """Mark a pass used at ``at`` (aware); ``False`` if there is none or it was used already."""
        ...

    def purge(self, expired_before: datetime) -> int:
        """Forget session tokens expired before ``expired_before`` (permits are kept); returns how many."""
        ...


class JournalMarks(Protocol):
    """Which lines of the daemon's log journal reached the database, each marked in the transaction that
    wrote it, so a line is never written twice (a crash between the commit and the journal's trim)."""

    def add(self, journal_id: str, log_id: int | None, committed_at: datetime) -> None:
        """Mark a line as committed (``log_id``: the broadcast-log row it became, if any)."""
        ...

    def known(self, journal_ids: Iterable[str]) -> set[str]:
        """The ones among ``journal_ids`` already committed."""
        ...


# --- IP loudspeaker clusters (issue 18) ----------------------------------------------------------------


class HubLogRepository(Protocol):
    """At a hub (issue 19): its stations' broadcast-log rows, stored once each in every station's chain order,
    inside one unit of work. Writes flush but never commit."""

    def head(self, station: str) -> tuple[int, str]:
        """The last row held of ``station``: its id in the station's log and its hash (``(0, GENESIS)`` when
        none). Call it first in the transaction that stores: on PostgreSQL it takes the station's lock, so two
        hub processes storing one station's rows take turns."""
        ...

    def add(
        self,
        station: str,
        rows: Sequence[ShippedRow],
        *,
        received_at: datetime,
        moments: Sequence[datetime] | None = None,
    ) -> int:
        """Store rows accepted by :func:`truyenthanh.domain.upstream.accept` against :meth:`head`; how many.
        ``moments``: each row's :attr:`LogRow.moment` when the caller has already read the rows (one per row, in
        order); without it the rows are read here, and an unreadable one raises
        :class:`~truyenthanh.errors.FleetError`."""
        ...

    def rows(self, station: str, start: datetime, end: datetime) -> list[LogRow]:
        """``station``'s rows whose moment (as :attr:`LogRow.moment`) is in ``[start, end)``, in chain order."""
        ...

    def counts(self) -> dict[str, int]:
        """How many rows are held of each station."""
        ...


class HubFileRepository(Protocol):
    """At a hub (issue 19): the files it offers its stations (signed packages, recorded bulletins), by sha256,
    inside one unit of work, so that every hub process serves them. Writes flush but never commit."""

    def put(self, sha256: str, name: str, content: bytes, *, at: datetime) -> bool:
        """Keep ``content`` under ``sha256`` (computed by the caller); ``False`` if that digest is held already
        (by this or another process)."""
        ...

    def size(self, sha256: str) -> int | None:
        """The file's size in bytes, or ``None`` if none has this digest."""
        ...

    def read(self, sha256: str, first: int, length: int) -> bytes:
        """``length`` bytes from offset ``first`` (fewer at the end; empty past it or for an unknown digest),
        read by the database without loading the whole file."""
        ...

    def digests(self) -> set[str]:
        """The digests of every file held."""
        ...


class FleetRepository(Protocol):
    """The station's zones, enrolled receivers, one-time enrolment codes, as-played records, commands and its
    message counter, inside one unit of work. Not thread-safe (one per transaction). Writes flush but never
    commit."""

    def zones(self) -> list[ZoneRecord]:
        """Every zone, by name."""
        ...

    def add_zone(self, zone: ZoneRecord) -> RecordChange:
        """Store a new zone (the caller has checked its name and slug are free)."""
        ...

    def add_code(self, code: CodeRecord) -> RecordChange:
        """Store a new one-time enrolment code (only its digest)."""
        ...

    def code(self, code_hash: str) -> CodeRecord | None:
        """The code with this digest, or ``None``."""
        ...

    def use_code(self, code_hash: str, *, at: datetime, receiver_slug: str) -> bool:
        """Mark an unused code used (aware ``at``); ``False`` if there is none or it was used already (also when
        another process used it at the same moment)."""
        ...

    def lock_enrolment(self) -> None:
        """Make enrolments take turns, across processes, to the end of this unit of work (call it first)."""
        ...

    def receivers(self) -> list[ReceiverRecord]:
        """Every receiver (revoked ones included), by zone then name."""
        ...

    def add_receiver(self, receiver: ReceiverRecord) -> RecordChange:
        """Store a newly enrolled receiver (the caller has checked its slug is free); the change holds no hash."""
        ...

    def set_status(self, slug: str, *, status: dict[str, Any], online: bool, seen_at: datetime) -> bool:
        """Keep a receiver's last status, whether it is online, and when it was last heard from (the latest of
        ``seen_at`` and the stored one); ``False`` if no receiver has this slug."""
        ...

    def add_play(self, record: AsPlayed, *, schedule_id: int | None, received_at: datetime) -> bool:
        """Store an as-played record; ``False``, changing nothing, if its ``record_id`` is stored already (also
        when another process stored it a moment before)."""
        ...

    def add_command(
        self,
        *,
        command_id: str,
        action: str,
        zones: list[str],
        receiver_slug: str | None,
        seq: int,
        issued_by: str,
        issued_at: datetime,
    ) -> None:
        """Record a command sent to zones (or to one receiver's inbox)."""
        ...

    def add_ack(self, command_id: str, receiver_slug: str, ack: dict[str, Any]) -> bool:
        """Keep a receiver's answer to a command; ``False`` if the command was never recorded."""
        ...

    def command_acks(self, command_id: str) -> dict[str, Any] | None:
        """A command's answers by receiver slug; ``None`` if the command was never recorded."""
        ...

    def commands(self, action: str, start: datetime, end: datetime) -> list[CommandRecord]:
        """The commands of ``action`` issued in ``[start, end)`` (aware), in issuing order, with their answers."""
        ...

    def next_seq(self) -> int:
        """Take the station's next message number (safe across processes: never the same number twice)."""
        ...

    def targets(self) -> dict[int, ScheduleTargets]:
        """Every schedule's targets (its own output, its zones), by schedule id."""
        ...


class UnitOfWork(Protocol):
    """One transaction: the repositories over it, and the audit trail written in it."""

    @property
    def schedules(self) -> ScheduleRepository:
        """The station's schedules."""
        ...

    @property
    def station(self) -> StationRepository:
        """The station's own record."""
        ...

    @property
    def accounts(self) -> AccountRepository:
        """The station's accounts."""
        ...

    @property
    def trusted_keys(self) -> TrustedKeyRepository:
        """The upstream keys the station trusts."""
        ...

    @property
    def broadcast_log(self) -> BroadcastLogRepository:
        """The broadcast log."""
        ...

    @property
    def audit(self) -> AuditTrail:
        """The audit trail itself (to read it or check it; write entries with :meth:`audited` and :meth:`note`)."""
        ...

    @property
    def station_profile(self) -> StationProfileRepository:
        """Who the station is, its zones and its content counts."""
        ...

    @property
    def packages(self) -> PackageRecordRepository:
        """The packages imported at this station."""
        ...

    @property
    def programmes(self) -> ProgrammeRepository:
        """Programmes with their items."""
        ...

    @property
    def assets(self) -> AssetRepository:
        """The audio library's records."""
        ...

    @property
    def announcements(self) -> AnnouncementRepository:
        """Announcements, read and moved through approval, and their renderings recorded."""
        ...

    @property
    def air_passes(self) -> AirPassRepository:
        """Session tokens and emergency permits."""
        ...

    @property
    def journal_marks(self) -> JournalMarks:
        """Which lines of the daemon's log journal reached the database."""
        ...

    @property
    def fleet(self) -> FleetRepository:
        """The loudspeaker clusters: zones, receivers, enrolment codes, as-played records, commands."""
        ...

    @property
    def hub_log(self) -> HubLogRepository:
        """At a hub: its stations' broadcast-log rows."""
        ...

    @property
    def hub_files(self) -> HubFileRepository:
        """At a hub: the files it offers its stations."""
        ...

    def audited(self, actor: str, action: str, change: RecordChange) -> None:
        """Append the audit entry for ``change`` (``action`` as in ``services.audit.ACTION_LABELS``), made by
        ``actor`` (a username) now, in this transaction."""
        ...

    def note(self, actor: str, action: str, entity: str, entity_id: str, after: dict[str, Any]) -> AuditRecord:
        """Append an audit entry that is not one record's change (a summary of a whole import, an emergency
        sent); returns it (with its id, which an emergency permit refers to)."""
        ...


class Store(Protocol):
    """Where the station's records are kept. Thread-safe: each transaction is its own unit of work."""

    def transaction(self) -> AbstractContextManager[UnitOfWork]:
        """A unit of work that commits when the block ends normally and rolls back on any error."""
        ...

    def change_counter(self) -> int:
        """A number that changes whenever another connection commits (cheap to poll)."""
        ...

    def schema_revision(self) -> str | None:
        """The revision of the station's database schema; ``None`` if the station was never initialised
        (asking never creates the database)."""
        ...


__all__ = [
    "AccountRepository",
    "AirPassRepository",
    "AnnouncementReader",
    "AnnouncementRepository",
    "AssetRepository",
    "AuditTrail",
    "BroadcastLogRepository",
    "FleetRepository",
    "HubFileRepository",
    "JournalMarks",
    "PackageRecordRepository",
    "ProgrammeRepository",
    "ScheduleRepository",
    "Schema",
    "StationProfileRepository",
    "StationRepository",
    "Store",
    "TrustedKeyRepository",
    "UnitOfWork",
]
