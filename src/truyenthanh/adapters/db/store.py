"""The station's SQLite database as a :class:`~truyenthanh.services.unit_of_work.Store`: each transaction is a
unit of work holding one session and the repositories over it.

Like every adapter it imports nothing from ``services``: it meets the ports there structurally, and mypy checks
the fit where ``bootstrap`` hands a :class:`SqlStore` to a service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import Session

from truyenthanh.adapters.db import database
from truyenthanh.adapters.db.accounts import SqlAccountRepository
from truyenthanh.adapters.db.assets import SqlAssetRepository
from truyenthanh.adapters.db.audit import SqlAuditTrail
from truyenthanh.adapters.db.broadcast_log import SqlBroadcastLog
from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.fleet import SqlFleetRepository
from truyenthanh.adapters.db.hub_files import SqlHubFiles
from truyenthanh.adapters.db.hub_log import SqlHubLog
from truyenthanh.adapters.db.keys import SqlTrustedKeyRepository
from truyenthanh.adapters.db.package_records import SqlPackageRecordRepository
from truyenthanh.adapters.db.passes import SqlAirPassRepository, SqlLogJournalMarks
from truyenthanh.adapters.db.programmes import SqlAnnouncementRepository, SqlProgrammeRepository
from truyenthanh.adapters.db.schedules import SqlScheduleRepository, SqlStationRepository
from truyenthanh.adapters.db.station_profile import SqlStationProfileRepository
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.records import AuditRecord


class Clock(Protocol):
    """Where the store reads the time of audit entries (the services' ``Clock`` port, structurally)."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SqlUnitOfWork:
    """A :class:`~truyenthanh.services.unit_of_work.UnitOfWork` over one SQLModel session."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self.schedules = SqlScheduleRepository(session)
        """The station's schedules."""
        self.station = SqlStationRepository(session)
        """The station's own record."""
        self.accounts = SqlAccountRepository(session)
        """The station's accounts."""
        self.trusted_keys = SqlTrustedKeyRepository(session)
        """The upstream keys the station trusts."""
        self.broadcast_log = SqlBroadcastLog(session)
        """The broadcast log."""
        self.audit = SqlAuditTrail(session)
        """The audit trail."""
        self.station_profile = SqlStationProfileRepository(session)
        """Who the station is, its zones and its content counts."""
        self.packages = SqlPackageRecordRepository(session)
        """The packages imported at this station."""
        self.programmes = SqlProgrammeRepository(session)
        """Programmes with their items."""
        self.assets = SqlAssetRepository(session)
        """The audio library's records."""
        self.announcements = SqlAnnouncementRepository(session)
        """Announcements, read and moved through approval, and their renderings recorded."""
        self.air_passes = SqlAirPassRepository(session)
        """Session tokens and emergency permits."""
        self.journal_marks = SqlLogJournalMarks(session)
        """Which lines of the daemon's log journal reached the database."""

    @property
    def fleet(self) -> SqlFleetRepository:
        """The loudspeaker clusters (issue 18); the repository holds nothing but the session."""
        return SqlFleetRepository(self._session)

    @property
    def hub_log(self) -> SqlHubLog:
        """At a hub: its stations' broadcast-log rows (issue 19)."""
        return SqlHubLog(self._session)

    @property
    def hub_files(self) -> SqlHubFiles:
        """At a hub: the files it offers its stations (issue 19)."""
        return SqlHubFiles(self._session)

    @property
    def session(self) -> Session:
        """The SQLModel session. Not part of the :class:`~truyenthanh.services.unit_of_work.UnitOfWork` port
        (services never see it): for tests that must make the commit itself fail."""
        return self._session

    def audited(self, actor: str, action: str, change: RecordChange) -> None:
        """Append the audit entry for ``change`` in this transaction."""
        self.audit.append(
            at=self._clock.now(),
            actor=actor,
            action=action,
            entity=change.entity,
            entity_id=change.entity_id,
            before=change.before,
            after=change.after,
        )

    def note(self, actor: str, action: str, entity: str, entity_id: str, after: dict[str, Any]) -> AuditRecord:
        """Append an audit entry that is not one record's change; returns it."""
        return self.audit.append(
            at=self._clock.now(), actor=actor, action=action, entity=entity, entity_id=entity_id, after=after
        )


class SqlStore:
    """The :class:`~truyenthanh.services.unit_of_work.Store` over the station's SQLite database."""

    def __init__(self, db: Database, clock: Clock, *, db_file: Path | None = None) -> None:
        """Args:
        db: the station's database.
        clock: the source of time for audit entries.
        db_file: the SQLite file a station keeps its database in, if any: a station whose file is missing
            was never initialised (and asking for its revision must not create the file).
        """
        self._db = db
        self._clock = clock
        self._db_file = db_file

    @contextmanager
    def transaction(self) -> Iterator[SqlUnitOfWork]:
        """A unit of work over a new session (commit on a normal end, rollback on error)."""
        with self._db.session() as session:
            yield SqlUnitOfWork(session, self._clock)

    def change_counter(self) -> int:
        """See :meth:`Database.change_counter`."""
        return self._db.change_counter()

    def schema_revision(self) -> str | None:
        """The schema revision of the database; ``None`` if it was never initialised."""
        missing_file = self._db_file is not None and not self._db_file.exists()
        if missing_file and str(self._db.engine.url).startswith("sqlite"):
            return None
        return database.current_revision(self._db.engine)


__all__ = ["SqlStore", "SqlUnitOfWork"]
