"""One write path per record: repositories behind ports, and a unit of work that writes each change's audit
entry in the same transaction as the change.

Services depend on the :class:`Store` and :class:`UnitOfWork` protocols below, never on a database session:

.. code-block:: python

    with self._store.transaction() as uow:
        change = uow.schedules.put(schedule_id, spec)
        uow.audited(actor.username, "schedule.edit", change)

A transaction commits when the block ends normally and rolls back on any error, audit entries included.
Schedules and the station's rules are the first records behind repositories; programmes, assets,
announcements, accounts and the broadcast log follow the same shape (a ``Sql...Repository`` in
``adapters/db`` taking the unit of work's session, a Protocol here, an attribute on :class:`UnitOfWork`).

:class:`SqlStore` is the SQLite implementation. It lives here, not in ``adapters``, only while the audit
trail's hash chain (``services.audit``/``services.chains``) is written with a session in the services layer;
once that moves behind a port, it moves to ``adapters/db`` with the repositories.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, Protocol

from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.schedules import SqlScheduleRepository, SqlStationRepository
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.schedule import ProgrammeRef, ScheduleSpec
from truyenthanh.domain.station import StationRules
from truyenthanh.services import audit
from truyenthanh.services.ports import Clock


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


class UnitOfWork(Protocol):
    """One transaction: the repositories over it, and the audit trail written in it."""

    schedules: ScheduleRepository
    station: StationRepository

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


class SqlUnitOfWork:
    """A :class:`UnitOfWork` over one SQLModel session."""

    def __init__(self, session: Any, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self.schedules: ScheduleRepository = SqlScheduleRepository(session)
        self.station: StationRepository = SqlStationRepository(session)

    @property
    def session(self) -> Any:
        """The SQLModel session (transitional; see :class:`UnitOfWork`)."""
        return self._session

    def audited(self, actor: str, action: str, change: RecordChange) -> None:
        """Append the audit entry for ``change`` in this transaction."""
        audit.record(
            self._session,
            at=self._clock.now(),
            actor=actor,
            action=action,
            entity=change.entity,
            entity_id=change.entity_id,
            before=change.before,
            after=change.after,
        )

    def note(self, actor: str, action: str, entity: str, entity_id: str, after: dict[str, Any]) -> None:
        """Append an audit entry that is not one record's change."""
        audit.record(
            self._session, at=self._clock.now(), actor=actor, action=action, entity=entity, entity_id=entity_id,
            after=after,
        )  # fmt: skip


class SqlStore:
    """The :class:`Store` over the station's SQLite database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """A unit of work over a new session (commit on a normal end, rollback on error)."""
        with self._db.session() as session:
            yield SqlUnitOfWork(session, self._clock)

    def change_counter(self) -> int:
        """See :meth:`Database.change_counter`."""
        return self._db.change_counter()


__all__ = ["ScheduleRepository", "SqlStore", "SqlUnitOfWork", "StationRepository", "Store", "UnitOfWork"]
