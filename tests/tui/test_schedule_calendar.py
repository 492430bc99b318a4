"""Lịch phát with the Vietnamese calendar: the week shows each day's lunar date and holiday; the form makes lunar
schedules (days, month, leap months), holiday rules (skip, only, swap) and schedules at a session's seasonal
start, names the field of every refusal, and fills them back when editing. Frozen clock: Monday 23/11/2026
10:00 in Hà Nội, which is rằm tháng 10."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Select

from tests.people import ADMIN
from tests.tui.conftest import add_programme
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.schedule import HolidayPolicy, LeapPolicy, LunarRule
from truyenthanh.domain.station import DEFAULT_RULES, Season, SessionRule, StationRules
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.schedule import ScheduleScreen
from truyenthanh.tui.screens.schedule_form import ScheduleFormScreen

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _day(container: bootstrap.Container, day: date) -> list[tuple[str, str]]:
    start = datetime.combine(day, time(), tzinfo=HANOI)
    planned = container.scheduling.occurrences(start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC))
    return [(f"{p.occurrence.start.astimezone(HANOI):%H:%M}", p.occurrence.title) for p in planned]


async def _open_form(app: TruyenthanhApp, pilot: Pilot[None], key: str = "a") -> ScheduleFormScreen:
    await pilot.press("f5")
    await settle(app, pilot)
    await pilot.press(key)
    await settle(app, pilot)
    form = app.screen
    assert isinstance(form, ScheduleFormScreen)
    return form


def _summary(form: ScheduleFormScreen) -> str:
    return str(form.query_one("#schedule-summary").render())


def _error(form: ScheduleFormScreen) -> str:
    return str(form.query_one("#form-error").render())


async def test_the_week_shows_lunar_dates_and_a_lunar_schedule_is_made_in_the_form(
    container: bootstrap.Container,
) -> None:
    programme_id, _ = add_programme(container, "Nhắc phòng cháy", at=time(6, 0), rrule=None)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 60)) as pilot:
        await pilot.press("f5")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ScheduleScreen)
        assert str(screen.query_one("#day-0").border_title) == "Thứ Hai 23/11"
        assert str(screen.query_one("#day-0").border_subtitle) == "âm 15/10"
        assert str(screen.query_one("#day-1").border_subtitle) == "âm 16/10 · Ngày Văn hóa Việt Nam"

        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ScheduleFormScreen)
        assert not form.query_one("#schedule-lunar", Input).display  # only for lunar schedules
        form.query_one("#schedule-programme", Select).value = programme_id
        form.query_one("#schedule-repeat", Select).value = "lunar"
        await pilot.pause()
        assert form.query_one("#schedule-lunar", Input).display
        form.query_one("#schedule-lunar", Input).value = "mùng 1, rằm"
        form.query_one("#schedule-time", Input).value = "05:30"
        form.query_one("#schedule-holidays", Select).value = HolidayPolicy.SKIP
        await pilot.pause()
        assert _summary(form) == "Sẽ phát: Lúc 05:30 ngày mùng 1 và rằm hằng tháng (âm lịch), trừ ngày lễ"

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ScheduleScreen), _error(form)
        saved = container.scheduling.schedules()[-1]
        assert saved.summary == "Lúc 05:30 ngày mùng 1 và rằm hằng tháng (âm lịch), trừ ngày lễ"
        assert (saved.calendar.lunar, saved.calendar.holidays) == (LunarRule((1, 15)), HolidayPolicy.SKIP)
        # Today is rằm; the next mùng 1 is Wednesday 9/12, two weeks on.
        mine = [a.start.strftime("%d/%m %H:%M") for a in screen.airings if a.title == "Nhắc phòng cháy"]
        assert mine == ["23/11 05:30", "23/11 06:00"]
        await pilot.press("]", "]")
        await settle(app, pilot)
        assert [a.start.strftime("%d/%m %H:%M") for a in screen.airings if a.title == "Nhắc phòng cháy"] == [
            "09/12 05:30"
        ]
        assert str(screen.query_one("#day-2").border_subtitle) == "âm 1/11"

        # Editing it fills the lunar fields back.
        table = screen.query_one("#schedule-list", DataTable)
        table.move_cursor(row=[v.id for v in screen.schedules].index(saved.id))
        await pilot.press("e")
        await settle(app, pilot)
        editing = app.screen
        assert isinstance(editing, ScheduleFormScreen)
        assert editing.query_one("#schedule-repeat", Select).value == "lunar"
        assert editing.query_one("#schedule-lunar", Input).value == "1,15"
        assert editing.query_one("#schedule-holidays", Select).value is HolidayPolicy.SKIP
        assert _summary(editing) == "Sẽ phát: Lúc 05:30 ngày mùng 1 và rằm hằng tháng (âm lịch), trừ ngày lễ"


async def test_refusals_name_the_lunar_and_holiday_fields(container: bootstrap.Container) -> None:
    programme_id, _ = add_programme(container, "Bản tin", at=time(6, 0), rrule=None)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 60)) as pilot:
        form = await _open_form(app, pilot)
        form.query_one("#schedule-programme", Select).value = programme_id
        form.query_one("#schedule-repeat", Select).value = "lunar"
        form.query_one("#schedule-time", Input).value = "17:00"
        form.query_one("#schedule-lunar", Input).value = "32"
        await pilot.pause()
        assert _summary(form).startswith("Sẽ phát: (chưa rõ: Ngày âm lịch phải từ 1 đến 30")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        lunar = form.query_one("#schedule-lunar", Input)
        assert _error(form) == "Lỗi lịch phát (ô «Ngày âm lịch»): Ngày âm lịch phải từ 1 đến 30 (ví dụ 1,15)."
        assert lunar.has_class("-invalid") and lunar.has_focus

        # A month typed and chosen at once.
        lunar.value = "23/12"
        form.query_one("#schedule-lunar-month", Select).value = 1
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "(ô «Ngày âm lịch»): Ngày âm lịch «23/12» đã ghi tháng" in _error(form)

        # A swap needs the holiday programme: that field is named and marked.
        form.query_one("#schedule-lunar-month", Select).value = 0
        form.query_one("#schedule-holidays", Select).value = HolidayPolicy.SWAP
        await pilot.pause()
        assert form.query_one("#schedule-holiday-programme", Select).display
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert _error(form) == (
            "Lỗi lịch phát (ô «Chương trình ngày lễ»): Đổi chương trình ngày lễ cần chọn chương trình thay thế."
        )
        assert form.query_one("#schedule-holiday-programme", Select).has_class("-invalid")

        # The session start needs a session.
        form.query_one("#schedule-holidays", Select).value = HolidayPolicy.ALWAYS
        form.query_one("#schedule-session-start", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert _error(form) == "Lỗi lịch phát (ô «Buổi»): «Lúc bắt đầu buổi» cần tên buổi (ví dụ «Buổi sáng»)."
        assert len(container.scheduling.schedules()) == 1


async def test_a_schedule_at_the_session_start_follows_the_season_and_swaps_on_holidays(
    container: bootstrap.Container,
) -> None:
    morning = DEFAULT_RULES.sessions[0]
    winter = Season("Mùa đông", (11, 1), (3, 31), time(6, 0), time(7, 30))
    container.scheduling.set_rules(
        ADMIN,
        StationRules(
            sessions=(
                SessionRule(morning.name, morning.start, morning.end, morning.max_minutes, (winter,)),
                DEFAULT_RULES.sessions[1],
            ),
            quiet_hours=DEFAULT_RULES.quiet_hours,
        ),
    )
    programme_id, _ = add_programme(container, "Tiễn ông Công ông Táo", at=time(6, 0), rrule=None)
    spring_id, _ = add_programme(container, "Chào Xuân", at=time(17, 0), rrule=None)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 60)) as pilot:
        form = await _open_form(app, pilot)
        form.query_one("#schedule-programme", Select).value = programme_id
        form.query_one("#schedule-repeat", Select).value = "lunar"
        form.query_one("#schedule-lunar", Input).value = "23"
        form.query_one("#schedule-lunar-month", Select).value = 12
        form.query_one("#schedule-lunar-leap", Select).value = LeapPolicy.REGULAR
        form.query_one("#schedule-session", Select).value = "Buổi sáng"
        form.query_one("#schedule-session-start", Checkbox).value = True
        form.query_one("#schedule-holidays", Select).value = HolidayPolicy.SWAP
        form.query_one("#schedule-holiday-programme", Select).value = spring_id
        await pilot.pause()
        assert _summary(form) == (
            "Sẽ phát: Lúc 06:00 ngày 23 tháng Chạp (âm lịch, không tính tháng nhuận), lúc bắt đầu buổi sáng "
            "(theo mùa), ngày lễ phát «Chào Xuân» thay thế"
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ScheduleScreen), _error(form)

    saved = container.scheduling.schedules()[-1]
    assert saved.calendar.at_session_start and saved.session_name == "Buổi sáng"
    assert saved.calendar.holiday_swap is not None and saved.calendar.holiday_swap.programme_id == spring_id
    # 23 tháng Chạp is Saturday 30/01/2027: in winter, at 06:00.
    assert ("06:00", "Tiễn ông Công ông Táo") in _day(container, date(2027, 1, 30))
    assert "Tiễn ông Công ông Táo" not in {title for _at, title in _day(container, date(2027, 1, 29))}
