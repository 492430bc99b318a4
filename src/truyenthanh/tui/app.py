"""TruyenthanhApp: the operator's TUI. It receives its backend through its constructor and never plays audio."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from truyenthanh.adapters.preview import PreviewPlayer
from truyenthanh.domain.accounts import Actor
from truyenthanh.errors import TruyenthanhError
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.keys import describe_key
from truyenthanh.tui.screens.announcements import AnnouncementsScreen
from truyenthanh.tui.screens.help import HelpScreen
from truyenthanh.tui.screens.library import LibraryScreen
from truyenthanh.tui.screens.log import LogScreen
from truyenthanh.tui.screens.login import LoginScreen
from truyenthanh.tui.screens.programmes import ProgrammesScreen
from truyenthanh.tui.screens.schedule import ScheduleScreen
from truyenthanh.tui.screens.today import TodayScreen


class TruyenthanhApp(App[None]):
    """The station's operator console: one mode per screen, switched with the function keys."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it too
    TITLE = "Truyền thanh"
    ENABLE_COMMAND_PALETTE = False
    MODES: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {  # type: ignore[assignment]
        "today": TodayScreen,
        "library": LibraryScreen,
        "programmes": ProgrammesScreen,
        "schedule": ScheduleScreen,
        "announcements": AnnouncementsScreen,
        "log": LogScreen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Trợ giúp", priority=True),
        Binding("f2", "switch_mode('today')", "Hôm nay", show=False, priority=True),
        Binding("f3", "switch_mode('library')", "Thư viện", show=False, priority=True),
        Binding("f4", "switch_mode('programmes')", "Chương trình", show=False, priority=True),
        Binding("f5", "switch_mode('schedule')", "Lịch phát", show=False, priority=True),
        Binding("f6", "switch_mode('announcements')", "Thông báo", show=False, priority=True),
        Binding("f7", "switch_mode('log')", "Nhật ký", show=False, priority=True),
        Binding("ctrl+q", "quit", "Thoát", priority=True),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(self, backend: StationBackend) -> None:
        """``backend`` is the station facade (built from the bootstrap container)."""
        super().__init__()
        self.backend = backend
        self.station_name = ""
        """The station's name, read once at start."""
        self.actor: Actor | None = None
        """Who content-changing actions act for (set at the first login)."""
        self.preview = PreviewPlayer()
        """Plays files for the operator to check, in a separate process."""
        self.daemon_up: bool | None = None
        """Whether the daemon answered last time it was asked (``None``: not asked yet)."""

    @property
    def available_modes(self) -> tuple[str, ...]:
        """The screens this app has."""
        return tuple(self.MODES)

    def on_mount(self) -> None:
        """Open on today's screen."""
        self.station_name = self.backend.station_name()
        self.switch_mode("today")

    def get_key_display(self, binding: Binding) -> str:
        """Keys as the operator reads them: ``Ctrl+S``, ``F9``, ``Esc``."""
        return binding.key_display or describe_key(binding.key)

    def action_help(self) -> None:
        """Show every key that works here."""
        if isinstance(self.screen, HelpScreen):
            return
        app_keys: list[tuple[str, str]] = []
        screen_keys: list[tuple[str, str]] = []
        for key, active in self.active_bindings.items():
            binding = active.binding
            if not binding.description or (active.node is not self and not binding.show):
                continue
            target = app_keys if active.node is self else screen_keys
            target.append((key, binding.description))
        sections = [("Mọi màn hình", app_keys)]
        if screen_keys:
            sections.append((f"Màn hình «{getattr(self.screen, 'TITLE', '')}»", screen_keys))
        self.push_screen(HelpScreen(sections))

    def with_actor(self, reason: str, then: Callable[[Actor], object]) -> None:
        """Run ``then`` for the logged-in person, asking for a login first if nobody is logged in.

        In single-operator mode the station's named operator acts without a login.
        """
        if self.actor is None and self.backend.container.settings.single_operator:
            try:
                self.actor = self.backend.container.accounts.single_operator_actor()
            except TruyenthanhError as exc:
                self.notify(exc.message, title=exc.title, severity="error", timeout=10)
                return
        if self.actor is not None:
            then(self.actor)
            return

        def logged_in(actor: Actor | None) -> None:
            if actor is not None:
                self.actor = actor
                self.notify(f"Xin chào {actor.full_name} ({actor.role.label}).", title="Đã đăng nhập")
                then(actor)

        self.push_screen(LoginScreen(self.backend, reason), logged_in)

    def on_unmount(self) -> None:
        """Stop any preview still playing."""
        self.preview.stop()

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (an operator may press it by reflex): say how to quit."""
        self.notify("Nhấn Ctrl+Q để thoát chương trình.", title="Thoát?")
