"""The files a hub offers its stations, in its database (issue 19; see
:class:`truyenthanh.services.unit_of_work.HubFileRepository` for the contract). A part is read without loading the
whole file: on PostgreSQL with ``substr`` on the ``bytea`` (stored uncompressed, so only the chunks needed are
read), on SQLite through its incremental blob I/O (``substr`` there would load the whole blob for every part).
Writes flush, never commit."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from truyenthanh.adapters.db.models import HubFile


class SqlHubFiles:
    """The hub's files inside one session (see :class:`truyenthanh.services.unit_of_work.HubFileRepository`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def put(self, sha256: str, name: str, content: bytes, *, at: datetime) -> bool:
        """Keep ``content`` under its digest (the caller computed it); ``False`` if it is held already.

        Two hub processes offering the same file at once: the primary key decides, inside a savepoint so the
        caller's transaction survives.
        """
        if self.size(sha256) is not None:
            return False
        row = HubFile(sha256=sha256, name=name, size=len(content), content=content, created_at=at)
        try:
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            return False
        finally:
            self._session.expunge_all()  # do not keep the content alive in the session's identity map
        return True

    def size(self, sha256: str) -> int | None:
        """The file's size in bytes, or ``None`` if none has this digest."""
        found = self._session.exec(select(HubFile.size).where(HubFile.sha256 == sha256)).first()
        return None if found is None else int(found)

    def read(self, sha256: str, first: int, length: int) -> bytes:
        """``length`` bytes from offset ``first`` (fewer at the end; empty past it or for an unknown digest)."""
        if length <= 0:
            return b""
        if self._session.get_bind().dialect.name == "sqlite":
            return self._read_blob(sha256, first, length)
        part = func.substr(col(HubFile.content), first + 1, length)  # SQL counts from 1
        found = self._session.exec(select(part).where(HubFile.sha256 == sha256)).first()
        return bytes(found) if found is not None else b""

    def _read_blob(self, sha256: str, first: int, length: int) -> bytes:
        """SQLite: the part through :meth:`sqlite3.Connection.blobopen` on the row's content."""
        found = (
            self._session.connection()
            .execute(text("SELECT rowid FROM hub_file WHERE sha256 = :sha256"), {"sha256": sha256})
            .first()
        )
        if found is None:
            return b""
        raw = self._session.connection().connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        with raw.blobopen("hub_file", "content", int(found[0]), readonly=True) as blob:
            if first >= len(blob):
                return b""
            blob.seek(first)
            return blob.read(length)

    def digests(self) -> set[str]:
        """The digests of every file held."""
        return set(self._session.exec(select(HubFile.sha256)))


__all__ = ["SqlHubFiles"]
