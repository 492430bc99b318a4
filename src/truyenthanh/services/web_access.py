"""The station access password in front of ``truyenthanh serve`` (issue 22): setting it, checking it, limiting
and auditing wrong attempts.

The password is the station's, not a person's: it only lets a browser reach the TUI, whose own login still
guards every change. It is kept hashed with the accounts' scrypt helper, outside the database and the settings
(see :class:`SecretStore`).
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta
from typing import Protocol

from truyenthanh.config import Settings
from truyenthanh.domain.accounts import (
    Actor,
    Permission,
    check_password,
    check_password_strength,
    hash_password,
)
from truyenthanh.errors import WorkflowError
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store

WEB_ACTOR = "web"
"""Who the audit trail names for attempts made at the access password page (nobody is logged in yet)."""


class SecretStore(Protocol):
    """Where the hash of the station access password is kept (a file only the station's owner reads)."""

    def read(self) -> str | None:
        """The stored hash, or ``None`` when no password was ever set."""
        ...

    def write(self, value: str) -> None:
        """Replace the stored hash (atomically: a reader sees the old one or the new one)."""
        ...


class WebAccessService:
    """Sets and checks the station access password. Thread-safe: the web server checks from worker threads."""

    def __init__(
        self, *, settings: Settings, store: Store, clock: Clock, secret: SecretStore, accounts: AccountService
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._secret = secret
        self._accounts = accounts
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def has_password(self) -> bool:
        """Whether a station access password has been set."""
        return bool(self._secret.read())

    def set_password(self, actor: Actor, password: str) -> None:
        """Set (or change) the station access password; audited, without the hash.

        Raises:
            PermissionDeniedError: ``actor`` may not manage accounts.
            WorkflowError: the password is too short.
        """
        self._accounts.require(actor, Permission.MANAGE_USERS)
        try:
            check_password_strength(password)
        except ValueError as exc:
            raise WorkflowError(str(exc), title="Dữ liệu không hợp lệ", field="password") from exc
        self._secret.write(hash_password(password))
        with self._store.transaction() as uow:
            uow.note(actor.username, "serve.password", "station", "serve", {"changed": True})

    def check(self, address: str, password: str) -> str | None:
        """Check one attempt from ``address``: ``None`` lets the browser in, otherwise the Vietnamese reason.

        An address that gave ``serve_max_failures`` wrong passwords within ``serve_failure_window_minutes`` is
        refused without checking, until its oldest failure leaves the window. Every wrong password, the moment an
        address is held back, and every entry are written to the audit trail.
        """
        now = self._clock.now()
        window = timedelta(minutes=self._settings.serve_failure_window_minutes)
        with self._lock:
            failures = self._failures.setdefault(address, deque())
            while failures and now - failures[0] >= window:
                failures.popleft()
            if len(failures) >= self._settings.serve_max_failures:
                return self._held_back(failures[0] + window)
        stored = self._secret.read()
        if stored and check_password(password, stored):
            with self._lock:
                self._failures.pop(address, None)
            self._note("serve.access", address, {})
            return None
        with self._lock:
            failures.append(now)
            count = len(failures)
        self._note("serve.access_failed", address, {"failures": count})
        if count >= self._settings.serve_max_failures:
            self._note("serve.access_limited", address, {"failures": count})
            return self._held_back(failures[0] + window)
        if not stored:
            return "Đài chưa đặt mật khẩu truy cập («truyenthanh serve password»)."
        return "Sai mật khẩu truy cập đài."

    def _held_back(self, until: datetime) -> str:
        local = until.astimezone(self._settings.zone)
        return (
            f"Địa chỉ này đã nhập sai mật khẩu {self._settings.serve_max_failures} lần; "
            f"hãy thử lại sau {local:%H:%M:%S}."
        )

    def _note(self, action: str, address: str, details: dict[str, int]) -> None:
        with self._store.transaction() as uow:
            uow.note(WEB_ACTOR, action, "address", address, {"address": address, **details})


__all__ = ["WEB_ACTOR", "SecretStore", "WebAccessService"]
