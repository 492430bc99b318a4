"""The station's SQLite database as a :class:`~truyenthanh.services.unit_of_work.Store`: each transaction is a
unit of work holding one session and the repositories over it.

Like every adapter it imports nothing from ``services``: it meets the ports there structurally, and mypy checks
the fit where ``bootstrap`` hands a :class:`SqlStore` to a service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlmodel import Session

from truyenthanh.adapters.db import database
from truyenthanh.adapters.db.database import Database
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.records import AuditRecord

if TYPE_CHECKING:
    from truyenthanh.adapters.db.accounts import SqlAccountRepository
    from truyenthanh.adapters.db.assets import SqlAssetRepository
    from truyenthanh.adapters.db.audit import SqlAuditTrail
    from truyenthanh.adapters.db.broadcast_log import SqlBroadcastLog
    from truyenthanh.adapters.db.fleet import SqlFleetRepository
    from truyenthanh.adapters.db.hub_log import SqlHubLog
    from truyenthanh.adapters.db.keys import SqlTrustedKeyRepository
    from truyenthanh.adapters.db.package_records import SqlPackageRecordRepository
    from truyenthanh.adapters.db.passes import SqlAirPassRepository, SqlLogJournalMarks
    from truyenthanh.adapters.db.programmes import SqlAnnouncementRepository, SqlProgrammeRepository
    from truyenthanh.adapters.db.schedules import SqlScheduleRepository, SqlStationRepository
    from truyenthanh.adapters.db.station_profile import SqlStationProfileRepository


class Clock(Protocol):
    """Where the store reads the time of audit entries (the services' ``Clock`` port, structurally)."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SqlUnitOfWork:
    """A :class:`~truyenthanh.services.unit_of_work.UnitOfWork` over one SQLModel session.

    Each repository is made (and its module imported) the first time the transaction uses it: a command that
    only logs in and records an emergency permit does not load the schedules', the fleet's and the reports'
    modules (see ``bench/cli_start.py``).
    """

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    @cached_property
    def schedules(self) -> SqlScheduleRepository:
        """The station's schedules."""
        from truyenthanh.adapters.db.schedules import SqlScheduleRepository

        return SqlScheduleRepository(self._session)

    @cached_property
    def station(self) -> SqlStationRepository:
        """The station's own record."""
        from truyenthanh.adapters.db.schedules import SqlStationRepository

        return SqlStationRepository(self._session)

    @cached_property
    def accounts(self) -> SqlAccountRepository:
        """The station's accounts."""
        from truyenthanh.adapters.db.accounts import SqlAccountRepository

        return SqlAccountRepository(self._session)

    @cached_property
    def trusted_keys(self) -> SqlTrustedKeyRepository:
        """The upstream keys the station trusts."""
        from truyenthanh.adapters.db.keys import SqlTrustedKeyRepository

        return SqlTrustedKeyRepository(self._session)

    @cached_property
    def broadcast_log(self) -> SqlBroadcastLog:
        """The broadcast log."""
        from truyenthanh.adapters.db.broadcast_log import SqlBroadcastLog

        return SqlBroadcastLog(self._session)

    @cached_property
    def audit(self) -> SqlAuditTrail:
        """The audit trail."""
        from truyenthanh.adapters.db.audit import SqlAuditTrail

        return SqlAuditTrail(self._session)

    @cached_property
    def station_profile(self) -> SqlStationProfileRepository:
        """Who the station is, its zones and its content counts."""
        from truyenthanh.adapters.db.station_profile import SqlStationProfileRepository

        return SqlStationProfileRepository(self._session)

    @cached_property
    def packages(self) -> SqlPackageRecordRepository:
        """The packages imported at this station."""
        from truyenthanh.adapters.db.package_records import SqlPackageRecordRepository

        return SqlPackageRecordRepository(self._session)

    @cached_property
    def programmes(self) -> SqlProgrammeRepository:
        """Programmes with their items."""
        from truyenthanh.adapters.db.programmes import SqlProgrammeRepository

        return SqlProgrammeRepository(self._session)

    @cached_property
    def assets(self) -> SqlAssetRepository:
        """The audio library's records."""
        from truyenthanh.adapters.db.assets import SqlAssetRepository

        return SqlAssetRepository(self._session)

    @cached_property
    def announcements(self) -> SqlAnnouncementRepository:
        """Announcements, read and moved through approval, and their renderings recorded."""
        from truyenthanh.adapters.db.programmes import SqlAnnouncementRepository

        return SqlAnnouncementRepository(self._session)

    @cached_property
    def air_passes(self) -> SqlAirPassRepository:
        """Session tokens and emergency permits."""
        from truyenthanh.adapters.db.passes import SqlAirPassRepository

        return SqlAirPassRepository(self._session)

    @cached_property
    def journal_marks(self) -> SqlLogJournalMarks:
        """Which lines of the daemon's log journal reached the database."""
        from truyenthanh.adapters.db.passes import SqlLogJournalMarks

        return SqlLogJournalMarks(self._session)

    @property
    def fleet(self) -> SqlFleetRepository:
        """The loudspeaker clusters (issue 18); the repository holds nothing but the session."""
        from truyenthanh.adapters.db.fleet import SqlFleetRepository

        return SqlFleetRepository(self._session)

    @property
    def hub_log(self) -> SqlHubLog:
        """At a hub: its stations' broadcast-log rows (issue 19)."""
        from truyenthanh.adapters.db.hub_log import SqlHubLog

        return SqlHubLog(self._session)

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
