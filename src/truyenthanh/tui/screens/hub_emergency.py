"""Khẩn cấp (F4 in the «Tuyến trên» mode): send an emergency bulletin to all or some communes, as text each
station reads with its own voice or as a recorded file each station fetches; a confirmation comes first. Then one
row per commune: when its station received it, when it was heard on its speakers, or why it refused (a station
may not allow its upstream to break in). F8 stops the emergency at the communes it went to."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, ProgressBar

from truyenthanh.domain.accounts import Actor
from truyenthanh.errors import TruyenthanhError
from truyenthanh.tui.hub_backend import Answer, Sending
from truyenthanh.tui.screens.dialogs import ConfirmScreen
from truyenthanh.tui.screens.hub_base import HubStatusBar, answer_cell, clock_time
from truyenthanh.tui.screens.hub_sending import AnswersRead, HubSendingScreen, SendingFailed, SendingMade, StationChoice
from truyenthanh.tui.widgets.keyhints import KeyHints

REASON = "Phát khẩn cấp cần người có quyền: đăng nhập để tiếp tục."


class AudioChecked(Message):
    """The recorded file the operator typed is there (``path``), for the communes ``to``."""

    def __init__(self, path: str, to: list[str]) -> None:
        super().__init__()
        self.path = path
        self.to = to


class CancelAnswersRead(Message):
    """The stations' answers to the cancellation so far."""

    def __init__(self, sending: Sending, answers: list[Answer]) -> None:
        super().__init__()
        self.sending = sending
        self.answers = answers


class HubEmergencyScreen(HubSendingScreen):
    """The bulletin, the communes, their answers."""

    TITLE = "Khẩn cấp"
    DEFAULT_CSS = """
    #em-form { height: auto; padding: 0 1; }
    #em-body { height: 1fr; }
    #hub-choice { width: 40; height: 1fr; border: round $error; }
    #hub-answers { width: 1fr; height: 1fr; border: round $secondary; }
    #hub-progress { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Phát khẩn cấp", priority=True),
        Binding("f8", "cancel_emergency", "Dừng khẩn cấp"),
    ]
    ANSWER_COLUMNS: ClassVar[tuple[tuple[str, int | None], ...]] = (
        ("Xã", 22),
        ("Trạng thái", None),
        ("Nhận lúc", None),
        ("Phát lúc", None),
        ("Dừng lúc", None),
        ("Lý do", 44),
    )

    def __init__(self) -> None:
        super().__init__()
        self.cancel: Sending | None = None
        """The cancellation of :attr:`sending`, once sent."""
        self.stopped: dict[str, Answer] = {}
        """Each commune's answer to the cancellation, by slug."""

    def compose(self) -> ComposeResult:
        """Header, the text and the recorded file, the communes beside the answers, the keys."""
        yield HubStatusBar("emergency")
        with Vertical(id="em-form"):
            yield Label("Nội dung bản tin khẩn cấp (các đài đọc bằng giọng đọc của mình)")
            yield Input(placeholder="Bão số 9 sắp đổ bộ, mọi người vào nơi an toàn.", id="em-text")
            yield Label("Hoặc tệp thu sẵn (để trống nếu dùng nội dung ở trên)")
            yield Input(placeholder="/home/bientap/ban-tin-bao.mp3", id="em-file")
        yield ProgressBar(id="hub-progress", show_eta=False)
        with Horizontal(id="em-body"):
            yield StationChoice(id="hub-choice")
            yield DataTable(id="hub-answers", cursor_type="row", zebra_stripes=True)
        yield KeyHints()

    def on_mount(self) -> None:
        """Titles; the cursor in the text."""
        self.query_one("#hub-choice").border_title = "Các xã nhận (Space: chọn)"
        self.query_one("#em-text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on: text → file → communes."""
        if event.input.id == "em-text":
            self.query_one("#em-file", Input).focus()
        else:
            self.query_one("#hub-choice", StationChoice).focus()

    def action_send(self) -> None:
        """Ask, then send the bulletin to the ticked communes."""
        text = " ".join(self.query_one("#em-text", Input).value.split())
        audio = self.query_one("#em-file", Input).value.strip()
        if bool(text) == bool(audio):
            self.notify(
                "Bản tin khẩn cấp cần nội dung hoặc một tệp thu sẵn (chỉ một trong hai).",
                title=self.TITLE or "",
                severity="error",
            )
            self.query_one("#em-text" if not text else "#em-file", Input).focus()
            return
        to = self.chosen()
        if to is None:
            return
        if not audio:
            self._confirm(text, "", to)
            return
        self.run_call(
            lambda backend: backend.check_audio(audio),
            lambda path: AudioChecked(str(path), to),
            group="em-file",
            failed=_failed,
        )

    def on_audio_checked(self, message: AudioChecked) -> None:
        """The recorded file is there: ask before sending it."""
        self._confirm("", message.path, message.to)

    def _confirm(self, text: str, audio: str, to: list[str]) -> None:
        what = f"«{text}»" if text else f"tệp {audio}"
        question = f"Phát khẩn cấp NGAY {what} tại {len(to)} xã? Bản tin ngắt mọi chương trình đang phát ở đó."

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.hub_app.with_actor(REASON, lambda actor: self._send(actor, text, audio, to))

        self.app.push_screen(ConfirmScreen(question, yes="Phát ngay (Y)"), confirmed)

    def _send(self, actor: Actor, text: str, audio: str, to: list[str]) -> None:
        self.busy(True)
        self.run_call(
            lambda backend: backend.send_emergency(actor, text, to, audio=audio),
            SendingMade,
            group="em-send",
            failed=_failed,
        )

    def on_sending_made(self, message: SendingMade) -> None:
        """A cancellation is followed beside the bulletin it stops; a new bulletin starts afresh."""
        if message.sending.kind == "cancel":
            message.prevent_default()  # the base class would follow it as a new bulletin
            self.busy(False)
            self.cancel = message.sending
            self.notify(f"Đã gửi lệnh dừng khẩn cấp tới {len(message.sending.stations)} xã.", title=self.TITLE or "")
            self.poll()
            return
        self.cancel = None
        self.stopped = {}

    def action_cancel_emergency(self) -> None:
        """Stop the emergency at the communes the last bulletin went to (the ticked ones when none was sent from
        here), after asking."""
        if self.sending is not None:
            to = list(self.sending.stations)
        else:
            chosen = self.chosen()
            if chosen is None:
                return
            to = chosen
        question = f"Dừng bản tin khẩn cấp đang phát tại {len(to)} xã?"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.hub_app.with_actor(REASON, lambda actor: self._cancel(actor, to))

        self.app.push_screen(ConfirmScreen(question, yes="Dừng (Y)"), confirmed)

    def _cancel(self, actor: Actor, to: list[str]) -> None:
        self.busy(True)
        self.run_call(
            lambda backend: backend.cancel_emergency(actor, to), SendingMade, group="em-cancel", failed=_failed
        )

    def poll(self) -> None:
        """Read the answers to the bulletin and to its cancellation."""
        super().poll()
        cancel = self.cancel
        if cancel is not None:
            self.run_call(
                lambda backend: backend.answers(cancel),
                lambda answers: CancelAnswersRead(cancel, answers),
                group="em-cancel-answers",
            )

    def on_cancel_answers_read(self, message: CancelAnswersRead) -> None:
        """Keep when each commune stopped, and show it."""
        if self.cancel is None or message.sending.command_id != self.cancel.command_id:
            return
        self.stopped = {answer.slug: answer for answer in message.answers}
        if self.sending is not None:
            self.show_answers(self.sending, self.answers)
        else:
            self.post_message(AnswersRead(message.sending, message.answers))

    def answer_cells(self, answer: Answer, now: datetime) -> tuple[Text | str, ...]:
        """Commune, state, received at, heard at, stopped at, why it refused."""
        stop = self.stopped.get(answer.slug)
        stopped = "—"
        if stop is not None:
            stopped = clock_time(stop.at, now) if stop.state in {"delivered", "heard"} else stop.words
        return (
            answer.name,
            answer_cell(answer.state, answer.words),
            clock_time(answer.at, now) if answer.state != "refused" else "—",
            clock_time(answer.heard_at, now),
            stopped,
            answer.reason if answer.state in {"refused", "unknown"} else "",
        )

    def focus_field(self, field: str | None) -> None:
        """Put the cursor where the refusal points."""
        if field in {"text", "file"}:
            self.query_one(f"#em-{field}", Input).focus()
        else:
            super().focus_field(field)


def _failed(error: TruyenthanhError) -> list[Message]:
    return [SendingFailed(error.title, error.message, error.field)]


__all__ = ["AudioChecked", "CancelAnswersRead", "HubEmergencyScreen"]
