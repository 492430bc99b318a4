"""Nhật ký: the broadcast log with filters (dates, outcome, words), export to CSV, and the inspectors' reports.

The rows follow the daemon: an item that ends or a problem it reports reloads them, and a cheap poll of the
log's newest row number catches what the event stream missed (a daemon restarted, a row written by the CLI).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Select

from truyenthanh.domain.enums import Outcome
from truyenthanh.protocol import DaemonEvent, ItemEndedOnAir, Problem
from truyenthanh.tui import parsing
from truyenthanh.tui.backend import LOG_COLUMNS, LogFilter, StationBackend
from truyenthanh.tui.messages import LogExported, LogLoaded
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.widgets.keyhints import KeyHints
from truyenthanh.tui.widgets.statusbar import NARROW, StatusBar
from truyenthanh.tui.widgets.tables import fill_table

SHOWN = (0, 1, 2, 7, 8, 9, 4, 5, 3, 6)
"""The order the table shows :data:`LOG_COLUMNS` in: date, times, result and reason first (visible at 100
columns), the operator, programme and item next (visible at 160), then the rest; the CSV export keeps the order
of :data:`LOG_COLUMNS`."""

NARROW_SHOWN = (0, 1, 7, 8, 2, 9, 4, 5, 3, 6)
"""The order below :data:`NARROW` columns (a phone): date, scheduled time, result and reason first."""

MAXIMA = {8: 40, 9: 18, 4: 24, 5: 20}
"""The widest the reason, operator, programme and item columns grow to (by index into :data:`LOG_COLUMNS`);
the others are as wide as what they hold."""


class LogChanged(Message):
    """The log's newest row number was read (it grows when the daemon writes a row)."""

    def __init__(self, version: int) -> None:
        super().__init__()
        self.version = version


class LogScreen(StationScreen):
    """Filters on one line, then the rows, newest first."""

    TITLE = "Nhật ký"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("/", "search", "Lọc"),
        Binding("r", "reload", "Làm mới"),
        Binding("x", "export", "Xuất CSV"),
        Binding("w", "report('week')", "Sổ nhật ký tuần (tuần của «đến ngày»)"),
        Binding("b", "report('half')", "Báo cáo 6 tháng"),
        Binding("n", "report('year')", "Báo cáo năm"),
    ]

    POLL_S = 2.0
    """How often the log's newest row number is read while this screen is shown."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, ...]] = []
        """What the table shows (tests read it), in the order of :data:`LOG_COLUMNS`."""
        self._version: int | None = None
        self._poll: Timer | None = None
        self._shown = SHOWN
        """The column order the table has now (:data:`SHOWN`, or :data:`NARROW_SHOWN` on a narrow screen)."""

    def compose(self) -> ComposeResult:
        """Status, filters, table, footer."""
        today = self.backend.now().date()
        yield StatusBar("log")
        with Horizontal(id="log-filters"):
            yield Label("Từ ngày")
            yield Input(f"{today - timedelta(days=6):%d/%m/%Y}", id="log-from")
            yield Label("đến")
            yield Input(f"{today:%d/%m/%Y}", id="log-to")
            yield Select([(o.label, o.value) for o in Outcome], prompt="Mọi kết quả", id="log-outcome")
            yield Input(placeholder="Tìm chương trình, mục", id="log-search")
        yield Label("", id="log-problem")
        yield DataTable(id="log-table", cursor_type="row", zebra_stripes=True)
        yield KeyHints()

    def on_mount(self) -> None:
        """Columns, then the last seven days."""
        for widget in self.query("#log-filters Input, #log-filters Select"):
            widget.compact = True  # type: ignore[attr-defined]
        table = self.query_one("#log-table", DataTable)
        self._shown = NARROW_SHOWN if self.app.size.width < NARROW else SHOWN
        fill_table(table, self._columns(), [])
        self.action_reload()
        table.focus()
        self._poll = self.set_interval(self.POLL_S, self._check_version)

    def _columns(self) -> list[tuple[str, int | None]]:
        return [(LOG_COLUMNS[index], MAXIMA.get(index)) for index in self._shown]

    def on_resize(self, _event: events.Resize) -> None:
        """Crossing :data:`NARROW` columns puts the result and reason right after the date and time, or back."""
        shown = NARROW_SHOWN if self.app.size.width < NARROW else SHOWN
        if shown != self._shown:
            self._shown = shown
            self._show(self.rows)

    def _show(self, rows: list[tuple[str, ...]]) -> None:
        table = self.query_one("#log-table", DataTable)
        cursor = table.cursor_row
        fill_table(table, self._columns(), [tuple(row[i] for i in self._shown) for row in rows])
        if rows and cursor > 0:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def on_screen_suspend(self) -> None:
        """Stop polling while another screen is shown."""
        if self._poll is not None:
            self._poll.pause()

    def on_screen_resume(self) -> None:
        """Shown again: catch up now, then keep polling."""
        if self._poll is not None:
            self._poll.resume()
            self._check_version()

    def follow(self, event: DaemonEvent) -> None:
        """The daemon ended an item or reported a problem: its log row is written, so read the rows again."""
        if isinstance(event, ItemEndedOnAir | Problem):
            self.action_reload()

    def _check_version(self) -> None:
        self.run_call(lambda backend: backend.log_version(), LogChanged, group="log-version", failed=lambda _e: ())

    def on_log_changed(self, message: LogChanged) -> None:
        """Reload when the log grew since the rows were read."""
        if self._version is not None and message.version != self._version:
            self.action_reload()
        self._version = message.version

    def _filter(self) -> LogFilter:
        first = parsing.day(self.query_one("#log-from", Input).value, "Từ ngày")
        last = parsing.day(self.query_one("#log-to", Input).value, "Đến ngày")
        if last < first:
            raise ValueError("Ngày cuối phải từ ngày đầu trở đi.")
        outcome = self.query_one("#log-outcome", Select).value
        return LogFilter(
            first_day=first,
            last_day=last,
            outcome=Outcome(outcome) if isinstance(outcome, str) else None,
            search=self.query_one("#log-search", Input).value,
        )

    def action_reload(self) -> None:
        """Read the rows for the filters as they stand (a bad date is said, the rest stays)."""
        problem = self.query_one("#log-problem", Label)
        try:
            wanted = self._filter()
        except ValueError as exc:
            problem.update(str(exc))
            problem.display = True
            return
        problem.display = False
        self._load(wanted)

    def _load(self, wanted: LogFilter) -> None:
        def read(backend: StationBackend) -> tuple[int, list[tuple[str, ...]]]:
            return backend.log_version(), backend.log(wanted)

        self.run_call(read, lambda found: self._loaded(*found), group="log")

    def _loaded(self, version: int, rows: list[tuple[str, ...]]) -> LogLoaded:
        self._version = version  # a plain int set from the worker; the poll compares against it
        return LogLoaded(rows)

    def on_log_loaded(self, message: LogLoaded) -> None:
        """Fill the table (result and reason come right after the times, so they show at 100 columns, and on a
        phone right after the scheduled time); the cursor stays on the row it was on."""
        if message.rows == self.rows and self.query_one("#log-table", DataTable).row_count:
            return
        self.rows = message.rows
        self._show(message.rows)
        table = self.query_one("#log-table", DataTable)
        table.border_title = f"Nhật ký phát thanh — {len(message.rows)} dòng"

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the operator types."""
        if event.input.id and event.input.id.startswith("log-"):
            self.action_reload()

    def on_select_changed(self, _event: Select.Changed) -> None:
        """Filter by outcome."""
        self.action_reload()

    def action_search(self) -> None:
        """Go to the search box."""
        self.query_one("#log-search", Input).focus()

    def action_export(self) -> None:
        """Write the filtered rows to a CSV file."""
        try:
            wanted = self._filter()
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self._export(wanted)

    def _export(self, wanted: LogFilter) -> None:
        self.run_call(lambda backend: backend.export_log(wanted), LogExported, group="log-export")

    def on_log_exported(self, message: LogExported) -> None:
        """Say where the files are."""
        where = ", ".join(str(p) for p in message.paths)
        self.notify(f"Đã ghi {where}", title="Đã xuất", timeout=15)

    def action_report(self, kind: str) -> None:
        """Write the inspectors' records for the period holding the "đến ngày" date (today unless changed, so
        ``W`` writes this week's logbook): the weekly logbook (DOCX), or the 6-monthly or annual report (DOCX,
        XLSX and CSV)."""
        try:
            day = self._filter().last_day
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        if kind == "week":
            monday = day - timedelta(days=day.weekday())
            period = f"tuần {day.isocalendar()[1]} ({monday:%d/%m} – {monday + timedelta(days=6):%d/%m/%Y})"
        else:
            period = (
                f"năm {day.year}" if kind == "year" else f"6 tháng {'đầu' if day.month <= 6 else 'cuối'} {day.year}"
            )
        self.notify(f"Đang lập báo cáo {period}…", title="Báo cáo")
        self._report(kind, day)

    def _report(self, kind: str, day: date) -> None:
        self.run_call(lambda backend: backend.report(kind, day), lambda paths: LogExported(*paths), group="log-report")
