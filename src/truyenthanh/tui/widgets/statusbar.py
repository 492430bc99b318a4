"""The two lines at the top of every screen: the screens to switch to, and station, clock, daemon state and who
is logged in. Both fit an 80-column terminal: the navigation shows keys only, except the current screen's name,
when the names do not fit, and the station's name gives way before the clock, the daemon state and the person.
Below :data:`NARROW` columns (a phone's browser) the station's name and the person's role are left out, and F9
KHẨN CẤP stays on screen whatever else has to go."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.markup import escape
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
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
    ("f10", "accounts", "Tài khoản"),
    ("f11", "rules", "Quy định"),
    ("f12", "lexicon", "Từ điển đọc"),
)
"""Function key, mode name and Vietnamese title of each screen, in the order of the keys."""

WIDE = 110
"""From this many columns the station line says things in full; below, in short."""

NARROW = 60
"""Below this many columns the screens use their narrow layout (the ``-narrow`` class on the screen)."""

NOBODY = "Chưa đăng nhập"
"""What the header says when nobody is logged in."""


def navigation(current: str, modes: tuple[str, ...], width: int, *, emergency: bool = True) -> str:
    """The navigation line's markup for a terminal ``width`` columns wide: every screen's key and name when they
    fit, else the keys with only the current screen's name, then "F1 Trợ giúp" shortened to "F1", then the keys
    alone (the current one highlighted); F9 KHẨN CẤP always in full, and moved to the front when even the keys
    alone do not fit (what does not fit is then cut at the right edge)."""
    emergency_link = "[bold white on red][@click=app.emergency]F9 KHẨN CẤP[/][/]"
    line = ""
    # (names of the other screens, "F1 Trợ giúp" in full, the current screen's name, F9 first)
    for full, long_help, current_name, emergency_first in (
        (True, True, True, False),
        (False, True, True, False),
        (False, False, True, False),
        (False, False, False, False),
        (False, False, False, True),
    ):
        links = []
        for key, mode, title in SCREENS:
            if mode not in modes:
                continue
            named = full or (mode == current and current_name)
            label = f"{key.upper()} {title}" if named else key.upper()
            style = "reverse bold" if mode == current else "bold"
            links.append(f"[{style}][@click=app.switch_mode('{mode}')]{escape(label)}[/][/]")
        if emergency:
            links.insert(0 if emergency_first else len(links), emergency_link)
        links.append(f"[@click=app.help]{'F1 Trợ giúp' if long_help else 'F1'}[/]")
        line = ("  " if full else " ").join(links)
        if Text.from_markup(line).cell_len <= width:
            break
    return line


class StatusBar(Vertical):
    """Navigation (clickable) and the station line, refreshed every second from the app's clock."""

    DEFAULT_CSS = """
    StatusBar { height: 2; dock: top; }
    StatusBar > #nav { height: 1; background: $panel; padding: 0 1; }
    StatusBar > Horizontal { height: 1; background: $primary; color: $text; padding: 0 1; }
    StatusBar #station-line { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    StatusBar #station-state { width: auto; height: 1; text-wrap: nowrap; }
    StatusBar #nav { text-wrap: nowrap; text-overflow: clip; }
    """
    # The narrow layout (the screen's ``-narrow`` class) is in app.tcss: DEFAULT_CSS is scoped to the widget.

    def __init__(self, current: str) -> None:
        """``current`` is the mode name of the screen this bar sits on."""
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        """The navigation line and the station line (the station on the left, its state on the right)."""
        yield Static("", id="nav")
        with Horizontal():
            yield Static("", id="station-line")
            yield Static("", id="station-state")

    def on_mount(self) -> None:
        """Draw now and every second."""
        self._draw_nav(self.app.size.width)
        self.tick()
        self.set_interval(1.0, self.tick)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the navigation to the new width."""
        self._draw_nav(event.size.width)
        self.tick()

    def _draw_nav(self, width: int) -> None:
        station_app = cast("TruyenthanhApp", self.app)
        line = navigation(
            self._current,
            station_app.available_modes,
            width - (2 if width >= NARROW else 0),  # the padding (none when narrow)
            emergency=hasattr(station_app, "action_emergency"),
        )
        self.query_one("#nav", Static).update(line)

    def tick(self) -> None:
        """Redraw the station line from the app's clock and what the app last learned about the daemon."""
        station_app = cast("TruyenthanhApp", self.app)
        station_line = self.query_one("#station-line", Static)
        if not station_app.backend_ready:  # the station is still being opened (first second of a start)
            waiting = "Không mở được dữ liệu của đài." if station_app.backend_failed else "Đang mở dữ liệu của đài…"
            station_line.update(waiting)
            return
        backend = station_app.backend
        now = backend.now()
        width = self.app.size.width
        wide = width >= WIDE
        station_line.update(
            "  │  ".join((station_app.station_name or "Đài truyền thanh", formatting.long_date(now)))
            if wide
            else f"{station_app.station_name or 'Đài truyền thanh'} │ {now:%d/%m}"
        )
        daemon = {
            True: "Dịch vụ phát: đang chạy" if wide else "Phát: đang chạy",
            False: "Dịch vụ phát: KHÔNG CHẠY" if wide else "Phát: KHÔNG CHẠY",
            None: "",
        }[station_app.daemon_up]
        actor = backend.actor
        role = f" ({escape(actor.role.label)})" if actor is not None and width >= NARROW else ""
        person = (
            f"[@click=app.change_password]{escape(actor.full_name)}{role}[/]"
            if actor is not None
            else f"[@click=app.login]{NOBODY}[/]"
        )
        parts = [formatting.clock(now), *([daemon] if daemon else []), person]
        self.query_one("#station-state", Static).update(("  │  " if wide else " │ ").join(parts))
