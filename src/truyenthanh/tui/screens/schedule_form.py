"""The form that adds a schedule: programme, recurrence with a live summary, and the choices on conflicts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Select, SelectionList

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.schedule import WEEKDAY_CODES, WEEKDAY_NAMES, Resolution, ScheduleSpec, describe
from truyenthanh.errors import ScheduleError
from truyenthanh.services.programmes import ProgrammeSummary
from truyenthanh.services.scheduling import SavedSchedule, ScheduleConflictError
from truyenthanh.tui import parsing
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.widgets.form import FormRejected, FormScreen

REPEATS = (
    ("Một lần", "once"),
    ("Hằng ngày", "FREQ=DAILY"),
    ("Thứ Hai đến Thứ Sáu", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("Chọn các ngày trong tuần", "days"),
)


class ScheduleFormScreen(FormScreen[SavedSchedule]):
    """Add a schedule; a summary line says in words when it will air."""

    HEADING = "Thêm lịch phát"

    def __init__(
        self,
        backend: StationBackend,
        programmes: list[ProgrammeSummary],
        sessions: list[str],
        *,
        programme_id: int | None = None,
    ) -> None:
        """``programme_id`` is chosen at the start (scheduling an announcement just made into a programme)."""
        super().__init__()
        self._backend = backend
        self._programme_id = programme_id
        self._programmes = programmes
        self._sessions = sessions
        self._resolve: Resolution | None = None

    def fields(self) -> ComposeResult:
        """Programme, repeat, date, time, days, priority, session, summary, conflict choices."""
        today = self._backend.now().date()
        yield Label("Chương trình")
        yield Select(
            [(p.title, p.id) for p in self._programmes],
            prompt="Chọn chương trình",
            value=self._programme_id if self._programme_id is not None else Select.NULL,
            id="schedule-programme",
        )
        yield Label("Lặp lại")
        yield Select(list(REPEATS), value="once", allow_blank=False, id="schedule-repeat")
        yield Label("Ngày (ngày/tháng/năm; lịch lặp: bắt đầu từ ngày này)")
        yield Input(f"{today:%d/%m/%Y}", id="schedule-date")
        yield Label("Giờ phát (giờ:phút)")
        yield Input(placeholder="Ví dụ: 05:30", id="schedule-time")
        yield Label("Các ngày phát", classes="needs-days")
        yield SelectionList[str](
            *[(name, code) for name, code in zip(WEEKDAY_NAMES, WEEKDAY_CODES, strict=True)],
            id="schedule-days",
            classes="needs-days",
        )
        yield Label("Mức ưu tiên")
        yield Select([(p.label, p) for p in Priority], value=Priority.NORMAL, allow_blank=False, id="schedule-priority")
        yield Label("Buổi (để trống: theo giờ phát)")
        yield Select([(name, name) for name in self._sessions], prompt="Theo giờ phát", id="schedule-session")
        yield Label("", id="schedule-summary", classes="form-summary")
        with Horizontal(id="schedule-choices", classes="form-buttons"):
            pass

    def on_mount(self) -> None:
        """Hide the day picker until it is needed."""
        self._refresh_summary()

    def on_select_changed(self, _event: Select.Changed) -> None:
        """Any change: redraw the summary and forget earlier conflict choices."""
        self._refresh_summary()

    def on_input_changed(self, _event: Input.Changed) -> None:
        """Any change: redraw the summary."""
        self._refresh_summary()

    def on_selection_list_selected_changed(self, _event: SelectionList.SelectedChanged[str]) -> None:
        """Days changed: redraw the summary."""
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        repeat = self.query_one("#schedule-repeat", Select).value
        for widget in self.query(".needs-days"):
            widget.display = repeat == "days"
        self._clear_choices()
        summary = self.query_one("#schedule-summary", Label)
        try:
            values = self.collect()
        except ValueError:
            summary.update("Sẽ phát: (điền ngày và giờ để xem)")
            return
        zone = self._backend.zone
        start = datetime.combine(values["day"], values["time"], tzinfo=zone).astimezone(UTC)
        spec = ScheduleSpec(id=None, programme_id=0, title="", duration_s=0, start_at=start, rrule=values["rrule"])
        summary.update(f"Sẽ phát: {describe(spec, zone)}")

    def collect(self) -> dict[str, Any]:
        """Read the fields into the arguments of ``SchedulingService.add``."""
        repeat = self.query_one("#schedule-repeat", Select).value
        rrule: str | None
        if repeat == "once":
            rrule = None
        elif repeat == "days":
            days = self.query_one("#schedule-days", SelectionList).selected
            if not days:
                raise ValueError("Hãy chọn ít nhất một ngày trong tuần.")
            rrule = "FREQ=WEEKLY;BYDAY=" + ",".join(c for c in WEEKDAY_CODES if c in days)
        else:
            rrule = str(repeat)
        programme = self.query_one("#schedule-programme", Select).value
        session = self.query_one("#schedule-session", Select).value
        return {
            "programme": programme if isinstance(programme, int) else None,
            "rrule": rrule,
            "day": parsing.day(self.query_one("#schedule-date", Input).value, "Ngày"),
            "time": parsing.clock_time(self.query_one("#schedule-time", Input).value, "Giờ phát"),
            "priority": self.query_one("#schedule-priority", Select).value,
            "session": session if isinstance(session, str) else None,
        }

    def save(self, values: dict[str, Any]) -> SavedSchedule:
        """Save through the scheduling service, with the conflict choice the operator made, if any."""
        if values["programme"] is None:
            raise ScheduleError("Hãy chọn chương trình.")
        zone = self._backend.zone
        day: date = values["day"]
        common = {
            "priority": values["priority"],
            "session_name": values["session"],
            "resolve": values.get("resolve"),
        }
        scheduling = self._backend.container.scheduling
        actor = self._backend.acting()
        if values["rrule"] is None:
            return scheduling.add(
                actor, values["programme"], at=datetime.combine(day, values["time"], tzinfo=zone), **common
            )
        return scheduling.add(
            actor,
            values["programme"],
            rrule=values["rrule"],
            time_of_day=values["time"],
            # From today is the service's default; a later first day becomes the schedule's validity start.
            valid_from=None
            if day <= self._backend.now().date()
            else datetime.combine(day, datetime.min.time(), tzinfo=zone),
            **common,
        )

    def on_form_rejected(self, message: FormRejected) -> None:
        """On conflicts, offer the choices as buttons (the base class shows the reason)."""
        if isinstance(message.error, ScheduleConflictError):
            self._offer(message.error)

    def _clear_choices(self) -> None:
        self.query_one("#schedule-choices", Horizontal).remove_children()

    def _offer(self, error: ScheduleConflictError) -> None:
        report = error.report
        zone = self._backend.zone
        labels = {
            Resolution.SHIFT: f"Dời sang {report.shift_to.astimezone(zone):%H:%M}" if report.shift_to else "",
            Resolution.AFTER: f"Phát sau mục bị trùng ({report.after.astimezone(zone):%H:%M})" if report.after else "",
            Resolution.REPLACE: "Thay các lần phát bị trùng",
            Resolution.FORCE: "Vẫn lưu như vậy",
        }
        box = self.query_one("#schedule-choices", Horizontal)
        box.remove_children()
        box.mount_all(
            [Button(labels[choice], id=f"resolve-{choice.value}", variant="warning") for choice in report.choices]
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Conflict choices save again with that resolution (the base class handles the other buttons)."""
        button_id = event.button.id or ""
        if button_id.startswith("resolve-"):
            try:
                values = self.collect()
            except ValueError as exc:
                self.query_one("#form-error", Label).update(str(exc))
                return
            values["resolve"] = Resolution(button_id.removeprefix("resolve-"))
            self._save(values)
