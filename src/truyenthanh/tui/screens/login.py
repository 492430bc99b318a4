"""Đăng nhập: who the content-changing actions of this session act for."""

from __future__ import annotations

from typing import Any, Protocol

from textual.app import ComposeResult
from textual.widgets import Input, Label

from truyenthanh.domain.accounts import Actor
from truyenthanh.tui.widgets.form import FormRejected, FormScreen


class Authenticator(Protocol):
    """What the login asks of a backend: the station's (``StationBackend``) or the hub's (``HubBackend``)."""

    def login(self, username: str, password: str) -> Actor:
        """The account's person if the password is right.

        Raises:
            LoginError: wrong name or password, a disabled account, or no account at all.
        """
        ...


class LoginScreen(FormScreen[Actor]):
    """Username and password; a wrong one is said and the username stays."""

    HEADING = "Đăng nhập để tiếp tục"
    SAVE_LABEL = "Đăng nhập (Ctrl+S)"

    def __init__(self, backend: Authenticator, reason: str) -> None:
        """``reason`` says what the operator was about to do."""
        super().__init__()
        self._backend = backend
        self._reason = reason

    def fields(self) -> ComposeResult:
        """Why, username, password."""
        yield Label(self._reason)
        yield Label("Tên đăng nhập")
        yield Input(id="login-username")
        yield Label("Mật khẩu")
        yield Input(password=True, id="login-password")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the username goes to the password; in the password, logs in."""
        if event.input.id == "login-username":
            self.query_one("#login-password", Input).focus()
        else:
            self.action_save()

    def collect(self) -> dict[str, Any]:
        """Read the fields."""
        return {
            "username": self.query_one("#login-username", Input).value,
            "password": self.query_one("#login-password", Input).value,
        }

    def save(self, values: dict[str, Any]) -> Actor:
        """Check the password.

        Raises:
            LoginError: wrong name or password, a disabled account, or no account at all.
        """
        return self._backend.login(values["username"], values["password"])

    def on_form_rejected(self, _message: FormRejected) -> None:
        """Clear the password after a refusal (the username stays)."""
        self.query_one("#login-password", Input).value = ""
