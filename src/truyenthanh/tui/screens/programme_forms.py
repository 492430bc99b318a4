"""Forms of the "Chương trình" screen: a new programme, a new item."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from truyenthanh.domain.enums import Category, ItemKind
from truyenthanh.services.programmes import ItemChoices, ProgrammeDetail
from truyenthanh.tui import formatting, parsing
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.widgets.form import FormScreen


class NewProgrammeScreen(FormScreen[ProgrammeDetail]):
    """Create an empty programme."""

    HEADING = "Chương trình mới"

    def __init__(self, backend: StationBackend) -> None:
        super().__init__()
        self._backend = backend

    def fields(self) -> ComposeResult:
        """Title and category."""
        yield Label("Tên chương trình")
        yield Input(placeholder="Ví dụ: Chương trình sáng thứ Hai", id="programme-title")
        yield Label("Lĩnh vực")
        yield Select(
            [(c.label, c) for c in Category],
            value=Category.LOCAL_AFFAIRS,
            allow_blank=False,
            id="programme-category",
        )

    def collect(self) -> dict[str, Any]:
        """Read the title and category."""
        return {
            "title": self.query_one("#programme-title", Input).value,
            "category": self.query_one("#programme-category", Select).value,
        }

    def save(self, values: dict[str, Any]) -> ProgrammeDetail:
        """Create it."""
        return self._backend.programmes.create(self._backend.acting(), values["title"], category=values["category"])


class AddItemScreen(FormScreen[ProgrammeDetail]):
    """Append an item (audio, announcement, jingle, silence, relay) to a programme."""

    HEADING = "Thêm mục vào chương trình"

    def __init__(self, backend: StationBackend, programme_id: int, choices: ItemChoices) -> None:
        super().__init__()
        self._backend = backend
        self._programme_id = programme_id
        self._choices = choices

    def fields(self) -> ComposeResult:
        """Kind, then what that kind needs."""
        yield Label("Loại mục")
        yield Select([(k.label, k) for k in ItemKind], value=ItemKind.AUDIO, allow_blank=False, id="item-kind")
        yield Label("Tệp âm thanh (âm thanh, nhạc hiệu)", classes="needs-asset")
        yield Select(
            [(f"{c.title} ({formatting.duration(c.duration_s)})", c.id) for c in self._choices.assets],
            prompt="Chọn tệp trong thư viện",
            id="item-asset",
            classes="needs-asset",
        )
        yield Label("Thông báo", classes="needs-announcement")
        yield Select(
            [(c.title, c.id) for c in self._choices.announcements],
            prompt="Chọn thông báo",
            id="item-announcement",
            classes="needs-announcement",
        )
        yield Label("Địa chỉ luồng tiếp sóng", classes="needs-relay")
        yield Input(placeholder="https://…", id="item-relay", classes="needs-relay")
        yield Label("Thời lượng (giây, hoặc phút:giây)", classes="needs-duration")
        yield Input(placeholder="Ví dụ: 2 hoặc 15:00", id="item-duration", classes="needs-duration")
        yield Label("Tên mục (để trống: lấy theo tệp)")
        yield Input(id="item-title")

    def on_mount(self) -> None:
        """Show only the fields the default kind needs."""
        self._show_fields(ItemKind.AUDIO)

    def on_select_changed(self, event: Select.Changed) -> None:
        """Switch the fields when the kind changes."""
        if event.select.id == "item-kind" and isinstance(event.value, ItemKind):
            self._show_fields(event.value)

    def _show_fields(self, kind: ItemKind) -> None:
        needs = {
            "needs-asset": kind in (ItemKind.AUDIO, ItemKind.JINGLE),
            "needs-announcement": kind is ItemKind.ANNOUNCEMENT,
            "needs-relay": kind is ItemKind.RELAY,
            "needs-duration": kind in (ItemKind.SILENCE, ItemKind.RELAY),
        }
        for css_class, shown in needs.items():
            for widget in self.query(f".{css_class}"):
                widget.display = shown

    def collect(self) -> dict[str, Any]:
        """Read the fields the chosen kind needs."""
        kind = self.query_one("#item-kind", Select).value
        asset = self.query_one("#item-asset", Select).value
        announcement = self.query_one("#item-announcement", Select).value
        return {
            "kind": kind,
            "asset_id": asset if isinstance(asset, int) else None,
            "announcement_id": announcement if isinstance(announcement, int) else None,
            "relay_url": self.query_one("#item-relay", Input).value or None,
            "duration_s": parsing.seconds(self.query_one("#item-duration", Input).value, "Thời lượng"),
            "title": self.query_one("#item-title", Input).value,
        }

    def save(self, values: dict[str, Any]) -> ProgrammeDetail:
        """Append the item."""
        return self._backend.programmes.add_item(self._backend.acting(), self._programme_id, **values)
