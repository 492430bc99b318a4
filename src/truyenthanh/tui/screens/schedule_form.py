"""The form that adds or edits a schedule: programme, recurrence with a live summary, priority, what to do when
late, and the choices on conflicts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Select, SelectionList

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.schedule import (
    WEEKDAY_CODES,
    WEEKDAY_NAMES,
    Misfire,
    MisfireKind,
    OneOff,
    Recurring,
    Resolution,
    ScheduleRequest,
    ScheduleSpec,
    Timing,
    describe,
    normalise_rrule,
)
from truyenthanh.errors import ScheduleError, TruyenthanhError
from truyenthanh.services.programmes import ProgrammeSummary
from truyenthanh.services.scheduling import SavedSchedule, ScheduleConflictError, ScheduleView
from truyenthanh.tui import parsing
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.widgets.form import FormRejected, FormScreen

REPEATS = (
    ("Một lần", "once"),
    ("Hằng ngày", "FREQ=DAILY"),
    ("Thứ Hai đến Thứ Sáu", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("Chọn các ngày trong tuần", "days"),
)

MISFIRE_KINDS = (
    ("Phát từ đầu nếu trễ không quá", MisfireKind.LATE),
    ("Phát tiếp từ vị trí đúng giờ nếu trễ không quá", MisfireKind.JOIN),
    ("Bỏ qua nếu trễ", MisfireKind.SKIP),
)


FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "programme": ("Chương trình", ("schedule-programme",)),
    "timing": ("Lặp lại", ("schedule-repeat",)),
    "rrule": ("Lặp lại", ("schedule-repeat",)),
    "at": ("Ngày, Giờ phát", ("schedule-time", "schedule-date")),
    "time": ("Giờ phát", ("schedule-time",)),
    "valid_from": ("Ngày", ("schedule-date",)),
    "session": ("Buổi", ("schedule-session",)),
}
"""An error's ``field`` to the Vietnamese label the form shows for it and the widgets to mark (the first gets the
cursor). Fields the form has no input for (``valid_to``, ``resolve``) are told without a label."""


class ScheduleFormScreen(FormScreen[SavedSchedule]):
    """Add a schedule, or edit one (``editing``); a summary line says in words when it will air.

    A refused save names the field it concerns, marks it (class ``-invalid``) and focuses it.
    """

    DEFAULT_CSS = """
    ScheduleFormScreen #form-error { width: 1fr; }
    ScheduleFormScreen Input.-invalid, ScheduleFormScreen Select.-invalid > SelectCurrent {
        background: $error 30%;
    }
    """
    HEADING = "Thêm lịch phát"

    def __init__(
        self,
        backend: StationBackend,
        programmes: list[ProgrammeSummary],
        sessions: list[str],
        *,
        programme_id: int | None = None,
        editing: ScheduleView | None = None,
    ) -> None:
        """``programme_id`` is chosen at the start (scheduling an announcement just made into a programme);
        ``editing`` is a saved schedule whose values fill the form and are replaced on saving."""
        super().__init__()
        self._backend = backend
        self._editing = editing
        self._programme_id = editing.programme_id if editing is not None else programme_id
        self._programmes = programmes
        self._sessions = sessions
        self._resolve: Resolution | None = None
        if editing is not None:
            self.HEADING = f"Sửa lịch phát số {editing.id}"

    def _repeats(self) -> tuple[list[tuple[str, str]], str, list[str]]:
        """The repeat choices, the one to select and the weekdays to tick (the edited schedule's)."""
        choices = list(REPEATS)
        rule = normalise_rrule(self._editing.rrule) if self._editing and self._editing.rrule else None
        if rule is None:
            return choices, "once", []
        if rule in {value for _label, value in REPEATS}:
            return choices, rule, []
        parts = dict(part.split("=", 1) for part in rule.split(";"))
        if set(parts) == {"FREQ", "BYDAY"} and parts["FREQ"] == "WEEKLY":
            return choices, "days", parts["BYDAY"].split(",")
        assert self._editing is not None
        # A rule this form cannot build (monthly, every other week...) is offered as it is.
        choices.append((f"Giữ như cũ: {self._editing.summary}", rule))
        return choices, rule, []

    def fields(self) -> ComposeResult:
        """Programme, repeat, date, time, days, priority, session, misfire, summary, conflict choices."""
        editing = self._editing
        zone = self._backend.zone
        first = editing.start_at.astimezone(zone) if editing is not None else None
        day = first.date() if first is not None else self._backend.now().date()
        repeats, repeat, days = self._repeats()
        misfire = editing.misfire if editing is not None else Misfire()
        yield Label("Chương trình")
        yield Select(
            [(p.title, p.id) for p in self._programmes],
            prompt="Chọn chương trình",
            value=self._programme_id if self._programme_id is not None else Select.NULL,
            id="schedule-programme",
        )
        yield Label("Lặp lại")
        yield Select(repeats, value=repeat, allow_blank=False, id="schedule-repeat")
        yield Label("Ngày (ngày/tháng/năm; lịch lặp: bắt đầu từ ngày này)")
        yield Input(f"{day:%d/%m/%Y}", id="schedule-date")
        yield Label("Giờ phát (giờ:phút)")
        yield Input(f"{first:%H:%M}" if first is not None else "", placeholder="Ví dụ: 05:30", id="schedule-time")
        yield Label("Các ngày phát", classes="needs-days")
        yield SelectionList[str](
            *[(name, code, code in days) for name, code in zip(WEEKDAY_NAMES, WEEKDAY_CODES, strict=True)],
            id="schedule-days",
            classes="needs-days",
        )
        yield Label("Mức ưu tiên")
        yield Select(
            [(p.label, p) for p in Priority],
            value=editing.priority if editing is not None else Priority.NORMAL,
            allow_blank=False,
            id="schedule-priority",
        )
        yield Label("Buổi (để trống: theo giờ phát)")
        yield Select(
            [(name, name) for name in self._sessions],
            prompt="Theo giờ phát",
            value=editing.session_name
            if editing is not None and editing.session_name in self._sessions
            else Select.NULL,
            id="schedule-session",
        )
        yield Label("Khi dịch vụ phát đến muộn")
        with Horizontal(classes="form-row", id="schedule-misfire-row"):
            yield Select(list(MISFIRE_KINDS), value=misfire.kind, allow_blank=False, id="schedule-misfire")
            yield Input(str(misfire.minutes or 5), id="schedule-misfire-minutes", classes="needs-minutes")
            yield Label("phút", classes="needs-minutes")
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
        skip = self.query_one("#schedule-misfire", Select).value is MisfireKind.SKIP
        for widget in self.query(".needs-minutes"):
            widget.display = not skip
        self._clear_choices()
        self._clear_marks()
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
        """Read the fields (programme, rule, day, time, priority, session, misfire) for :meth:`save`."""
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
        kind = self.query_one("#schedule-misfire", Select).value
        if kind is MisfireKind.SKIP:
            misfire = Misfire(MisfireKind.SKIP, 0)
        else:
            minutes = self.query_one("#schedule-misfire-minutes", Input).value.strip()
            if not minutes.isdigit() or not 0 < int(minutes) <= 600:
                raise ValueError("Số phút được phát trễ phải là số nguyên từ 1 đến 600.")
            misfire = Misfire(MisfireKind(str(kind)), int(minutes))
        return {
            "misfire": misfire,
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
            raise ScheduleError("Hãy chọn chương trình.", field="programme")
        scheduling = self._backend.scheduling
        editing = self._editing
        request = ScheduleRequest(
            programme=values["programme"],
            timing=self._timing(values),
            priority=values["priority"],
            misfire=values["misfire"],
            session_name=values["session"],
            valid_from=self._valid_from(values),
            # The form has no end of validity: an edited schedule keeps its own.
            valid_to=scheduling.spec(editing.id).valid_to if editing is not None else None,
            resolve=values.get("resolve"),
        )
        return scheduling.save(self._backend.acting(), request, schedule_id=editing.id if editing else None)

    def _timing(self, values: dict[str, Any]) -> Timing:
        """A one-off on the day at the time, or the rule at the time."""
        if values["rrule"] is None:
            return OneOff(datetime.combine(values["day"], values["time"], tzinfo=self._backend.zone))
        return Recurring(values["rrule"], values["time"])

    def _valid_from(self, values: dict[str, Any]) -> datetime | None:
        """A recurring schedule's first day when it is after today (from today is the service's default)."""
        day: date = values["day"]
        if values["rrule"] is None or day <= self._backend.now().date():
            return None
        return datetime.combine(day, datetime.min.time(), tzinfo=self._backend.zone)

    def on_form_rejected(self, message: FormRejected) -> None:
        """On conflicts, offer the choices as buttons (the base class shows the reason); an error about one field
        names it, marks it and moves the cursor there."""
        error = message.error
        if isinstance(error, ScheduleConflictError):
            self._offer(error)
        elif isinstance(error, TruyenthanhError) and error.field in FIELDS:
            label, widget_ids = FIELDS[error.field]
            widgets = [self.query_one(f"#{widget_id}") for widget_id in widget_ids]
            for widget in widgets:
                widget.add_class("-invalid")
            widgets[0].focus()
            self.query_one("#form-error", Label).update(f"{error.title} (ô «{label}»): {error.message}")
            message.prevent_default()  # the base class would show the message without the field

    def _clear_marks(self) -> None:
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")

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
