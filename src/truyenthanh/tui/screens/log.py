"""Nhật ký: the broadcast log with filters (dates, outcome, words), export to CSV, and the inspectors' reports."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Label, Select

from truyenthanh.domain.enums import Outcome
from truyenthanh.tui import parsing
from truyenthanh.tui.backend import LOG_COLUMNS, LogFilter
from truyenthanh.tui.messages import LogExported, LogLoaded
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.widgets.statusbar import StatusBar


class LogScreen(StationScreen):
    """Filters on one line, then the rows, newest first."""

    TITLE = "Nhật ký"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("/", "search", "Lọc"),
        Binding("r", "reload", "Làm mới"),
        Binding("x", "export", "Xuất CSV"),
        Binding("w", "report('week')", "Sổ nhật ký tuần"),
        Binding("b", "report('half')", "Báo cáo 6 tháng"),
        Binding("n", "report('year')", "Báo cáo năm"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, ...]] = []
        """What the table shows (tests read it)."""

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
        yield Footer()

    def on_mount(self) -> None:
        """Columns, then the last seven days."""
        for widget in self.query("#log-filters Input, #log-filters Select"):
            widget.compact = True  # type: ignore[attr-defined]
        table = self.query_one("#log-table", DataTable)
        table.add_columns(*LOG_COLUMNS)
        self.action_reload()
        table.focus()

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
        self.run_call(lambda backend: backend.log(wanted), LogLoaded, group="log")

    def on_log_loaded(self, message: LogLoaded) -> None:
        """Fill the table."""
        self.rows = message.rows
        table = self.query_one("#log-table", DataTable)
        table.clear()
        table.add_rows(message.rows)
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
        """Write the inspectors' records for the period holding the "Từ ngày" date: the weekly logbook (DOCX), or
        the 6-monthly or annual report (DOCX, XLSX and CSV)."""
        try:
            first = self._filter().first_day
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify("Đang lập báo cáo…", title="Báo cáo")
        self._report(kind, first)

    def _report(self, kind: str, day: date) -> None:
        self.run_call(lambda backend: backend.report(kind, day), lambda paths: LogExported(*paths), group="log-report")
