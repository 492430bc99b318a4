"""What the terminal shows, as text: the tests of small terminals assert on what the operator can read."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.app import App
from textual.binding import Binding


def visible_text(app: App[Any]) -> str:
    """The terminal's content, line by line, as the operator sees it (the screen and any dialog over it)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, force_terminal=True, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def key_hints(app: App[Any]) -> list[str]:
    """``KEY description`` of every binding shown in the key hints of the screen on top (screen and app keys)."""
    hints = []
    for active in app.screen.active_bindings.values():
        binding: Binding = active.binding
        if binding.show and binding.description:
            hints.append(f"{app.get_key_display(binding)} {binding.description}")
    return hints


def missing(words_of: str, shown: str) -> list[str]:
    """The words of ``words_of`` that are not on screen (a message cut at a dialog's edge loses some)."""
    return [word for word in words_of.split() if word not in shown]
