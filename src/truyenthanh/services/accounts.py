"""Accounts: adding, listing, changing passwords, disabling; logging in; the authorisation check others call.

Other services and screens ask :meth:`AccountService.require` before a change
(``accounts.require(actor, Permission.SEND_EMERGENCY)``); it raises :class:`PermissionDeniedError` with a
Vietnamese message.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from truyenthanh.config import Settings
from truyenthanh.domain.accounts import (
    DEFAULT_EMERGENCY_ROLES,
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
from truyenthanh.domain.passes import AirPass, PassKind, new_token, token_digest
from truyenthanh.errors import (
    ConfigError,
    LoginError,
    NotFoundError,
    PermissionDeniedError,
    TruyenthanhError,
    WorkflowError,
)
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store, UnitOfWork

logger = logging.getLogger(__name__)

SESSION_HOURS = 12
"""How long a session token (issued after a login, carried by air commands to the daemon) is valid."""

ROLE_SETTINGS_ACTOR = "config-file"
"""Who the audit trail names for a change of the role settings (the station's config file)."""
ROLE_SETTINGS_ACTION = "settings.roles"
"""The audit action recorded when the daemon or a command first sees changed role settings."""


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


_DEFAULT_ROLE_SETTINGS: dict[str, Any] = {
    "single_operator": False,
    "single_operator_name": "",
    "emergency_roles": sorted(role.value for role in DEFAULT_EMERGENCY_ROLES),
}


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
        self._policy_noted = False

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
        self.note_role_settings()
        if not self._settings.single_operator:
            raise ConfigError("Đài không bật chế độ một người vận hành (single_operator).")
        name = self._settings.single_operator_name.strip()
        if not name:
            raise ConfigError(
                "Chế độ một người vận hành cần họ tên người chịu trách nhiệm: đặt «single_operator_name» "
                "trong tệp cấu hình (phê duyệt vẫn phải ghi tên người duyệt)."
            )
        return Actor(username=name, full_name=name, role=Role.ADMIN, single_operator=True)

    # ------------------------------------------------------------------------- role settings, air passes

    def role_settings(self) -> dict[str, Any]:
        """The settings that change who may do what, as the station's config file sets them (never the
        environment: see :mod:`truyenthanh.config`)."""
        return {
            "single_operator": self._settings.single_operator,
            "single_operator_name": self._settings.single_operator_name.strip(),
            "emergency_roles": sorted(role.value for role in self._settings.emergency_roles),
        }

    def note_role_settings(self) -> bool:
        """Audit the role settings if they differ from the last ones audited (the defaults before any): the
        first command or daemon that sees a change records it, once. Returns whether an entry was written.

        A database that cannot be written is logged, not raised: the check runs again next time.
        """
        if self._policy_noted:
            return False
        current = self.role_settings()
        try:
            with self._store.transaction() as uow:
                last = uow.audit.entries(entity="settings", entity_id="roles", limit=1)
                before = last[0].after if last else _DEFAULT_ROLE_SETTINGS
                if before == current:
                    self._policy_noted = True
                    return False
                change = RecordChange("settings", "roles", before, current)
                uow.audited(ROLE_SETTINGS_ACTOR, ROLE_SETTINGS_ACTION, change)
        except TruyenthanhError as exc:
            logger.warning("cannot audit the role settings: %s", exc.message)
            return False
        self._policy_noted = True
        return True

    def open_session(self, actor: Actor) -> str:
        """A session token for ``actor`` (logged in, or the single operator), valid :data:`SESSION_HOURS`
        hours: air commands carry it to the daemon, which checks it (:meth:`authorise`). Only its digest is
        stored; expired tokens are forgotten.

        Raises:
            PermissionDeniedError: ``actor`` is not a usable account (unknown, disabled) or not the station's
                single operator.
            StorageError: the database cannot be written.
        """
        self.note_role_settings()
        if actor.single_operator and (not self._settings.single_operator or self.single_operator_actor() != actor):
            raise PermissionDeniedError("Đài không bật chế độ một người vận hành: hãy đăng nhập.")
        token = new_token()
        now = self._clock.now()
        with self._store.transaction() as uow:
            if not actor.single_operator:
                account = uow.accounts.get(actor.username)
                if account is None or account.disabled:
                    raise PermissionDeniedError(f"Tài khoản «{actor.username}» không dùng được: hãy đăng nhập lại.")
            uow.air_passes.purge(now)
            granted = AirPass(
                kind=PassKind.SESSION,
                username=actor.username,
                full_name=actor.full_name,
                role=actor.role,
                issued_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
                single_operator=actor.single_operator,
            )
            uow.air_passes.add(token_digest(token), granted)
        return token

    def authorise(self, token: str | None, permission: Permission, *alternatives: Permission) -> Actor:
        """The person a session token acts for, if it is valid and their role (as the account is now) may do
        ``permission`` (or one of the ``alternatives``): the daemon's check on every command that puts
        something on air or takes it off.

        Raises:
            PermissionDeniedError: no token, an unknown or expired one, a disabled account, or a role that may
                not (a Vietnamese message saying which).
        """
        self.note_role_settings()
        if not token:
            raise PermissionDeniedError(
                "Lệnh này cần đăng nhập: gửi qua «truyenthanh control ...» hoặc giao diện điều khiển (phiên đăng "
                "nhập kèm theo lệnh)."
            )
        now = self._clock.now()
        with self._store.transaction() as uow:
            found = uow.air_passes.find(token_digest(str(token)))
            if found is None or found.kind is not PassKind.SESSION:
                raise PermissionDeniedError("Phiên đăng nhập không hợp lệ: hãy đăng nhập lại.")
            if now >= found.expires_at:
                raise PermissionDeniedError("Phiên đăng nhập đã hết hạn: hãy đăng nhập lại.")
            if found.single_operator:
                if not self._settings.single_operator:
                    raise PermissionDeniedError("Đài không còn ở chế độ một người vận hành: hãy đăng nhập.")
                actor = found.actor()
            else:
                account = uow.accounts.get(found.username)
                if account is None or account.disabled:
                    raise PermissionDeniedError(f"Tài khoản «{found.username}» đã bị khóa hoặc không còn.")
                actor = account.actor()
        if not any(self.allows(actor, each) for each in alternatives):
            self.require(actor, permission)
        return actor

    def login(self, username: str, password: str) -> Actor:
        """The account's actor if the password is right.

        After ``login_max_failures`` wrong passwords in a row the account refuses every login, even with the
        right password, for ``login_lockout_minutes``; a successful login starts the count again. The count and
        the lock are kept in the database (restarting a command does not reset them) and audited.

        Raises:
            LoginError: unknown user or wrong password (the same message for both), a locked account (saying
                when it unlocks), or a disabled account.
        """
        self.note_role_settings()
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


__all__ = ["ROLE_SETTINGS_ACTION", "ROLE_SETTINGS_ACTOR", "SESSION_HOURS", "AccountService", "UserInfo"]
