"""A modal form that saves through the backend and stays open, with what was typed, when saving is refused."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from truyenthanh.errors import TruyenthanhError

ResultT = TypeVar("ResultT")


class FormRejected(Message):
    """Saving failed; ``text`` is the Vietnamese reason."""

    def __init__(self, text: str, error: Exception | None = None) -> None:
        super().__init__()
        self.text = text
        self.error = error


class FormScreen(ModalScreen[ResultT], Generic[ResultT]):
    """Subclasses yield their fields from :meth:`fields` and save in :meth:`save` (called in a thread).

    Ctrl+S or the "Lưu" button saves; Esc or "Hủy" closes without saving. A refused save shows the reason
    under the form and keeps every field as typed.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Lưu", priority=True),
        Binding("escape", "cancel", "Hủy"),
    ]
    HEADING = ""
    SAVE_LABEL = "Lưu (Ctrl+S)"

    def compose(self) -> ComposeResult:
        """Heading, fields, error line, buttons."""
        with VerticalScroll(classes="form"):
            yield Label(self.HEADING, classes="form-heading")
            yield from self.fields()
            yield Label("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(self.SAVE_LABEL, id="form-save", variant="primary")
                yield Button("Hủy (Esc)", id="form-cancel")

    def on_mount(self) -> None:
        """Compact fields, so a whole form fits an 80x24 terminal; focus the first field.

        Textual calls ``on_mount`` of every class in the MRO, so subclasses' own handlers run as well.
        """
        for widget in self.query("Input, Select"):
            widget.compact = True  # type: ignore[attr-defined]
        # Textual runs this after the subclasses' own ``on_mount``: the first field is focused here, for all.
        self.query("TextArea, Input, Select").first().focus()

    def fields(self) -> ComposeResult:
        """The form's inputs."""
        yield from ()

    def collect(self) -> dict[str, Any]:
        """Read the fields (on the UI thread).

        Raises:
            ValueError: a field cannot be read (Vietnamese message); nothing is saved.
        """
        return {}

    def save(self, values: dict[str, Any]) -> ResultT:
        """Save what :meth:`collect` read, through the backend (runs in a thread worker).

        Raises:
            TruyenthanhError: saving was refused; the message is shown and the form stays open.
        """
        raise NotImplementedError

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons do what their keys do."""
        if event.button.id == "form-save":
            self.action_save()
        elif event.button.id == "form-cancel":
            self.action_cancel()

    def action_save(self) -> None:
        """Try to save."""
        try:
            values = self.collect()
        except ValueError as exc:
            self.query_one("#form-error", Label).update(str(exc))
            return
        self.query_one("#form-error", Label).update("Đang lưu…")
        self._save(values)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="form")
    def _save(self, values: dict[str, Any]) -> None:
        try:
            result = self.save(values)
        except TruyenthanhError as exc:
            self.post_message(FormRejected(f"{exc.title}: {exc.message}", exc))
            return
        self.app.call_from_thread(self.dismiss, result)

    def on_form_rejected(self, message: FormRejected) -> None:
        """Show why; keep the fields."""
        self.query_one("#form-error", Label).update(message.text)
