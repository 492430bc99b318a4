"""Hôm nay: rundown states, what comes next, warnings; driven through Pilot with a frozen clock."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from tests.fakes import FakeDaemonLink, FrozenClock
from tests.tui.conftest import HANOI, add_programme
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.adapters.control import ControlServer
from truyenthanh.adapters.db.models import BroadcastLog
from truyenthanh.domain.enums import ContentStatus, Outcome
from truyenthanh.domain.rundown import AirState
from truyenthanh.protocol import DeviceState
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend, TodayView
from truyenthanh.tui.screens.today import TodayScreen


async def test_rundown_shows_each_state_and_the_next_broadcast(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    # The clock is frozen at 10:00 in Hà Nội.
    _, morning = add_programme(container, "Bản tin sáng", at=time(5, 30), session_name="Buổi sáng")
    add_programme(container, "Thông báo tiêm chủng", at=time(6, 0))
    add_programme(container, "Bản tin trưa", at=time(9, 58))
    add_programme(container, "Bản tin chiều", at=time(17, 0), status=ContentStatus.WAITING)
    with container.db.session() as session:
        session.add(
            BroadcastLog(
                schedule_id=morning,
                scheduled_start=datetime(2026, 11, 23, 5, 30, tzinfo=HANOI),
                outcome=Outcome.PLAYED,
                programme_title="Bản tin sáng",
            )
        )
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        await settle(app, pilot)
        assert screen.view is not None
        states = {e.title: e.state for e in screen.view.entries}
        assert states == {
            "Bản tin sáng": AirState.PLAYED,
            "Thông báo tiêm chủng": AirState.MISSED,
            "Bản tin trưa": AirState.LATE,
            "Bản tin chiều": AirState.WAITING,
        }
        table = screen.query_one("#rundown")
        rendered = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]  # type: ignore[attr-defined]
        assert rendered[0] == ["05:30", "Buổi sáng", "Bản tin sáng", "2:00", "đã phát"]
        assert rendered[3][2] == "Bản tin chiều (chưa duyệt)"
        assert str(screen.query_one("#next-title").render()) == "17:00  Bản tin chiều"
        assert str(screen.query_one("#next-countdown").render()) == "Còn 7:00:00"
        warnings = str(screen.query_one("#warnings").render())
        assert "Dịch vụ phát (daemon) không chạy" in warnings
        assert "Chưa được duyệt nhưng phát hôm nay: Bản tin chiều." in warnings

        clock.advance(hours=7, minutes=1)
        await pilot.press("r")
        await settle(app, pilot)
        assert screen.view.next_entry is None
        assert str(screen.query_one("#next-title").render()) == "Hôm nay không còn buổi phát nào."


async def test_help_lists_keys_in_vietnamese_and_closes_with_escape(container: bootstrap.Container) -> None:
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f1")
        await settle(app, pilot)
        text = "\n".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "Trợ giúp — các phím" in text
        assert "F2             Hôm nay" in text
        assert "Ctrl+Q         Thoát" in text
        assert "R              Làm mới" in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen)


async def test_disk_and_offline_voice_warnings_and_a_silent_device_report(
    espeak_container: bootstrap.Container,
) -> None:
    # A control server on the station's real socket answers as a daemon that does not report its device.
    server = ControlServer(
        espeak_container.locations.runtime_dir, lambda name, _args: {"running": True} if name == "status" else None
    )
    server.start()
    try:
        backend = StationBackend(espeak_container, disk_low_mb=1 << 40)  # any disk is "nearly full" against 1 EiB
        app = TruyenthanhApp(backend, start_daemon=False)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = app.screen
            assert isinstance(screen, TodayScreen)
            await settle(app, pilot)
            warnings = str(screen.query_one("#warnings").render())
            assert "Dịch vụ phát (daemon) không chạy" not in warnings
            assert "Đầu ra âm thanh" not in warnings  # no "device" field: taken as working
            assert "Đĩa sắp đầy: chỉ còn" in warnings
            assert "giọng đọc ngoại tuyến (espeak-ng)" in warnings
    finally:
        server.stop()


async def test_a_daemon_without_its_sound_device_is_shown_as_an_error(container: bootstrap.Container) -> None:
    missing = "loa-khong-co-that"
    link = FakeDaemonLink(
        device=DeviceState(ok=False, name=missing, error=f"Không mở được thiết bị âm thanh «{missing}».")
    )
    app = TruyenthanhApp(StationBackend(container, daemon=link), start_daemon=False)
    async with app.run_test(size=(140, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        await settle(app, pilot)
        assert screen.view is not None and screen.view.daemon_up
        warnings = str(screen.query_one("#warnings").render())
        assert f"Đầu ra âm thanh có lỗi: Không mở được thiết bị âm thanh «{missing}»" in warnings
        assert "Các buổi phát sẽ không ra loa cho đến khi sửa xong" in warnings
        assert "Dịch vụ phát (daemon) không chạy" not in warnings


class CountingBackend(StationBackend):
    """The real backend, counting how often "Hôm nay" reads its view."""

    reads = 0

    def today(self) -> TodayView:
        """Count, then read."""
        self.reads += 1
        return super().today()


@pytest.mark.slow
async def test_today_stops_refreshing_while_another_screen_is_shown(container: bootstrap.Container) -> None:
    backend = CountingBackend(container)
    app = TruyenthanhApp(backend, start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.pause(1.2)
        assert backend.reads >= 2, "refreshed every second while shown"
        await pilot.press("f7")
        await settle(app, pilot)
        hidden = backend.reads
        await pilot.pause(2.5)
        assert backend.reads == hidden, "no reads while the log is shown"
        await pilot.press("f2")
        await settle(app, pilot)
        assert backend.reads == hidden + 1, "read again at once when shown"
