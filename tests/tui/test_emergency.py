"""Khẩn cấp: F9 from any screen, confirm, and the real daemon breaks in on air; "Hôm nay" shows it until cancelled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from textual.widgets import Checkbox, TextArea

from tests.people import ADMIN
from tests.tui.conftest import daemon_running
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import BroadcastLog
from truyenthanh.domain.enums import Priority
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.emergency import EmergencyScreen
from truyenthanh.tui.screens.log import LogScreen
from truyenthanh.tui.screens.today import TodayScreen

pytestmark = [pytest.mark.slow, pytest.mark.realtime]

BULLETIN = "Lũ trên sông Cả đang lên nhanh, bà con vùng trũng di chuyển ngay lên chỗ cao."


@pytest.fixture
def on_air(station_dir: Path, tmp_path: Path) -> Iterator[bootstrap.Container]:
    """A station (offline voice, no session or quiet-hour rules) whose daemon runs as a real subprocess, playing
    in real time into a file; yields the TUI's container (system clock)."""
    with daemon_running(station_dir, tmp_path, TRUYENTHANH_OUTPUT=f"file:{tmp_path / 'on-air.wav'}") as container:
        yield container


async def until(app: TruyenthanhApp, pilot: Any, check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Let the app run (its one-second refresh asks the daemon) until ``check`` passes."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause()
        await asyncio.sleep(0.1)


async def test_f9_from_any_screen_breaks_in_and_today_shows_it_until_cancelled(on_air: bootstrap.Container) -> None:
    app = TruyenthanhApp(StationBackend(on_air, actor=ADMIN), start_daemon=False)
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
        form.query_one("#emergency-text", TextArea).insert(BULLETIN)
        form.query_one("#emergency-until", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        today = app.screen
        assert isinstance(today, TodayScreen), "after sending, the operator is taken to Hôm nay"
        await until(
            app,
            pilot,
            lambda: today.view is not None and today.view.emergency is not None and today.view.on_air is not None,
            "the emergency on air",
        )
        assert today.view is not None and today.view.emergency is not None
        banner = str(today.query_one("#emergency-banner").render())
        assert banner.startswith(f"KHẨN CẤP: {today.view.emergency.title} — đã phát")
        assert "đến khi hủy" in banner and banner.endswith("Nhấn H để hủy.")
        assert str(today.query_one("#on-air-title").render()) != "Không có gì đang phát."

        await pilot.press("h")
        await until(
            app, pilot, lambda: today.view is not None and today.view.emergency is None, "the emergency cancelled"
        )
        assert not today.query_one("#emergency-banner").display

    with on_air.db.session() as session:
        rows = session.exec(
            select(BroadcastLog).where(BroadcastLog.priority == Priority.EMERGENCY).order_by(col(BroadcastLog.id))
        ).all()
    assert rows and rows[0].item_title == "Tín hiệu khẩn cấp"
    assert all(row.operator == ADMIN.full_name for row in rows)
