"""Chờ duyệt: the announcements and programmes waiting for approval, the longest waiting first; approve or reject
with a reason from here."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from truyenthanh.domain.accounts import Actor
from truyenthanh.tui.approval_queue import PendingContent
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.screens.dialogs import ConfirmScreen, TextPromptScreen
from truyenthanh.tui.widgets.statusbar import StatusBar


class QueueLoaded(Message):
    """The content waiting for approval was read."""

    def __init__(self, queue: list[PendingContent]) -> None:
        super().__init__()
        self.queue = queue


class ContentRead(Message):
    """The text (or the items) of one waiting record was read for the approver."""

    def __init__(self, key: str, text: str) -> None:
        super().__init__()
        self.key = key
        self.text = text


class DecisionMade(Message):
    """An approval or a rejection was recorded; ``text`` says which, in Vietnamese."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ApprovalsScreen(StationScreen):
    """The queue above; below it, what the highlighted record says and what changed since its last approval."""

    TITLE = "Chờ duyệt"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "approve", "Duyệt"),
        Binding("t", "reject", "Từ chối"),
        Binding("r", "reload", "Làm mới"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[PendingContent] = []
        """What the table shows, in its order (tests read it)."""
        self._texts: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        """Status, the queue, the details of the highlighted row, the footer."""
        yield StatusBar("approvals")
        yield DataTable(id="approval-queue", cursor_type="row", zebra_stripes=True)
        yield Static("", id="approval-detail")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, then the queue."""
        table = self.query_one("#approval-queue", DataTable)
        table.border_title = "Đang chờ duyệt (chờ lâu nhất ở trên)"
        for label, width in (("Loại", 12), ("Số", 4), ("Tên", 30), ("Người gửi", 12), ("Gửi lúc", 11)):
            table.add_column(label, width=width)
        self.query_one("#approval-detail", Static).border_title = "Nội dung và thay đổi"
        self.action_reload()
        table.focus()

    def on_screen_resume(self) -> None:
        """Shown again (after F8 from another screen): the queue may have changed."""
        self.action_reload()

    def action_reload(self) -> None:
        """Read the queue again."""
        self.run_call(lambda backend: backend.pending_approvals(), QueueLoaded, group="approvals")

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        """Fill the table, keeping the cursor's row where it can."""
        self.queue = message.queue
        table = self.query_one("#approval-queue", DataTable)
        row = table.cursor_row
        table.clear()
        for item in self.queue:
            view = item.view
            table.add_row(
                view.kind.label.capitalize(),
                str(view.id),
                view.title,
                item.submitted_by,
                f"{item.submitted_at:%H:%M %d/%m}" if item.submitted_at else "",
                key=item.key,
            )
        if self.queue:
            table.move_cursor(row=min(row, len(self.queue) - 1))
            self._show(self.queue[table.cursor_row])
        else:
            self.query_one("#approval-detail", Static).update("Không có gì đang chờ duyệt.")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted record."""
        if 0 <= event.cursor_row < len(self.queue):
            self._show(self.queue[event.cursor_row])

    def _show(self, item: PendingContent) -> None:
        self._describe(item)
        if item.key not in self._texts:
            kind, ident = item.view.kind, item.view.id
            self.run_call(
                lambda backend: backend.content_text(kind, ident),
                lambda text: ContentRead(item.key, text),
                group="approval-text",
            )

    def on_content_read(self, message: ContentRead) -> None:
        """Keep the text and show it if its row is still highlighted."""
        self._texts[message.key] = message.text
        current = self._current()
        if current is not None and current.key == message.key:
            self._describe(current)

    def _describe(self, item: PendingContent) -> None:
        view = item.view
        parts = [
            Text(f"{view.kind.label.capitalize()} số {view.id}: {view.title}", style="bold"),
            Text(f"Lĩnh vực: {view.category.label}; ưu tiên: {view.priority.label}; người soạn: {view.created_by}"),
            Text(item.changes, style="yellow"),
            Text(self._texts.get(item.key, "Đang đọc nội dung…")),
        ]
        self.query_one("#approval-detail", Static).update(Text("\n").join(parts))

    def _current(self) -> PendingContent | None:
        row = self.query_one("#approval-queue", DataTable).cursor_row
        return self.queue[row] if 0 <= row < len(self.queue) else None

    def _decide(self, reason: str, then: Callable[[Actor, PendingContent], None]) -> None:
        item = self._current()
        if item is None:
            self.notify("Không có gì đang chờ duyệt.")
            return
        self.station_app.with_actor(reason, lambda actor: then(actor, item))

    def action_approve(self) -> None:
        """Approve the highlighted record (after a confirmation) so that it may go on air."""

        def confirm(actor: Actor, item: PendingContent) -> None:
            view = item.view

            def answered(yes: bool | None) -> None:
                if yes:
                    self._record(
                        lambda backend: backend.approve(actor, view.kind, view.id),
                        f"Đã duyệt {view.kind.label} «{view.title}» (người duyệt: {actor.full_name}).",
                    )

            self.app.push_screen(ConfirmScreen(f"Duyệt {view.kind.label} «{view.title}» để được phát?"), answered)

        self._decide("Duyệt cần biết ai duyệt: đăng nhập để tiếp tục.", confirm)

    def action_reject(self) -> None:
        """Reject the highlighted record with a reason its author reads."""

        def ask(actor: Actor, item: PendingContent) -> None:
            view = item.view

            def reason_given(reason: str | None) -> None:
                if reason:
                    self._record(
                        lambda backend: backend.reject(actor, view.kind, view.id, reason),
                        f"Đã từ chối {view.kind.label} «{view.title}».",
                    )

            prompt = TextPromptScreen(
                f"Từ chối {view.kind.label} «{view.title}»", "Lý do (người soạn sẽ đọc)", empty="Cần ghi lý do từ chối."
            )
            self.app.push_screen(prompt, reason_given)

        self._decide("Từ chối cần biết ai duyệt: đăng nhập để tiếp tục.", ask)

    def _record(self, call: Callable[[StationBackend], object], notice: str) -> None:
        self.run_call(call, lambda _view: DecisionMade(notice), group="approval-decision")

    def on_decision_made(self, message: DecisionMade) -> None:
        """Say it, and read the queue again."""
        self.notify(message.text, title="Chờ duyệt")
        self.action_reload()
