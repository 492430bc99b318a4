"""Thư viện: import real files with a progress bar, search without accents, filter, edit, preview."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, ProgressBar, Select

from tests.media import make_tone
from tests.people import ADMIN
from tests.tui.conftest import said
from tests.tui.test_programmes import settle, top_screen
from truyenthanh import bootstrap
from truyenthanh.domain.enums import Category
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.library import LibraryScreen
from truyenthanh.tui.screens.library_forms import EditAssetScreen, ImportScreen


async def test_import_search_filter_and_edit(
    container: bootstrap.Container, tmp_path: Path, pulse_env: dict[str, str]
) -> None:
    folder = tmp_path / "usb"
    make_tone(folder / "Thông báo tiêm chủng.mp3", seconds=1.5)
    make_tone(folder / "Bản tin thời sự.wav", seconds=2.0, hz=440)
    (folder / "hỏng.mp3").write_bytes(b"not audio at all")
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert screen.assets == []

        await pilot.press("i")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ImportScreen)
        await pilot.press(*str(tmp_path / "khong-co.mp3"), "ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is form
        assert "Không thấy tệp" in str(form.query_one("#form-error").render())
        form.query_one("#import-paths", Input).value = str(folder)
        form.query_one("#import-category", Select).value = Category.ADMINISTRATION
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is screen
        bar = screen.query_one("#import-progress", ProgressBar)
        assert bar.total == 3 and bar.progress == 3
        assert sorted(a.title for a in screen.assets) == ["Bản tin thời sự", "Thông báo tiêm chủng"]
        assert {a.category for a in screen.assets} == {Category.ADMINISTRATION}

        await pilot.press("/", *"tiem chung")
        await settle(app, pilot)
        assert [a.title for a in screen.assets] == ["Thông báo tiêm chủng"]
        details = str(screen.query_one("#asset-details").render())
        assert "Thời lượng: 0:02" in details and "LUFS" in details

        await pilot.press("enter", "e")
        await settle(app, pilot)
        edit = app.screen
        assert isinstance(edit, EditAssetScreen)
        edit.query_one("#asset-language", Input).value = "không phải mã"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is edit and "không hợp lệ" in str(edit.query_one("#form-error").render())
        edit.query_one("#asset-language", Input).value = "hmn"
        edit.query_one("#asset-title", Input).value = "Thông báo tiêm chủng (tiếng Mông)"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is screen
        screen.query_one("#library-search", Input).value = ""
        screen.query_one("#library-language", Select).value = "hmn"
        await settle(app, pilot)
        assert [(a.title, a.language) for a in screen.assets] == [("Thông báo tiêm chủng (tiếng Mông)", "hmn")]

        # No preview device is set: said, and nothing plays (the default device may be the station's speaker).
        await pilot.press("p")
        await settle(app, pilot)
        assert not app.preview.is_playing()
        assert "Chưa đặt thiết bị nghe thử (mục «preview_device» trong cấu hình) nên không phát thử" in said(app)
