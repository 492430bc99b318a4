"""Nhật ký: filter the broadcast log by date, outcome and words; export what is shown to CSV."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

from textual.widgets import Input, Select

from tests.tui.conftest import HANOI
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.enums import Outcome
from truyenthanh.services.broadcast_log import LogEntry
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.log import LogScreen


def log(container: bootstrap.Container, title: str, at: datetime, outcome: Outcome, reason: str = "") -> None:
    container.broadcast_log.append(
        LogEntry(
            outcome=outcome,
            programme_title=title,
            item_title="Bản tin",
            scheduled_start=at,
            actual_start=at + timedelta(seconds=0.004) if outcome is Outcome.PLAYED else None,
            end=at + timedelta(minutes=5) if outcome is Outcome.PLAYED else None,
            reason=reason,
        )
    )


async def test_filter_and_export(container: bootstrap.Container) -> None:
    today = datetime(2026, 11, 23, 5, 30, tzinfo=HANOI)
    log(container, "Chương trình sáng", today, Outcome.PLAYED)
    log(container, "Chương trình chiều", today - timedelta(days=1, hours=-12), Outcome.MISSED, "Máy tắt lúc phát")
    log(container, "Chương trình sáng", today - timedelta(days=10), Outcome.PLAYED)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("f7")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LogScreen)
        assert [(r[0], r[1], r[2], r[4], r[7]) for r in screen.rows] == [
            ("23/11/2026", "05:30:00", "05:30:00", "Chương trình sáng", "Đã phát"),
            ("22/11/2026", "17:30:00", "", "Chương trình chiều", "Bỏ lỡ"),
        ]

        screen.query_one("#log-outcome", Select).value = Outcome.MISSED.value
        await settle(app, pilot)
        assert [r[8] for r in screen.rows] == ["Máy tắt lúc phát"]

        screen.query_one("#log-outcome", Select).clear()
        await pilot.press("/", *"chuong trinh sang")
        await settle(app, pilot)
        assert [r[4] for r in screen.rows] == ["Chương trình sáng"]

        screen.query_one("#log-from", Input).value = "31/02/2026"
        await settle(app, pilot)
        assert "«31/02/2026» không phải ngày" in str(screen.query_one("#log-problem").render())
        assert len(screen.rows) == 1, "a bad date keeps the rows shown"
        screen.query_one("#log-from", Input).value = "01/11/2026"
        await settle(app, pilot)
        assert len(screen.rows) == 2

        screen.query_one("#log-table").focus()
        await pilot.press("x")
        await settle(app, pilot)
        exported = container.locations.data_dir / "exports" / "nhat-ky-20261101-20261123.csv"
        with exported.open(encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.reader(handle))
        assert lines[0][:5] == ["Ngày", "Giờ dự kiến", "Giờ phát", "Kết thúc", "Chương trình"]
        assert [line[0] for line in lines[1:]] == ["13/11/2026", "23/11/2026"]


async def test_weekly_logbook_and_half_year_report(container: bootstrap.Container) -> None:
    log(container, "Chương trình sáng", datetime(2026, 11, 23, 5, 30, tzinfo=HANOI), Outcome.PLAYED)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("f7")
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
    folder = container.locations.data_dir / "reports"
    assert sorted(p.name for p in folder.iterdir()) == [
        "bao-cao-2026-H2.csv",
        "bao-cao-2026-H2.docx",
        "bao-cao-2026-H2.xlsx",
        "so-nhat-ky-2026-W48.docx",  # this week (the clock's Monday 23/11), no longer the week of "Từ ngày"
    ]
