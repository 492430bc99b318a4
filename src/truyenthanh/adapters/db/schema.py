"""The station database's schema through Alembic (see :class:`truyenthanh.services.unit_of_work.Schema`)."""

from __future__ import annotations

from truyenthanh.adapters.db import database
from truyenthanh.adapters.db.database import Database


class SqlSchema:
    """The schema of one database: its revision read from Alembic's table, upgrades run by Alembic."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def current(self) -> str | None:
        """See :func:`truyenthanh.adapters.db.database.current_revision`."""
        return database.current_revision(self._db.engine)

    def head(self) -> str:
        """See :func:`truyenthanh.adapters.db.database.head_revision`."""
        return database.head_revision()

    def upgrade(self) -> None:
        """See :func:`truyenthanh.adapters.db.database.upgrade`."""
        database.upgrade(self._db.engine)


__all__ = ["SqlSchema"]
