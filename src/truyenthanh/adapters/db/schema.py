"""The station database's schema through Alembic (see :class:`truyenthanh.services.unit_of_work.Schema`)."""

from __future__ import annotations

from pathlib import Path

from truyenthanh.adapters.db import database
from truyenthanh.adapters.db.database import Database


class SqlSchema:
    """The schema of one database: its revision read from Alembic's table, upgrades run by Alembic.

    Args:
        db: the station database.
        folder: the station's data folder, closed to other local users at each upgrade.
    """

    def __init__(self, db: Database, folder: Path) -> None:
        self._db = db
        self._folder = folder

    def current(self) -> str | None:
        """See :func:`truyenthanh.adapters.db.database.current_revision`."""
        return database.current_revision(self._db.engine)

    def head(self) -> str:
        """See :func:`truyenthanh.adapters.db.database.head_revision`."""
        return database.head_revision()

    def upgrade(self) -> None:
        """See :func:`truyenthanh.adapters.db.database.upgrade`; then :func:`~truyenthanh.adapters.db.database.protect`
        (folder 0750, database 0640, the station's secret chain key)."""
        database.upgrade(self._db.engine)
        database.protect(self._db, self._folder)


__all__ = ["SqlSchema"]
