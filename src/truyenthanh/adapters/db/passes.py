"""Air passes and log-journal marks in the database: the mapping between
:class:`~truyenthanh.domain.passes.AirPass` and its :class:`~truyenthanh.adapters.db.models.AirPassRow`, and
the marks that say which lines of the daemon's log journal were committed. Writes flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, delete, select

from truyenthanh.adapters.db.models import AirPassRow, LogJournalMark
from truyenthanh.domain.enums import Role
from truyenthanh.domain.passes import AirPass, PassKind


def pass_of(row: AirPassRow) -> AirPass:
    """A stored pass in domain form."""
    return AirPass(
        kind=PassKind(row.kind),
        username=row.username,
        full_name=row.full_name,
        role=Role(row.role),
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        single_operator=row.single_operator,
        used_at=row.used_at,
        audit_id=row.audit_id,
        announcement_id=row.announcement_id,
        programme_id=row.programme_id,
    )


class SqlAirPassRepository:
    """Passes inside one session (see :class:`truyenthanh.services.unit_of_work.AirPassRepository`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _row(self, token_hash: str) -> AirPassRow | None:
        return self._session.exec(select(AirPassRow).where(AirPassRow.token_hash == token_hash)).first()

    def add(self, token_hash: str, granted: AirPass) -> None:
        """Store a new pass under its token's digest."""
        self._session.add(
            AirPassRow(
                token_hash=token_hash,
                kind=granted.kind.value,
                username=granted.username,
                full_name=granted.full_name,
                role=granted.role.value,
                single_operator=granted.single_operator,
                issued_at=granted.issued_at,
                expires_at=granted.expires_at,
                used_at=granted.used_at,
                audit_id=granted.audit_id,
                announcement_id=granted.announcement_id,
                programme_id=granted.programme_id,
            )
        )
        self._session.flush()

    def find(self, token_hash: str) -> AirPass | None:
        """The pass with this token digest, or ``None``."""
        row = self._row(token_hash)
        return pass_of(row) if row is not None else None

    def use(self, token_hash: str, at: datetime) -> bool:
        """Mark a pass used at ``at``; ``False`` if there is no such pass or it was used already."""
        row = self._row(token_hash)
        if row is None or row.used_at is not None:
            return False
        row.used_at = at
        self._session.add(row)
        self._session.flush()
        return True

    def purge(self, expired_before: datetime) -> int:
        """Forget session tokens that expired before ``expired_before`` (emergency permits are kept: they are
        the record that each was used once); returns how many."""
        result = self._session.exec(
            delete(AirPassRow).where(
                col(AirPassRow.kind) == PassKind.SESSION.value, col(AirPassRow.expires_at) < expired_before
            )
        )
        return int(result.rowcount or 0)


class SqlLogJournalMarks:
    """Which log-journal lines reached the database (see :class:`truyenthanh.services.unit_of_work.JournalMarks`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, journal_id: str, log_id: int | None, committed_at: datetime) -> None:
        """Mark a journal line as committed (in the transaction that writes it)."""
        self._session.add(LogJournalMark(journal_id=journal_id, log_id=log_id, committed_at=committed_at))
        self._session.flush()

    def known(self, journal_ids: Iterable[str]) -> set[str]:
        """The ones among ``journal_ids`` already committed."""
        wanted = list(journal_ids)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # SQLite limits the parameters of one statement
            chunk = wanted[start : start + 500]
            found.update(
                self._session.exec(select(LogJournalMark.journal_id).where(col(LogJournalMark.journal_id).in_(chunk)))
            )
        return found


__all__ = ["SqlAirPassRepository", "SqlLogJournalMarks", "pass_of"]
