"""Who a content-changing command acts for: single-operator mode, environment variables, or a prompt."""

from __future__ import annotations

import os

import click

from truyenthanh.cli.state import CliState
from truyenthanh.domain.accounts import Actor
from truyenthanh.errors import LoginError

USER_ENV = "TRUYENTHANH_USER"
"""Username for scripts (with :data:`PASSWORD_ENV`), instead of the prompt."""
PASSWORD_ENV = "TRUYENTHANH_PASSWORD"
"""Password for scripts."""


def current_actor(state: CliState) -> Actor:
    """Log in the person running the command.

    In single-operator mode (and no ``TRUYENTHANH_USER``) the station's named operator; otherwise the account
    named by ``TRUYENTHANH_USER``/``TRUYENTHANH_PASSWORD``, or asked for at the terminal.

    Raises:
        LoginError: wrong name or password, or a disabled account.
        ConfigError: single-operator mode without the operator's name.
    """
    accounts = state.container().accounts
    username = os.environ.get(USER_ENV)
    if not username and state.settings().single_operator:
        return accounts.single_operator_actor()
    password = os.environ.get(PASSWORD_ENV)
    if (not username or password is None) and not click.get_text_stream("stdin").isatty():
        raise LoginError(
            f"Lệnh này cần đăng nhập: chạy trong cửa sổ dòng lệnh để nhập tên và mật khẩu, hoặc đặt biến môi "
            f"trường {USER_ENV} và {PASSWORD_ENV}."
        )
    if not username:
        username = click.prompt("Tên đăng nhập", err=True)
    if password is None:
        password = click.prompt("Mật khẩu", hide_input=True, err=True)
    return accounts.login(username, password)


def read_new_password(from_stdin: bool) -> str:
    """A new password: one line of standard input (for scripts), or typed twice at the terminal."""
    if from_stdin:
        return click.get_text_stream("stdin").readline().rstrip("\r\n")
    return str(click.prompt("Mật khẩu mới", hide_input=True, confirmation_prompt="Nhập lại mật khẩu mới", err=True))
