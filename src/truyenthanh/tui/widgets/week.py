"""A week of airings as seven day columns, Monday first, each with its lunar date (âm lịch) and holiday."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.schedule import holiday_name, to_lunar
from truyenthanh.domain.station import StationRules
from truyenthanh.tui.formatting import WEEKDAYS

PRIORITY_STYLES = {Priority.NORMAL: "", Priority.PRIORITY: "bold yellow", Priority.EMERGENCY: "bold red"}


class Airing:
    """One airing placed on the timeline (local start)."""

    def __init__(self, start: datetime, title: str, priority: Priority, session: str | None) -> None:
        self.start = start
        self.title = title
        self.priority = priority
        self.session = session


def lunar_label(day: date, rules: StationRules | None = None) -> str:
    """The lunar date a calendar prints beside the solar one, and the day's holiday if any: ``âm 15/10``,
    ``âm 1/1 · Tết Nguyên Đán`` (``rules``: the station's announced days off count too)."""
    holiday = holiday_name(day, rules)
    return f"âm {to_lunar(day).short}" + (f" · {holiday}" if holiday else "")


class WeekTimeline(Horizontal):
    """Seven columns; each lists its airings in time order, grouped under their session's name. A column's
    top border names the weekday and the solar date, its bottom border the lunar date and the holiday."""

    DEFAULT_CSS = """
    WeekTimeline { height: 1fr; }
    WeekTimeline > .day { width: 1fr; height: 1fr; border: round $primary-darken-2; padding: 0 1; }
    WeekTimeline > .today { border: round $accent; }
    """

    def compose(self) -> ComposeResult:
        """Seven empty columns."""
        for index in range(7):
            yield Static("", id=f"day-{index}", classes="day")

    def show(self, monday: date, airings: list[Airing], today: date, lunar: list[str] | None = None) -> None:
        """Fill the columns for the week starting ``monday``; ``lunar``: each day's :func:`lunar_label`, read
        ahead (the first holiday lookup loads the ``holidays`` package: not on the interface's thread)."""
        for index in range(7):
            day = monday + timedelta(days=index)
            column = self.query_one(f"#day-{index}", Static)
            column.border_title = f"{WEEKDAYS[index]} {day:%d/%m}"
            column.border_subtitle = lunar[index] if lunar else ""
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
