"""Trợ giúp: every key of the app and of the screen underneath, with its Vietnamese description."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
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


def show_key_help(app: App[Any]) -> None:
    """Open the :class:`HelpScreen` for every key that works now: the app's own keys, then the current screen's
    (a screen key its screen hides from the footer is left out). Nothing when it is already open."""
    if isinstance(app.screen, HelpScreen):
        return
    app_keys: list[tuple[str, str]] = []
    screen_keys: list[tuple[str, str]] = []
    for key, active in app.active_bindings.items():
        binding = active.binding
        if not binding.description or (active.node is not app and not binding.show):
            continue
        (app_keys if active.node is app else screen_keys).append((key, binding.description))
    sections = [("Mọi màn hình", app_keys)]
    if screen_keys:
        sections.append((f"Màn hình «{getattr(app.screen, 'TITLE', '')}»", screen_keys))
    app.push_screen(HelpScreen(sections))
