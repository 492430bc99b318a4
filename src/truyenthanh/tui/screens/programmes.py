"""Chương trình: the programmes, and the ordered items of the one selected, with the session's limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.approval import ContentKind
from truyenthanh.services.programmes import ItemChoices, ProgrammeDetail, ProgrammeSummary
from truyenthanh.tui import formatting
from truyenthanh.tui.messages import ItemChoicesLoaded, ProgrammeChanged, ProgrammesLoaded
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.screens.dialogs import ConfirmScreen, TextPromptScreen
from truyenthanh.tui.screens.programme_forms import AddItemScreen, NewProgrammeScreen
from truyenthanh.tui.widgets.keyhints import KeyHints
from truyenthanh.tui.widgets.statusbar import StatusBar
from truyenthanh.tui.widgets.tables import fill_table

if TYPE_CHECKING:
    from truyenthanh.tui.backend import StationBackend


PROGRAMME_COLUMNS = (("Tên", 20), ("Trạng thái", None), ("Thời lượng", None), ("Số mục", None))
"""The programme list's columns (header, widest it grows to): name and state first (they fit 80 columns)."""
ITEM_COLUMNS = (("#", None), ("Tên", 24), ("Thời lượng", None), ("Loại", None))
"""The item list's columns, likewise."""


class ProgrammesScreen(StationScreen):
    """Left: every programme. Right: the selected programme's items, total length and session limit."""

    TITLE = "Chương trình"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_programme", "Chương trình mới"),
        Binding("a", "add_item", "Thêm mục"),
        Binding("shift+up", "move(-1)", "Đưa lên"),
        Binding("shift+down", "move(1)", "Đưa xuống"),
        Binding("delete", "remove_item", "Xóa mục"),
        Binding("g", "submit", "Gửi duyệt"),
        Binding("d", "approve", "Duyệt"),
        Binding("t", "reject", "Từ chối"),
        Binding("e", "rename", "Đổi tên"),
        Binding("c", "duplicate", "Nhân bản"),
        Binding("x", "delete_programme", "Xóa chương trình"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.programmes: list[ProgrammeSummary] = []
        self.detail: ProgrammeDetail | None = None
        """The programme shown on the right (tests read it)."""

    def compose(self) -> ComposeResult:
        """Status line, the two panes, the footer."""
        yield StatusBar("programmes")
        with Horizontal():
            yield DataTable(id="programme-list", cursor_type="row", zebra_stripes=True)
            with Vertical(id="programme-pane"):
                yield Label("Chọn một chương trình ở bên trái, hoặc nhấn N để tạo mới.", id="programme-heading")
                yield DataTable(id="item-list", cursor_type="row", zebra_stripes=True)
                yield Static("", id="programme-total")
        yield KeyHints()

    def on_mount(self) -> None:
        """Columns, then load."""
        programmes = self.query_one("#programme-list", DataTable)
        programmes.border_title = "Chương trình"
        fill_table(programmes, PROGRAMME_COLUMNS, [])
        items = self.query_one("#item-list", DataTable)
        items.border_title = "Các mục (Shift+↑/↓ để đổi thứ tự)"
        fill_table(items, ITEM_COLUMNS, [])
        self._load_list()

    def _load_list(self, select_id: int | None = None) -> None:
        self.run_call(
            lambda backend: backend.programmes.list(),
            lambda found: ProgrammesLoaded(found, select_id),
            group="programmes",
        )

    def on_programmes_loaded(self, message: ProgrammesLoaded) -> None:
        """Fill the list; keep or move the selection."""
        self.programmes = message.programmes
        table = self.query_one("#programme-list", DataTable)
        rows = [(p.title, p.status.label, formatting.duration(p.total_s), str(p.items)) for p in self.programmes]
        fill_table(table, PROGRAMME_COLUMNS, rows, [str(p.id) for p in self.programmes])
        if message.select_id is not None:
            index = next((i for i, p in enumerate(self.programmes) if p.id == message.select_id), 0)
            table.move_cursor(row=index)
        elif self.programmes:
            self._load_detail(self.programmes[0].id)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted programme's items."""
        if event.data_table.id == "programme-list" and event.row_key.value is not None:
            self._load_detail(int(event.row_key.value))

    def _load_detail(self, programme_id: int) -> None:
        self.run_call(lambda backend: backend.programmes.get(programme_id), ProgrammeChanged, group="programme-detail")

    def on_programme_changed(self, message: ProgrammeChanged) -> None:
        """Render the selected programme."""
        self._show(message.detail, message.cursor)

    def _show(self, detail: ProgrammeDetail, cursor: int | None = None) -> None:
        items = self.query_one("#item-list", DataTable)
        if cursor is None and self.detail is not None and self.detail.id == detail.id:
            cursor = items.cursor_row
        self.detail = detail
        self.query_one("#programme-heading", Label).update(
            Text.assemble((detail.title, "bold"), f"  —  {detail.category.label}, {detail.status.label}")
        )
        rows = [
            (str(item.position + 1), item.title, formatting.duration(item.duration_s), item.kind.label)
            for item in detail.items
        ]
        fill_table(items, ITEM_COLUMNS, rows)
        if cursor is not None and detail.items:
            items.move_cursor(row=max(0, min(cursor, len(detail.items) - 1)))
        total = f"Tổng thời lượng: {formatting.duration(detail.total_s)}"
        if detail.limit_s is None:
            text = Text(f"{total} (chưa xếp vào buổi phát nào)")
        elif detail.over_limit:
            over = formatting.duration(detail.total_s - detail.limit_s)
            text = Text(
                f"{total} / tối đa {formatting.duration(detail.limit_s)} của {detail.session_name}"
                f" — VƯỢT {over}, hãy bớt mục",
                style="bold red",
            )
        else:
            text = Text(
                f"{total} / tối đa {formatting.duration(detail.limit_s)} của {detail.session_name}", style="green"
            )
        self.query_one("#programme-total", Static).update(text)

    def action_new_programme(self) -> None:
        """Open the new-programme form."""

        def created(detail: ProgrammeDetail | None) -> None:
            if detail is not None:
                self.notify(f"Đã tạo chương trình «{detail.title}».", title="Đã lưu")
                self._show(detail)
                self._load_list(select_id=detail.id)

        self.app.push_screen(NewProgrammeScreen(self.backend), created)

    def action_add_item(self) -> None:
        """Open the add-item form for the programme shown."""
        if self.detail is None:
            self.notify("Hãy chọn hoặc tạo một chương trình trước.", severity="warning")
            return
        self._load_choices(self.detail.id)

    def _load_choices(self, programme_id: int) -> None:
        self.run_call(
            lambda backend: backend.programmes.choices(),
            lambda choices: ItemChoicesLoaded(programme_id, choices),
            group="choices",
        )

    def on_item_choices_loaded(self, message: ItemChoicesLoaded) -> None:
        """Open the form with the assets and announcements to choose from."""
        self._open_add_item(message.programme_id, message.choices)

    def _open_add_item(self, programme_id: int, choices: ItemChoices) -> None:
        def added(detail: ProgrammeDetail | None) -> None:
            if detail is not None:
                self._show(detail, cursor=len(detail.items) - 1)
                self._load_list(select_id=detail.id)

        self.app.push_screen(AddItemScreen(self.backend, programme_id, choices), added)

    def action_move(self, offset: int) -> None:
        """Move the highlighted item up or down."""
        position = self._item_cursor()
        if self.detail is None or position is None:
            return
        programme_id = self.detail.id
        self._act(
            "Sửa chương trình cần biết ai sửa.",
            lambda actor: self._change(
                lambda backend: backend.programmes.move_item(actor, programme_id, position, offset), position + offset
            ),
        )

    def action_remove_item(self) -> None:
        """Remove the highlighted item."""
        position = self._item_cursor()
        if self.detail is None or position is None:
            return
        programme_id = self.detail.id
        self._act(
            "Sửa chương trình cần biết ai sửa.",
            lambda actor: self._change(
                lambda backend: backend.programmes.remove_item(actor, programme_id, position), position
            ),
        )

    def _item_cursor(self) -> int | None:
        items = self.query_one("#item-list", DataTable)
        if self.detail is None or not self.detail.items:
            return None
        return items.cursor_row

    def _change(self, call: Callable[[StationBackend], ProgrammeDetail], cursor: int) -> None:
        def changed(detail: ProgrammeDetail) -> None:
            self.post_message(ProgrammeChanged(detail, cursor))
            self._load_list(select_id=detail.id)  # thread-safe: it starts a worker through the app

        self.run_call(call, changed, group="programme-edit")

    # --- the programme as a whole: approval, title, copy, deletion -----------------------------------------------

    def _act(self, reason: str, then: Callable[[Actor], object]) -> None:
        """Run ``then`` for the logged-in person; when nobody is, the login opens first and ``then`` follows."""
        self.station_app.with_actor(reason, then)

    def _chosen(self) -> ProgrammeDetail | None:
        if self.detail is None:
            self.notify("Hãy chọn một chương trình trước.", severity="warning")
        return self.detail

    def _workflow(self, call: Callable[[StationBackend], object], programme_id: int, notice: str) -> None:
        """Run a change of the whole programme; on success say ``notice`` and show the programme again."""

        def changed(_result: object) -> ProgrammeNoticed:
            self._load_list(select_id=programme_id)  # thread-safe: it starts a worker through the app
            return ProgrammeNoticed(notice, programme_id)

        self.run_call(call, changed, group="programme-workflow")

    def on_programme_noticed(self, message: ProgrammeNoticed) -> None:
        """Say what was done and show the programme as it is now."""
        self.notify(message.text, title="Chương trình")
        if message.programme_id is not None:
            self._load_detail(message.programme_id)

    def action_submit(self) -> None:
        """Send the programme for approval."""
        if (detail := self._chosen()) is None:
            return
        ident, title = detail.id, detail.title
        self._act(
            "Gửi duyệt cần biết ai gửi.",
            lambda actor: self._workflow(
                lambda backend: backend.submit(actor, ContentKind.PROGRAMME, ident), ident, f"Đã gửi duyệt «{title}»."
            ),
        )

    def action_approve(self) -> None:
        """Approve the programme so that it may go on air (after a confirmation)."""
        if (detail := self._chosen()) is None:
            return
        ident, title = detail.id, detail.title

        def confirmed(actor: Actor) -> None:
            def answered(yes: bool | None) -> None:
                if yes:
                    self._workflow(
                        lambda backend: backend.approve(actor, ContentKind.PROGRAMME, ident),
                        ident,
                        f"Đã duyệt «{title}» (người duyệt: {actor.full_name}).",
                    )

            self.app.push_screen(ConfirmScreen(f"Duyệt chương trình «{title}» để được phát?"), answered)

        self._act("Duyệt cần biết ai duyệt.", confirmed)

    def action_reject(self) -> None:
        """Reject the programme with a reason its author reads."""
        if (detail := self._chosen()) is None:
            return
        ident, title = detail.id, detail.title

        def asked(actor: Actor) -> None:
            def reason_given(reason: str | None) -> None:
                if reason:
                    self._workflow(
                        lambda backend: backend.reject(actor, ContentKind.PROGRAMME, ident, reason),
                        ident,
                        f"Đã từ chối «{title}».",
                    )

            prompt = TextPromptScreen(
                f"Từ chối chương trình «{title}»", "Lý do (người soạn sẽ đọc)", empty="Cần ghi lý do từ chối."
            )
            self.app.push_screen(prompt, reason_given)

        self._act("Từ chối cần biết ai duyệt.", asked)

    def action_rename(self) -> None:
        """Give the programme a new title."""
        if (detail := self._chosen()) is None:
            return
        ident, title = detail.id, detail.title

        def asked(actor: Actor) -> None:
            def named(new_title: str | None) -> None:
                if new_title and new_title != title:
                    self._workflow(
                        lambda backend: backend.rename_programme(actor, ident, new_title),
                        ident,
                        f"Đã đổi tên thành «{new_title}».",
                    )

            prompt = TextPromptScreen("Đổi tên chương trình", "Tên mới", value=title, empty="Tên không được để trống.")
            self.app.push_screen(prompt, named)

        self._act("Đổi tên cần biết ai sửa.", asked)

    def action_duplicate(self) -> None:
        """Make a draft copy of the programme, with its items, under a new title."""
        if (detail := self._chosen()) is None:
            return
        ident, title = detail.id, detail.title

        def asked(actor: Actor) -> None:
            def named(new_title: str | None) -> None:
                if new_title:
                    self.run_call(
                        lambda backend: backend.duplicate_programme(actor, ident, new_title),
                        lambda copy: self._copied(copy, new_title),
                        group="programme-workflow",
                    )

            prompt = TextPromptScreen(
                f"Nhân bản «{title}»", "Tên bản sao", value=f"{title} (bản sao)", empty="Tên không được để trống."
            )
            self.app.push_screen(prompt, named)

        self._act("Nhân bản cần biết ai soạn.", asked)

    def _copied(self, copy: ProgrammeDetail, title: str) -> ProgrammeNoticed:
        self._load_list(select_id=copy.id)  # thread-safe: it starts a worker through the app
        return ProgrammeNoticed(f"Đã tạo bản sao «{title}» ({len(copy.items)} mục, bản nháp).", copy.id)

    def action_delete_programme(self) -> None:
        """Delete the programme (after a confirmation); one that a schedule still uses is refused, with why."""
        if (detail := self._chosen()) is None:
            return
        ident, title = detail.id, detail.title

        def confirmed(actor: Actor) -> None:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.run_call(
                        lambda backend: backend.delete_programme(actor, ident),
                        lambda _gone: self._deleted(title),
                        group="programme-workflow",
                    )

            question = f"Xóa hẳn chương trình «{title}» và các mục của nó? Nhật ký phát vẫn giữ lịch sử."
            self.app.push_screen(ConfirmScreen(question, yes="Xóa (Y)"), answered)

        self._act("Xóa chương trình cần biết ai xóa.", confirmed)

    def _deleted(self, title: str) -> ProgrammeNoticed:
        self._load_list()  # thread-safe: it starts a worker through the app
        return ProgrammeNoticed(f"Đã xóa chương trình «{title}».", None)


class ProgrammeNoticed(Message):
    """A change of a whole programme was made; ``text`` says what, ``programme_id`` is the one to show."""

    def __init__(self, text: str, programme_id: int | None) -> None:
        super().__init__()
        self.text = text
        self.programme_id = programme_id
