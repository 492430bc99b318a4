"""The signing key's passphrase on the command line: asked for (hidden) when a person is at the keyboard, read
from ``--passphrase-file`` or ``TRUYENTHANH_KEY_PASSPHRASE`` in scripts.

Where it comes from, first found wins: ``--passphrase-file``, ``TRUYENTHANH_KEY_PASSPHRASE``, the setting
``key_passphrase_file``, the keyboard (only when stdin is a terminal). A command that signs checks the
passphrase before it changes anything, so a wrong one leaves every file as it was.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from truyenthanh.errors import PackageError
from truyenthanh.services.keys import KeyService

F = TypeVar("F", bound=Callable[..., object])

ENV = "TRUYENTHANH_KEY_PASSPHRASE"
"""The passphrase itself, for scripts (read by :mod:`truyenthanh.bootstrap` too)."""

FIELDS = {"passphrase": "--passphrase-file", "passphrase_file": "--passphrase-file"}
"""Error fields to the option, for :class:`~truyenthanh.cli.flags.OptionNames`."""

ATTEMPTS = 3
"""How many times a new passphrase may be typed twice differently before the command gives up."""


def passphrase_file_option(command: F) -> F:
    """``--passphrase-file``: where a script keeps the key's passphrase (its first line)."""
    option = click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Đọc mật khẩu của khóa từ tệp này (dòng đầu), thay vì hỏi; hoặc đặt biến {ENV}.",
    )
    return option(command)


def interactive() -> bool:
    """Whether a person can be asked: stdin is a terminal."""
    return sys.stdin.isatty()


def unlock(keys: KeyService, key_name: str | None, passphrase_file: Path | None) -> None:
    """Make ``keys`` able to sign with the own key (the only one, if ``key_name`` is not given): read
    ``passphrase_file`` or ask, check the passphrase at once, and hand it to the service. A key without a
    passphrase, or one the process already has the passphrase of, needs nothing.

    Raises:
        PackageError: the passphrase file cannot be read, or the passphrase is wrong (nothing changed yet); the
            key is locked and no one can be asked (the message says which options give the passphrase).
        NotFoundError: no such key.
    """
    if passphrase_file is not None:
        given: str | None = keys.read_passphrase_file(passphrase_file)
    elif not keys.needs_passphrase(key_name):
        return
    elif interactive():
        given = click.prompt(f"Mật khẩu của khóa «{keys.own(key_name).name}»", hide_input=True, err=True)
    else:
        given = None  # the service says the key is locked and how to give the passphrase
    keys.private_key(key_name, passphrase=given)
    keys.use_passphrase(given)


def new_passphrase(
    passphrase_file: Path | None, *, none: bool, keys: KeyService, what: str, use_env: bool = True
) -> str | None:
    """The passphrase to protect a key with: ``None`` for none (``none``: ``--no-passphrase``/``--remove``), else
    ``passphrase_file``'s, else ``TRUYENTHANH_KEY_PASSPHRASE``, else typed twice (hidden; empty: none). With no
    one to ask and nothing given: ``None``, and a note on stderr says so.

    Args:
        passphrase_file: ``--passphrase-file`` (or the command's option for the new passphrase).
        none: the person asked for no passphrase.
        keys: reads the file.
        what: the key, as named in the questions (``khóa «Đài xã Tân Lập»``).
        use_env: whether ``TRUYENTHANH_KEY_PASSPHRASE`` counts (not when it holds the current passphrase).

    Raises:
        PackageError: the file cannot be read, or the passphrase was typed differently twice, three times.
    """
    if none:
        return None
    if passphrase_file is not None:
        return keys.read_passphrase_file(passphrase_file)
    if use_env and os.environ.get(ENV):
        return os.environ[ENV]
    if not interactive():
        click.echo(
            f"Lưu ý: {what} không có mật khẩu (không có bàn phím để hỏi; dùng --passphrase-file để đặt).", err=True
        )
        return None
    for _ in range(ATTEMPTS):
        first: str = click.prompt(
            f"Mật khẩu mới cho {what} (để trống: không đặt)", default="", show_default=False, hide_input=True, err=True
        )
        if not first:
            return None
        again: str = click.prompt("Nhập lại mật khẩu", default="", show_default=False, hide_input=True, err=True)
        if again == first:
            return first
        click.echo("Hai lần nhập không khớp; nhập lại.", err=True)
    raise PackageError("Hai lần nhập mật khẩu không khớp; chưa thay đổi gì.", field="passphrase")


__all__ = ["ENV", "FIELDS", "interactive", "new_passphrase", "passphrase_file_option", "unlock"]
