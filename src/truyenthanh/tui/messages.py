"""Messages that workers post back to screens: each names a fact that has happened (past tense)."""

from __future__ import annotations

from textual.message import Message

from truyenthanh.tui.backend import TodayView


class TodayLoaded(Message):
    """Today's rundown, on-air state and warnings were read."""

    def __init__(self, view: TodayView) -> None:
        super().__init__()
        self.view = view


class ActionFailed(Message):
    """A blocking call raised one of our errors; ``title`` and ``text`` are Vietnamese."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title = title
        self.text = text
