"""Nhật ký live: rows appear as the daemon writes them (on its events, or by the poll when no event comes),
result and reason fit in 100 columns, and W writes the logbook of the week on screen (this week by default)."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import DataTable, Input

from tests.fakes import FakeDaemonLink, FrozenClock
from tests.tui.conftest import HANOI, said, until
from tests.tui.test_log import log
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.enums import Outcome
from truyenthanh.protocol import ItemEndedOnAir
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.log import LogScreen


async def test_rows_appear_without_a_key(
    container: bootstrap.Container, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LogScreen, "POLL_S", 0.2)
    log(container, "Chương trình sáng", datetime(2026, 11, 23, 5, 30, tzinfo=HANOI), Outcome.PLAYED)
    link = FakeDaemonLink(clock=clock)
    app = TruyenthanhApp(StationBackend(container, daemon=link), start_daemon=True)  # listens to the events
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f7")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LogScreen)
        assert [r[4] for r in screen.rows] == ["Chương trình sáng"]
        assert link.wait_for_subscriber()

        log(container, "Bản tin trưa", datetime(2026, 11, 23, 9, 58, tzinfo=HANOI), Outcome.FAILED, "Tệp hỏng")
        link.push(ItemEndedOnAir("7@x", "Bản tin trưa", "Bản tin", Outcome.FAILED, "Tệp hỏng", clock.now()))
        await until(app, pilot, lambda: len(screen.rows) == 2, "the row the daemon wrote")
        assert screen.rows[0][4] == "Bản tin trưa"

        # A row written with no event (the CLI, a daemon restarting): the poll of the newest row number sees it.
        log(container, "Tin chiều", datetime(2026, 11, 23, 9, 59, tzinfo=HANOI), Outcome.MISSED, "Máy tắt")
        await until(app, pilot, lambda: len(screen.rows) == 3, "the polled row")

        # At 100 columns the result and the reason are on screen, right after the times.
        table = screen.query_one("#log-table", DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert labels[:5] == ["Ngày", "Giờ dự kiến", "Giờ phát", "Kết quả", "Lý do"]
        shown = sum(column.get_render_width(table) for column in list(table.columns.values())[:5])
        assert shown <= 98, f"the first five columns take {shown} cells"
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[3:5] == ["Bỏ lỡ", "Máy tắt"]
        link.close()


async def test_w_writes_this_weeks_logbook_or_the_week_of_the_last_day_shown(
    container: bootstrap.Container,
) -> None:
    log(container, "Chương trình sáng", datetime(2026, 11, 23, 5, 30, tzinfo=HANOI), Outcome.PLAYED)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f7")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LogScreen)
        await pilot.press("w")
        await settle(app, pilot)
        assert "Đang lập báo cáo tuần 48 (23/11 – 29/11/2026)…" in said(app)
        screen.query_one("#log-from", Input).value = "09/11/2026"
        screen.query_one("#log-to", Input).value = "15/11/2026"
        await settle(app, pilot)
        screen.query_one("#log-table").focus()
        await pilot.press("w")
        await settle(app, pilot)
    folder = container.locations.data_dir / "reports"
    assert sorted(p.name for p in folder.iterdir()) == ["so-nhat-ky-2026-W46.docx", "so-nhat-ky-2026-W48.docx"]
