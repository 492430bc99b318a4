"""A week of airings as seven day columns, Monday first."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from truyenthanh.domain.enums import Priority
from truyenthanh.tui.formatting import WEEKDAYS

PRIORITY_STYLES = {Priority.NORMAL: "", Priority.PRIORITY: "bold yellow", Priority.EMERGENCY: "bold red"}


class Airing:
    """One airing placed on the timeline (local start)."""

    def __init__(self, start: datetime, title: str, priority: Priority, session: str | None) -> None:
        self.start = start
        self.title = title
        self.priority = priority
        self.session = session


class WeekTimeline(Horizontal):
    """Seven columns; each lists its airings in time order, grouped under their session's name."""

    DEFAULT_CSS = """
    WeekTimeline { height: 1fr; }
    WeekTimeline > .day { width: 1fr; height: 1fr; border: round $primary-darken-2; padding: 0 1; }
    WeekTimeline > .today { border: round $accent; }
    """

    def compose(self) -> ComposeResult:
        """Seven empty columns."""
        for index in range(7):
            yield Static("", id=f"day-{index}", classes="day")

    def show(self, monday: date, airings: list[Airing], today: date) -> None:
        """Fill the columns for the week starting ``monday``."""
        for index in range(7):
            day = monday + timedelta(days=index)
            column = self.query_one(f"#day-{index}", Static)
            column.border_title = f"{WEEKDAYS[index]} {day:%d/%m}"
            column.set_class(day == today, "today")
            lines = Text()
            session = None
            mine = sorted((a for a in airings if a.start.date() == day), key=lambda a: a.start)
            for airing in mine:
                if airing.session != session and airing.session:
                    lines.append(f"{airing.session}\n", style="bold underline")
                session = airing.session
                lines.append(f"{airing.start:%H:%M} ", style="bold")
                lines.append(f"{airing.title}\n", style=PRIORITY_STYLES[airing.priority])
            if not mine:
                lines.append("(không phát)", style="dim")
            column.update(lines)
