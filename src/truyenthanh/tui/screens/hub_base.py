"""What every screen of the «Tuyến trên» mode shares: its two header lines (the screens to switch to; the hub, the
clock and who acts), blocking calls to the hub's backend in thread workers, and how times are written."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from truyenthanh.tui import formatting
from truyenthanh.tui.hub_app import HUB_SCREENS
from truyenthanh.tui.screens.base import CallingScreen

if TYPE_CHECKING:
    from truyenthanh.tui.hub_app import HubApp
    from truyenthanh.tui.hub_backend import HubBackend


def hub_navigation(current: str) -> str:
    """The navigation line's markup: each screen's key and name (the current one highlighted), then help."""
    links = []
    for key, mode, title in HUB_SCREENS:
        style = "reverse bold" if mode == current else "bold"
        links.append(f"[{style}][@click=app.switch_mode('{mode}')]{key.upper()} {escape(title)}[/][/]")
    links.append("[@click=app.help]F1 Trợ giúp[/]")
    return "  ".join(links)


def clock_time(moment: datetime | None, now: datetime) -> str:
    """``09:05:12`` today, ``09:05 03/12`` another day, ``—`` for none (both in the hub's zone)."""
    if moment is None:
        return "—"
    return f"{moment:%H:%M:%S}" if moment.date() == now.date() else f"{moment:%H:%M %d/%m}"


class HubStatusBar(Vertical):
    """Navigation (clickable) and the hub line (name, date and clock, who acts), redrawn every second."""

    DEFAULT_CSS = """
    HubStatusBar { height: 2; dock: top; }
    HubStatusBar > #hub-nav { height: 1; background: $panel; padding: 0 1; text-wrap: nowrap; text-overflow: clip; }
    HubStatusBar > Horizontal { height: 1; background: $primary; color: $text; padding: 0 1; }
    HubStatusBar #hub-line { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    HubStatusBar #hub-state { width: auto; height: 1; text-wrap: nowrap; }
    """

    def __init__(self, current: str) -> None:
        """``current`` is the mode name of the screen this bar sits on."""
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        """The navigation, then the hub's name on the left and the clock and who acts on the right (the name gives
        way first on a narrow terminal)."""
        yield Static(hub_navigation(self._current), id="hub-nav")
        with Horizontal():
            yield Static("", id="hub-line")
            yield Static("", id="hub-state")

    def on_mount(self) -> None:
        """Draw now and every second."""
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        """Redraw the hub line."""
        app = cast("HubApp", self.app)
        line = self.query_one("#hub-line", Static)
        if not app.backend_ready:
            line.update("Không mở được dữ liệu của tuyến trên." if app.backend_failed else "Đang mở dữ liệu…")
            return
        backend = app.backend
        now = backend.now()
        actor = backend.actor
        person = (
            f"[@click=app.login]{escape(actor.full_name)} ({escape(actor.role.label)})[/]"
            if actor is not None
            else "[@click=app.login]Chưa đăng nhập[/]"
        )
        line.update(f"Tuyến trên: {escape(backend.name)}")
        self.query_one("#hub-state", Static).update(
            f"  │  {formatting.long_date(now)} {formatting.clock(now)}  │  {person}"
        )


class HubScreen(CallingScreen["HubBackend"]):
    """A full screen of the hub's app; subclasses call the backend from thread workers and render the result."""

    @property
    def hub_app(self) -> HubApp:
        """The running app, typed."""
        return cast("HubApp", self.app)

    @property
    def backend(self) -> HubBackend:
        """The hub facade the app was built with."""
        return self.hub_app.backend


def answer_cell(state: str, words: str) -> Text:
    """An answer's state, coloured: green when done, yellow while waiting, red when refused."""
    style = {
        "applied": "bold green",
        "heard": "bold green",
        "delivered": "green",
        "waiting": "bold yellow",
        "sent": "yellow",
        "refused": "bold red",
        "unknown": "dim",
    }.get(state, "")
    return Text(words, style=style, no_wrap=True, overflow="ellipsis")


__all__ = ["HubScreen", "HubStatusBar", "answer_cell", "clock_time", "hub_navigation"]
