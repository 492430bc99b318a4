"""Thư viện: the station's audio files; search, filter by category and language, import, preview, edit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, ProgressBar, Select, Static

from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Category
from truyenthanh.domain.package import PACKAGE_SUFFIX
from truyenthanh.services.library import AssetInfo, ImportReport
from truyenthanh.tui import formatting
from truyenthanh.tui.messages import AssetsLoaded, ImportFinished, ImportProgressed
from truyenthanh.tui.screens.base import StationScreen, reported
from truyenthanh.tui.screens.dialogs import ConfirmScreen
from truyenthanh.tui.screens.library_forms import EditAssetScreen, ImportRequest, ImportScreen
from truyenthanh.tui.widgets.file_picker import FilePickerScreen
from truyenthanh.tui.widgets.keyhints import KeyHints
from truyenthanh.tui.widgets.statusbar import StatusBar
from truyenthanh.tui.widgets.tables import fill_table

if TYPE_CHECKING:
    from truyenthanh.services.packages.results import ImportOutcome
    from truyenthanh.tui.backend import StationBackend

COLUMNS = (("Tiêu đề", 28), ("Thời lượng", None), ("Lĩnh vực", 18), ("Ngôn ngữ", None), ("Độ to", None))
"""The table's columns (header, widest it grows to), the ones that tell assets apart first."""

LANGUAGES = (("Mọi ngôn ngữ", ""), ("Tiếng Việt (vi)", "vi"), ("Tiếng Mông (hmn)", "hmn"), ("Tiếng Tày (tay)", "tay"))


class ImportDecoding(Message):
    """Part of a file being imported was decoded: ``share`` (0 to 1) of ``path``."""

    def __init__(self, path: Path, share: float) -> None:
        super().__init__()
        self.path = path
        self.share = share


class PackageStepped(Message):
    """A step of checking or importing a package was done; ``total`` steps are known so far."""

    def __init__(self, step: str, total: int) -> None:
        super().__init__()
        self.step = step
        self.total = total


class PackagePreviewed(Message):
    """A package was verified; ``text`` says what importing it would do."""

    def __init__(self, path: Path, text: str) -> None:
        super().__init__()
        self.path = path
        self.text = text


class PackageImported(Message):
    """A package was imported (or found already imported)."""

    def __init__(self, outcome: ImportOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class LibraryScreen(StationScreen):
    """Filters on top, the assets in a table, the highlighted asset's details on the right."""

    TITLE = "Thư viện"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("/", "search", "Tìm"),
        Binding("i", "import", "Nhập tệp"),
        Binding("g", "import_package", "Nhập gói"),
        Binding("e", "edit", "Sửa thông tin"),
        Binding("p", "preview", "Nghe thử / dừng"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[AssetInfo] = []
        """What the table shows (tests read it)."""
        self._done = 0

    def compose(self) -> ComposeResult:
        """Status, filters, table and details, progress, footer."""
        yield StatusBar("library")
        with Horizontal(id="library-filters"):
            yield Input(placeholder="Tìm theo tên (gõ không dấu cũng được)", id="library-search")
            yield Select([(c.label, c.value) for c in Category], prompt="Mọi lĩnh vực", id="library-category")
            yield Select(list(LANGUAGES), value="", allow_blank=False, id="library-language")
        with Horizontal():
            yield DataTable(id="library-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="library-details"):
                yield Static("", id="asset-details")
        with Horizontal(id="import-status"):
            yield Static("", id="import-file")
            yield ProgressBar(id="import-file-progress", show_eta=False)
        yield ProgressBar(id="import-progress", show_eta=False)
        yield KeyHints()

    def on_mount(self) -> None:
        """Columns, then the list."""
        table = self.query_one("#library-table", DataTable)
        table.border_title = "Tệp âm thanh"
        fill_table(table, COLUMNS, [])
        self.query_one("#library-details").border_title = "Chi tiết"
        self.query_one("#import-progress").display = False
        self.query_one("#import-status").display = False
        for widget in self.query("#library-filters Input, #library-filters Select"):
            widget.compact = True  # type: ignore[attr-defined]
        self._reload()
        table.focus()

    def _reload(self) -> None:
        search = self.query_one("#library-search", Input).value
        category = self.query_one("#library-category", Select).value
        language = self.query_one("#library-language", Select).value
        self._load(
            search or None,
            Category(category) if isinstance(category, str) else None,
            language if isinstance(language, str) and language else None,
        )

    def _load(self, search: str | None, category: Category | None, language: str | None) -> None:
        self.run_call(
            lambda backend: backend.library.list(category=category, language=language, search=search),
            AssetsLoaded,
            group="library",
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as the operator types."""
        if event.input.id == "library-search":
            self._reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box goes to the results."""
        if event.input.id == "library-search":
            self.query_one("#library-table", DataTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        """Filter by category or language."""
        if event.select.id in ("library-category", "library-language"):
            self._reload()

    def on_assets_loaded(self, message: AssetsLoaded) -> None:
        """Fill the table."""
        self.assets = message.assets
        table = self.query_one("#library-table", DataTable)
        row = table.cursor_row
        rows = [
            (
                asset.title,
                formatting.duration(asset.duration_s),
                asset.category.label,
                asset.language,
                "—" if asset.loudness_lufs is None else f"{asset.loudness_lufs:.1f} LUFS",
            )
            for asset in self.assets
        ]
        fill_table(table, COLUMNS, rows, [str(asset.id) for asset in self.assets])
        if self.assets:
            table.move_cursor(row=min(row, len(self.assets) - 1))
        else:
            self.query_one("#asset-details", Static).update("Không có tệp nào khớp.")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted asset's details."""
        asset = self._highlighted()
        if asset is None:
            return
        details = Text()
        for label, value in (
            ("Tiêu đề", asset.title),
            ("Lĩnh vực", asset.category.label),
            ("Ngôn ngữ", asset.language),
            ("Thời lượng", formatting.duration(asset.duration_s)),
            ("Định dạng", f"{asset.format} / {asset.codec}, {asset.channels} kênh, {asset.sample_rate} Hz"),
            ("Độ to", "—" if asset.loudness_lufs is None else f"{asset.loudness_lufs:.1f} LUFS"),
            ("Đỉnh thật", "—" if asset.true_peak_dbtp is None else f"{asset.true_peak_dbtp:.1f} dBTP"),
            ("Tệp", asset.path),
        ):
            details.append(f"{label}: ", style="bold")
            details.append(f"{value}\n")
        self.query_one("#asset-details", Static).update(details)

    def _highlighted(self) -> AssetInfo | None:
        table = self.query_one("#library-table", DataTable)
        if not self.assets or table.cursor_row >= len(self.assets):
            return None
        return self.assets[table.cursor_row]

    def action_search(self) -> None:
        """Go to the search box."""
        self.query_one("#library-search", Input).focus()

    def action_edit(self) -> None:
        """Edit the highlighted asset's title, category and language."""
        asset = self._highlighted()
        if asset is None:
            return

        def saved(result: AssetInfo | None) -> None:
            if result is not None:
                self.notify(f"Đã lưu «{result.title}».", title="Đã lưu")
                self._reload()

        self.app.push_screen(EditAssetScreen(self.backend, asset), saved)

    def action_preview(self) -> None:
        """Listen to the highlighted asset on the preview device (headphones, never the speaker), or stop."""
        asset = self._highlighted()
        if asset is None and not self.station_app.preview.is_playing():
            return
        self._preview(asset)

    def _preview(self, asset: AssetInfo | None) -> None:
        player = self.station_app.preview

        def listen(backend: StationBackend) -> str:
            if player.is_playing() or asset is None:
                player.stop()
                return "Đã dừng nghe thử."
            player.play(backend.library.absolute_path(asset))
            return f"Đang nghe thử «{asset.title}» trên thiết bị «{player.device}» (nhấn P để dừng)."

        self.run_call(listen, lambda said: self.app.call_from_thread(self.notify, said), group="preview")

    def action_import(self) -> None:
        """Ask what to import, then import with a progress bar."""

        def chosen(request: ImportRequest | None) -> None:
            if request is not None:
                self.station_app.with_actor(
                    "Nhập tệp âm thanh vào thư viện: đăng nhập để tiếp tục.", lambda _actor: start(request)
                )

        def start(request: ImportRequest) -> None:
            self._done = 0
            bar = self.query_one("#import-progress", ProgressBar)
            bar.update(total=len(request.paths), progress=0)
            bar.display = True
            self.query_one("#import-file-progress", ProgressBar).update(total=100, progress=0)
            self.query_one("#import-status").display = True
            self._import(request)

        self.app.push_screen(ImportScreen(self.backend.file_places()), chosen)

    def _import(self, request: ImportRequest) -> None:
        def progressed(path: Path) -> None:
            self.post_message(ImportProgressed(path))

        def decoding(path: Path, share: float) -> None:
            self.post_message(ImportDecoding(path, share))

        self.run_call(
            lambda backend: backend.library.add(
                backend.acting(),
                request.paths,
                category=request.category,
                language=request.language,
                progress=progressed,
                decoding=decoding,
            ),
            ImportFinished,
            group="import",
            failed=lambda error: (*reported(error), ImportFinished(None)),
        )

    def on_import_decoding(self, message: ImportDecoding) -> None:
        """A file is partly decoded: both bars move (the whole batch by that file's share)."""
        self.query_one("#import-file", Static).update(f"{self._done + 1}/{self._total()}: {message.path.name}")
        self.query_one("#import-file-progress", ProgressBar).update(progress=round(message.share * 100))
        self.query_one("#import-progress", ProgressBar).update(progress=self._done + message.share)

    def on_import_progressed(self, _message: ImportProgressed) -> None:
        """One more file done."""
        self._done += 1
        self.query_one("#import-progress", ProgressBar).update(progress=self._done)
        self.query_one("#import-file-progress", ProgressBar).update(progress=0)

    def _total(self) -> int:
        return int(self.query_one("#import-progress", ProgressBar).total or 0)

    def on_import_finished(self, message: ImportFinished) -> None:
        """Say what happened to each file and show the new list."""
        self.query_one("#import-progress", ProgressBar).display = False
        self.query_one("#import-status").display = False
        report: ImportReport | None = message.report
        if report is None:
            return
        parts = [f"Đã nhập {len(report.imported)} tệp"]
        if report.duplicates:
            parts.append(f"{len(report.duplicates)} tệp đã có sẵn")
        if report.failures:
            parts.append(f"{len(report.failures)} tệp lỗi")
        self.notify("; ".join(parts) + ".", title="Nhập tệp", severity="error" if report.failures else "information")
        for failure in report.failures:
            self.notify(failure.error or "", title=f"Không nhập được {failure.path.name}", severity="error", timeout=15)
        self._reload()

    def action_import_package(self) -> None:
        """Choose a programme package (.ttpkg) in the folder tree, see what it would change, then import it."""

        def chosen(paths: list[Path] | None) -> None:
            if not paths:
                return
            self._show_steps()
            self.run_call(
                lambda backend: backend.preview_package(paths[0], self._stepped),
                lambda text: PackagePreviewed(paths[0], text),
                group="package",
                failed=lambda error: (*reported(error), ImportFinished(None)),
            )

        picker = FilePickerScreen(
            "Chọn gói chương trình (.ttpkg) để nhập",
            self.backend.file_places(),
            extensions=(PACKAGE_SUFFIX,),
            multiple=False,
        )
        self.app.push_screen(picker, chosen)

    def _show_steps(self) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#import-progress").display = True

    def _stepped(self, step: str, total: int) -> None:
        """Called in the worker after each step of checking or importing a package."""
        self.post_message(PackageStepped(step, total))

    def on_package_stepped(self, message: PackageStepped) -> None:
        """One more step of a package done: the bar moves and says which."""
        bar = self.query_one("#import-progress", ProgressBar)
        done = bar.progress + 1
        bar.update(total=max(message.total, done), progress=done)
        self.query_one("#import-file", Static).update(message.step)
        self.query_one("#import-status").display = True

    def on_package_previewed(self, message: PackagePreviewed) -> None:
        """Show what the package would change; on "yes", import it (logging in first if nobody is)."""
        self.on_import_finished(ImportFinished(None))

        def answered(yes: bool | None) -> None:
            if yes:
                self.station_app.with_actor(
                    "Nhập gói chương trình: đăng nhập để tiếp tục.",
                    lambda actor: self._import_package(actor, message.path),
                )

        question = f"{message.text}\n\nNhập gói «{message.path.name}» vào đài?"
        self.app.push_screen(ConfirmScreen(question, yes="Nhập gói (Y)"), answered)

    def _import_package(self, actor: Actor, package: Path) -> None:
        self._show_steps()
        self.run_call(
            lambda backend: backend.import_package(actor, package, self._stepped),
            PackageImported,
            group="package",
            failed=lambda error: (*reported(error), ImportFinished(None)),
        )

    def on_package_imported(self, message: PackageImported) -> None:
        """Say what the import added; programmes wait for the approver unless the package was pre-approved."""
        self.on_import_finished(ImportFinished(None))
        outcome = message.outcome
        if not outcome.imported:
            self.notify("Gói này đã được nhập trước đây: không ghi gì thêm.", title="Nhập gói")
            return
        said = f"Đã nhập {len(outcome.programme_ids)} chương trình, {len(outcome.schedule_ids)} lịch phát."
        if outcome.skipped_schedules:
            said += f" Bỏ qua {len(outcome.skipped_schedules)} lịch: {'; '.join(outcome.skipped_schedules)}."
        self.notify(said + " Chương trình mới xem ở màn hình Chương trình và Chờ duyệt.", title="Nhập gói", timeout=15)
