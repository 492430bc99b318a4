"""Lịch phát: the week timeline, a readable recurrence summary, conflicts shown with choices before saving."""

from __future__ import annotations

from datetime import time

from textual.widgets import Button, DataTable, Input, Select

from tests.people import ADMIN
from tests.tui.conftest import add_programme
from tests.tui.test_programmes import settle, top_screen
from truyenthanh import bootstrap
from truyenthanh.domain.enums import Priority
from truyenthanh.domain.schedule import MisfireKind
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.schedule import ScheduleScreen
from truyenthanh.tui.screens.schedule_form import ScheduleFormScreen


async def test_add_a_weekday_schedule_resolving_an_overlap(container: bootstrap.Container) -> None:
    add_programme(container, "Bản tin chiều", at=time(17, 0), seconds=600)
    new_id, _ = add_programme(container, "Thông báo thuế", at=time(6, 0), rrule=None, seconds=120)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("f5")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ScheduleScreen)
        # Monday 23/11 to Sunday 29/11: the daily bulletin seven times.
        assert [a.start.strftime("%d %H:%M") for a in screen.airings if a.title == "Bản tin chiều"] == [
            f"{d} 17:00" for d in range(23, 30)
        ]
        assert "Thứ Hai 23/11" in str(screen.query_one("#day-0").border_title)

        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ScheduleFormScreen)
        form.query_one("#schedule-programme", Select).value = new_id
        form.query_one("#schedule-repeat", Select).value = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
        form.query_one("#schedule-time", Input).focus()
        await pilot.press(*"17:05")
        await pilot.pause()
        summary = str(form.query_one("#schedule-summary").render())
        assert summary == "Sẽ phát: Thứ Hai đến Thứ Sáu, 17:05"

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is form, "a conflicting schedule is not saved"
        error = str(form.query_one("#form-error").render())
        assert "Không lưu lịch phát vì" in error and "Bản tin chiều" in error
        choices = [str(b.label) for b in form.query("#schedule-choices Button").results(Button)]
        assert choices[-1] == "Vẫn lưu như vậy"
        assert any(label.startswith("Phát sau mục bị trùng (17:10)") for label in choices)
        assert container.scheduling.schedules()[-1].programme_title == "Thông báo thuế"  # only the one-off so far
        assert len(container.scheduling.schedules()) == 2

        await pilot.click("#resolve-after")
        await settle(app, pilot)
        assert top_screen(app) is screen
        saved = container.scheduling.schedules()[-1]
        assert (saved.programme_title, saved.summary) == ("Thông báo thuế", "Thứ Hai đến Thứ Sáu, 17:10")
        assert [a.start.strftime("%d %H:%M") for a in screen.airings if a.title == "Thông báo thuế"] == [
            "23 06:00",  # the one-off it already had
            *(f"{d} 17:10" for d in range(23, 28)),
        ]

        await pilot.press("]")
        await settle(app, pilot)
        assert screen.monday is not None and screen.monday.day == 30


async def test_quiet_hours_are_refused_and_typing_is_kept(container: bootstrap.Container) -> None:
    programme_id, _ = add_programme(container, "Nhạc đêm", at=time(6, 0), rrule=None)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ScheduleFormScreen)
        form.query_one("#schedule-programme", Select).value = programme_id
        form.query_one("#schedule-time", Input).focus()
        await pilot.press(*"25:00", "ctrl+s")
        await settle(app, pilot)
        assert "«25:00» không phải giờ" in str(form.query_one("#form-error").render())
        form.query_one("#schedule-time", Input).value = "22:30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is form
        assert "rơi vào giờ yên tĩnh 21:30–05:00 của đài" in str(form.query_one("#form-error").render())
        assert form.query_one("#schedule-time", Input).value == "22:30"
        assert len(container.scheduling.schedules()) == 1


# One operator's session in one Pilot run, step by step (each step depends on the form state the one before left):
# split, it would repeat the set-up for every step.
async def test_edit_a_schedule_with_its_summary_conflicts_and_quiet_hours(  # noqa: PLR0915
    container: bootstrap.Container,
) -> None:
    _, morning = add_programme(container, "Bản tin sáng", at=time(5, 30), seconds=900)
    add_programme(container, "Bản tin chiều", at=time(17, 0), seconds=600)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.press("f5")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ScheduleScreen)
        assert screen.schedules[0].id == morning  # the cursor starts on it

        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ScheduleFormScreen)
        assert str(form.query_one(".form-heading").render()) == f"Sửa lịch phát số {morning}"
        assert form.query_one("#schedule-time", Input).value == "05:30"
        assert form.query_one("#schedule-repeat", Select).value == "FREQ=DAILY"
        assert str(form.query_one("#schedule-summary").render()) == "Sẽ phát: Hằng ngày, 05:30"

        form.query_one("#schedule-repeat", Select).value = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
        form.query_one("#schedule-misfire", Select).value = MisfireKind.JOIN
        form.query_one("#schedule-misfire-minutes", Input).value = "3"
        form.query_one("#schedule-time", Input).value = ""
        form.query_one("#schedule-time", Input).focus()
        await pilot.press(*"17:05")
        await pilot.pause()
        assert str(form.query_one("#schedule-summary").render()) == "Sẽ phát: Thứ Hai đến Thứ Sáu, 17:05"

        # Onto the afternoon bulletin: shown before saving, with the choices; nothing changes yet.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is form
        error = str(form.query_one("#form-error").render())
        assert "Không lưu lịch phát vì" in error and "Bản tin chiều" in error
        choices = [str(b.label) for b in form.query("#schedule-choices Button").results(Button)]
        assert any(label.startswith("Phát sau mục bị trùng (17:10)") for label in choices)
        assert choices[-1] == "Vẫn lưu như vậy"
        assert container.scheduling.get(morning).summary == "Hằng ngày, 05:30"

        await pilot.click("#resolve-after")
        await settle(app, pilot)
        assert top_screen(app) is screen
        edited = container.scheduling.get(morning)
        assert edited.summary == "Thứ Hai đến Thứ Sáu, 17:10"
        assert str(edited.misfire) == "join:3"
        assert len(container.scheduling.schedules()) == 2
        row = screen.query_one("#schedule-list", DataTable).get_row(str(morning))
        assert row[2] == "Thứ Hai đến Thứ Sáu, 17:10"
        assert row[5] == "phát tiếp từ vị trí đúng giờ nếu trễ không quá 3 phút"

        # Into the quiet hours: refused with the reason, typing kept; forced, it is saved and says so.
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ScheduleFormScreen)
        assert form.query_one("#schedule-time", Input).value == "17:10"
        assert form.query_one("#schedule-repeat", Select).value == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
        assert form.query_one("#schedule-misfire-minutes", Input).value == "3"
        form.query_one("#schedule-priority", Select).value = Priority.PRIORITY
        form.query_one("#schedule-time", Input).value = "22:00"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is form
        assert "rơi vào giờ yên tĩnh 21:30–05:00 của đài" in str(form.query_one("#form-error").render())
        assert form.query_one("#schedule-time", Input).value == "22:00"
        assert container.scheduling.get(morning).summary == "Thứ Hai đến Thứ Sáu, 17:10"
        await pilot.click("#resolve-force")
        await settle(app, pilot)
        assert top_screen(app) is screen
        edited = container.scheduling.get(morning)
        assert (edited.summary, edited.priority) == ("Thứ Hai đến Thứ Sáu, 22:00", Priority.PRIORITY)


async def test_a_refused_field_is_named_marked_and_focused(container: bootstrap.Container) -> None:
    programme_id, _ = add_programme(container, "Thông báo", at=time(6, 0), rrule=None)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(100, 45)) as pilot:
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ScheduleFormScreen)
        form.query_one("#schedule-time", Input).value = "09:00"

        # No programme chosen: the error says which field, which is marked and gets the cursor.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        programme = form.query_one("#schedule-programme", Select)
        error = str(form.query_one("#form-error").render())
        assert error == "Lỗi lịch phát (ô «Chương trình»): Hãy chọn chương trình."
        assert programme.has_class("-invalid") and programme.has_focus
        session = form.query_one("#schedule-session", Select)
        assert (
            programme.query_one("SelectCurrent").styles.background
            != session.query_one("SelectCurrent").styles.background
        )

        # Choosing one clears the mark; 09:00 today has passed at 10:00: the time is the field.
        programme.value = programme_id
        await pilot.pause()
        assert not form.query(".-invalid")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is form
        error = str(form.query_one("#form-error").render())
        assert error.startswith("Lỗi lịch phát (ô «Ngày, Giờ phát»): Thời điểm 09:00:00 23/11/2026 đã qua")
        time_input, date_input = form.query_one("#schedule-time", Input), form.query_one("#schedule-date", Input)
        assert time_input.has_class("-invalid") and date_input.has_class("-invalid") and time_input.has_focus
        minutes = form.query_one("#schedule-misfire-minutes", Input)
        assert date_input.styles.background != minutes.styles.background
        assert "--" not in error
        assert len(container.scheduling.schedules()) == 1

        # A long reason wraps inside the dialog instead of running past its edge.
        form.query_one("#schedule-time", Input).value = "22:30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        label = form.query_one("#form-error")
        text = str(label.render())
        assert "rơi vào giờ yên tĩnh" in text and "--" not in text
        assert label.region.right <= form.query_one(".form").region.right
        assert label.region.height > text.count("\n") + 1  # some lines were wrapped
