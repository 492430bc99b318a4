"""Accounts: adding, listing, changing passwords, disabling; logging in; the authorisation check others call.

Other services and screens ask :meth:`AccountService.require` before a change
(``accounts.require(actor, Permission.SEND_EMERGENCY)``); it raises :class:`PermissionDeniedError` with a
Vietnamese message.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from truyenthanh.config import Settings
from truyenthanh.domain.accounts import (
    AccessPolicy,
    Account,
    Actor,
    Permission,
    check_password,
    check_password_strength,
    check_username,
    hash_password,
)
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.enums import Role
from truyenthanh.errors import ConfigError, LoginError, NotFoundError, PermissionDeniedError, WorkflowError
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store, UnitOfWork


@cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so a wrong name takes as long as a wrong password."""
    return hash_password("không-phải-mật-khẩu-nào")


@dataclass(frozen=True)
class UserInfo:
    """An account as shown to people (never the password hash)."""

    username: str
    full_name: str
    role: Role
    disabled: bool
    created_at: datetime
    locked_until: datetime | None = None
    """Every login is refused until then (aware) after too many wrong passwords; ``None``: not locked."""

    def locked_at(self, now: datetime) -> bool:
        """Whether the account refuses logins at ``now`` because of wrong passwords."""
        return self.locked_until is not None and now < self.locked_until

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role.value,
            "role_label": self.role.label,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
        }


def _info(user: Account) -> UserInfo:
    return UserInfo(user.username, user.full_name, user.role, user.disabled, user.created_at, user.locked_until)


class AccountService:
    """Station accounts and the authorisation policy."""

    def __init__(self, *, settings: Settings, store: Store, clock: Clock) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self.policy = AccessPolicy(
            emergency_roles=frozenset(settings.emergency_roles), single_operator=settings.single_operator
        )
        """The station's authorisation policy (from its settings)."""

    def require(self, actor: Actor, permission: Permission) -> None:
        """Refuse unless ``actor`` may do ``permission``.

        Raises:
            PermissionDeniedError: a clear Vietnamese refusal naming the account, its role and the action.
        """
        self.policy.require(actor, permission)

    def allows(self, actor: Actor, permission: Permission) -> bool:
        """Whether ``actor`` may do ``permission`` (for screens that hide what cannot be done)."""
        return self.policy.allows(actor, permission)

    def has_users(self) -> bool:
        """Whether any account exists (the first one is created without logging in)."""
        with self._store.transaction() as uow:
            return uow.accounts.count() > 0

    def single_operator_actor(self) -> Actor:
        """The person commands act for in single-operator mode.

        Raises:
            ConfigError: the mode is off, or ``single_operator_name`` is not set.
        """
        if not self._settings.single_operator:
            raise ConfigError("Đài không bật chế độ một người vận hành (single_operator).")
        name = self._settings.single_operator_name.strip()
        if not name:
            raise ConfigError(
                "Chế độ một người vận hành cần họ tên người chịu trách nhiệm: đặt «single_operator_name» "
                "trong tệp cấu hình (phê duyệt vẫn phải ghi tên người duyệt)."
            )
        return Actor(username=name, full_name=name, role=Role.ADMIN, single_operator=True)

    def login(self, username: str, password: str) -> Actor:
        """The account's actor if the password is right.

        After ``login_max_failures`` wrong passwords in a row the account refuses every login, even with the
        right password, for ``login_lockout_minutes``; a successful login starts the count again. The count and
        the lock are kept in the database (restarting a command does not reset them) and audited.

        Raises:
            LoginError: unknown user or wrong password (the same message for both), a locked account (saying
                when it unlocks), or a disabled account.
        """
        now = self._clock.now()
        refusal: LoginError | None = None
        actor: Actor | None = None
        with self._store.transaction() as uow:
            user = uow.accounts.get(username.strip())
            if user is None:
                check_password(password, _dummy_hash())
                refusal = LoginError("Sai tên đăng nhập hoặc mật khẩu.")
            elif user.locked_until is not None and now < user.locked_until:
                refusal = self._locked(user)
                self._record_login(uow, user, "user.login_refused")
            elif not check_password(password, user.password_hash):
                refusal = self._failed(uow, user, now)
            elif user.disabled:
                refusal = LoginError(f"Tài khoản «{user.username}» đã bị khóa; hãy liên hệ quản trị viên.")
            else:
                if user.failed_logins or user.locked_until is not None:
                    user = dataclasses.replace(user, failed_logins=0, locked_until=None)
                    self._record_login(uow, user, "user.login")
                actor = user.actor()
        # Raised only after the block so the failure count and its audit entry are committed, not rolled back.
        if refusal is not None:
            raise refusal
        assert actor is not None
        return actor

    def _failed(self, uow: UnitOfWork, user: Account, now: datetime) -> LoginError:
        """Count one wrong password; lock the account when there have been too many in a row."""
        user = dataclasses.replace(user, failed_logins=user.failed_logins + 1, locked_until=None)
        refusal = LoginError("Sai tên đăng nhập hoặc mật khẩu.")
        action = "user.login_failed"
        if user.failed_logins >= self._settings.login_max_failures:
            user = dataclasses.replace(
                user, failed_logins=0, locked_until=now + timedelta(minutes=self._settings.login_lockout_minutes)
            )
            refusal = self._locked(user)
            action = "user.lock"
        self._record_login(uow, user, action)
        return refusal

    def _locked(self, user: Account) -> LoginError:
        assert user.locked_until is not None
        until = user.locked_until.astimezone(self._settings.zone)
        return LoginError(
            f"Tài khoản «{user.username}» đang tạm khóa vì nhập sai mật khẩu "
            f"{self._settings.login_max_failures} lần liên tiếp; mở lại lúc {until:%H:%M:%S} ngày {until:%d/%m/%Y}."
        )

    @staticmethod
    def _record_login(uow: UnitOfWork, user: Account, action: str) -> None:
        """Store ``user``'s login state (the same as before for a refusal) and audit it, by the account itself."""
        change = uow.accounts.put(user)
        assert change is not None
        uow.audited(user.username, action, change)

    def list(self) -> list[UserInfo]:
        """Every account, by username."""
        with self._store.transaction() as uow:
            return [_info(account) for account in uow.accounts.all()]

    def add(self, actor: Actor | None, *, username: str, full_name: str, role: Role, password: str) -> UserInfo:
        """Create an account. With no account yet, ``actor`` may be ``None`` and the first must be an admin.

        Raises:
            PermissionDeniedError: ``actor`` may not manage accounts, or is missing while accounts exist.
            WorkflowError: the username is taken or malformed, the name is empty or the password too short.
        """
        try:
            username = check_username(username.strip())
            check_password_strength(password)
        except ValueError as exc:
            raise WorkflowError(str(exc), title="Dữ liệu không hợp lệ") from exc
        full_name = " ".join(full_name.split())
        if not full_name:
            raise WorkflowError("Cần họ tên đầy đủ của người dùng.", title="Dữ liệu không hợp lệ", field="full_name")
        now = self._clock.now()
        with self._store.transaction() as uow:
            if actor is None:
                if uow.accounts.count():
                    raise PermissionDeniedError("Đài đã có tài khoản: hãy đăng nhập bằng tài khoản quản trị.")
                if role is not Role.ADMIN:
                    raise WorkflowError("Tài khoản đầu tiên phải có vai trò quản trị (admin).", field="role")
            else:
                self.require(actor, Permission.MANAGE_USERS)
            if uow.accounts.get(username) is not None:
                raise WorkflowError(f"Tên đăng nhập «{username}» đã có người dùng.", title="Dữ liệu không hợp lệ")
            account = Account(
                username=username, full_name=full_name, role=role, password_hash=hash_password(password), created_at=now
            )
            uow.audited(actor.username if actor else username, "user.add", uow.accounts.add(account))
            return _info(account)

    def set_password(self, actor: Actor, username: str, password: str) -> None:
        """Change a password: one's own, or anyone's for an admin.

        Raises:
            PermissionDeniedError: someone else's account without the right to manage accounts.
            NotFoundError: no such account.
            WorkflowError: the password is too short.
        """
        if actor.username != username:
            self.require(actor, Permission.MANAGE_USERS)
        try:
            check_password_strength(password)
        except ValueError as exc:
            raise WorkflowError(str(exc), title="Dữ liệu không hợp lệ") from exc
        with self._store.transaction() as uow:
            user = self._get(uow, username)
            uow.accounts.put(dataclasses.replace(user, password_hash=hash_password(password)))
            # Neither the old nor the new hash belongs in the trail: the entry says only that it changed.
            uow.audited(actor.username, "user.passwd", RecordChange("user", username, None, None))

    def set_disabled(self, actor: Actor, username: str, *, disabled: bool = True) -> UserInfo:
        """Disable (or enable again) an account; the last active admin cannot be disabled.

        Raises:
            PermissionDeniedError: ``actor`` may not manage accounts.
            NotFoundError: no such account.
            WorkflowError: it would leave the station without an active admin.
        """
        self.require(actor, Permission.MANAGE_USERS)
        with self._store.transaction() as uow:
            user = self._get(uow, username)
            if disabled and user.role is Role.ADMIN and not user.disabled and uow.accounts.active_admins() <= 1:
                raise WorkflowError(f"Không khóa được «{username}»: đây là tài khoản quản trị cuối cùng còn hoạt động.")
            user = dataclasses.replace(user, disabled=disabled)
            change = uow.accounts.put(user)
            assert change is not None
            uow.audited(actor.username, "user.disable" if disabled else "user.enable", change)
            return _info(user)

    @staticmethod
    def _get(uow: UnitOfWork, username: str) -> Account:
        user = uow.accounts.get(username)
        if user is None:
            raise NotFoundError(f"Không có tài khoản nào tên «{username}».")
        return user

    # --- account administration from the TUI and the CLI (issue 15): unlock, role, enable -------------------

    def unlock(self, actor: Actor, username: str) -> UserInfo:
        """Lift a lockout after too many wrong passwords (and start the count again) before it ends by itself.

        Raises:
            PermissionDeniedError: ``actor`` may not manage accounts.
            NotFoundError: no such account.
            WorkflowError: the account is not locked (nothing to do; the message says so).
        """
        self.require(actor, Permission.MANAGE_USERS)
        now = self._clock.now()
        with self._store.transaction() as uow:
            user = self._get(uow, username)
            if not _info(user).locked_at(now) and not user.failed_logins:
                raise WorkflowError(
                    f"Tài khoản «{username}» không bị tạm khóa vì nhập sai mật khẩu.", title="Tài khoản"
                )
            user = dataclasses.replace(user, failed_logins=0, locked_until=None)
            change = uow.accounts.put(user)
            assert change is not None
            uow.audited(actor.username, "user.unlock", change)
            return _info(user)

    def set_role(self, actor: Actor, username: str, role: Role) -> UserInfo:
        """Give an account another role; the last active admin keeps theirs.

        Raises:
            PermissionDeniedError: ``actor`` may not manage accounts.
            NotFoundError: no such account.
            WorkflowError: it would leave the station without an active admin (``field`` is ``role``).
        """
        self.require(actor, Permission.MANAGE_USERS)
        with self._store.transaction() as uow:
            user = self._get(uow, username)
            if user.role is role:
                return _info(user)
            if user.role is Role.ADMIN and not user.disabled and uow.accounts.active_admins() <= 1:
                raise WorkflowError(
                    f"Không đổi được vai trò của «{username}»: đây là tài khoản quản trị cuối cùng còn hoạt động.",
                    title="Tài khoản",
                    field="role",
                )
            user = dataclasses.replace(user, role=role)
            change = uow.accounts.put(user)
            assert change is not None
            uow.audited(actor.username, "user.role", change)
            return _info(user)

    def user(self, username: str) -> UserInfo:
        """One account as shown to people.

        Raises:
            NotFoundError: no such account.
        """
        with self._store.transaction() as uow:
            return _info(self._get(uow, username))


__all__ = ["AccountService", "UserInfo"]
