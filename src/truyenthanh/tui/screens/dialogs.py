"""Small dialogs shared by the screens: a yes/no confirmation, one line of text (a reason, a title), and the
choice of a programme to play now."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from truyenthanh.tui import formatting

if TYPE_CHECKING:
    from truyenthanh.services.programmes import ProgrammeSummary


class ConfirmScreen(ModalScreen[bool]):
    """Ask before a change to what airs: Enter or Y says yes, Esc or N says no; the answer is the result."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Đồng ý"),
        Binding("n", "answer(False)", "Không"),
        Binding("escape", "answer(False)", "Không"),
    ]

    def __init__(self, question: str, *, yes: str = "Đồng ý (Y)") -> None:
        """``question`` says what will happen, in Vietnamese; ``yes`` labels the button that does it."""
        super().__init__()
        self.question = question
        self._yes = yes

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(classes="form dialog"):
            yield Label(self.question, classes="dialog-question")
            with Horizontal(classes="form-buttons"):
                yield Button(self._yes, id="confirm-yes", variant="warning")
                yield Button("Không (Esc)", id="confirm-no")

    def on_mount(self) -> None:
        """Focus "no", so a stray Enter does not change what airs."""
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers."""
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        """Answer with a key."""
        self.dismiss(yes)


class TextPromptScreen(ModalScreen[str | None]):
    """One line to type (a reason, a new title); Enter gives it, Esc gives up. Empty text is refused here."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Hủy")]

    def __init__(self, heading: str, label: str, *, value: str = "", empty: str = "Hãy gõ nội dung.") -> None:
        """``label`` names the field; ``empty`` is what to say when Enter is pressed on nothing."""
        super().__init__()
        self._heading = heading
        self._label = label
        self._value = value
        self._empty = empty

    def compose(self) -> ComposeResult:
        """Heading, field, error line."""
        with Vertical(classes="form dialog"):
            yield Label(self._heading, classes="form-heading")
            yield Label(self._label)
            yield Input(self._value, id="prompt-text")
            yield Label("", id="prompt-error", classes="form-error")
            yield Label("Enter: xong   Esc: hủy", classes="dialog-hint")

    def on_mount(self) -> None:
        """Focus the field."""
        self.query_one("#prompt-text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Give the text, unless it is blank (then say so and stay)."""
        if not event.value.strip():
            self.query_one("#prompt-error", Label).update(self._empty)
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)


class ChooseProgrammeScreen(ModalScreen["ProgrammeSummary | None"]):
    """Pick the programme to play now: title, length and approval state; Enter chooses, Esc gives up."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Hủy")]

    def __init__(self, programmes: list[ProgrammeSummary]) -> None:
        """``programmes`` as the programme service lists them."""
        super().__init__()
        self._programmes = programmes

    def compose(self) -> ComposeResult:
        """The heading and the list."""
        with Vertical(classes="form dialog"):
            yield Label("Phát ngay chương trình nào?", classes="form-heading")
            yield OptionList(*(self._option(p) for p in self._programmes), id="choose-programme")
            yield Label("Enter: chọn   Esc: hủy", classes="dialog-hint")

    @staticmethod
    def _option(programme: ProgrammeSummary) -> Option:
        state = "" if programme.status.value in ("approved", "aired") else f" — {programme.status.label.upper()}"
        return Option(f"{programme.title} ({formatting.duration(programme.total_s)}){state}", id=str(programme.id))

    def on_mount(self) -> None:
        """Focus the list."""
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Give the chosen programme."""
        chosen = next(p for p in self._programmes if str(p.id) == event.option.id)
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
