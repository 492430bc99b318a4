"""Every screen of the operator's day at 80x24 (an old monitor, a small laptop): the keys are shown, the
important columns are on screen, messages wrap inside their dialog; and the log's columns at 160."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from textual.widgets import Input, TextArea

from tests.people import ADMIN
from tests.tui.conftest import HANOI, add_programme
from tests.tui.screen_text import key_hints, missing, visible_text
from tests.tui.test_log import log
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.enums import Outcome
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.emergency import EmergencyScreen
from truyenthanh.tui.screens.help import HelpScreen
from truyenthanh.tui.screens.programme_forms import NewProgrammeScreen

SMALL = (80, 24)


def station(container: bootstrap.Container) -> TruyenthanhApp:
    """A station with a programme of a long title, an asset, an announcement and a log row."""
    add_programme(container, "Bản tin sáng của Ủy ban nhân dân xã Tân Lập", at=time(5, 30), seconds=900)
    container.approvals.add_announcement(ADMIN, title="Thông báo tiêm chủng mở rộng đợt 2", text="Bà con chú ý.")
    log(
        container,
        "Bản tin sáng của Ủy ban nhân dân xã Tân Lập",
        datetime(2026, 11, 23, 5, 30, tzinfo=HANOI),
        Outcome.FAILED,
        "Không mở được thiết bị âm thanh",
    )
    return TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)


@pytest.mark.parametrize(
    ("key", "tables"),
    [
        ("f3", [["Tiêu đề", "Thời lượng"]]),
        ("f4", [["Tên", "Trạng thái"], ["#", "Tên", "Thời lượng"]]),
        ("f6", [["Số", "Tiêu đề", "Trạng thái", "Ưu tiên"]]),
        ("f7", [["Ngày", "Giờ dự kiến", "Giờ phát", "Kết quả", "Lý do"]]),
        ("f12", [["Chữ viết", "Cách đọc", "Loại"]]),
    ],
)
async def test_each_screen_shows_every_key_and_its_first_columns_at_80x24(
    container: bootstrap.Container, key: str, tables: list[list[str]]
) -> None:
    app = station(container)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press(key)
        await settle(app, pilot)
        await pilot.pause(0.2)  # tables size their columns when idle
        shown = visible_text(app)
        hints = key_hints(app)
        assert "F9 KHẨN CẤP" in hints and "F1 Trợ giúp" in hints
        lines = shown.splitlines()
        assert len(lines) == SMALL[1]
        for hint in hints:
            assert hint in shown, f"the key hint «{hint}» is not on screen:\n{shown}"
        for headers in tables:  # each table's first columns, side by side on one line
            assert any(all(h in line for h in headers) for line in lines), f"{headers} are not all shown:\n{shown}"


async def test_long_titles_end_with_an_ellipsis_and_the_status_stays_visible(container: bootstrap.Container) -> None:
    app = station(container)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        await pilot.pause(0.2)
        shown = visible_text(app)
        assert "Bản tin sáng của Ủy…  Đã duyệt" in shown


async def test_form_errors_wrap_inside_the_dialog_and_name_fields_not_flags(container: bootstrap.Container) -> None:
    app = station(container)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, EmergencyScreen)
        form.query_one("#emergency-text", TextArea).text = "Bão số 3 đổ bộ."
        form.query_one("#emergency-file", Input).value = "/media/usb/canh-bao.mp3"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = str(form.query_one("#form-error").render())
        assert error == "Cần đúng một trong hai: nội dung cần đọc, hoặc tệp ghi âm."
        shown = visible_text(app)
        assert missing(error, shown) == []
        form.query_one("#emergency-text", TextArea).text = ""
        form.query_one("#emergency-repeat", Input).value = "ba"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = str(form.query_one("#form-error").render())
        assert "Số lần phát" in error and "--" not in error
        assert missing(error, visible_text(app)) == []
        await pilot.press("escape", "f4")
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, NewProgrammeScreen)
        await pilot.press("ctrl+s")  # no title
        await settle(app, pilot)
        error = str(app.screen.query_one("#form-error").render())
        assert error and "--" not in error
        assert missing(error, visible_text(app)) == [], f"«{error}» is cut:\n{visible_text(app)}"


async def test_help_lists_every_key_at_80x24_including_the_lexicon(container: bootstrap.Container) -> None:
    app = station(container)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = visible_text(app)
        assert "Trợ giúp — các phím" in shown and "Ctrl+Q         Thoát" in shown
        help_text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        assert "F12            Từ điển đọc" in help_text


async def test_the_log_shows_result_reason_and_operator_at_160_columns(container: bootstrap.Container) -> None:
    app = station(container)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("f7")
        await settle(app, pilot)
        await pilot.pause(0.2)
        shown = visible_text(app)
        header = next(line for line in shown.splitlines() if "Giờ dự kiến" in line)
        for column in ("Kết quả", "Lý do", "Người vận hành", "Chương trình", "Mục"):
            assert column in header, f"«{column}» is off screen:\n{shown}"
        row = next(line for line in shown.splitlines() if "23/11/2026" in line and "05:30" in line)
        assert "Không mở được thiết bị âm thanh" in row and "Lỗi" in row
