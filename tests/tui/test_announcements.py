"""Thông báo: the spoken form beside the text, login on first save, render with the offline voice, submit."""

from __future__ import annotations

from textual.widgets import Input, Select, TextArea

from tests.tui.conftest import said
from tests.tui.test_programmes import settle, top_screen
from truyenthanh import bootstrap
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ContentStatus, Role
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.announcements import AnnouncementsScreen
from truyenthanh.tui.screens.login import LoginScreen
from truyenthanh.tui.screens.schedule_form import ScheduleFormScreen


async def test_type_render_and_submit(espeak_container: bootstrap.Container) -> None:
    container = espeak_container
    container.accounts.add(None, username="lan", full_name="Nguyễn Thị Lan", role=Role.ADMIN, password="mat-khau-dai")
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(150, 42)) as pilot:
        await pilot.press("f6")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AnnouncementsScreen)
        await pilot.press(*"Họp dân")
        screen.query_one("#ann-text", TextArea).focus()
        await pilot.press(*"UBND xã họp lúc 7h30.")
        await settle(app, pilot)
        spoken = str(screen.query_one("#ann-spoken").render())
        assert "Ủy ban nhân dân xã họp lúc bảy giờ ba mươi" in spoken

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        login = app.screen
        assert isinstance(login, LoginScreen)
        await pilot.press(*"lan", "enter", *"sai", "enter")
        await settle(app, pilot)
        assert top_screen(app) is login
        assert "Sai tên đăng nhập hoặc mật khẩu." in str(login.query_one("#form-error").render())
        assert login.query_one("#login-username", Input).value == "lan"
        await pilot.press(*"mat-khau-dai", "enter")
        await settle(app, pilot)
        assert top_screen(app) is screen
        assert screen.current is not None and screen.current.title == "Họp dân"
        assert screen.query_one("#ann-text", TextArea).text == "UBND xã họp lúc 7h30.", "typing is kept"

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert screen.current.engine == "espeak"
        assert screen.current.audio is not None and screen.current.audio.stat().st_size > 10_000
        assert "không tự phát thử bản đọc" in said(app)  # no preview device: nothing is played on the speaker
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert not app.preview.is_playing()
        assert "Chưa đặt thiết bị nghe thử (mục «preview_device» trong cấu hình)" in said(app)

        await pilot.press("ctrl+g")
        await settle(app, pilot)
        view = container.approvals.get(ContentKind.ANNOUNCEMENT, screen.current.id)
        assert (view.status, view.created_by) == (ContentStatus.WAITING, "lan")
        assert "Chờ duyệt" in str(screen.query_one("#ann-state").render())

        await pilot.press("ctrl+o")  # a one-item programme for it, and the schedule form already on it
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ScheduleFormScreen)
        [programme] = container.programmes.list()
        assert programme.title == "Họp dân" and programme.items == 1
        assert form.query_one("#schedule-programme", Select).value == programme.id
