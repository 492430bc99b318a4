"""Quy định: the station's broadcasting rules set by the commune (sessions with their seasonal times, quiet
hours, the weekend rule), changed with the same checks as ``truyenthanh rules import`` and saved through the
scheduling service (audited; the daemon picks the change up)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, Static

from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.station import SessionRule, StationRules
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.screens.dialogs import ConfirmScreen
from truyenthanh.tui.screens.rules_forms import QuietScreen, RulesForm, SessionScreen, WeekendScreen, without
from truyenthanh.tui.widgets.statusbar import StatusBar


class RulesLoaded(Message):
    """The station's rules were read (or saved: ``notice`` then says what changed)."""

    def __init__(self, rules: StationRules, notice: str = "") -> None:
        super().__init__()
        self.rules = rules
        self.notice = notice


def seasons_text(session: SessionRule) -> str:
    """``Mùa đông 01/11–31/03 06:00–07:30`` for each season, joined; empty without seasons."""
    return "; ".join(f"{s.name} {s.span} {s.start:%H:%M}–{s.end:%H:%M}" for s in session.seasons)


class RulesScreen(StationScreen):
    """The weekend rule, the sessions, the quiet hours and the year's days off; keys change them."""

    TITLE = "Quy định"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_session", "Thêm buổi"),
        Binding("g", "add_quiet", "Giờ yên lặng"),
        Binding("e", "edit", "Sửa"),
        Binding("delete", "remove", "Xóa"),
        Binding("w", "weekend", "Cuối tuần"),
        Binding("r", "reload", "Làm mới", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rules: StationRules | None = None
        """The rules shown (tests read them)."""

    def compose(self) -> ComposeResult:
        """Status, weekend line, the two tables, days off, the footer."""
        yield StatusBar("rules")
        yield Label("", id="rules-weekend")
        yield DataTable(id="rules-sessions", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="rules-quiet", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rules-days-off")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, then the rules."""
        sessions = self.query_one("#rules-sessions", DataTable)
        sessions.border_title = "Buổi phát (A thêm, E hoặc Enter sửa, Delete xóa)"
        sessions.add_columns("Buổi", "Bắt đầu", "Kết thúc", "Tối đa", "Theo mùa")
        quiet = self.query_one("#rules-quiet", DataTable)
        quiet.border_title = "Giờ yên lặng: chỉ phát khẩn cấp (G thêm)"
        quiet.add_columns("Từ giờ", "Đến giờ")
        self.action_reload()
        sessions.focus()

    def action_reload(self) -> None:
        """Read the rules again."""
        self.run_call(lambda backend: backend.rules(), RulesLoaded, group="rules")

    def on_rules_loaded(self, message: RulesLoaded) -> None:
        """Show the rules; say what was saved."""
        self.rules = rules = message.rules
        if message.notice:
            self.notify(message.notice, title="Quy định")
        self.query_one("#rules-weekend", Label).update(f"Cuối tuần: {rules.weekend_rule.label} (W để đổi)")
        sessions = self.query_one("#rules-sessions", DataTable)
        sessions.clear()
        for s in rules.sessions:
            sessions.add_row(s.name, f"{s.start:%H:%M}", f"{s.end:%H:%M}", f"{s.max_minutes} phút", seasons_text(s))
        quiet = self.query_one("#rules-quiet", DataTable)
        quiet.clear()
        for q in rules.quiet_hours:
            quiet.add_row(f"{q.start:%H:%M}", f"{q.end:%H:%M}")
        days = ", ".join(f"{d.day:%d/%m/%Y} {d.name}" for d in rules.days_off)
        self.query_one("#rules-days-off", Static).update(
            f"Ngày nghỉ công bố trong năm: {days}." if days else "Chưa có ngày nghỉ nào ngoài các ngày lễ."
        )

    def _open(self, form: RulesForm, notice: str) -> None:
        def saved(rules: StationRules | None) -> None:
            if rules is not None:
                self.post_message(RulesLoaded(rules, notice))

        self.app.push_screen(form, saved)

    def _focused_table(self) -> tuple[str, int] | None:
        """Which table has the cursor ("sessions" or "quiet") and its row, if it has rows."""
        assert self.rules is not None
        table = self.focused if isinstance(self.focused, DataTable) else None
        if table is not None and table.id == "rules-quiet":
            return ("quiet", table.cursor_row) if self.rules.quiet_hours else None
        sessions = self.query_one("#rules-sessions", DataTable)
        return ("sessions", sessions.cursor_row) if self.rules.sessions else None

    def action_add_session(self) -> None:
        """A new session."""
        if self.rules is not None:
            self._open(SessionScreen(self.rules), "Đã thêm buổi phát.")

    def action_add_quiet(self) -> None:
        """A new quiet-hours window."""
        if self.rules is not None:
            self._open(QuietScreen(self.rules), "Đã thêm giờ yên lặng.")

    def action_weekend(self) -> None:
        """Choose the weekend rule."""
        if self.rules is not None:
            self._open(WeekendScreen(self.rules), "Đã lưu quy định cuối tuần.")

    def action_edit(self) -> None:
        """Edit the highlighted session or quiet-hours window."""
        where = self._focused_table() if self.rules is not None else None
        if self.rules is None or where is None:
            self.notify("Chưa chọn buổi hay giờ yên lặng nào; A hoặc G để thêm.")
            return
        kind, row = where
        if kind == "quiet":
            self._open(QuietScreen(self.rules, row), "Đã lưu giờ yên lặng.")
        else:
            self._open(SessionScreen(self.rules, row), f"Đã lưu buổi «{self.rules.sessions[row].name}».")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row edits it."""
        event.stop()
        self.action_edit()

    def action_remove(self) -> None:
        """Remove the highlighted session or quiet-hours window (confirmed)."""
        where = self._focused_table() if self.rules is not None else None
        if self.rules is None or where is None:
            return
        rules, (kind, row) = self.rules, where
        if kind == "quiet":
            window = rules.quiet_hours[row]
            question = f"Bỏ giờ yên lặng {window.start:%H:%M}–{window.end:%H:%M}?"
            left = without(rules, quiet=row)
        else:
            question = (
                f"Bỏ buổi «{rules.sessions[row].name}»? Lịch phát gắn với buổi này sẽ không còn giới hạn của buổi."
            )
            left = without(rules, session=row)

        def ask(actor: Actor) -> None:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.run_call(
                        lambda backend: backend.save_rules(actor, left),
                        lambda saved: RulesLoaded(saved, "Đã xóa."),
                        group="rules-save",
                    )

            self.app.push_screen(ConfirmScreen(question), answered)

        self.station_app.with_actor("Sửa quy định của đài cần tài khoản quản trị: đăng nhập để tiếp tục.", ask)
