"""What the two sending screens of the «Tuyến trên» mode share («Gửi gói», «Khẩn cấp»): the stations as
checkboxes (all or some), a progress bar while a sending is on its way to the broker, and the stations' answers
read again every second until each has answered."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, ProgressBar, SelectionList
from textual.widgets.selection_list import Selection

from truyenthanh.tui.hub_backend import LIGHT_NEW, Answer, Sending, StationsView
from truyenthanh.tui.screens.hub_base import HubScreen, answer_cell, clock_time
from truyenthanh.tui.widgets.tables import column_widths

POLL_S = 1.0
"""How often the answers to the last sending are read again (seconds)."""


class StationChoice(SelectionList[str]):
    """The stations as checkboxes, keyed by slug (Space ticks or unticks the highlighted one)."""

    def fill(self, view: StationsView) -> None:
        """List the stations of ``view``, keeping what was ticked; the first time, every enrolled one is ticked."""
        first = self.option_count == 0
        ticked = set(self.selected)
        self.clear_options()
        for line in view.stations:
            label = line.name if line.light != LIGHT_NEW else f"{line.name} (chưa đăng ký)"
            chosen = line.light != LIGHT_NEW if first else line.slug in ticked
            self.add_option(Selection(label, line.slug, chosen))

    def tick_all_or_none(self) -> None:
        """Tick every station, or untick all when every one is ticked already."""
        if len(self.selected) == self.option_count:
            self.deselect_all()
        else:
            self.select_all()


class HubStationsRead(Message):
    """The stations to choose from were read."""

    def __init__(self, view: StationsView) -> None:
        super().__init__()
        self.view = view


class SendingMade(Message):
    """The broker took a sending (it is on its way to the stations)."""

    def __init__(self, sending: Sending) -> None:
        super().__init__()
        self.sending = sending


class SendingFailed(Message):
    """A sending did not go; ``title`` and ``text`` say why, in Vietnamese; ``field`` names what was wrong."""

    def __init__(self, title: str, text: str, field: str | None) -> None:
        super().__init__()
        self.title = title
        self.text = text
        self.field = field


class AnswersRead(Message):
    """The stations' answers to a sending so far."""

    def __init__(self, sending: Sending, answers: list[Answer]) -> None:
        super().__init__()
        self.sending = sending
        self.answers = answers


class HubSendingScreen(HubScreen):
    """A screen that sends to all or some stations and follows their answers. Subclasses compose a
    :class:`StationChoice` (id ``#hub-choice``), a :class:`ProgressBar` (``#hub-progress``) and a
    :class:`DataTable` (``#hub-answers``), and fill the table in :meth:`show_answers`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f6", "toggle_all", "Chọn / bỏ mọi đài"),
    ]
    ANSWER_COLUMNS: ClassVar[tuple[tuple[str, int | None], ...]] = (
        ("Đài", 22),
        ("Trạng thái", None),
        ("Lúc", None),
        ("Chi tiết", 50),
    )
    """The answers table's columns (header, widest it grows to)."""

    def __init__(self) -> None:
        super().__init__()
        self.sending: Sending | None = None
        """The last sending from this screen (its answers are shown)."""
        self.answers: list[Answer] = []
        """Its answers as last read (tests read them)."""

    def on_mount(self) -> None:
        """Hide the progress bar, read the stations, and read the answers every second."""
        self.query_one("#hub-progress", ProgressBar).display = False
        self.query_one("#hub-answers", DataTable).border_title = "Các đài trả lời"
        self._read_stations()
        self.set_interval(POLL_S, self.poll)

    def on_screen_resume(self) -> None:
        """Shown again: the stations may have changed."""
        self._read_stations()

    def _read_stations(self) -> None:
        self.run_call(lambda backend: backend.stations(), HubStationsRead, group="hub-choice")

    def on_hub_stations_read(self, message: HubStationsRead) -> None:
        """Fill the checkboxes."""
        self.query_one("#hub-choice", StationChoice).fill(message.view)

    def action_toggle_all(self) -> None:
        """Tick every station, or none."""
        self.query_one("#hub-choice", StationChoice).tick_all_or_none()

    def chosen(self) -> list[str] | None:
        """The ticked stations' slugs, or ``None`` after saying that none is ticked."""
        choice = self.query_one("#hub-choice", StationChoice)
        if not choice.selected:
            self.notify(
                "Chưa chọn đài nào: đánh dấu các đài nhận bằng phím Space (F6: chọn hoặc bỏ mọi đài).",
                title=self.TITLE or "",
                severity="warning",
            )
            choice.focus()
            return None
        return list(choice.selected)

    def busy(self, on: bool) -> None:
        """Show the progress bar (indeterminate: the broker's acknowledgement has no size) while sending."""
        bar = self.query_one("#hub-progress", ProgressBar)
        bar.display = on
        bar.update(total=None if on else 1, progress=0 if on else 1)

    def on_sending_made(self, message: SendingMade) -> None:
        """Follow the new sending's answers."""
        self.busy(False)
        self.sending = message.sending
        self.answers = []
        self.notify(self.sent_text(message.sending), title=self.TITLE or "")
        self.poll()

    def on_sending_failed(self, message: SendingFailed) -> None:
        """Say why; what was typed stays."""
        self.busy(False)
        self.notify(message.text, title=message.title, severity="error", timeout=12)
        self.focus_field(message.field)

    def poll(self) -> None:
        """Read the answers to the last sending again (nothing to do before the first sending)."""
        sending = self.sending
        if sending is None:
            return
        self.run_call(
            lambda backend: backend.answers(sending),
            lambda answers: AnswersRead(sending, answers),
            group="hub-answers",
        )

    def on_answers_read(self, message: AnswersRead) -> None:
        """Show them (answers to an older sending that arrive late are dropped)."""
        if self.sending is None or message.sending.command_id != self.sending.command_id:
            return
        self.answers = message.answers
        self.show_answers(message.sending, message.answers)

    def sent_text(self, sending: Sending) -> str:
        """What the notification says once the broker took ``sending``."""
        return f"Đã gửi «{sending.title}» tới {len(sending.stations)} đài."

    def answer_cells(self, answer: Answer, now: datetime) -> tuple[Text | str, ...]:
        """One station's cells, under :attr:`ANSWER_COLUMNS`."""
        return (answer.name, answer_cell(answer.state, answer.words), clock_time(answer.at, now), answer.reason)

    def show_answers(self, sending: Sending, answers: list[Answer]) -> None:
        """Fill ``#hub-answers``: one row per station the sending went to."""
        now = self.backend.now() if self.hub_app.backend_ready else sending.sent_at
        cells = [self.answer_cells(answer, now) for answer in answers]
        table = self.query_one("#hub-answers", DataTable)
        headers = [header for header, _ in self.ANSWER_COLUMNS]
        plain = [[str(cell) for cell in row] for row in cells]
        widths = column_widths(headers, plain, [limit for _, limit in self.ANSWER_COLUMNS])
        table.clear(columns=True)
        for header, width in zip(headers, widths, strict=True):
            table.add_column(header, width=width)
        for answer, row in zip(answers, cells, strict=True):
            shown = [c if isinstance(c, Text) else Text(c, no_wrap=True, overflow="ellipsis") for c in row]
            table.add_row(*shown, key=answer.slug)
        done = sum(answer.state not in {"sent", "unknown"} for answer in answers)
        table.border_title = f"Các đài trả lời «{sending.title}»: {done}/{len(answers)}"

    def focus_field(self, field: str | None) -> None:
        """Put the cursor where the refusal points (``to``: the stations)."""
        if field == "to":
            self.query_one("#hub-choice", StationChoice).focus()


__all__ = [
    "AnswersRead",
    "HubSendingScreen",
    "HubStationsRead",
    "SendingFailed",
    "SendingMade",
    "StationChoice",
]
