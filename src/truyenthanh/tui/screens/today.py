"""Hôm nay: the clock, what is on air, what comes next, today's rundown and the warnings that matter."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Label, Static

from truyenthanh.domain.rundown import AirState, Countdown
from truyenthanh.tui import formatting
from truyenthanh.tui.messages import ActionFailed, ProgrammesLoaded, TodayLoaded
from truyenthanh.tui.screens.base import StationScreen, reported
from truyenthanh.tui.screens.dialogs import ChooseProgrammeScreen, ConfirmScreen
from truyenthanh.tui.widgets.onair import OnAirPanel
from truyenthanh.tui.widgets.statusbar import NARROW, StatusBar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from truyenthanh.domain.accounts import Actor
    from truyenthanh.errors import TruyenthanhError
    from truyenthanh.services.programmes import ProgrammeSummary
    from truyenthanh.tui.backend import RundownEntry, StationBackend, TodayView

STATE_STYLES = {
    AirState.WAITING: "",
    AirState.ON_AIR: "bold green",
    AirState.PLAYED: "dim",
    AirState.LATE: "bold yellow",
    AirState.MISSED: "bold red",
    AirState.FAILED: "bold red",
}

COLUMNS = (("Giờ", 5), ("Buổi", 12), ("Chương trình", 48), ("Thời lượng", 10), ("Trạng thái", 10))
"""The rundown's columns and their fixed widths: the table does not jump about when it is refilled."""

NARROW_COLUMNS = (("Giờ", 5), ("Chương trình", 22), ("Trạng thái", 10))
"""The rundown's columns below :data:`NARROW` columns (a phone): the time, the programme and its state."""


class TodayScreen(StationScreen):
    """The operator's home screen; refreshed every second from a thread worker."""

    TITLE = "Hôm nay"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Làm mới"),
        Binding("p", "play_now", "Phát ngay"),
        Binding("s", "stop", "Dừng phát"),
        Binding("k", "skip", "Bỏ qua mục"),
        Binding("h", "cancel_emergency", "Hủy khẩn cấp"),
    ]

    class AirAnswered(Message):
        """The daemon answered an air command (play now, stop, skip); ``text`` is its answer in Vietnamese."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[RundownEntry, ...] | None = None
        self._refresh: Timer | None = None
        self._acting: Actor | None = None
        self.view: TodayView | None = None
        """The last view rendered (tests read it)."""
        self._failures = threading.Lock()
        self._last_failure = ""
        """The last reading error shown: refreshes that fail the same way do not say it again."""
        self._narrow: bool | None = None
        """Whether the rundown has its narrow columns (``None``: no columns yet)."""

    def compose(self) -> ComposeResult:
        """Status line, on-air and next panels, warnings, then the rundown table."""
        yield StatusBar("today")
        with Horizontal(id="today-top"):
            yield OnAirPanel(id="on-air")
            with Vertical(id="next"):
                yield Label("", id="next-title")
                yield Label("", id="next-countdown")
        yield Static("", id="emergency-banner")
        yield Static("", id="warnings")
        yield DataTable(id="rundown", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Set up the table and start the one-second refresh."""
        self.query_one("#next", Vertical).border_title = "Tiếp theo"
        self.query_one("#rundown", DataTable).border_title = "Lịch phát hôm nay"
        self._fit_columns()
        self.action_reload()
        self._refresh = self.set_interval(1.0, self.action_reload)

    def on_resize(self, _event: events.Resize) -> None:
        """Crossing :data:`NARROW` columns switches the rundown between its narrow and full columns."""
        self._fit_columns()

    def _fit_columns(self) -> None:
        narrow = self.app.size.width < NARROW
        if narrow == self._narrow:
            return
        self._narrow = narrow
        table = self.query_one("#rundown", DataTable)
        table.clear(columns=True)
        for label, width in NARROW_COLUMNS if narrow else COLUMNS:
            table.add_column(label, width=width)
        if self._shown is not None:
            self._fill(self._shown)

    def on_screen_suspend(self) -> None:
        """Stop refreshing while another screen is shown: its keys must not wait behind this one's reads."""
        if self._refresh is not None:
            self._refresh.pause()

    def on_screen_resume(self) -> None:
        """Shown again: refresh now and every second."""
        if self._refresh is not None:
            self._refresh.resume()
            self.action_reload()

    # --- air control: each asks who acts, then for a confirmation, and shows the daemon's answer ---------------

    def action_play_now(self) -> None:
        """Choose a programme and put it on air now (after a confirmation)."""
        self.station_app.with_actor("Phát ngay cần biết ai ra lệnh: đăng nhập để tiếp tục.", self._choose_programme)

    def _choose_programme(self, actor: Actor) -> None:
        self._acting = actor
        self.run_call(lambda backend: backend.programmes.list(), ProgrammesLoaded, group="today-programmes")

    def on_programmes_loaded(self, message: ProgrammesLoaded) -> None:
        """Offer the programmes to play now."""
        if not message.programmes:
            self.notify("Chưa có chương trình nào để phát: tạo ở màn hình Chương trình (F4).", severity="warning")
            return

        def chosen(programme: ProgrammeSummary | None) -> None:
            if programme is None:
                return
            warning = "" if programme.status.value in ("approved", "aired") else " Chương trình CHƯA ĐƯỢC DUYỆT."
            self._confirm(
                f"Phát ngay «{programme.title}» ({formatting.duration(programme.total_s)}) ra loa?{warning}",
                lambda backend, actor: backend.play_now(actor, programme),
            )

        self.app.push_screen(ChooseProgrammeScreen(message.programmes), chosen)

    def action_stop(self) -> None:
        """Stop what is on air and clear the queue (after a confirmation)."""
        if self.view is not None and self.view.on_air is None:
            self.notify("Không có gì đang phát.")
            return
        self.station_app.with_actor(
            "Dừng phát cần biết ai ra lệnh: đăng nhập để tiếp tục.",
            lambda actor: self._confirm_for(
                actor, "Dừng phát ngay và bỏ phần còn lại của buổi phát?", lambda b, a: b.stop_air(a)
            ),
        )

    def action_skip(self) -> None:
        """Skip the item on air; the programme goes on with its next item (after a confirmation)."""
        if self.view is not None and self.view.on_air is None:
            self.notify("Không có gì đang phát.")
            return
        title = self.view.on_air.title if self.view is not None and self.view.on_air is not None else ""
        self.station_app.with_actor(
            "Bỏ qua mục cần biết ai ra lệnh: đăng nhập để tiếp tục.",
            lambda actor: self._confirm_for(
                actor, f"Bỏ qua mục đang phát «{title}» và phát mục tiếp theo?", lambda b, a: b.skip_item(a)
            ),
        )

    def _confirm_for(self, actor: Actor, question: str, command: Callable[[StationBackend, Actor], str]) -> None:
        self._acting = actor
        self._confirm(question, command)

    def _confirm(self, question: str, command: Callable[[StationBackend, Actor], str]) -> None:
        actor = self._acting
        if actor is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_call(lambda backend: command(backend, actor), self.AirAnswered, group="today-air")

        self.app.push_screen(ConfirmScreen(question), answered)

    def on_today_screen_air_answered(self, message: AirAnswered) -> None:
        """Show the daemon's answer and what is on air now."""
        self.notify(message.text, title="Dịch vụ phát")
        self._load()

    def action_cancel_emergency(self) -> None:
        """Stop repeating the emergency bulletin."""
        if self.view is None or self.view.emergency is None:
            self.notify("Không có phát khẩn cấp nào đang chạy.")
            return
        self.station_app.with_actor("Hủy phát khẩn cấp cần biết ai ra lệnh: đăng nhập để tiếp tục.", self._cancel)

    def _cancel(self, actor: Actor) -> None:
        self.run_call(
            lambda backend: backend.cancel_emergency(actor),
            lambda _cancelled: self._load(),  # thread-safe: it starts a worker through the app
            group="emergency-cancel",
        )

    def action_reload(self) -> None:
        """Read the rundown again now (unless the station could not be opened or is too old: that was said; or
        whether it is too old is being checked after a failed read, which would only fail again)."""
        app = self.station_app
        if not (app.backend_failed or app.schema_outdated or app.schema_checking):
            self._load()

    def _load(self) -> None:
        def failed(error: TruyenthanhError) -> Iterable[Message]:
            # When the station did not open, the app has said why; a refresh failing as the last one did (two
            # readings in flight at start, say) would only say the same again.
            with self._failures:
                repeated, self._last_failure = error.message == self._last_failure, error.message
            return () if self.station_app.backend_failed or repeated else reported(error)

        self.run_call(lambda backend: backend.today(), TodayLoaded, group="today", failed=failed)

    def on_action_failed(self, _message: ActionFailed) -> None:
        """A database that cannot be read may be one older than this program: check it (Textual also runs the
        base class's handler, which shows the error)."""
        self.station_app.check_schema_once()

    def on_today_loaded(self, message: TodayLoaded) -> None:
        """Render a fresh view."""
        self._last_failure = ""
        view = message.view
        self.view = view
        self.station_app.daemon_up = view.daemon_up
        self.station_app.station_name = view.station_name
        self.query_one(StatusBar).tick()
        self.query_one(OnAirPanel).show(view.on_air)
        upcoming = view.next_entry
        if upcoming is None:
            self.query_one("#next-title", Label).update("Hôm nay không còn buổi phát nào.")
            self.query_one("#next-countdown", Label).update("")
        else:
            self.query_one("#next-title", Label).update(f"{upcoming.start:%H:%M}  {upcoming.title}")
            self.query_one("#next-countdown", Label).update(f"Còn {Countdown.between(view.now, upcoming.start)}")
        banner = self.query_one("#emergency-banner", Static)
        banner.display = view.emergency is not None
        if view.emergency is not None:
            emergency = view.emergency
            left = "đến khi hủy" if emergency.remaining is None else f"còn {emergency.remaining} lần"
            then = f", lần sau lúc {emergency.next_at.astimezone(view.now.tzinfo):%H:%M}" if emergency.next_at else ""
            banner.update(f"KHẨN CẤP: {emergency.title} — đã phát {emergency.count} lần, {left}{then}. Nhấn H để hủy.")
        warnings = self.query_one("#warnings", Static)
        warnings.display = bool(view.warnings)
        warnings.update(
            Text("\n").join(
                Text(f"⚠ {w.text}", style="bold red" if w.severity == "error" else "yellow") for w in view.warnings
            )
        )
        if view.entries != self._shown:
            self._fill(view.entries)

    def _fill(self, entries: tuple[RundownEntry, ...]) -> None:
        table = self.query_one("#rundown", DataTable)
        row = table.cursor_row
        table.clear()
        for entry in entries:
            start = f"{entry.start:%H:%M}"
            title = entry.title if entry.approved else f"{entry.title} (chưa duyệt)"
            state = Text(entry.state.label, style=STATE_STYLES[entry.state])
            cells = (
                (start, title, state)
                if self._narrow
                else (start, entry.session_name, title, formatting.duration(entry.duration_s), state)
            )
            table.add_row(*cells, key=f"{entry.schedule_id}@{entry.start.isoformat()}")
        if entries:
            table.move_cursor(row=min(row, len(entries) - 1))
        self._shown = entries
