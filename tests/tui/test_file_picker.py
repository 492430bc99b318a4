"""Thư viện's import with the folder tree: the home folder and a USB drive, several files, keys only."""

from __future__ import annotations

import asyncio
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import ProgressBar, Select
from textual.worker import WorkerState

from tests.fakes import FrozenClock
from tests.media import make_tone
from tests.people import ADMIN
from tests.tui.conftest import said
from tests.tui.people import EDITOR, add_accounts, log_in
from tests.tui.test_programmes import settle, top_screen
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.dialogs import ConfirmScreen
from truyenthanh.tui.screens.library import LibraryScreen
from truyenthanh.tui.screens.library_forms import ImportScreen
from truyenthanh.tui.widgets.file_picker import CHOSEN_MARK, AudioTree, FilePicker, FilePickerScreen

LUNAR = Path(__file__).resolve().parents[2] / "schedules" / "ram-mung-mot-tet-2027.toml"


async def settle_tree(app: TruyenthanhApp, pilot: Pilot[None], timeout: float = 30.0) -> None:
    """:func:`settle`, but for the folder tree's directory loader, which waits for work as long as it lives."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3:
        await pilot.pause()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) and w.group != "_loader" for w in app.workers)
        quiet = 0 if busy else quiet + 1
        if busy:
            await asyncio.sleep(0.01)
        assert time.monotonic() < deadline, "workers still running"


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A home folder with a music folder (two recordings, a text file, a hidden folder) and a mounted USB drive
    under a ``media`` folder; ``HOME`` points at the home folder."""
    home = tmp_path / "home" / "vanhanh"
    make_tone(home / "Nhạc" / "Bản tin sáng.mp3", seconds=1.0)
    make_tone(home / "Nhạc" / "Thông báo họp.wav", seconds=1.0, hz=500.0)
    (home / "Nhạc" / "ghi chú.txt").write_text("không phải âm thanh", encoding="utf-8")
    make_tone(home / ".cache" / "ẩn.mp3", seconds=0.5)
    media = tmp_path / "media"
    make_tone(media / "USB-XA" / "Tin vắn.ogg", seconds=1.0, hz=700.0)
    monkeypatch.setenv("HOME", str(home))
    return home, media


def test_places_list_the_home_folder_then_each_mounted_drive(
    container: bootstrap.Container, folders: tuple[Path, Path]
) -> None:
    home, media = folders
    (media / "vanhanh" / "KINGSTON").mkdir(parents=True)  # /media/USER/DRIVE, as desktops mount them
    backend = StationBackend(container, actor=ADMIN)
    backend.drive_folders = (media / "vanhanh", media, media / "không-có")
    assert backend.file_places() == [
        (f"Thư mục nhà ({home})", home),
        (f"Ổ đĩa «KINGSTON» ({media / 'vanhanh' / 'KINGSTON'})", media / "vanhanh" / "KINGSTON"),
        (f"Ổ đĩa «USB-XA» ({media / 'USB-XA'})", media / "USB-XA"),
    ]


async def test_choose_files_from_home_and_usb_then_import_with_progress(
    container: bootstrap.Container, folders: tuple[Path, Path]
) -> None:
    home, media = folders
    backend = StationBackend(container, actor=ADMIN)
    backend.drive_folders = (media,)
    app = TruyenthanhApp(backend, start_daemon=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await pilot.press("i")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ImportScreen)
        await pilot.press("ctrl+o")
        await settle_tree(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, FilePickerScreen)
        picker = dialog.query_one(FilePicker)
        tree = picker.query_one(AudioTree)
        assert tree.path == home and dialog.focused is tree
        places = dialog.query_one("#picker-places", Select)
        assert [str(value) for _label, value in places._options] == [str(home), str(media / "USB-XA")]

        # The folder "Nhạc" is the first entry (hidden folders are not listed); Space chooses its audio files.
        await pilot.press("down")
        await settle_tree(app, pilot)
        assert [str(node.label) for node in tree.root.children] == ["Nhạc"]
        await pilot.press("space")
        await settle_tree(app, pilot)
        assert picker.chosen == [home / "Nhạc" / "Bản tin sáng.mp3", home / "Nhạc" / "Thông báo họp.wav"]
        assert "Đã chọn 2 tệp" in str(picker.query_one("#picker-chosen").render())

        await pilot.press("enter")  # open the folder: only audio files are listed, the chosen ones marked
        await settle_tree(app, pilot)
        music = tree.root.children[0]
        assert [str(node.label) for node in music.children] == ["Bản tin sáng.mp3", "Thông báo họp.wav"]
        assert tree.render_label(music.children[0], tree.rich_style, tree.rich_style).plain.startswith(CHOSEN_MARK)
        await pilot.press("down", "down", "enter")  # Enter on a chosen file leaves it
        await settle_tree(app, pilot)
        assert picker.chosen == [home / "Nhạc" / "Bản tin sáng.mp3"]
        assert not tree.render_label(music.children[1], tree.rich_style, tree.rich_style).plain.startswith(CHOSEN_MARK)

        # The USB drive, from the place chooser; what was chosen at home stays chosen.
        places.value = str(media / "USB-XA")
        await settle_tree(app, pilot)
        assert tree.path == media / "USB-XA"
        tree.focus()
        await pilot.press("down", "space")
        await settle_tree(app, pilot)
        assert picker.chosen == [home / "Nhạc" / "Bản tin sáng.mp3", media / "USB-XA" / "Tin vắn.ogg"]

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is form
        assert form.chosen == [home / "Nhạc" / "Bản tin sáng.mp3", media / "USB-XA" / "Tin vắn.ogg"]
        assert "Đã chọn 2 tệp: Bản tin sáng.mp3, Tin vắn.ogg" in str(form.query_one("#import-chosen").render())

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is screen
        assert sorted(a.title for a in screen.assets) == ["Bản tin sáng", "Tin vắn"]
        bar = screen.query_one("#import-progress", ProgressBar)
        assert bar.total == 2 and bar.progress == 2
        assert not screen.query_one("#import-status").display
        # ffmpeg's progress reached the screen: the per-file line named the last file as it decoded.
        assert str(screen.query_one("#import-file").render()) == "2/2: Tin vắn.ogg"


async def test_cancelled_picker_and_nothing_chosen_name_the_field_and_keep_the_form(
    container: bootstrap.Container, folders: tuple[Path, Path]
) -> None:
    _home, media = folders
    backend = StationBackend(container, actor=ADMIN)
    backend.drive_folders = (media,)
    app = TruyenthanhApp(backend, start_daemon=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await settle(app, pilot)
        await pilot.press("i")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ImportScreen)
        await pilot.click("#import-browse")
        await settle_tree(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, FilePickerScreen)
        # Nothing chosen yet: said how to choose, and the dialog stays.
        await pilot.press("ctrl+s")
        await settle_tree(app, pilot)
        assert top_screen(app) is dialog
        assert "Space hoặc Enter" in str(dialog.query_one("#picker-error").render())
        await pilot.press("down", "space", "escape")
        await settle(app, pilot)
        assert top_screen(app) is form and form.chosen == []
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is form
        error = str(form.query_one("#form-error").render())
        assert "Chưa chọn tệp nào" in error and "«Tệp hoặc thư mục»" in error and "--" not in error


@pytest.fixture(scope="module")
def signed_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The lunar example built and signed once on an editor's machine, and the editor's public key."""
    folder = tmp_path_factory.mktemp("editor")
    editor = bootstrap.build(load_settings(folder), clock=FrozenClock(datetime(2026, 11, 20, 1, 0, tzinfo=UTC)))
    try:
        editor.keys.generate("Đài PT-TH tỉnh Phú Thọ")
        built = editor.packages.build(LUNAR, folder / "am-lich.ttpkg", sign_with="Đài PT-TH tỉnh Phú Thọ").path
        key = editor.keys.export()
    finally:
        editor.close()
    return built, key


async def test_package_import_chosen_in_the_tree_previewed_then_imported_after_a_login(
    container: bootstrap.Container, folders: tuple[Path, Path], signed_package: tuple[Path, bytes]
) -> None:
    _home, media = folders
    package, key = signed_package
    shutil.copyfile(package, media / "USB-XA" / "am-lich.ttpkg")
    container.keys.trust(ADMIN, key, "phutho.pub.json")
    add_accounts(container)
    backend = StationBackend(container)
    backend.drive_folders = (media,)
    app = TruyenthanhApp(backend, start_daemon=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await pilot.press("g")
        await settle_tree(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, FilePickerScreen)
        dialog.query_one("#picker-places", Select).value = str(media / "USB-XA")
        await settle_tree(app, pilot)
        tree = dialog.query_one(AudioTree)
        assert [str(node.label) for node in tree.root.children] == ["am-lich.ttpkg"], "only packages are listed"
        tree.focus()
        await pilot.press("down", "enter", "ctrl+s")
        await settle(app, pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Gói «" in confirm.question and "Nhập gói «am-lich.ttpkg» vào đài?" in confirm.question
        assert container.programmes.list() == []

        # Nobody is logged in: "yes" asks for a login, then the import carries on.
        await pilot.press("y")
        await settle(app, pilot)
        await log_in(app, pilot, EDITOR)
        await settle(app, pilot)
        assert top_screen(app) is screen
        assert len(container.programmes.list()) >= 1
        assert "Đã nhập" in said(app) and "chương trình" in said(app)
        assert not screen.query_one("#import-progress").display


async def test_import_logged_out_asks_for_a_login_then_imports_what_was_chosen(
    container: bootstrap.Container, folders: tuple[Path, Path]
) -> None:
    _home, media = folders
    add_accounts(container)
    backend = StationBackend(container)
    backend.drive_folders = (media,)
    app = TruyenthanhApp(backend, start_daemon=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await pilot.press("i", "ctrl+o")
        await settle_tree(app, pilot)
        await pilot.press("down", "space", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await log_in(app, pilot, EDITOR)
        await settle(app, pilot)
        assert top_screen(app) is screen
        assert sorted(a.title for a in screen.assets) == ["Bản tin sáng", "Thông báo họp"]
        assert [a.path for a in container.library.list() if not (container.library.media_dir / a.path).is_file()] == []
        assert "Đăng nhập không thành công" not in said(app)
