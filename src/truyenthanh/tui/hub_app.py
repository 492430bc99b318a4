"""HubApp: the TUI's «Tuyến trên» mode, for the operator of an upstream office (issue 19). It receives its
:class:`~truyenthanh.tui.hub_backend.HubBackend` through its constructor and talks to nothing else.

Four screens, switched with the function keys: «Trạm» (the stations and their health), «Gửi gói» (offer a signed
package), «Khẩn cấp» (send or cancel an emergency) and «Báo cáo» (the province's half-year report).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from truyenthanh.domain.accounts import Actor
from truyenthanh.errors import LoginError, TruyenthanhError
from truyenthanh.tui.hub_backend import HubBackend
from truyenthanh.tui.keys import describe_key
from truyenthanh.tui.messages import ActionFailed
from truyenthanh.tui.screens.help import show_key_help
from truyenthanh.tui.screens.login import LoginScreen
from truyenthanh.tui.screens.passphrase import with_unlocked_key

HUB_SCREENS = (
    ("f2", "stations", "Trạm"),
    ("f3", "package", "Gửi gói"),
    ("f4", "emergency", "Khẩn cấp"),
    ("f5", "reports", "Báo cáo"),
)
"""Function key, mode name and Vietnamese title of each screen of the «Tuyến trên» mode."""


def _screen(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A factory for a screen whose module is imported the first time the operator opens it."""

    def make() -> Screen[Any]:
        screen: Screen[Any] = getattr(importlib.import_module(f"truyenthanh.tui.screens.{module}"), name)()
        return screen

    return make


class HubApp(App[None]):
    """The hub operator's console: one mode per screen."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "Truyền thanh: Tuyến trên"
    ENABLE_COMMAND_PALETTE = False
    MODES: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {  # type: ignore[assignment]
        "stations": _screen("hub_stations", "HubStationsScreen"),
        "package": _screen("hub_package", "HubPackageScreen"),
        "emergency": _screen("hub_emergency", "HubEmergencyScreen"),
        "reports": _screen("hub_reports", "HubReportsScreen"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Trợ giúp", priority=True),
        *(Binding(key, f"switch_mode('{mode}')", title, show=False, priority=True) for key, mode, title in HUB_SCREENS),
        Binding("ctrl+l", "login", "Đăng nhập", show=False, priority=True),
        Binding("ctrl+q", "quit", "Thoát", priority=True),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(self, backend: HubBackend | Callable[[], HubBackend]) -> None:
        """``backend`` is the hub facade, or a function that opens it: then it is called in a worker after the
        first frame, so the screen appears before the database layer is loaded."""
        super().__init__()
        self._backend: HubBackend | None = None
        self._open_backend: Callable[[], HubBackend] | None = None
        self._backend_opened = threading.Event()
        self._backend_error: TruyenthanhError | None = None
        if callable(backend):
            self._open_backend = backend
        else:
            self._backend = backend
            self._backend_opened.set()

    @property
    def backend(self) -> HubBackend:
        """The hub facade; while it is being opened this waits for it (workers use it; the UI thread asks
        :attr:`backend_ready` first).

        Raises:
            TruyenthanhError: the hub could not be opened (the reason, in Vietnamese).
        """
        self._backend_opened.wait()
        if self._backend is None:
            assert self._backend_error is not None
            raise self._backend_error
        return self._backend

    @property
    def backend_ready(self) -> bool:
        """Whether :attr:`backend` answers without waiting."""
        return self._backend is not None

    @property
    def backend_failed(self) -> bool:
        """Whether opening the hub failed (the reason was shown)."""
        return self._backend_error is not None

    def on_mount(self) -> None:
        """Open on «Trạm»; the hub is opened by a worker after the first frame."""
        self.switch_mode("stations")
        self._connect()

    @work(thread=True, exclusive=True, group="hub-open")
    def _connect(self) -> None:
        if self._open_backend is not None and not self._backend_opened.is_set():
            try:
                self._backend = self._open_backend()
            except TruyenthanhError as exc:
                self._backend_error = exc
                self.post_message(ActionFailed(exc.title, exc.message + " Thoát bằng Ctrl+Q."))
                return
            finally:
                self._backend_opened.set()

    def on_action_failed(self, message: ActionFailed) -> None:
        """Show an error that no screen handled."""
        self.notify(message.text, title=message.title, severity="error", timeout=15)

    # --- who acts -------------------------------------------------------------------------------------------

    def action_login(self) -> None:
        """Log in (or in as someone else): the sendings that follow act for that person."""
        self._login("Đăng nhập để gửi xuống các đài.", lambda _actor: None)

    def _login(self, reason: str, then: Callable[[Actor], object]) -> None:
        def logged_in(actor: Actor | None) -> None:
            if actor is not None:
                self.backend.actor = actor
                self.notify(f"Xin chào {actor.full_name} ({actor.role.label}).", title="Đã đăng nhập")
                then(actor)

        self.push_screen(LoginScreen(self.backend, reason), logged_in)

    def with_actor(self, reason: str, then: Callable[[Actor], object]) -> None:
        """Run ``then`` for the logged-in person, asking for a login first if nobody is (in single-operator mode
        the named operator acts without one)."""
        try:
            actor = self.backend.acting()
        except LoginError:
            self._login(reason, then)
            return
        except TruyenthanhError as exc:
            self.notify(exc.message, title=exc.title, severity="error", timeout=10)
            return
        then(actor)

    def with_signer(self, reason: str, then: Callable[[Actor], None]) -> None:
        """As :meth:`with_actor`, then with the hub's own key unlocked (its passphrase asked for once if the key
        has one and the hub was not given it): every sending is signed with that key."""
        self.with_actor(reason, lambda actor: with_unlocked_key(self, self.backend, lambda: then(actor)))

    # --- keys -----------------------------------------------------------------------------------------------

    def get_key_display(self, binding: Binding) -> str:
        """Keys as the operator reads them: ``Ctrl+S``, ``F2``, ``Esc``."""
        return binding.key_display or describe_key(binding.key)

    def action_help(self) -> None:
        """Show every key that works here."""
        show_key_help(self)

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (an operator may press it by reflex): say how to quit."""
        self.notify("Nhấn Ctrl+Q để thoát chương trình.", title="Thoát?")


__all__ = ["HUB_SCREENS", "HubApp"]
