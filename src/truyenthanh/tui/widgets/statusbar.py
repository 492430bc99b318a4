"""The line at the top of every screen: station, date and time, daemon state."""

from __future__ import annotations

from datetime import datetime

from textual.widgets import Static

from truyenthanh.tui import formatting


class StatusBar(Static):
    """Station name, the station's date and clock, and whether the daemon answers."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def show(self, *, station: str, now: datetime, daemon_up: bool | None, screen_title: str) -> None:
        """Redraw with fresh values; ``daemon_up`` is ``None`` when not known yet."""
        daemon = {True: "Dịch vụ phát: đang chạy", False: "Dịch vụ phát: KHÔNG CHẠY", None: ""}[daemon_up]
        parts = [screen_title, station or "Đài truyền thanh", formatting.long_date(now), formatting.clock(now)]
        if daemon:
            parts.append(daemon)
        self.update("  │  ".join(parts))
