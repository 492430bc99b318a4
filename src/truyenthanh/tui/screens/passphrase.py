"""The signing key's passphrase, asked in a modal with hidden input: to open a locked key before the TUI signs
(checked at once, the error shown in the dialog, which stays open), or twice for a new key.

Use :func:`with_unlocked_key` wherever the TUI signs: it asks only when the key is locked and the process was not
given the passphrase (``TRUYENTHANH_KEY_PASSPHRASE``, ``key_passphrase_file``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from truyenthanh.errors import TruyenthanhError

if TYPE_CHECKING:
    from textual.app import App


class KeyUnlocker(Protocol):
    """What :func:`with_unlocked_key` needs from a TUI backend (the station's
    :class:`~truyenthanh.tui.backend.StationBackend` has it; a hub's backend delegates the same three calls to its
    key service)."""

    def key_needs_passphrase(self) -> bool:
        """Whether signing needs a passphrase the process was not given."""
        ...

    def own_key_name(self) -> str:
        """The own key's name, for the dialog's heading."""
        ...

    def unlock_key(self, passphrase: str) -> None:
        """Check ``passphrase`` and sign with it from now on; raise a :class:`TruyenthanhError` if it is wrong."""
        ...


class PassphraseScreen(ModalScreen[str | None]):
    """Hidden input for a key's passphrase. Enter gives it, Esc gives up (``None``).

    To open a key (``check`` given): the passphrase is checked on Enter; a wrong one is told in the dialog, which
    stays open. For a new key (``new``): typed twice; empty twice means no passphrase (the result is ``""``).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Hủy")]

    def __init__(self, key_name: str, *, check: Callable[[str], None] | None = None, new: bool = False) -> None:
        """Args:
        key_name: the key, as named in the heading.
        check: raises a :class:`~truyenthanh.errors.TruyenthanhError` (Vietnamese message) for a wrong
            passphrase; ``None``: no check.
        new: ask twice, for a new passphrase.
        """
        super().__init__()
        self._key_name = key_name
        self._check = check
        self._new = new

    def compose(self) -> ComposeResult:
        """Heading, one or two hidden fields, the error line, the keys."""
        with Vertical(classes="form dialog"):
            if self._new:
                yield Label(f"Đặt mật khẩu cho khóa ký «{self._key_name}»", classes="form-heading")
                yield Label("Mật khẩu (để trống: không đặt)")
                yield Input(password=True, id="passphrase")
                yield Label("Nhập lại mật khẩu")
                yield Input(password=True, id="passphrase-again")
            else:
                yield Label(f"Khóa ký «{self._key_name}» được bảo vệ bằng mật khẩu", classes="form-heading")
                yield Label("Mật khẩu của khóa")
                yield Input(password=True, id="passphrase")
            yield Label("", id="passphrase-error", classes="form-error")
            yield Label("Enter: xong   Esc: hủy", classes="dialog-hint")

    def on_mount(self) -> None:
        """Focus the first field."""
        self.query_one("#passphrase", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: move to the second field, or check and give the passphrase."""
        first = self.query_one("#passphrase", Input)
        if self._new:
            again = self.query_one("#passphrase-again", Input)
            if event.input is first:
                again.focus()
                return
            if again.value != first.value:
                self._fail("Hai lần nhập không khớp; nhập lại.")
                first.value = again.value = ""
                first.focus()
                return
            self.dismiss(first.value)
            return
        if not first.value:
            self._fail("Hãy nhập mật khẩu của khóa.")
            return
        if self._check is not None:
            try:
                self._check(first.value)
            except TruyenthanhError as exc:
                self._fail(exc.message)
                first.value = ""
                return
        self.dismiss(first.value)

    def _fail(self, message: str) -> None:
        self.query_one("#passphrase-error", Label).update(message)

    def action_cancel(self) -> None:
        """Close without a passphrase."""
        self.dismiss(None)


def with_unlocked_key(app: App[Any], backend: KeyUnlocker, then: Callable[[], None]) -> None:
    """Run ``then`` (the TUI's signing step) once the own key can sign: at once if it can, else after the
    person typed its passphrase in a :class:`PassphraseScreen` (nothing runs if they give up). A problem with
    the key itself (none, several, a passphrase file that cannot be read) is shown as an error notification."""
    try:
        needed = backend.key_needs_passphrase()
        name = backend.own_key_name()
    except TruyenthanhError as exc:
        app.notify(exc.message, title=exc.title, severity="error")
        return
    if not needed:
        then()
        return

    def answered(passphrase: str | None) -> None:
        if passphrase is not None:
            then()

    app.push_screen(PassphraseScreen(name, check=backend.unlock_key), answered)


__all__ = ["KeyUnlocker", "PassphraseScreen", "with_unlocked_key"]
