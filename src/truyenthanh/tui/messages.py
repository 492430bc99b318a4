"""Messages that workers post back to screens: each names a fact that has happened (past tense)."""

from __future__ import annotations

from textual.message import Message

from truyenthanh.services.programmes import ItemChoices, ProgrammeDetail, ProgrammeSummary
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


class ProgrammesLoaded(Message):
    """The list of programmes was read."""

    def __init__(self, programmes: list[ProgrammeSummary], select_id: int | None = None) -> None:
        super().__init__()
        self.programmes = programmes
        self.select_id = select_id


class ProgrammeChanged(Message):
    """A programme was read or changed; ``cursor`` is the item row to highlight."""

    def __init__(self, detail: ProgrammeDetail, cursor: int | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.cursor = cursor


class ItemChoicesLoaded(Message):
    """The assets and announcements an item can play were read."""

    def __init__(self, programme_id: int, choices: ItemChoices) -> None:
        super().__init__()
        self.programme_id = programme_id
        self.choices = choices
