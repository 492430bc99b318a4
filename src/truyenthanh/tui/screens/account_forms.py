"""Forms of the "Tài khoản" screen: a new account, another role, a new password (one's own or, for an admin,
anyone's)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from truyenthanh.domain.enums import Role
from truyenthanh.errors import LoginError
from truyenthanh.services.accounts import UserInfo
from truyenthanh.tui.widgets.acting_form import ActingForm, FieldError
from truyenthanh.tui.widgets.form import FormScreen


def _roles() -> list[tuple[str, Role]]:
    """The roles as a Select offers them: ``Quản trị (admin)`` …"""
    return [(f"{role.label} ({role.value})", role) for role in Role]


def _new_password(form: ActingForm[Any]) -> str:
    """The new password typed twice, or an error naming the field that is wrong."""
    password = form.query_one("#password-new", Input).value
    again = form.query_one("#password-again", Input).value
    if not password:
        raise FieldError("Hãy gõ mật khẩu mới (ô «Mật khẩu mới»).", "password")
    if password != again:
        raise FieldError("Hai lần gõ mật khẩu không giống nhau (ô «Gõ lại mật khẩu»).", "password_again")
    return password


def _password_fields() -> ComposeResult:
    yield Label("Mật khẩu mới (ít nhất 8 ký tự)")
    yield Input(password=True, id="password-new")
    yield Label("Gõ lại mật khẩu")
    yield Input(password=True, id="password-again")


class AddAccountScreen(ActingForm[UserInfo]):
    """A new account: username, full name, role, password typed twice. An admin saves it; the station's first
    account (an admin) is saved without a login, since nobody could log in yet."""

    HEADING = "Thêm tài khoản"
    REASON = "Thêm tài khoản cần tài khoản quản trị: đăng nhập để tiếp tục."
    FIELDS: ClassVar[dict[str, str]] = {
        "username": "#account-username",
        "full_name": "#account-full-name",
        "role": "#account-role",
        "password": "#password-new",
        "password_again": "#password-again",
    }

    def __init__(self, *, first: bool = False) -> None:
        """``first``: the station has no account yet (this one must be an admin)."""
        super().__init__()
        self.first = first
        if first:
            self.HEADING = "Tài khoản quản trị đầu tiên của đài"

    def fields(self) -> ComposeResult:
        """Username, full name, role, password twice."""
        yield Label("Tên đăng nhập (không dấu, ví dụ: nguyenvana)")
        yield Input(id="account-username")
        yield Label("Họ tên đầy đủ (ghi vào nhật ký và biên bản duyệt)")
        yield Input(id="account-full-name")
        yield Label("Vai trò")
        first_role = Role.ADMIN if self.first else Role.OPERATOR
        yield Select(_roles(), value=first_role, allow_blank=False, id="account-role")
        yield from _password_fields()

    def collect(self) -> dict[str, Any]:
        """Read the fields.

        Raises:
            FieldError: no username, or the two passwords differ.
        """
        username = self.query_one("#account-username", Input).value.strip()
        if not username:
            raise FieldError("Hãy gõ tên đăng nhập (ô «Tên đăng nhập»).", "username")
        return {
            "username": username,
            "full_name": self.query_one("#account-full-name", Input).value,
            "role": self.query_one("#account-role", Select).value,
            "password": _new_password(self),
        }

    def action_save(self) -> None:
        """Save as the logged-in admin; the first account without a login."""
        if self.first:
            FormScreen.action_save(self)
        else:
            super().action_save()

    def save(self, values: dict[str, Any]) -> UserInfo:
        """Create the account as the logged-in admin (nobody, for the first one)."""
        return self.backend.add_account(self.actor, **values)


class RoleScreen(ActingForm[UserInfo]):
    """Another role for one account."""

    REASON = "Đổi vai trò cần tài khoản quản trị: đăng nhập để tiếp tục."
    FIELDS: ClassVar[dict[str, str]] = {"role": "#account-role"}

    def __init__(self, account: UserInfo) -> None:
        """``account`` as the list shows it."""
        super().__init__()
        self.account = account
        self.HEADING = f"Vai trò của «{account.username}» ({account.full_name})"

    def fields(self) -> ComposeResult:
        """The role."""
        yield Label("Vai trò mới")
        yield Select(_roles(), value=self.account.role, allow_blank=False, id="account-role")

    def collect(self) -> dict[str, Any]:
        """Read the role."""
        return {"role": self.query_one("#account-role", Select).value}

    def save(self, values: dict[str, Any]) -> UserInfo:
        """Give the account the role, as the logged-in admin."""
        assert self.actor is not None
        return self.backend.set_role(self.actor, self.account.username, values["role"])


class PasswordScreen(ActingForm[str]):
    """A new password: one's own (the current one asked first), or another account's (an admin resets it)."""

    FIELDS: ClassVar[dict[str, str]] = {
        "current": "#password-current",
        "password": "#password-new",
        "password_again": "#password-again",
    }

    def __init__(self, username: str, *, own: bool) -> None:
        """``username`` whose password changes; ``own``: it is the logged-in person's (who types the old one)."""
        super().__init__()
        self.username = username
        self.own = own
        self.HEADING = "Đổi mật khẩu của mình" if own else f"Đặt lại mật khẩu cho «{username}»"
        self.REASON = "Đặt lại mật khẩu cần tài khoản quản trị: đăng nhập để tiếp tục."

    def fields(self) -> ComposeResult:
        """The current password (one's own only), then the new one twice."""
        if self.own:
            yield Label(f"Mật khẩu hiện tại của «{self.username}»")
            yield Input(password=True, id="password-current")
        yield from _password_fields()

    def collect(self) -> dict[str, Any]:
        """Read the passwords.

        Raises:
            FieldError: the two new passwords differ, or the current one is missing.
        """
        current = self.query_one("#password-current", Input).value if self.own else ""
        if self.own and not current:
            raise FieldError("Hãy gõ mật khẩu hiện tại (ô «Mật khẩu hiện tại»).", "current")
        return {"current": current, "password": _new_password(self)}

    def save(self, values: dict[str, Any]) -> str:
        """Check the current password (own change), then set the new one; returns the username."""
        assert self.actor is not None
        if self.own:
            try:
                self.backend.login(self.username, values["current"])
            except LoginError as exc:
                raise LoginError(f"Mật khẩu hiện tại: {exc.message}", field="current") from exc
        self.backend.set_password(self.actor, self.username, values["password"])
        return self.username
