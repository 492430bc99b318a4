"""Lịch phát: a week timeline of the airings (each day with its lunar date and holiday), and the saved schedules
with their summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer

from truyenthanh.domain.schedule import Planned
from truyenthanh.services.scheduling import SavedSchedule, ScheduleView
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.messages import ScheduleFormReady, ScheduleRemoved, WeekLoaded
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.screens.schedule_form import ScheduleFormScreen
from truyenthanh.tui.widgets.statusbar import StatusBar
from truyenthanh.tui.widgets.week import Airing, WeekTimeline, lunar_label


class ScheduleScreen(StationScreen):
    """The week's airings above, every schedule below; add, edit and remove with keys."""

    TITLE = "Lịch phát"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Thêm lịch"),
        Binding("e", "edit", "Sửa lịch"),
        Binding("delete", "remove", "Xóa lịch"),
        Binding("[", "week(-1)", "Tuần trước"),
        Binding("]", "week(1)", "Tuần sau"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.monday: date | None = None
        self.schedules: list[ScheduleView] = []
        self.airings: list[Airing] = []
        """What the timeline shows (tests read these)."""

    def compose(self) -> ComposeResult:
        """Status line, timeline, schedule list, footer."""
        yield StatusBar("schedule")
        yield WeekTimeline()
        yield DataTable(id="schedule-list", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Start on this week."""
        table = self.query_one("#schedule-list", DataTable)
        table.border_title = "Các lịch phát"
        # Fixed widths: the list does not jump about when it is refilled.
        for label, width in (
            ("Số", 4),
            ("Chương trình", 30),
            ("Khi nào", 36),
            ("Ưu tiên", 12),
            ("Buổi", 12),
            ("Phát trễ", 40),
            ("Phát ở đâu", 36),
        ):
            table.add_column(label, width=width)
        today = self.backend.now().date()
        self.monday = today - timedelta(days=today.weekday())
        self._load(self.monday)

    def action_week(self, offset: int) -> None:
        """Show the week before or after."""
        assert self.monday is not None
        self.monday += timedelta(weeks=offset)
        self._load(self.monday)

    def _load(self, monday: date) -> None:
        zone = self.backend.zone
        start = datetime.combine(monday, time(), tzinfo=zone)

        def read(backend: StationBackend) -> tuple[list[Planned], list[ScheduleView], list[str]]:
            end = start + timedelta(days=7)
            rules = backend.scheduling.rules()
            lunar = [lunar_label(monday + timedelta(days=index), rules) for index in range(7)]
            return (
                backend.scheduling.occurrences(start.astimezone(UTC), end.astimezone(UTC)),
                backend.scheduling.schedules(),
                lunar,
            )

        def loaded(result: tuple[list[Planned], list[ScheduleView], list[str]]) -> WeekLoaded:
            planned, schedules, lunar = result
            airings = [
                Airing(p.start.astimezone(zone), p.occurrence.title, p.occurrence.priority, p.session) for p in planned
            ]
            return WeekLoaded(monday, airings, schedules, lunar)

        self.run_call(read, loaded, group="week")

    def on_week_loaded(self, message: WeekLoaded) -> None:
        """Draw the week and the list."""
        self.airings = message.airings
        self.schedules = message.schedules
        self.query_one(WeekTimeline).show(message.monday, message.airings, self.backend.now().date(), message.lunar)
        table = self.query_one("#schedule-list", DataTable)
        row = table.cursor_row
        table.clear()
        for view in message.schedules:
            table.add_row(
                str(view.id),
                view.programme_title,
                view.summary + ("" if view.enabled else " (tắt)"),
                view.priority.label,
                view.session_name or "theo giờ",
                view.misfire.label,
                view.targets_text,
                key=str(view.id),
            )
        if message.schedules:
            table.move_cursor(row=min(row, len(message.schedules) - 1))

    def action_add(self) -> None:
        """Open the form (after reading the programmes and sessions)."""
        self._prepare_form(None)

    def action_edit(self) -> None:
        """Open the highlighted schedule in the form."""
        if not self.schedules:
            self.notify("Chưa có lịch phát nào để sửa; nhấn A để thêm.")
            return
        self._prepare_form(self.schedules[self.query_one("#schedule-list", DataTable).cursor_row])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click) on a schedule edits it."""
        if event.data_table.id == "schedule-list":
            self.action_edit()

    def _prepare_form(self, editing: ScheduleView | None) -> None:
        self.run_call(
            lambda backend: (backend.programmes.list(), backend.session_names(), backend.scheduling.rules()),
            lambda result: ScheduleFormReady(result[0], result[1], editing, result[2]),
            group="schedule-form",
        )

    def on_schedule_form_ready(self, message: ScheduleFormReady) -> None:
        """Open the form."""

        def saved(result: SavedSchedule | None) -> None:
            if result is None:
                return
            text = f"Đã lưu lịch: {result.schedule.programme_title} — {result.schedule.summary}."
            if result.note:
                text += f" {result.note}"
            if result.forced:
                text += " Đã lưu dù còn xung đột."
            self.notify(text, title="Đã lưu")
            assert self.monday is not None
            self._load(self.monday)

        self.app.push_screen(
            ScheduleFormScreen(
                self.backend, message.programmes, message.sessions, editing=message.editing, rules=message.rules
            ),
            saved,
        )

    def action_remove(self) -> None:
        """Delete the highlighted schedule (the broadcast log keeps its history)."""
        table = self.query_one("#schedule-list", DataTable)
        if not self.schedules:
            return
        view = self.schedules[table.cursor_row]
        self._remove(view.id)

    def _remove(self, schedule_id: int) -> None:
        self.run_call(
            lambda backend: backend.scheduling.remove(backend.acting(), schedule_id),
            ScheduleRemoved,
            group="schedule-remove",
        )

    def on_schedule_removed(self, message: ScheduleRemoved) -> None:
        """Say what was deleted and show the week without it."""
        view = message.schedule
        self.notify(f"Đã xóa lịch số {view.id}: {view.programme_title}.", title="Đã xóa")
        assert self.monday is not None
        self._load(self.monday)
