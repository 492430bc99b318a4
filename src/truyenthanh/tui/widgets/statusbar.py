"""The two lines at the top of every screen: the screens to switch to, and station, clock and daemon state."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from truyenthanh.tui import formatting

if TYPE_CHECKING:
    from truyenthanh.tui.app import TruyenthanhApp

SCREENS = (
    ("f2", "today", "Hôm nay"),
    ("f3", "library", "Thư viện"),
    ("f4", "programmes", "Chương trình"),
    ("f5", "schedule", "Lịch phát"),
    ("f6", "announcements", "Thông báo"),
    ("f7", "log", "Nhật ký"),
    ("f8", "approvals", "Chờ duyệt"),
)
"""Function key, mode name and Vietnamese title of each screen, in the order of the keys."""


class StatusBar(Vertical):
    """Navigation (clickable) and the station's clock, refreshed every second from the app's clock."""

    DEFAULT_CSS = """
    StatusBar { height: 2; dock: top; }
    StatusBar > #nav { height: 1; background: $panel; padding: 0 1; }
    StatusBar > #station-line { height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def __init__(self, current: str) -> None:
        """``current`` is the mode name of the screen this bar sits on."""
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        """The navigation line and the station line."""
        station_app = cast("TruyenthanhApp", self.app)
        links = []
        for key, mode, title in SCREENS:
            if mode not in station_app.available_modes:
                continue
            label = f"{key.upper()} {title}"
            style = "reverse bold" if mode == self._current else "bold"
            links.append(f"[{style}][@click=app.switch_mode('{mode}')]{escape(label)}[/][/]")
        if hasattr(station_app, "action_emergency"):
            links.append("[bold white on red][@click=app.emergency]F9 KHẨN CẤP[/][/]")
        links.append("[@click=app.help]F1 Trợ giúp[/]")
        yield Static("  ".join(links), id="nav")
        yield Static("", id="station-line")

    def on_mount(self) -> None:
        """Draw now and every second."""
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        """Redraw the station line from the app's clock and what the app last learned about the daemon."""
        station_app = cast("TruyenthanhApp", self.app)
        if not station_app.backend_ready:  # the station is still being opened (first second of a start)
            waiting = "Không mở được dữ liệu của đài." if station_app.backend_failed else "Đang mở dữ liệu của đài…"
            self.query_one("#station-line", Static).update(waiting)
            return
        now = station_app.backend.now()
        daemon = {True: "Dịch vụ phát: đang chạy", False: "Dịch vụ phát: KHÔNG CHẠY", None: ""}[station_app.daemon_up]
        parts = [station_app.station_name or "Đài truyền thanh", formatting.long_date(now), formatting.clock(now)]
        if daemon:
            parts.append(daemon)
        self.query_one("#station-line", Static).update("  │  ".join(parts))
