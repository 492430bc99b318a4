"""Khẩn cấp: F9 from any screen, confirm, and the daemon breaks in on air; "Hôm nay" shows it until cancelled;
the daemon's events reach the operator. In-process against ``FakeDaemonLink`` (the same flow against a real
daemon subprocess is in ``test_end_to_end.py``)."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import Checkbox, Input, TextArea

from tests.fakes import ALERT_TITLE, FakeDaemonLink, FrozenClock
from tests.people import ADMIN, PASSWORD
from tests.tui.conftest import said, until
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.enums import Outcome, Priority
from truyenthanh.protocol import (
    DeviceChanged,
    EmergencyCancelled,
    EmergencyStarted,
    ItemEndedOnAir,
    ItemStartedOnAir,
    Problem,
    RelayOutageReported,
)
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.emergency import EmergencyScreen
from truyenthanh.tui.screens.log import LogScreen
from truyenthanh.tui.screens.today import TodayScreen

BULLETIN = "Lũ trên sông Cả đang lên nhanh, bà con vùng trũng di chuyển ngay lên chỗ cao."


async def test_f9_from_any_screen_breaks_in_and_today_shows_it_until_cancelled(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    container.accounts.add(None, username=ADMIN.username, full_name=ADMIN.full_name, role=ADMIN.role, password=PASSWORD)
    link = FakeDaemonLink(clock=clock, container=container)
    app = TruyenthanhApp(StationBackend(container, daemon=link, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f7")
        await settle(app, pilot)
        assert isinstance(app.screen, LogScreen)

        await pilot.press("f9")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, EmergencyScreen)
        assert form.query_one("#emergency-text", TextArea).has_focus
        await pilot.press("ctrl+s")  # nothing to read yet: said, and nothing is sent
        await settle(app, pilot)
        assert app.screen is form
        assert "Cần đúng một trong hai" in str(form.query_one("#form-error").render())
        assert "emergency" not in link.commands()
        form.query_one("#emergency-text", TextArea).insert(BULLETIN)
        form.query_one("#emergency-repeat", Input).value = "3"
        form.query_one("#emergency-every", Input).value = "30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        today = app.screen
        assert isinstance(today, TodayScreen), "after sending, the operator is taken to Hôm nay"
        await until(app, pilot, lambda: today.view is not None and today.view.emergency is not None, "the banner")
        # The daemon is asked whether it runs before the authorisation is recorded, then gets the permit.
        commands = link.commands()
        assert "ping" in commands and commands.index("ping") < commands.index("emergency")
        _, sent = link.requests[commands.index("emergency")]
        assert sent["text"] == BULLETIN and sent["repeat"] == 3 and sent["every_min"] == 30.0
        assert sent["permit"] is not None and not sent["until_cancelled"]
        assert "Đã ngắt sóng để phát khẩn cấp (số 1): phát 3 lần, cách nhau 30 phút." in said(app)
        assert today.view is not None and today.view.emergency is not None and today.view.on_air is not None
        assert ALERT_TITLE in today.view.on_air.title
        banner = str(today.query_one("#emergency-banner").render())
        assert banner == f"KHẨN CẤP: {BULLETIN[:60]} — đã phát 1 lần, còn 2 lần, lần sau lúc 10:30. Nhấn H để hủy."

        await pilot.press("h")
        await until(app, pilot, lambda: today.view is not None and today.view.emergency is None, "the cancel")
        assert not today.query_one("#emergency-banner").display
        assert ("cancel", ADMIN.full_name) in link.operators  # the session token names who gave it

        await pilot.press("h")  # nothing left to cancel: said, nothing sent
        await settle(app, pilot)
        assert link.commands().count("cancel") == 1
        assert "Không có phát khẩn cấp nào đang chạy." in said(app)


async def test_an_emergency_without_a_daemon_is_refused_and_nothing_is_authorised(
    container: bootstrap.Container,
) -> None:
    link = FakeDaemonLink(running=False)
    app = TruyenthanhApp(StationBackend(container, daemon=link, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        today = app.screen
        assert isinstance(today, TodayScreen)
        assert today.view is not None and not today.view.daemon_up
        assert "Dịch vụ phát (daemon) không chạy" in str(today.query_one("#warnings").render())
        await pilot.press("f9")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, EmergencyScreen)
        form.query_one("#emergency-text", TextArea).insert(BULLETIN)
        form.query_one("#emergency-until", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form, "the form stays open with what was typed"
        assert "không chạy" in str(form.query_one("#form-error").render())
        assert "emergency" not in link.commands()


async def test_daemon_events_are_decoded_and_told_to_the_operator(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    link = FakeDaemonLink(clock=clock)
    app = TruyenthanhApp(StationBackend(container, daemon=link), start_daemon=True)  # a daemon answers: none started
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        assert link.wait_for_subscriber(), "the app listens to the daemon's events"
        at = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
        for event in (
            Problem("Không đọc được tệp «ban-tin.mp3».", airing="7@x"),
            ItemStartedOnAir("7@x", "Bản tin sáng", "Nhạc hiệu", Priority.NORMAL, at, at),
            ItemEndedOnAir("7@x", "Bản tin sáng", "Nhạc hiệu", Outcome.PLAYED, "", at),
            RelayOutageReported("Tiếp sóng VOV", at, at, "mất mạng"),
            DeviceChanged(ok=False, message="Mất thiết bị âm thanh."),
            DeviceChanged(ok=True, message="Thiết bị âm thanh đã hoạt động trở lại."),
            EmergencyStarted(id=4, count=2, title="Bão số 3"),
            EmergencyCancelled(id=4),
        ):
            link.push(event)
        await until(app, pilot, lambda: "Đã hủy phát khẩn cấp." in said(app), "the events")
        told = said(app)
        assert "Dịch vụ phát báo lỗi: Không đọc được tệp «ban-tin.mp3»." in told
        assert "Thiết bị âm thanh: Thiết bị âm thanh đã hoạt động trở lại." in told
        assert "Mất thiết bị âm thanh." not in told, "a lost device shows on Hôm nay, not as a notice"
        assert "KHẨN CẤP: Đang phát khẩn cấp: Bão số 3 (lần 2)." in told
        assert "Khẩn cấp: Đã hủy phát khẩn cấp." in told
        assert "Nhạc hiệu" not in told
        assert "Dịch vụ phát chưa chạy" not in told
        assert app.daemon_up
        link.close()


async def test_the_backend_decodes_status_and_events_from_the_wire(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    link = FakeDaemonLink(clock=clock)
    backend = StationBackend(container, daemon=link)
    status = backend.daemon_status()
    assert status is not None and status.now == clock.now() and status.device.ok and status.playing is None
    link.request("play_now", programme="Bản tin sáng", session="phiên của một máy khách khác")
    assert backend.today().on_air is not None
    received: list[object] = []
    with backend.daemon_events() as events:
        link.push(EmergencyCancelled(id=9))
        link.push(Problem("Hết dung lượng đĩa."))
        received.extend([next(events), next(events)])
    assert received == [EmergencyCancelled(id=9), Problem("Hết dung lượng đĩa.")]
    assert StationBackend(container, daemon=FakeDaemonLink(running=False)).daemon_status() is None
