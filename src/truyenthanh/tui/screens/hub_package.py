"""Gửi gói (F3 in the «Tuyến trên» mode): offer a signed ``.ttpkg`` to all or some stations. The path is checked
as it is typed (a package this program reads, signed, and by whom); Ctrl+S sends; then one row per station says
how far it got: sent and not answered yet, imported and approved in advance, waiting for the commune's approver,
or refused with why, updated as the answers arrive."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, ProgressBar, Static

from truyenthanh.domain.accounts import Actor
from truyenthanh.errors import TruyenthanhError
from truyenthanh.tui.hub_backend import PackageCheck
from truyenthanh.tui.screens.hub_base import HubStatusBar
from truyenthanh.tui.screens.hub_sending import HubSendingScreen, SendingFailed, SendingMade, StationChoice
from truyenthanh.tui.widgets.keyhints import KeyHints


class PackageChecked(Message):
    """The typed path was checked: ``check`` when it is a package to offer, else ``problem`` says why not."""

    def __init__(self, typed: str, check: PackageCheck | None, problem: str = "") -> None:
        super().__init__()
        self.typed = typed
        self.check = check
        self.problem = problem


class HubPackageScreen(HubSendingScreen):
    """The path, the stations, the answers."""

    TITLE = "Gửi gói"
    DEFAULT_CSS = """
    #pkg-form { height: auto; padding: 0 1; }
    #pkg-info { height: auto; padding: 0 1; }
    #pkg-info.-problem { color: $error; }
    #pkg-info.-ok { color: $success; }
    #pkg-body { height: 1fr; }
    #hub-choice { width: 40; height: 1fr; border: round $primary; }
    #hub-answers { width: 1fr; height: 1fr; border: round $secondary; }
    #hub-progress { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Gửi gói", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.check: PackageCheck | None = None
        """The package the path names, once checked (``None``: none, or not one to offer)."""
        self.problem = "Hãy gõ đường dẫn tới gói .ttpkg (ô «Gói»)."
        """What is wrong with the path typed, when :attr:`check` is ``None``."""
        self._checked = ""
        """The path :attr:`check` and :attr:`problem` are about, as typed."""

    def compose(self) -> ComposeResult:
        """Header, the path and what it is, the stations beside the answers, the keys."""
        yield HubStatusBar("package")
        with Vertical(id="pkg-form"):
            yield Label("Gói chương trình đã ký (.ttpkg): gõ đường dẫn đầy đủ")
            yield Input(placeholder="/home/bientap/goi/tin-tinh.ttpkg", id="pkg-path")
            yield Static("Chưa chọn gói.", id="pkg-info")
        yield ProgressBar(id="hub-progress", show_eta=False)
        with Horizontal(id="pkg-body"):
            yield StationChoice(id="hub-choice")
            yield DataTable(id="hub-answers", cursor_type="row", zebra_stripes=True)
        yield KeyHints()

    def on_mount(self) -> None:
        """Titles; the cursor in the path."""
        self.query_one("#hub-choice").border_title = "Gửi tới (Space: chọn)"
        self.query_one("#pkg-path", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Check the path as it is typed."""
        if event.input.id == "pkg-path":
            self._check(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the path goes to the stations."""
        if event.input.id == "pkg-path":
            self.query_one("#hub-choice", StationChoice).focus()

    def _check(self, typed: str) -> None:
        def failed(error: TruyenthanhError) -> list[Message]:
            return [PackageChecked(typed, None, error.message)]

        self.run_call(
            lambda backend: backend.check_package(typed),
            lambda check: PackageChecked(typed, check),
            group="pkg-check",
            failed=failed,
        )

    def on_package_checked(self, message: PackageChecked) -> None:
        """Say what the path is, or what is wrong with it (a late answer for an older path is dropped)."""
        if message.typed != self.query_one("#pkg-path", Input).value:
            return
        self.check = message.check
        self._checked = message.typed
        self.problem = message.problem
        info = self.query_one("#pkg-info", Static)
        if message.check is None:
            info.update(message.problem if message.typed.strip() else "Chưa chọn gói.")
        else:
            info.update(message.check.describe())
        info.set_class(message.check is None and bool(message.typed.strip()), "-problem")
        info.set_class(message.check is not None, "-ok")

    def action_send(self) -> None:
        """Send the checked package to the ticked stations (asking for a login first if needed)."""
        check = self.check
        path = self.query_one("#pkg-path", Input)
        if check is None or self._checked != path.value:
            checking = self._checked != path.value
            text = "Đang kiểm tra gói, thử lại sau giây lát." if checking else f"Chưa gửi được: {self.problem}"
            self.notify(text, title=self.TITLE or "", severity="warning" if checking else "error")
            path.focus()
            return
        to = self.chosen()
        if to is None:
            return

        def send(actor: Actor) -> None:
            self.busy(True)

            def failed(error: TruyenthanhError) -> list[Message]:
                return [SendingFailed(error.title, error.message, error.field)]

            self.run_call(
                lambda backend: backend.send_package(actor, check, to),
                SendingMade,
                group="pkg-send",
                failed=failed,
            )

        self.hub_app.with_actor("Gửi gói cần người có quyền nhập gói: đăng nhập để tiếp tục.", send)

    def focus_field(self, field: str | None) -> None:
        """Put the cursor where the refusal points."""
        if field == "package":
            self.query_one("#pkg-path", Input).focus()
        else:
            super().focus_field(field)


__all__ = ["HubPackageScreen", "PackageChecked"]
