"""Thông báo: type an announcement, see the words the voice will say, render and listen, send for approval."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select, Static, TextArea

from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Category, Priority
from truyenthanh.errors import TruyenthanhError
from truyenthanh.services.approvals import ContentView
from truyenthanh.tui.backend import AnnouncementDraft, AnnouncementText
from truyenthanh.tui.messages import (
    AnnouncementLoaded,
    AnnouncementSaved,
    AnnouncementsLoaded,
    ScheduleFormReady,
    SpokenFormReady,
)
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.screens.schedule_form import ScheduleFormScreen
from truyenthanh.tui.widgets.keyhints import KeyHints
from truyenthanh.tui.widgets.statusbar import StatusBar
from truyenthanh.tui.widgets.tables import fill_table

COLUMNS = (("Số", None), ("Tiêu đề", 30), ("Trạng thái", None), ("Ưu tiên", None), ("Người soạn", 18))
"""The list's columns (header, widest it grows to); at 80 columns all but the author's end show whole."""


class AnnouncementsScreen(StationScreen):
    """The editor with the spoken form beside it, and the station's announcements below."""

    TITLE = "Thông báo"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Lưu", priority=True),
        Binding("ctrl+r", "render", "Đọc thành tiếng", priority=True),
        Binding("ctrl+p", "listen", "Nghe thử", priority=True),  # Ctrl+L is the app's login
        Binding("ctrl+g", "submit", "Gửi duyệt", priority=True),
        Binding("ctrl+d", "approve", "Duyệt", priority=True),
        Binding("ctrl+o", "schedule", "Xếp lịch phát", priority=True),
        Binding("ctrl+n", "new", "Thông báo mới", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.current: AnnouncementText | None = None
        """The announcement being edited (``None``: a new one not saved yet)."""
        self.announcements: list[ContentView] = []

    def compose(self) -> ComposeResult:
        """Status, editor and spoken form side by side, list, footer."""
        yield StatusBar("announcements")
        with Horizontal(id="ann-editor"):
            with Vertical(id="ann-left"):
                yield Input(placeholder="Tiêu đề thông báo", id="ann-title")
                with Horizontal(id="ann-options"):
                    yield Select(
                        [(c.label, c) for c in Category],
                        value=Category.ADMINISTRATION,
                        allow_blank=False,
                        id="ann-category",
                    )
                    yield Select(
                        [(p.label, p) for p in Priority], value=Priority.NORMAL, allow_blank=False, id="ann-priority"
                    )
                yield TextArea(id="ann-text", soft_wrap=True)
            with Vertical(id="ann-right"):
                yield Static("", id="ann-spoken")
                yield Label("", id="ann-state")
        yield DataTable(id="ann-list", cursor_type="row", zebra_stripes=True)
        yield KeyHints()

    def on_mount(self) -> None:
        """Labels, columns, the list."""
        for widget in self.query("#ann-left Input, #ann-left Select"):
            widget.compact = True  # type: ignore[attr-defined]
        self.query_one("#ann-text").border_title = "Nội dung (gõ như văn bản hành chính)"
        self.query_one("#ann-right").border_title = "Giọng đọc sẽ đọc là"
        table = self.query_one("#ann-list", DataTable)
        table.border_title = "Các thông báo (Enter để mở)"
        fill_table(table, COLUMNS, [])
        self._show_state()
        self._load_list()
        self.query_one("#ann-title", Input).focus()

    # --- the list -------------------------------------------------------------------------------------------

    def _load_list(self) -> None:
        self.run_call(lambda backend: backend.announcements(), AnnouncementsLoaded, group="ann-list")

    def on_announcements_loaded(self, message: AnnouncementsLoaded) -> None:
        """Fill the list."""
        self.announcements = message.announcements
        table = self.query_one("#ann-list", DataTable)
        rows = [
            (str(view.id), view.title, view.status.label, view.priority.label, view.created_by or "")
            for view in self.announcements
        ]
        fill_table(table, COLUMNS, rows)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the title goes on to the text."""
        if event.input.id == "ann-title":
            self.query_one("#ann-text", TextArea).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Open the chosen announcement in the editor."""
        if event.cursor_row < len(self.announcements):
            self._open(self.announcements[event.cursor_row].id)

    def _open(self, announcement_id: int) -> None:
        self.run_call(lambda backend: backend.announcement(announcement_id), AnnouncementLoaded, group="ann-open")

    def on_announcement_loaded(self, message: AnnouncementLoaded) -> None:
        """Put it in the editor."""
        found = message.announcement
        self.current = found
        self.query_one("#ann-title", Input).value = found.title
        self.query_one("#ann-text", TextArea).text = found.text
        self.query_one("#ann-category", Select).value = found.category
        self.query_one("#ann-priority", Select).value = found.priority
        self._show_state()
        self.query_one("#ann-text", TextArea).focus()

    # --- the spoken form ------------------------------------------------------------------------------------

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        """Normalise again as the operator types."""
        self._normalise(self.query_one("#ann-text", TextArea).text)

    @work(thread=True, exclusive=True, group="ann-normalise")
    def _normalise(self, text: str) -> None:
        try:
            spoken = self.backend.spoken_form(text)
        except TruyenthanhError as exc:
            spoken = f"(không chuẩn hóa được: {exc.message})"
        self.post_message(SpokenFormReady(text, spoken))

    def on_spoken_form_ready(self, message: SpokenFormReady) -> None:
        """Show the spoken form beside the text it came from (if the text has not changed since)."""
        if message.text == self.query_one("#ann-text", TextArea).text:
            self.query_one("#ann-spoken", Static).update(message.spoken)

    def _show_state(self) -> None:
        state = self.query_one("#ann-state", Label)
        if self.current is None:
            state.update(Text("Thông báo mới, chưa lưu.", style="italic"))
            return
        voice = f"; đã đọc bằng {self.current.engine}" if self.current.engine and self.current.audio else ""
        state.update(Text(f"Số {self.current.id} — {self.current.status.label}{voice}.", style="bold"))

    # --- actions --------------------------------------------------------------------------------------------

    def action_new(self) -> None:
        """Clear the editor for a new announcement."""
        self.current = None
        self.query_one("#ann-title", Input).value = ""
        self.query_one("#ann-text", TextArea).text = ""
        self._show_state()
        self.query_one("#ann-title", Input).focus()

    def _fields(self) -> AnnouncementDraft:
        category = self.query_one("#ann-category", Select).value
        priority = self.query_one("#ann-priority", Select).value
        assert isinstance(category, Category) and isinstance(priority, Priority)
        return AnnouncementDraft(
            title=self.query_one("#ann-title", Input).value,
            text=self.query_one("#ann-text", TextArea).text,
            category=category,
            priority=priority,
        )

    def _act(self, reason: str, then: Callable[[Actor], object]) -> None:
        self.station_app.with_actor(reason, then)

    def action_save(self) -> None:
        """Save the text as it stands (a change sends an approved announcement back to draft)."""
        self._act("Lưu thông báo cần biết ai soạn.", lambda actor: self._save(actor, self._fields(), None))

    def action_render(self) -> None:
        """Save, read it aloud into a sound file, and listen."""
        self._act("Lưu thông báo cần biết ai soạn.", lambda actor: self._save(actor, self._fields(), "render"))

    def action_submit(self) -> None:
        """Save and send for approval."""
        self._act("Gửi duyệt cần biết ai gửi.", lambda actor: self._save(actor, self._fields(), "submit"))

    def action_approve(self) -> None:
        """Approve the announcement (someone other than its author, or the single operator)."""
        self._act("Duyệt cần biết ai duyệt.", lambda actor: self._save(actor, self._fields(), "approve"))

    def _save(self, actor: Actor, draft: AnnouncementDraft, then: str | None) -> None:
        current = self.current
        self.run_call(
            lambda backend: backend.save_announcement(actor, current, draft, then),
            lambda saved: AnnouncementSaved(saved[0], saved[1], listen=then == "render"),
            group="ann-save",
        )

    def on_announcement_saved(self, message: AnnouncementSaved) -> None:
        """Keep the editor as typed, remember what was saved, refresh the list; listen after rendering."""
        self.current = message.announcement
        self._show_state()
        self.notify(message.notice, title=f"Thông báo số {message.announcement.id}")
        self._load_list()
        if message.listen and self.station_app.preview.device is None:
            self.notify(
                "Chưa đặt thiết bị nghe thử (mục «preview_device»: tai nghe) nên không tự phát thử bản đọc.",
                severity="warning",
            )
        elif message.listen:
            self.action_listen()

    def action_listen(self) -> None:
        """Listen to the rendered speech on the preview device (headphones, never the speaker); again to stop."""
        if self.station_app.preview.is_playing():
            self._listen(None)
            return
        if self.current is None or self.current.audio is None:
            self.notify("Chưa đọc thành tiếng: nhấn Ctrl+R trước.", severity="warning")
            return
        self._listen(self.current.audio)

    def _listen(self, audio: Path | None) -> None:
        player = self.station_app.preview
        self.run_call(lambda _backend: player.play(audio) if audio is not None else player.stop(), group="preview")

    def action_schedule(self) -> None:
        """Make a one-item programme of this announcement and open the schedule form for it."""
        if self.current is None:
            self.notify("Hãy lưu thông báo trước (Ctrl+S).", severity="warning")
            return
        announcement_id = self.current.id
        self._act("Xếp lịch cần biết ai xếp.", lambda actor: self._programme_for(actor, announcement_id))

    def _programme_for(self, actor: Actor, announcement_id: int) -> None:
        self.run_call(
            lambda backend: (backend.programme_for_announcement(actor, announcement_id), backend.session_names()),
            lambda made: ScheduleFormReady(*made),
            group="ann-schedule",
        )

    def on_schedule_form_ready(self, message: ScheduleFormReady) -> None:
        """Open the schedule form with the new programme chosen."""
        form = ScheduleFormScreen(
            self.backend,
            message.programmes,
            message.sessions,
            programme_id=message.programmes[0].id if message.programmes else None,
        )

        def saved(result: object) -> None:
            if result is not None:
                self.notify("Đã xếp lịch phát cho thông báo.", title="Đã lưu")

        self.app.push_screen(form, saved)
