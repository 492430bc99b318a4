"""One write path per record: repositories behind ports, and a unit of work that writes each change's audit
entry in the same transaction as the change.

Services depend on the :class:`Store` and :class:`UnitOfWork` protocols below, never on a database session:

.. code-block:: python

    with self._store.transaction() as uow:
        change = uow.schedules.put(schedule_id, spec)
        uow.audited(actor.username, "schedule.edit", change)

A transaction commits when the block ends normally and rolls back on any error, audit entries included.
Schedules, the station's rules, accounts, trusted keys, the broadcast log and the audit trail itself are behind
repositories; programmes, assets and announcements follow the same shape (a ``Sql...Repository`` in
``adapters/db`` taking the unit of work's session, a Protocol here, an attribute on :class:`UnitOfWork`).

This module holds only the ports. The SQLite implementation, ``SqlStore``, is in
:mod:`truyenthanh.adapters.db.store`; ``bootstrap`` builds it and hands it to the services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from truyenthanh.domain.accounts import Account
from truyenthanh.domain.broadcast_log import LogEntry, LoggedBroadcast
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.keys import TrustedKeyEntry
from truyenthanh.domain.passes import AirPass
from truyenthanh.domain.records import AuditRecord, ChainReport
from truyenthanh.domain.schedule import ProgrammeRef, ScheduleSpec
from truyenthanh.domain.station import StationRules


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
    def air_passes(self) -> AirPassRepository:
        """Session tokens and emergency permits."""
        ...

    @property
    def journal_marks(self) -> JournalMarks:
        """Which lines of the daemon's log journal reached the database."""
        ...

    @property
    def session(self) -> Any:
        """The underlying database session, for helpers not yet behind a repository (``packages``'
        ``retire_schedules``, ``ApprovalService.send_new``). Transitional: do not use it in new code."""
        ...

    def audited(self, actor: str, action: str, change: RecordChange) -> None:
        """Append the audit entry for ``change`` (``action`` as in ``services.audit.ACTION_LABELS``), made by
        ``actor`` (a username) now, in this transaction."""
        ...

    def note(self, actor: str, action: str, entity: str, entity_id: str, after: dict[str, Any]) -> None:
        """Append an audit entry that is not one record's change (a summary of a whole import)."""
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
    "AuditTrail",
    "BroadcastLogRepository",
    "JournalMarks",
    "ScheduleRepository",
    "StationRepository",
    "Store",
    "TrustedKeyRepository",
    "UnitOfWork",
]
