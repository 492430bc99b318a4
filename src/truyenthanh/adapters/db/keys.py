"""Trusted upstream keys in the database: the mapping between a
:class:`~truyenthanh.domain.keys.TrustedKeyEntry` and its :class:`~truyenthanh.adapters.db.models.TrustedKey` row."""

from __future__ import annotations

import base64
from datetime import datetime

from sqlmodel import Session, col, select

from truyenthanh.adapters.db.audit import snapshot
from truyenthanh.adapters.db.models import TrustedKey
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.keys import TrustedKeyEntry


def entry_of(row: TrustedKey) -> TrustedKeyEntry:
    """A stored trusted key in domain form."""
    return TrustedKeyEntry(
        id=row.id or 0,
        fingerprint=row.fingerprint,
        name=row.name,
        public_key=base64.b64decode(row.public_key),
        added_at=row.added_at,
        added_by=row.added_by,
    )


class SqlTrustedKeyRepository:
    """Trusted keys inside one session (see :class:`truyenthanh.services.unit_of_work.TrustedKeyRepository`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, fingerprint: str) -> TrustedKeyEntry | None:
        """The trusted key with exactly this fingerprint, or ``None``."""
        row = self._session.exec(select(TrustedKey).where(TrustedKey.fingerprint == fingerprint)).first()
        return entry_of(row) if row is not None else None

    def all(self) -> list[TrustedKeyEntry]:
        """Every trusted key, oldest first."""
        return [entry_of(row) for row in self._session.exec(select(TrustedKey).order_by(col(TrustedKey.id)))]

    def add(
        self, *, fingerprint: str, name: str, public_key: bytes, added_at: datetime, added_by: str | None
    ) -> tuple[TrustedKeyEntry, RecordChange]:
        """Trust a new key (its fingerprint must not be trusted yet); the change's ``entity_id`` is its id."""
        row = TrustedKey(
            fingerprint=fingerprint,
            name=name,
            public_key=base64.b64encode(public_key).decode("ascii"),
            added_at=added_at,
            added_by=added_by,
        )
        self._session.add(row)
        self._session.flush()
        return entry_of(row), RecordChange("trusted_key", row.id, None, snapshot(row))

    def remove(self, key_id: int) -> RecordChange | None:
        """Stop trusting a key; ``None`` if it was not trusted."""
        row = self._session.get(TrustedKey, key_id)
        if row is None:
            return None
        change = RecordChange("trusted_key", key_id, snapshot(row), None)
        self._session.delete(row)
        self._session.flush()
        return change


__all__ = ["SqlTrustedKeyRepository", "entry_of"]
