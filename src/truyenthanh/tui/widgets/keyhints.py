"""Key hints at the bottom of a screen that wrap onto more lines instead of running off an 80-column terminal."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # Textual's own key widget (clickable), pinned with Textual

GAP = 2
"""Columns between two hints."""


class KeyHints(Footer):
    """Textual's footer (clickable keys, redrawn when the bindings change), laid out in as many rows as the
    terminal's width needs: every key shows at 80 columns, none is cut off or scrolled away."""

    DEFAULT_CSS = """
    KeyHints { layout: vertical; height: auto; max-height: 4; }
    KeyHints > HorizontalGroup { height: 1; width: 100%; }
    KeyHints.-compact FooterKey { margin-right: 2; }
    """

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._laid_out_for = 0

    @staticmethod
    def rows(widths: list[int], width: int) -> list[list[int]]:
        """The hints (by index) on each row: in order, each row as full as ``width`` allows."""
        rows: list[list[int]] = [[]]
        used = 0
        for index, needed in enumerate(widths):
            if rows[-1] and used + needed > width:
                rows.append([])
                used = 0
            rows[-1].append(index)
            used += needed + GAP
        return rows

    def compose(self) -> ComposeResult:
        """One :class:`FooterKey` per action, in rows that fit the terminal."""
        if not self._bindings_ready:
            return
        keys: list[FooterKey] = []
        seen: set[str] = set()
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
            keys.append(key.data_bind(compact=Footer.compact))
        width = self.app.size.width - 1
        self._laid_out_for = self.app.size.width
        widths = [len(key.key_display) + 1 + len(key.description) for key in keys]
        for row in self.rows(widths, width):
            yield HorizontalGroup(*(keys[index] for index in row))

    def on_resize(self, _event: events.Resize) -> None:
        """A terminal of another width gets the hints laid out again."""
        if self._laid_out_for and self.app.size.width != self._laid_out_for:
            self.call_after_refresh(self.recompose)
