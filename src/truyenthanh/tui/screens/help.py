"""Trợ giúp: every key of the app and of the screen underneath, with its Vietnamese description."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from truyenthanh.tui.keys import describe_key


class HelpScreen(ModalScreen[None]):
    """A list of keys; Esc or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Đóng"),
        Binding("f1", "dismiss", "Đóng"),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        """``sections`` are (heading, [(key, description)]) pairs."""
        super().__init__()
        self._sections = sections

    def compose(self) -> ComposeResult:
        """One block per section."""
        with VerticalScroll(id="help-box"):
            yield Label("Trợ giúp — các phím", id="help-title")
            for heading, keys in self._sections:
                yield Label(heading, classes="help-heading")
                yield Static("\n".join(f"  {describe_key(key):<14} {text}" for key, text in keys))
            yield Label("Chuột cũng dùng được: bấm vào ô, nút và dòng. Nhấn Esc để đóng.", classes="help-heading")

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help."""
        self.dismiss(result)
