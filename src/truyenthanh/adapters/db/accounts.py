"""Station accounts in the database: the one mapping between an :class:`~truyenthanh.domain.accounts.Account`
and its :class:`~truyenthanh.adapters.db.models.User` row.

Writes return a :class:`~truyenthanh.domain.changes.RecordChange` whose snapshots never hold the password hash;
they flush, they never commit: the unit of work does.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from truyenthanh.adapters.db.audit import snapshot
from truyenthanh.adapters.db.models import User
from truyenthanh.domain.accounts import Account
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.enums import Role


def account_of(row: User) -> Account:
    """A stored account in domain form."""
    return Account(
        username=row.username,
        full_name=row.full_name,
        role=row.role,
        password_hash=row.password_hash,
        created_at=row.created_at,
        disabled=row.disabled,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
    )


class SqlAccountRepository:
    """Accounts inside one session (see :class:`truyenthanh.services.unit_of_work.AccountRepository`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _row(self, username: str) -> User | None:
        return self._session.exec(select(User).where(User.username == username)).first()

    def count(self) -> int:
        """How many accounts exist (disabled ones included)."""
        return int(self._session.exec(select(func.count()).select_from(User)).one())

    def active_admins(self) -> int:
        """How many admin accounts are not disabled."""
        query = select(func.count()).select_from(User).where(User.role == Role.ADMIN, col(User.disabled).is_(False))
        return int(self._session.exec(query).one())

    def get(self, username: str) -> Account | None:
        """One account by its exact username, or ``None``."""
        row = self._row(username)
        return account_of(row) if row is not None else None

    def all(self) -> list[Account]:
        """Every account, by username."""
        return [account_of(row) for row in self._session.exec(select(User).order_by(col(User.username))).all()]

    def add(self, account: Account) -> RecordChange:
        """Store a new account (the username must be free)."""
        row = User(
            username=account.username,
            full_name=account.full_name,
            role=account.role,
            password_hash=account.password_hash,
            created_at=account.created_at,
            disabled=account.disabled,
            failed_logins=account.failed_logins,
            locked_until=account.locked_until,
        )
        self._session.add(row)
        self._session.flush()
        return RecordChange("user", account.username, None, snapshot(row))

    def put(self, account: Account) -> RecordChange | None:
        """Replace a stored account's values (found by username); ``None`` if there is none."""
        row = self._row(account.username)
        if row is None:
            return None
        before = snapshot(row)
        row.full_name = account.full_name
        row.role = account.role
        row.password_hash = account.password_hash
        row.disabled = account.disabled
        row.failed_logins = account.failed_logins
        row.locked_until = account.locked_until
        self._session.add(row)
        self._session.flush()
        return RecordChange("user", account.username, before, snapshot(row))


__all__ = ["SqlAccountRepository", "account_of"]
