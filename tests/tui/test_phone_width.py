"""The operator's TUI at phone width: 48 columns, what a 390 px browser shows through ``truyenthanh serve``.

Hôm nay stacks its panels and keeps the time, programme and state of the rundown; the top bar keeps F9 KHẨN CẤP;
Nhật ký puts the result and its reason right after the date and time."""

from __future__ import annotations

from datetime import datetime, time

from tests.people import ADMIN
from tests.tui.conftest import HANOI, add_programme
from tests.tui.screen_text import visible_text
from tests.tui.test_log import log
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.enums import Outcome
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.widgets.statusbar import SCREENS, navigation

PHONE = (48, 40)
TITLE = "Bản tin sáng của Ủy ban nhân dân xã Tân Lập"


def station(container: bootstrap.Container) -> TruyenthanhApp:
    """A station with a programme later today (the frozen clock reads 10:00) and a failed airing in the log."""
    add_programme(container, TITLE, at=time(23, 30), seconds=900)
    log(container, TITLE, datetime(2026, 11, 23, 5, 30, tzinfo=HANOI), Outcome.FAILED, "Không mở được loa")
    return TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)


async def test_today_at_48_columns_shows_the_next_airing_the_rundown_and_f9(container: bootstrap.Container) -> None:
    app = station(container)
    async with app.run_test(size=PHONE) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.2)
        shown = visible_text(app)
        lines = shown.splitlines()
        assert app.screen.has_class("-narrow")
        assert "F9 KHẨN CẤP" in lines[0], shown
        assert "10:00:00 │ Phát: KHÔNG CHẠY │ Lê Văn Quản" in lines[1], shown  # the role gives way, not the name
        assert any("23:30  Bản tin sáng của Ủy ban nhân dân" in line for line in lines), shown  # Tiếp theo, full width
        assert "Còn 13:30:00" in shown
        assert any(all(h in line for h in ("Giờ", "Chương trình", "Trạng thái")) for line in lines), shown
        assert any("23:30" in line and "chờ phát" in line for line in lines), shown
        assert all(len(line) <= PHONE[0] for line in lines)


async def test_the_layout_follows_the_width_both_ways(container: bootstrap.Container) -> None:
    app = station(container)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert "Thời lượng" in visible_text(app)
        await pilot.resize_terminal(*PHONE)
        await pilot.pause(0.2)
        assert app.screen.has_class("-narrow")
        shown = visible_text(app)
        assert "Thời lượng" not in shown and "chờ phát" in shown
        await pilot.resize_terminal(100, 30)
        await pilot.pause(0.2)
        assert not app.screen.has_class("-narrow")
        shown = visible_text(app)
        assert "Thời lượng" in shown and "15:00" in shown and "chờ phát" in shown


async def test_log_at_48_columns_shows_the_result_and_its_reason(container: bootstrap.Container) -> None:
    app = station(container)
    async with app.run_test(size=PHONE) as pilot:
        await pilot.press("f7")
        await settle(app, pilot)
        await pilot.pause(0.2)
        shown = visible_text(app)
        lines = shown.splitlines()
        assert app.screen.has_class("-narrow")
        assert "F9 KHẨN CẤP" in lines[0], shown
        assert any(all(h in line for h in ("Ngày", "Giờ dự kiến", "Kết quả", "Lý do")) for line in lines), shown
        assert any("23/11/2026  05:30:00" in line and "Lỗi" in line and "Không mở" in line for line in lines), shown
        # The filters take two lines: both dates, then the outcome and the search box.
        assert any("Từ ngày 17/11/2026" in line and "đến 23/11/2026" in line for line in lines), shown
        assert any("Mọi kết quả" in line and "Tìm chương trình" in line for line in lines), shown


def test_f9_stays_on_the_navigation_line_however_narrow() -> None:
    modes = tuple(mode for _key, mode, _title in SCREENS)
    assert navigation("today", modes, 46).count("F9 KHẨN CẤP") == 1
    narrowest = navigation("today", modes, 30)
    assert narrowest.index("F9 KHẨN CẤP") < narrowest.index("switch_mode")  # first, when nothing else fits
    assert "Hôm nay" in navigation("today", modes, 60)  # the current screen keeps its name while it fits
