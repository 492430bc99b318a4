"""What is on air: title, a progress bar and the time left."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ProgressBar

from truyenthanh.tui import formatting

if TYPE_CHECKING:
    from truyenthanh.tui.backend import OnAir


class OnAirPanel(Vertical):
    """Shows the daemon's current item, or that nothing is playing."""

    DEFAULT_CSS = """
    OnAirPanel { height: auto; border: round $accent; border-title-color: $accent; padding: 0 1; }
    OnAirPanel > #on-air-title { text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        """A title line, the bar and a time-left line."""
        self.border_title = "Đang phát"
        yield Label("Không có gì đang phát.", id="on-air-title")
        bar = ProgressBar(total=100, show_eta=False, show_percentage=False, id="on-air-bar")
        bar.display = False
        yield bar
        yield Label("", id="on-air-left")

    def show(self, on_air: OnAir | None) -> None:
        """Redraw for what the daemon reports."""
        title = self.query_one("#on-air-title", Label)
        bar = self.query_one("#on-air-bar", ProgressBar)
        left = self.query_one("#on-air-left", Label)
        if on_air is None:
            title.update("Không có gì đang phát.")
            bar.display = False
            left.update("")
            return
        title.update(on_air.title)
        bar.display = True
        if on_air.duration_s:
            bar.update(total=on_air.duration_s, progress=min(on_air.position_s, on_air.duration_s))
            remaining = max(0.0, on_air.duration_s - on_air.position_s)
            left.update(
                f"Đã phát {formatting.duration(on_air.position_s)} / {formatting.duration(on_air.duration_s)}"
                f" — còn lại {formatting.duration(remaining)}"
            )
        else:
            bar.update(total=None)
            left.update(f"Đã phát {formatting.duration(on_air.position_s)} (tiếp sóng, không rõ độ dài)")
