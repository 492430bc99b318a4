"""What every screen of the «Tuyến trên» mode shares: its two header lines (the screens to switch to; the hub, the
clock and who acts), blocking calls to the hub's backend in thread workers, and how times are written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar, cast

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from truyenthanh.errors import TruyenthanhError
from truyenthanh.tui import formatting
from truyenthanh.tui.hub_app import HUB_SCREENS
from truyenthanh.tui.messages import ActionFailed
from truyenthanh.tui.screens.base import reported

if TYPE_CHECKING:
    from textual.worker import Worker

    from truyenthanh.tui.hub_app import HubApp
    from truyenthanh.tui.hub_backend import HubBackend

ResultT = TypeVar("ResultT")


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


class HubScreen(Screen[None]):
    """A full screen of the hub's app; subclasses call the backend from thread workers and render the result."""

    @property
    def hub_app(self) -> HubApp:
        """The running app, typed."""
        return cast("HubApp", self.app)

    @property
    def backend(self) -> HubBackend:
        """The hub facade the app was built with."""
        return self.hub_app.backend

    def run_call(
        self,
        call: Callable[[HubBackend], ResultT],
        done: Callable[[ResultT], Message | None] | None = None,
        *,
        group: str,
        failed: Callable[[TruyenthanhError], Iterable[Message]] = reported,
    ) -> Worker[None]:
        """Run a blocking call in a thread worker, then post what happened (as
        :meth:`~truyenthanh.tui.screens.base.StationScreen.run_call` does for a station): ``done(result)`` is the
        past-tense message to post, ``failed(error)`` the messages when one of our errors is raised. A new call in
        the same ``group`` cancels the one still running."""

        def work() -> None:
            try:
                result = call(self.backend)
            except TruyenthanhError as exc:
                for message in failed(exc):
                    self.post_message(message)
                return
            succeeded = done(result) if done is not None else None
            if succeeded is not None:
                self.post_message(succeeded)

        return self.run_worker(work, name=group, group=group, exclusive=True, thread=True)

    def on_action_failed(self, message: ActionFailed) -> None:
        """Show the error to the operator; what they typed stays where it was."""
        message.stop()
        self.notify(message.text, title=message.title, severity="error", timeout=10)


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
