"""The form that adds or edits a schedule: programme, recurrence (solar or lunar) with a live summary, holidays,
the session start, priority, what to do when late, where it airs (the station's own loudspeaker and/or zones), and
the choices on conflicts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule import (
    WEEKDAY_CODES,
    WEEKDAY_NAMES,
    CalendarRule,
    HolidayPolicy,
    LeapPolicy,
    Lunar,
    LunarRule,
    Misfire,
    MisfireKind,
    OneOff,
    ProgrammeSwap,
    Recurring,
    Resolution,
    ScheduleRequest,
    ScheduleSpec,
    Timing,
    describe,
    normalise_rrule,
)
from truyenthanh.domain.schedule.lunar import month_name
from truyenthanh.domain.station import StationRules
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
    ("Theo âm lịch (mùng 1, rằm...)", "lunar"),
)

LUNAR_MONTHS: tuple[tuple[str, int], ...] = (
    ("Hằng tháng", 0),
    *((month_name(m).capitalize(), m) for m in range(1, 13)),
)
"""The lunar month choices: every month (0), or one of them."""

LEAP_CHOICES = (("Cả tháng nhuận", LeapPolicy.BOTH), ("Không tính tháng nhuận", LeapPolicy.REGULAR))

HOLIDAY_CHOICES = (
    ("Ngày lễ: phát như mọi ngày", HolidayPolicy.ALWAYS),
    ("Ngày lễ: không phát", HolidayPolicy.SKIP),
    ("Chỉ phát ngày lễ", HolidayPolicy.ONLY),
    ("Ngày lễ: phát chương trình khác", HolidayPolicy.SWAP),
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
    "lunar": ("Ngày âm lịch", ("schedule-lunar",)),
    "holidays": ("Ngày lễ", ("schedule-holidays",)),
    "holiday_programme": ("Chương trình ngày lễ", ("schedule-holiday-programme",)),
    "targets": ("Loa tại đài", ("schedule-local",)),
    "zones": ("Cụm loa", ("schedule-zones",)),
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
        rules: StationRules | None = None,
    ) -> None:
        """``programme_id`` is chosen at the start (scheduling an announcement just made into a programme);
        ``editing`` is a saved schedule whose values fill the form and are replaced on saving; ``rules``: the
        station's, for the summary of a schedule at a session's (seasonal) start."""
        super().__init__()
        self._rules = rules
        self._backend = backend
        self._editing = editing
        self._programme_id = editing.programme_id if editing is not None else programme_id
        self._programmes = programmes
        self._sessions = sessions
        self._resolve: Resolution | None = None
        self._zones = backend.scheduling.zones()
        """The station's zones (cụm loa) a schedule may target."""
        if editing is not None:
            self.HEADING = f"Sửa lịch phát số {editing.id}"

    def _repeats(self) -> tuple[list[tuple[str, str]], str, list[str]]:
        """The repeat choices, the one to select and the weekdays to tick (the edited schedule's)."""
        choices = list(REPEATS)
        if self._editing is not None and self._editing.calendar.lunar is not None:
            return choices, "lunar", []
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
        yield from self._calendar_fields()
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
        yield Checkbox(
            "Phát lúc bắt đầu buổi (giờ theo mùa của đài; không cần giờ phát)",
            value=editing is not None and editing.calendar.at_session_start,
            id="schedule-session-start",
        )
        yield from self._target_fields()
        yield Label("Khi dịch vụ phát đến muộn")
        with Horizontal(classes="form-row", id="schedule-misfire-row"):
            yield Select(list(MISFIRE_KINDS), value=misfire.kind, allow_blank=False, id="schedule-misfire")
            yield Input(str(misfire.minutes or 5), id="schedule-misfire-minutes", classes="needs-minutes")
            yield Label("phút", classes="needs-minutes")
        yield Label("", id="schedule-summary", classes="form-summary")
        with Horizontal(id="schedule-choices", classes="form-buttons"):
            pass

    def _calendar_fields(self) -> ComposeResult:
        """Lunar days (with month and leap policy) and what to do on holidays, filled from the edited schedule."""
        calendar = self._editing.calendar if self._editing is not None else CalendarRule()
        lunar = calendar.lunar
        yield Label("Ngày âm lịch (ví dụ: «mùng 1, rằm» hoặc «23/12»)", classes="needs-lunar")
        yield Input(str(lunar) if lunar else "", placeholder="mùng 1, rằm", id="schedule-lunar", classes="needs-lunar")
        with Horizontal(classes="form-row needs-lunar"):
            yield Select(LUNAR_MONTHS, value=0, allow_blank=False, id="schedule-lunar-month")
            yield Select(
                LEAP_CHOICES,
                value=lunar.leap if lunar else LeapPolicy.BOTH,
                allow_blank=False,
                id="schedule-lunar-leap",
            )
        yield Label("Ngày lễ, ngày nghỉ Tết")
        with Horizontal(classes="form-row"):
            yield Select(HOLIDAY_CHOICES, value=calendar.holidays, allow_blank=False, id="schedule-holidays")
            swap = calendar.holiday_swap
            yield Select(
                [(p.title, p.id) for p in self._programmes],
                prompt="Chương trình phát thay",
                value=swap.programme_id
                if swap and swap.programme_id in {p.id for p in self._programmes}
                else Select.NULL,
                id="schedule-holiday-programme",
                classes="needs-swap",
            )

    def _target_fields(self) -> ComposeResult:
        """Where it airs: «Loa tại đài», and (when the station has zones) every zone or the zones picked; filled
        from the edited schedule (a new one airs everywhere)."""
        targets = self._editing.targets if self._editing is not None else Targets()
        yield Label("Phát ở đâu")
        yield Checkbox("Loa tại đài", value=targets.local, id="schedule-local")
        if not self._zones:
            return
        yield Checkbox("Mọi cụm loa", value=targets.zones is None, id="schedule-all-zones")
        picked = set(targets.zones or ())
        yield SelectionList[str](
            *[(f"Cụm loa {zone.name}", zone.slug, zone.slug in picked) for zone in self._zones],
            id="schedule-zones",
            classes="needs-zone-pick",
        )

    def _targets(self) -> Targets:
        """The targets the fields say: the local checkbox, and every zone or those picked."""
        local = self.query_one("#schedule-local", Checkbox).value
        every = self.query("#schedule-all-zones").results(Checkbox)
        if not self._zones or any(box.value for box in every):
            return Targets(local=local, zones=None)
        picked = self.query_one("#schedule-zones", SelectionList).selected
        return Targets(local=local, zones=tuple(str(slug) for slug in picked))

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

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        """The session start ticked or not: redraw the summary."""
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        repeat = self.query_one("#schedule-repeat", Select).value
        for widget in self.query(".needs-days"):
            widget.display = repeat == "days"
        for widget in self.query(".needs-lunar"):
            widget.display = repeat == "lunar"
        swap = self.query_one("#schedule-holidays", Select).value is HolidayPolicy.SWAP
        for widget in self.query(".needs-swap"):
            widget.display = swap
        skip = self.query_one("#schedule-misfire", Select).value is MisfireKind.SKIP
        for widget in self.query(".needs-minutes"):
            widget.display = not skip
        for widget in self.query(".needs-zone-pick"):
            widget.display = self._targets().zones is not None
        self._clear_choices()
        self._clear_marks()
        summary = self.query_one("#schedule-summary", Label)
        try:
            values = self.collect()
            spec = self._summary_spec(values)
        except ValueError:
            summary.update("Sẽ phát: (điền ngày và giờ để xem)")
            return
        except ScheduleError as exc:
            summary.update(f"Sẽ phát: (chưa rõ: {exc.message})")
            return
        summary.update(f"Sẽ phát: {describe(spec, self._backend.zone)}")

    def _summary_spec(self, values: dict[str, Any]) -> ScheduleSpec:
        """The schedule the fields describe, enough to put it in words (a session start's time from the rules).

        Raises:
            ScheduleError: the lunar days cannot be read (``field="lunar"``).
        """
        zone = self._backend.zone
        session = self._rules.session_named(values["session"] or "") if self._rules else None
        at = values["time"]
        if values["session_start"] and session is not None:
            at = session.times_on(values["day"])[0]
        start = datetime.combine(values["day"], at, tzinfo=zone).astimezone(UTC)
        swap = next((p for p in self._programmes if p.id == values["holiday_programme"]), None)
        calendar = CalendarRule(
            lunar=self._lunar_rule(values) if values["rrule"] == "lunar" else None,
            holidays=values["holidays"],
            holiday_swap=ProgrammeSwap(swap.id, swap.title) if swap is not None else None,
            at_session_start=values["session_start"],
        )
        rrule = None if values["rrule"] in (None, "lunar") else values["rrule"]
        return ScheduleSpec(
            id=None,
            programme_id=0,
            title="",
            duration_s=0,
            start_at=start,
            rrule=rrule,
            session_name=values["session"],
            calendar=calendar,
        )

    @staticmethod
    def _lunar_rule(values: dict[str, Any]) -> LunarRule:
        """The lunar days typed, in the month chosen (if any), with the leap policy.

        Raises:
            ScheduleError: not lunar days, or a month both typed (``23/12``) and chosen (``field="lunar"``).
        """
        if not values["lunar"].strip():
            raise ScheduleError("Hãy gõ ngày âm lịch, ví dụ «mùng 1, rằm» hoặc «23/12».", field="lunar")
        rule = LunarRule.parse(values["lunar"], leap=values["leap"])
        month = values["lunar_month"]
        if month and rule.months:
            raise ScheduleError(
                f"Ngày âm lịch «{values['lunar']}» đã ghi tháng: chọn «Hằng tháng» hoặc bỏ «/tháng».", field="lunar"
            )
        return LunarRule(rule.days, (month,), rule.leap) if month else rule

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
        elif repeat == "lunar":
            rrule = "lunar"  # read by _lunar_rule from the lunar fields
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
        session_start = self.query_one("#schedule-session-start", Checkbox).value and rrule is not None
        typed_time = self.query_one("#schedule-time", Input).value
        swap = self.query_one("#schedule-holiday-programme", Select).value
        return {
            "misfire": misfire,
            "programme": programme if isinstance(programme, int) else None,
            "rrule": rrule,
            "day": parsing.day(self.query_one("#schedule-date", Input).value, "Ngày"),
            # At a session's start the session gives the time: an empty time is fine then.
            "time": parsing.clock_time(typed_time, "Giờ phát") if typed_time.strip() or not session_start else time(),
            "priority": self.query_one("#schedule-priority", Select).value,
            "session": session if isinstance(session, str) else None,
            "session_start": session_start,
            "lunar": self.query_one("#schedule-lunar", Input).value,
            "lunar_month": self.query_one("#schedule-lunar-month", Select).value,
            "leap": self.query_one("#schedule-lunar-leap", Select).value,
            "holidays": self.query_one("#schedule-holidays", Select).value,
            "holiday_programme": swap if isinstance(swap, int) else None,
            "targets": self._targets(),
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
            holidays=values["holidays"],
            holiday_programme=values["holiday_programme"] if values["holidays"] is HolidayPolicy.SWAP else None,
            at_session_start=values["session_start"],
            targets=values["targets"],
        )
        return scheduling.save(self._backend.acting(), request, schedule_id=editing.id if editing else None)

    def _timing(self, values: dict[str, Any]) -> Timing:
        """A one-off on the day at the time, or the rule (or lunar days) at the time.

        Raises:
            ScheduleError: the lunar days cannot be read (``field="lunar"``).
        """
        if values["rrule"] is None:
            return OneOff(datetime.combine(values["day"], values["time"], tzinfo=self._backend.zone))
        if values["rrule"] == "lunar":
            return Lunar(self._lunar_rule(values), values["time"])
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
