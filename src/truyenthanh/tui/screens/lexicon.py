"""Từ điển đọc: the station's own readings (abbreviations, words, context forms), a sentence read as the voice
will read it, rule by rule, and heard on the preview device."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from truyenthanh.domain.vietnamese.lexicon_file import EntryKind, LexiconEntry
from truyenthanh.errors import TruyenthanhError
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.widgets.form import FormScreen
from truyenthanh.tui.widgets.keyhints import KeyHints
from truyenthanh.tui.widgets.statusbar import StatusBar
from truyenthanh.tui.widgets.tables import fill_table

if TYPE_CHECKING:
    from truyenthanh.domain.vietnamese.normalizer import Step
    from truyenthanh.tui.backend import StationBackend

COLUMNS = (("Chữ viết", 16), ("Cách đọc", 26), ("Loại", None), ("Ngữ cảnh", 30), ("Dòng", None))
"""The table's columns (header, widest it grows to)."""

SAMPLE = "UBND xã thông báo: BCH Quân sự xã họp lúc 7h30 ngày 12/12/2026 tại TDP 3."
"""The sentence the screen opens with, so the operator sees at once what the reading shows."""


class LexiconLoaded(Message):
    """The station's lexicon file was read: where it is and its entries."""

    def __init__(self, path: Path, entries: list[LexiconEntry]) -> None:
        super().__init__()
        self.path = path
        self.entries = entries


class ReadingExplained(Message):
    """The sample sentence was normalised: what the voice will say and each rule that changed it."""

    def __init__(self, text: str, spoken: str, steps: list[Step]) -> None:
        super().__init__()
        self.text = text
        self.spoken = spoken
        self.steps = steps


class LexiconScreen(StationScreen):
    """The station's entries on the left; a sample sentence, its reading and the rules applied on the right."""

    TITLE = "Từ điển đọc"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "Thêm từ"),
        Binding("e", "edit", "Sửa từ"),
        Binding("/", "sample", "Câu thử"),
        Binding("ctrl+p", "listen", "Nghe thử", priority=True),
        Binding("r", "reload", "Làm mới"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[LexiconEntry] = []
        """The station's entries the table shows (tests read them)."""
        self.path: Path | None = None
        """The station's lexicon file."""
        self.spoken = ""
        """What the voice will say for the sample sentence (tests read it)."""

    def compose(self) -> ComposeResult:
        """Status, the entries beside the sample sentence and its reading, key hints."""
        yield StatusBar("lexicon")
        yield Label("", id="lexicon-file")
        with Horizontal():
            yield DataTable(id="lexicon-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="lexicon-try"):
                yield Input(SAMPLE, placeholder="Gõ một câu để xem và nghe cách đọc", id="lexicon-sample")
                with VerticalScroll(id="lexicon-reading"):
                    yield Static("", id="lexicon-spoken")
                    yield Static("", id="lexicon-steps")
        yield KeyHints()

    def on_mount(self) -> None:
        """Columns, the entries, the sample's reading."""
        table = self.query_one("#lexicon-table", DataTable)
        table.border_title = "Từ của đài (Enter hoặc E để sửa)"
        self.query_one("#lexicon-try").border_title = "Đọc thử"
        self.query_one("#lexicon-sample", Input).compact = True
        fill_table(table, COLUMNS, [])
        self.action_reload()
        table.focus()

    # --- the entries ----------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        """Read the station's file again (an edit made outside shows too) and the sample's reading."""
        self.run_call(lambda backend: backend.lexicon_entries(), lambda found: LexiconLoaded(*found), group="lex")
        self._explain(self.query_one("#lexicon-sample", Input).value)

    def on_lexicon_loaded(self, message: LexiconLoaded) -> None:
        """Fill the table."""
        self.path, self.entries = message.path, message.entries
        count = f"{len(self.entries)} từ của đài" if self.entries else "chưa có từ nào của đài; nhấn N để thêm"
        self.query_one("#lexicon-file", Label).update(f"Tệp {self.path} — {count}.")
        rows = [(e.written, e.reading, e.kind.label, e.context_text, str(e.line or "")) for e in self.entries]
        table = self.query_one("#lexicon-table", DataTable)
        cursor = table.cursor_row
        fill_table(table, COLUMNS, rows)
        if self.entries:
            table.move_cursor(row=min(cursor, len(self.entries) - 1))

    def _highlighted(self) -> LexiconEntry | None:
        table = self.query_one("#lexicon-table", DataTable)
        if not self.entries or table.cursor_row >= len(self.entries):
            return None
        return self.entries[table.cursor_row]

    def action_add(self) -> None:
        """Add an entry (a login first when nobody is logged in)."""
        self._open_form(None)

    def action_edit(self) -> None:
        """Change the highlighted entry."""
        entry = self._highlighted()
        if entry is None:
            self.notify("Chưa có từ nào để sửa: nhấn N để thêm.", severity="warning")
            return
        self._open_form(entry)

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        """Enter on a row edits it."""
        self.action_edit()

    def _open_form(self, entry: LexiconEntry | None) -> None:
        def saved(result: LexiconEntry | None) -> None:
            if result is not None:
                self.notify(f"Đã lưu: «{result.written}» đọc là «{result.reading}».", title="Từ điển đọc")
                self.action_reload()

        self.station_app.with_actor(
            "Sửa từ điển đọc cần biết ai sửa.",
            lambda _actor: self.app.push_screen(LexiconEntryScreen(self.backend, entry), saved),
        )

    # --- the sample sentence --------------------------------------------------------------------------------

    def action_sample(self) -> None:
        """Go to the sample sentence."""
        self.query_one("#lexicon-sample", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Read the sentence again as the operator types."""
        if event.input.id == "lexicon-sample":
            self._explain(event.value)

    @work(thread=True, exclusive=True, group="lex-explain")
    def _explain(self, text: str) -> None:
        try:
            spoken, steps = self.backend.explain_reading(text)
        except TruyenthanhError as exc:
            spoken, steps = f"(không đọc được: {exc.message})", []
        self.post_message(ReadingExplained(text, spoken, steps))

    def on_reading_explained(self, message: ReadingExplained) -> None:
        """Show the reading and its steps (if the sentence has not changed since)."""
        if message.text != self.query_one("#lexicon-sample", Input).value:
            return
        self.spoken = message.spoken
        self.query_one("#lexicon-spoken", Static).update(Text.assemble(("Giọng đọc sẽ đọc: ", "bold"), message.spoken))
        lines = Text()
        for step in message.steps:
            lines.append(f"• {step.rule}: ", style="bold")
            lines.append(f"«{step.written}» → «{step.spoken}»")
            if step.why:
                lines.append(f". Lý do: {step.why}", style="italic")
            lines.append("\n")
        if not message.steps:
            lines.append("Không có gì cần đổi: giọng đọc đọc đúng như viết.", style="italic")
        self.query_one("#lexicon-steps", Static).update(lines)

    def action_listen(self) -> None:
        """Hear the sample sentence on the preview device (headphones, never the speaker); again to stop."""
        player = self.station_app.preview
        if player.device is None:
            self.notify(
                "Chưa đặt thiết bị nghe thử (mục «preview_device»: tai nghe hoặc loa kiểm tra) nên không phát thử: "
                "thiết bị mặc định thường là amply của đài.",
                title="Nghe thử",
                severity="warning",
                timeout=10,
            )
            return
        text = self.query_one("#lexicon-sample", Input).value

        def listen(backend: StationBackend) -> str:
            if player.is_playing():
                player.stop()
                return "Đã dừng nghe thử."
            player.play(backend.sample_speech(text))
            return f"Đang đọc thử trên thiết bị «{player.device}» (Ctrl+P để dừng)."

        self.run_call(listen, lambda said: self.app.call_from_thread(self.notify, said), group="preview")


def _words(raw: str) -> tuple[str, ...]:
    """The words typed in a neighbours field, separated by ``;``."""
    return tuple(part.strip() for part in raw.split(";") if part.strip())


class LexiconEntryScreen(FormScreen[LexiconEntry]):
    """Add or change one of the station's entries; saved into its lexicon file, comments kept."""

    HEADING = "Từ trong từ điển đọc của đài"

    def __init__(self, backend: StationBackend, entry: LexiconEntry | None) -> None:
        """``entry``: the one to change (``None``: a new one)."""
        super().__init__()
        self._backend = backend
        self._entry = entry

    def fields(self) -> ComposeResult:
        """Written form, reading, kind; for a context form its neighbours and why."""
        entry = self._entry
        kinds = [(kind.label, kind) for kind in EntryKind]
        yield Label("Chữ viết (như trong văn bản, ví dụ TDP, Ea H'leo, BCĐ)")
        yield Input(entry.written if entry else "", id="lex-written")
        yield Label("Cách đọc")
        yield Input(entry.reading if entry else "", id="lex-reading")
        yield Label("Loại (viết tắt: đúng chữ hoa/thường; từ, địa danh: không phân biệt; theo ngữ cảnh)")
        yield Select(kinds, value=entry.kind if entry else EntryKind.ABBREVIATION, allow_blank=False, id="lex-kind")
        yield Label("Đọc như vậy khi đứng ngay trước các từ (ngăn cách bằng dấu ;  «<số>»: một con số)", classes="ctx")
        yield Input("; ".join(entry.followed_by) if entry else "", id="lex-followed", classes="ctx")
        yield Label("… hoặc khi đứng ngay sau các từ (ngăn cách bằng dấu ;)", classes="ctx")
        yield Input("; ".join(entry.preceded_by) if entry else "", id="lex-preceded", classes="ctx")
        yield Label("Lý do (không bắt buộc; hiện khi xem từng bước đọc)", classes="ctx")
        yield Input(entry.reason if entry else "", id="lex-reason", classes="ctx")

    def on_mount(self) -> None:
        """Show the context fields only for a context form."""
        self._show_context(self._kind())

    def _kind(self) -> EntryKind:
        kind = self.query_one("#lex-kind", Select).value
        return kind if isinstance(kind, EntryKind) else EntryKind.ABBREVIATION

    def on_select_changed(self, event: Select.Changed) -> None:
        """Switch the fields when the kind changes."""
        if event.select.id == "lex-kind":
            self._show_context(self._kind())

    def _show_context(self, kind: EntryKind) -> None:
        for widget in self.query(".ctx"):
            widget.display = kind is EntryKind.CONTEXT

    def collect(self) -> dict[str, Any]:
        """Read the fields; a missing one is named.

        Raises:
            ValueError: a field the entry needs is empty (Vietnamese, naming the field).
        """
        kind = self._kind()
        written = self.query_one("#lex-written", Input).value.strip()
        reading = self.query_one("#lex-reading", Input).value.strip()
        if not written:
            raise ValueError("Hãy ghi «Chữ viết»: từ hoặc chữ viết tắt như trong văn bản.")
        if not reading:
            raise ValueError(f"Hãy ghi «Cách đọc» cho «{written}».")
        values: dict[str, Any] = {"kind": kind, "written": written, "reading": reading}
        if kind is EntryKind.CONTEXT:
            values["followed_by"] = _words(self.query_one("#lex-followed", Input).value)
            values["preceded_by"] = _words(self.query_one("#lex-preceded", Input).value)
            values["reason"] = self.query_one("#lex-reason", Input).value.strip()
            if not values["followed_by"] and not values["preceded_by"]:
                raise ValueError(
                    "Từ đọc theo ngữ cảnh cần ít nhất một từ đứng ngay sau hoặc ngay trước nó; không có ngữ cảnh "
                    "thì chọn loại «Viết tắt»."
                )
        return values

    def save(self, values: dict[str, Any]) -> LexiconEntry:
        """Write it into the station's lexicon file (in place of the entry being changed)."""
        return self._backend.save_lexicon_entry(LexiconEntry(**values), self._entry)
