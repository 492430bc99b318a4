"""Tài khoản: the station's accounts (username, full name, role, enabled, locked until); an admin adds them,
changes roles, disables and enables them, lifts lockouts and resets passwords. Each change goes through the
account service, which checks the right, audits it and refuses in Vietnamese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from truyenthanh.domain.accounts import Actor
from truyenthanh.services.accounts import UserInfo
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.account_forms import AddAccountScreen, PasswordScreen, RoleScreen
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.screens.dialogs import ConfirmScreen
from truyenthanh.tui.widgets.statusbar import StatusBar

COLUMNS = ("Tên đăng nhập", "Họ tên", "Vai trò", "Trạng thái", "Tạm khóa đến")
"""The columns of the account list."""


class AccountsLoaded(Message):
    """The accounts were read, with the station's current time (to tell which lockouts still hold)."""

    def __init__(self, accounts: list[UserInfo], now: datetime) -> None:
        super().__init__()
        self.accounts = accounts
        self.now = now


class AccountChanged(Message):
    """An account was changed; ``text`` says how, in Vietnamese."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def row_of(account: UserInfo, now: datetime) -> tuple[str, ...]:
    """The list's cells for one account (``now`` aware, in the station's zone)."""
    locked = ""
    if account.locked_until is not None and account.locked_at(now):
        locked = f"{account.locked_until.astimezone(now.tzinfo):%H:%M %d/%m}"
    state = "Đã khóa" if account.disabled else "Hoạt động"
    return (account.username, account.full_name, account.role.label, state, locked)


class AccountsScreen(StationScreen):
    """The account list; the keys below act on the highlighted account."""

    TITLE = "Tài khoản"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "Thêm"),
        Binding("v", "role", "Vai trò"),
        Binding("k", "toggle_disabled", "Khóa/mở lại"),
        Binding("u", "unlock", "Mở tạm khóa"),
        Binding("m", "reset_password", "Mật khẩu"),
        Binding("r", "reload", "Làm mới", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.accounts: list[UserInfo] = []
        """What the list shows, in its order (tests read it)."""

    def compose(self) -> ComposeResult:
        """Status, the list, a hint, the footer."""
        yield StatusBar("accounts")
        yield DataTable(id="account-list", cursor_type="row", zebra_stripes=True)
        yield Static(
            "Chỉ tài khoản quản trị thay đổi được tài khoản. Ai cũng đổi được mật khẩu của mình: Ctrl+T.",
            id="account-hint",
        )
        yield Footer()

    def on_mount(self) -> None:
        """Columns, then the accounts."""
        table = self.query_one("#account-list", DataTable)
        table.border_title = "Tài khoản của đài"
        table.add_columns(*COLUMNS)
        self.action_reload()
        table.focus()

    def on_screen_resume(self) -> None:
        """Shown again: accounts may have changed (a lockout from a wrong login)."""
        self.action_reload()

    def action_reload(self) -> None:
        """Read the accounts again."""
        self.run_call(lambda backend: AccountsLoaded(backend.accounts(), backend.now()), lambda m: m, group="accounts")

    def on_accounts_loaded(self, message: AccountsLoaded) -> None:
        """Fill the list, keeping the cursor's row."""
        self.accounts = message.accounts
        table = self.query_one("#account-list", DataTable)
        row = table.cursor_row
        table.clear()
        for account in self.accounts:
            table.add_row(*row_of(account, message.now), key=account.username)
        if self.accounts:
            table.move_cursor(row=min(max(row, 0), len(self.accounts) - 1))
        else:
            self.notify("Đài chưa có tài khoản nào: nhấn N để tạo tài khoản quản trị đầu tiên.", title="Tài khoản")

    def _current(self) -> UserInfo | None:
        row = self.query_one("#account-list", DataTable).cursor_row
        if 0 <= row < len(self.accounts):
            return self.accounts[row]
        self.notify("Chưa có tài khoản nào được chọn.")
        return None

    def _changed(self, result: object | None, text: str) -> None:
        if result is not None:
            self.notify(text, title="Tài khoản")
            self.action_reload()

    def action_add(self) -> None:
        """A new account (the form asks for a login when saving if nobody is logged in)."""
        self.app.push_screen(
            AddAccountScreen(first=not self.accounts),
            lambda info: self._changed(info, f"Đã thêm tài khoản «{info.username}»." if info else ""),
        )

    def action_role(self) -> None:
        """Another role for the highlighted account."""
        account = self._current()
        if account is not None:
            self.app.push_screen(
                RoleScreen(account),
                lambda info: self._changed(
                    info, f"«{info.username}» giờ có vai trò {info.role.label}." if info else ""
                ),
            )

    def action_reset_password(self) -> None:
        """A new password for the highlighted account (an admin's reset)."""
        account = self._current()
        if account is not None:
            self.app.push_screen(
                PasswordScreen(account.username, own=False),
                lambda name: self._changed(name, f"Đã đặt lại mật khẩu cho «{name}»."),
            )

    def action_toggle_disabled(self) -> None:
        """Disable the highlighted account, or enable it again (confirmed)."""
        account = self._current()
        if account is None:
            return
        disabled = not account.disabled
        verb = "Khóa" if disabled else "Mở lại"
        question = (
            f"Khóa tài khoản «{account.username}» ({account.full_name})? Người này sẽ không đăng nhập được; "
            "lịch sử vẫn giữ tên."
            if disabled
            else f"Mở lại tài khoản «{account.username}» ({account.full_name})?"
        )
        self._confirmed(
            f"{verb} tài khoản cần tài khoản quản trị: đăng nhập để tiếp tục.",
            question,
            lambda actor, backend: backend.set_disabled(actor, account.username, disabled=disabled),
            f"Đã {verb.lower()} tài khoản «{account.username}».",
        )

    def action_unlock(self) -> None:
        """Lift the highlighted account's lockout after wrong passwords (confirmed)."""
        account = self._current()
        if account is None:
            return
        self._confirmed(
            "Mở tạm khóa cần tài khoản quản trị: đăng nhập để tiếp tục.",
            f"Mở tạm khóa cho «{account.username}» ngay (không chờ hết giờ khóa)?",
            lambda actor, backend: backend.unlock_account(actor, account.username),
            f"Đã mở tạm khóa «{account.username}»: có thể đăng nhập lại ngay.",
        )

    def _confirmed(
        self, reason: str, question: str, call: Callable[[Actor, StationBackend], object], notice: str
    ) -> None:
        """Log in if needed, ask ``question``, then make the change as that person."""

        def ask(actor: Actor) -> None:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.run_call(
                        lambda backend: call(actor, backend), lambda _r: AccountChanged(notice), group="change"
                    )

            self.app.push_screen(ConfirmScreen(question), answered)

        self.station_app.with_actor(reason, ask)

    def on_account_changed(self, message: AccountChanged) -> None:
        """Say it, and read the list again."""
        self.notify(message.text, title="Tài khoản")
        self.action_reload()
