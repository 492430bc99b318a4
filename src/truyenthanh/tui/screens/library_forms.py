"""Forms of the "Thư viện" screen: import files, edit an asset's description."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input, Label, Select

from truyenthanh.domain.enums import Category
from truyenthanh.errors import LibraryError
from truyenthanh.services.library import AUDIO_EXTENSIONS, AssetInfo
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.widgets.file_picker import FilePickerScreen
from truyenthanh.tui.widgets.form import FormScreen


def files_to_import(raw: str, chosen: Sequence[Path] = ()) -> list[Path]:
    """The files chosen in the picker, then those named in the import field: paths separated by ``;``; a
    folder means its audio files.

    Raises:
        ValueError: nothing was chosen nor usably named (Vietnamese message).
    """
    found: list[Path] = list(chosen)
    for part in (p.strip().strip('"') for p in raw.split(";")):
        if not part:
            continue
        path = Path(part).expanduser()
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in AUDIO_EXTENSIONS))
        else:
            found.append(path)
    if not found:
        raise ValueError(
            "Chưa chọn tệp nào: hãy chọn tệp ở cây thư mục (Ctrl+O) hoặc ghi đường dẫn vào ô "
            "«Tệp hoặc thư mục» (nhiều tệp: ngăn cách bằng dấu ;)."
        )
    return found


class ImportRequest:
    """What the import form asks for; the library screen runs the import with a progress bar."""

    def __init__(self, paths: list[Path], category: Category, language: str) -> None:
        self.paths = paths
        self.category = category
        self.language = language


class ImportScreen(FormScreen[ImportRequest]):
    """Choose files (in the folder tree or by typing their paths), their category and language."""

    HEADING = "Nhập tệp âm thanh vào thư viện"
    SAVE_LABEL = "Nhập (Ctrl+S)"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+o", "browse", "Chọn tệp…", priority=True)]

    def __init__(self, places: Sequence[tuple[str, Path]] = ()) -> None:
        """``places``: where the folder tree can start (home folder, USB drives); empty: the home folder."""
        super().__init__()
        self._places = places
        self.chosen: list[Path] = []
        """Files chosen in the folder tree (imported before any typed path)."""

    def fields(self) -> ComposeResult:
        """Paths typed, the folder tree's button and choice, category, language."""
        yield Label("Tệp hoặc thư mục (gõ đường dẫn, nhiều tệp ngăn cách bằng dấu ;)")
        yield Input(placeholder="/media/usb/ban-tin.mp3", id="import-paths")
        yield Button("Chọn tệp trên máy hoặc ổ USB… (Ctrl+O)", id="import-browse")
        yield Label("Chưa chọn tệp nào ở cây thư mục.", id="import-chosen")
        yield Label("Lĩnh vực")
        yield Select([(c.label, c) for c in Category], value=Category.OTHER, allow_blank=False, id="import-category")
        yield Label("Ngôn ngữ (vi: tiếng Việt; hmn: tiếng Mông; tay: tiếng Tày …)")
        yield Input("vi", id="import-language")

    def collect(self) -> dict[str, Any]:
        """Read and check the fields."""
        return {
            "paths": files_to_import(self.query_one("#import-paths", Input).value, self.chosen),
            "category": self.query_one("#import-category", Select).value,
            "language": self.query_one("#import-language", Input).value,
        }

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The browse button opens the folder tree (Textual also runs :class:`FormScreen`'s handler, for the
        save and cancel buttons)."""
        if event.button.id == "import-browse":
            self.action_browse()

    def action_browse(self) -> None:
        """Choose files in a folder tree of the home folder and the USB drives."""

        def chosen(paths: list[Path] | None) -> None:
            if paths is None:
                return
            self.chosen = paths
            names = ", ".join(path.name for path in paths[:3]) + (" …" if len(paths) > 3 else "")
            self.query_one("#import-chosen", Label).update(f"Đã chọn {len(paths)} tệp: {names}")

        self.app.push_screen(
            FilePickerScreen("Chọn tệp âm thanh để nhập", self._places, extensions=AUDIO_EXTENSIONS), chosen
        )

    def save(self, values: dict[str, Any]) -> ImportRequest:
        """Check the files exist; the import itself runs on the library screen with a progress bar."""
        missing = [str(p) for p in values["paths"] if not p.is_file()]
        if missing:
            raise LibraryError("Không thấy tệp: " + ", ".join(missing) + ".")
        return ImportRequest(values["paths"], values["category"], values["language"])


class EditAssetScreen(FormScreen[AssetInfo]):
    """Change an asset's title, category and language."""

    HEADING = "Sửa thông tin tệp âm thanh"

    def __init__(self, backend: StationBackend, asset: AssetInfo) -> None:
        super().__init__()
        self._backend = backend
        self._asset = asset

    def fields(self) -> ComposeResult:
        """Title, category, language, filled with the current values."""
        yield Label("Tiêu đề")
        yield Input(self._asset.title, id="asset-title")
        yield Label("Lĩnh vực")
        yield Select(
            [(c.label, c) for c in Category], value=self._asset.category, allow_blank=False, id="asset-category"
        )
        yield Label("Ngôn ngữ")
        yield Input(self._asset.language, id="asset-language")

    def collect(self) -> dict[str, Any]:
        """Read the fields."""
        return {
            "title": self.query_one("#asset-title", Input).value,
            "category": self.query_one("#asset-category", Select).value,
            "language": self.query_one("#asset-language", Input).value,
        }

    def save(self, values: dict[str, Any]) -> AssetInfo:
        """Save through the library service."""
        return self._backend.library.update(self._backend.acting(), self._asset.id, **values)
