"""``truyenthanh`` with no command opens the TUI, or prints the status when there is no terminal; the TUI paints
its first frame before it opens the station."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import time
from pathlib import Path

from tests.tui.conftest import add_programme, said
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.adapters.db import database
from truyenthanh.config import load_settings
from truyenthanh.errors import StorageError
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.today import TodayScreen


def test_no_command_without_a_terminal_prints_status_instead(container: bootstrap.Container) -> None:
    data_dir = container.locations.data_dir
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    result = subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Không có terminal tương tác: in tình trạng của đài thay cho giao diện." in result.stderr
    assert result.stdout.startswith("Đài: Đài truyền thanh xã")


def test_tui_on_a_folder_without_station_says_how_to_create_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(tmp_path / "empty"), "tui"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "truyenthanh init" in result.stderr


async def test_the_first_frame_comes_before_the_station_is_opened(container: bootstrap.Container) -> None:
    add_programme(container, "Bản tin sáng", at=time(5, 30))
    release = threading.Event()

    def open_slowly() -> StationBackend:
        assert release.wait(10)
        return StationBackend(container)

    app = TruyenthanhApp(open_slowly, start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TodayScreen) and not app.backend_ready
        assert str(screen.query_one("#station-line").render()) == "Đang mở dữ liệu của đài…"
        release.set()
        await settle(app, pilot)
        assert app.backend_ready and screen.view is not None
        assert [entry.title for entry in screen.view.entries] == ["Bản tin sáng"]
        assert str(screen.query_one("#station-line").render()).startswith("Đài truyền thanh xã")


async def test_a_station_that_cannot_be_opened_is_said_once(tmp_path: Path) -> None:
    def refuse() -> StationBackend:
        raise StorageError(f"Chưa có đài nào ở {tmp_path}. Hãy chạy «truyenthanh init» (hoặc «init --demo»).")

    app = TruyenthanhApp(refuse, start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.pause(2.2)  # two of the one-second refreshes
        await settle(app, pilot)
        assert app.backend_failed
        assert said(app).count("Chưa có đài nào") == 1
        assert "Thoát bằng Ctrl+Q." in said(app)
        assert str(app.screen.query_one("#station-line").render()) == "Không mở được dữ liệu của đài."


async def test_a_database_older_than_the_program_is_said_once(station_dir: Path) -> None:
    built = bootstrap.build(load_settings(station_dir))
    try:
        database.upgrade(built.db.engine, "0001")  # a station left at the first schema by an old version
        app = TruyenthanhApp(StationBackend(built), start_daemon=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            await pilot.pause(2.2)  # two of the one-second refreshes
            await settle(app, pilot)
            assert app.schema_outdated
            assert said(app).count("là của phiên bản cũ; hãy thoát và chạy «truyenthanh init» để nâng cấp.") == 1
            assert said(app).count("Lỗi cơ sở dữ liệu") <= 1  # reading stopped once the reason was known
    finally:
        built.close()
