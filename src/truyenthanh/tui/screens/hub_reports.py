"""Báo cáo (F5 in the «Tuyến trên» mode): the province's half-year report, built from the log rows the communes'
stations shipped up and from the hub's emergencies: hours per category per commune, airings per commune,
emergencies sent, delivered and aired per commune. Its tables are shown here as the documents print them; Ctrl+S
writes the DOCX, XLSX and CSV files with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, ProgressBar, Static

from truyenthanh.domain.reports import Period, Report, Table, show
from truyenthanh.errors import TruyenthanhError
from truyenthanh.services.reports import FORMATS
from truyenthanh.tui.hub_backend import HubBackend
from truyenthanh.tui.messages import ActionFailed
from truyenthanh.tui.screens.hub_base import HubScreen, HubStatusBar
from truyenthanh.tui.widgets.keyhints import KeyHints


def table_cells(table: Table) -> list[list[str]]:
    """A report table's rows as the documents print them, the total row last."""
    kinds = table.kinds
    rows = [[show(value, kinds[i]) for i, value in enumerate(row)] for row in table.rows]
    if table.total is not None:
        rows.append([show(value, kinds[i]) for i, value in enumerate(table.total)])
    return rows


class ReportBuilt(Message):
    """The report of a period was built."""

    def __init__(self, period: Period, report: Report) -> None:
        super().__init__()
        self.period = period
        self.report = report


class ReportFileWritten(Message):
    """One file of the report was written."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class ReportWritten(Message):
    """Every file of the report was written."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.paths = paths


class ReportFailed(Message):
    """Building or writing the report failed (``title``, ``text`` in Vietnamese; ``field`` names what)."""

    def __init__(self, title: str, text: str, field: str | None) -> None:
        super().__init__()
        self.title = title
        self.text = text
        self.field = field


def _failed(error: TruyenthanhError) -> list[Message]:
    return [ReportFailed(error.title, error.message, error.field)]


class HubReportsScreen(HubScreen):
    """The period, the report's tables, the files."""

    TITLE = "Báo cáo"
    DEFAULT_CSS = """
    #rep-form { height: auto; padding: 0 1; }
    #rep-form > Label { width: auto; padding: 1 1 0 0; }
    #rep-half { width: 16; }
    #rep-title { height: auto; padding: 0 1; text-style: bold; }
    #rep-progress { padding: 0 1; }
    #rep-tables { height: 1fr; }
    #rep-tables > DataTable { height: auto; max-height: 24; border: round $primary; margin: 0 0 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "build", "Lập báo cáo", priority=True),
        Binding("ctrl+s", "write", "Ghi tệp DOCX, XLSX, CSV", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        """The report shown (tests read it)."""
        self.period: Period | None = None
        self.written: list[Path] = []
        """The files the last Ctrl+S wrote."""

    def compose(self) -> ComposeResult:
        """Header, the period, the title, the progress bar, the tables, the keys."""
        yield HubStatusBar("reports")
        with Horizontal(id="rep-form"):
            yield Label("Kỳ báo cáo (NĂM-1: tháng 1–6, NĂM-2: tháng 7–12):")
            yield Input(id="rep-half")
        yield Static("Gõ kỳ báo cáo rồi nhấn Enter.", id="rep-title")
        yield ProgressBar(id="rep-progress", show_eta=False)
        yield VerticalScroll(id="rep-tables")
        yield KeyHints()

    def on_mount(self) -> None:
        """The current half-year, built at once."""
        self.query_one("#rep-progress", ProgressBar).display = False
        self.run_call(lambda backend: backend.current_half(), self._fill_half, group="rep-half")

    def _fill_half(self, half: str) -> None:
        self.app.call_from_thread(self._start, half)

    def _start(self, half: str) -> None:
        field = self.query_one("#rep-half", Input)
        if not field.value:
            field.value = half
        field.focus()
        self.action_build()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter builds the report of the typed period."""
        if event.input.id == "rep-half":
            self.action_build()

    def _busy(self, total: int | None) -> None:
        bar = self.query_one("#rep-progress", ProgressBar)
        bar.display = True
        bar.update(total=total, progress=0)

    def _idle(self) -> None:
        self.query_one("#rep-progress", ProgressBar).display = False

    def action_build(self) -> None:
        """Build the report of the typed period and show its tables."""
        typed = self.query_one("#rep-half", Input).value
        self._busy(None)

        def build(backend: HubBackend) -> ReportBuilt:
            period = backend.report_period(typed)
            return ReportBuilt(period, backend.province_report(period))

        self.run_call(build, lambda built: built, group="rep-build", failed=_failed)

    def on_report_built(self, message: ReportBuilt) -> None:
        """Show the title and every table."""
        self._idle()
        self.report, self.period = message.report, message.period
        report = message.report
        title = f"{report.subtitle or message.period.name}\nKỳ báo cáo {message.period.span}."
        if report.unfinished:
            title += " Kỳ chưa kết thúc: số liệu tính đến hôm nay."
        self.query_one("#rep-title", Static).update(title)
        holder = self.query_one("#rep-tables", VerticalScroll)
        holder.remove_children()
        holder.mount_all([self._table(table) for table in report.tables])

    @staticmethod
    def _table(table: Table) -> DataTable[Text]:
        widget: DataTable[Text] = DataTable(zebra_stripes=True, cursor_type="row")
        widget.border_title = table.title
        for column in table.columns:
            widget.add_column(column)
        rows = table_cells(table)
        for index, row in enumerate(rows):
            total = table.total is not None and index == len(rows) - 1
            widget.add_row(*(Text(cell, style="bold" if total else "") for cell in row))
        return widget

    def action_write(self) -> None:
        """Write the shown report's files (DOCX, XLSX, CSV) into the hub's reports folder."""
        period = self.period
        if period is None:
            self.notify("Chưa có báo cáo: gõ kỳ báo cáo rồi nhấn Enter.", title="Báo cáo", severity="warning")
            return
        self._busy(len(FORMATS))

        def written(path: Path) -> None:
            self.post_message(ReportFileWritten(path))

        def write(backend: HubBackend) -> list[Path]:
            return backend.write_report(period, written)

        self.run_call(write, ReportWritten, group="rep-write", failed=_failed)

    def on_report_file_written(self, message: ReportFileWritten) -> None:
        """One more file: advance the bar."""
        self.query_one("#rep-progress", ProgressBar).advance(1)

    def on_report_written(self, message: ReportWritten) -> None:
        """Say where the files are."""
        self._idle()
        self.written = message.paths
        folder = message.paths[0].parent if message.paths else ""
        names = ", ".join(path.name for path in message.paths)
        self.notify(f"Đã ghi {names} vào {folder}.", title="Báo cáo", timeout=12)

    def on_report_failed(self, message: ReportFailed) -> None:
        """Say why; a bad period puts the cursor back in it."""
        self._idle()
        self.post_message(ActionFailed(message.title, message.text))
        if message.field in {"half", "year"}:
            self.query_one("#rep-half", Input).focus()


__all__ = ["HubReportsScreen", "ReportBuilt", "ReportWritten", "table_cells"]
