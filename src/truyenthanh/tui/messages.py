"""Messages that workers post back to screens: each names a fact that has happened (past tense)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # only for annotations: the app starts without loading every service
    from truyenthanh.domain.station import StationRules
    from truyenthanh.errors import TruyenthanhError
    from truyenthanh.protocol import DaemonEvent
    from truyenthanh.services.approvals import ContentView
    from truyenthanh.services.library import AssetInfo, ImportReport
    from truyenthanh.services.programmes import ItemChoices, ProgrammeDetail, ProgrammeSummary
    from truyenthanh.services.scheduling import ScheduleView
    from truyenthanh.tui.backend import AnnouncementText, TodayView
    from truyenthanh.tui.widgets.week import Airing


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

    @classmethod
    def of(cls, error: TruyenthanhError) -> ActionFailed:
        """The failure an error reports (its Vietnamese title and message)."""
        return cls(error.title, error.message)


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


class WeekLoaded(Message):
    """A week's airings and the saved schedules were read."""

    def __init__(
        self, monday: date, airings: list[Airing], schedules: list[ScheduleView], lunar: list[str] | None = None
    ) -> None:
        super().__init__()
        self.monday = monday
        self.airings = airings
        self.schedules = schedules
        self.lunar = lunar or []
        """Each day's lunar date and holiday, Monday first (``âm 15/10``)."""


class ScheduleRemoved(Message):
    """A schedule was deleted (the broadcast log keeps its history)."""

    def __init__(self, schedule: ScheduleView) -> None:
        super().__init__()
        self.schedule = schedule


class ScheduleFormReady(Message):
    """The programmes and sessions the schedule form offers were read."""

    def __init__(
        self,
        programmes: list[ProgrammeSummary],
        sessions: list[str],
        editing: ScheduleView | None = None,
        rules: StationRules | None = None,
    ) -> None:
        super().__init__()
        self.programmes = programmes
        self.sessions = sessions
        self.editing = editing
        """The schedule to edit (``None``: a new one)."""
        self.rules = rules
        """The station's rules (the sessions' seasonal starts), when read."""


class AssetsLoaded(Message):
    """The library's assets matching the filters were read."""

    def __init__(self, assets: list[AssetInfo]) -> None:
        super().__init__()
        self.assets = assets


class ImportProgressed(Message):
    """One file of an import was handled (imported, duplicate or refused)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class ImportFinished(Message):
    """An import ended; ``report`` is ``None`` when it was refused as a whole."""

    def __init__(self, report: ImportReport | None) -> None:
        super().__init__()
        self.report = report


class LogLoaded(Message):
    """Broadcast-log rows matching the filters were read."""

    def __init__(self, rows: list[tuple[str, ...]]) -> None:
        super().__init__()
        self.rows = rows


class LogExported(Message):
    """The filtered log, or a report, was written to ``paths``."""

    def __init__(self, *paths: Path) -> None:
        super().__init__()
        self.paths = paths


class AnnouncementsLoaded(Message):
    """The station's announcements were read."""

    def __init__(self, announcements: list[ContentView]) -> None:
        super().__init__()
        self.announcements = announcements


class AnnouncementLoaded(Message):
    """One announcement was read for the editor."""

    def __init__(self, announcement: AnnouncementText) -> None:
        super().__init__()
        self.announcement = announcement


class AnnouncementSaved(Message):
    """An announcement was saved (and maybe rendered, submitted or approved); ``notice`` says what happened."""

    def __init__(self, announcement: AnnouncementText, notice: str, *, listen: bool = False) -> None:
        super().__init__()
        self.announcement = announcement
        self.notice = notice
        self.listen = listen


class SpokenFormReady(Message):
    """The normalised (spoken) form of ``text`` was worked out."""

    def __init__(self, text: str, spoken: str) -> None:
        super().__init__()
        self.text = text
        self.spoken = spoken


class DaemonStarted(Message):
    """The TUI started the station's daemon in the background."""

    def __init__(self, pid: int) -> None:
        super().__init__()
        self.pid = pid


class DaemonEventReceived(Message):
    """The daemon reported something (an item started or ended, an emergency, a problem …), decoded."""

    def __init__(self, event: DaemonEvent) -> None:
        super().__init__()
        self.event = event
