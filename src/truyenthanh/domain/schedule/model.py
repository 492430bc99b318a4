"""The schedule model: a schedule in domain form, its airings, and its misfire policy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from truyenthanh.domain.enums import Priority
from truyenthanh.errors import ScheduleError

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
"""RFC 5545 weekday codes, Monday first (``datetime.weekday()`` order)."""

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
"""Vietnamese weekday names, Monday first."""


class MisfireKind(StrEnum):
    """What to do with an occurrence whose start has passed when the daemon gets to it."""

    SKIP = "skip"
    """Never play late: log it and move on."""
    LATE = "late"
    """Play from the start if no more than ``minutes`` late."""
    JOIN = "join"
    """Play from the position the clock says (as if it had started on time) if no more than ``minutes`` late."""


@dataclass(frozen=True)
class Misfire:
    """A schedule's misfire policy, stored as ``skip``, ``late:MINUTES`` or ``join:MINUTES``."""

    kind: MisfireKind = MisfireKind.LATE
    minutes: int = 5

    @classmethod
    def parse(cls, raw: str) -> Misfire:
        """Parse ``skip``, ``late:N`` or ``join:N``.

        Raises:
            ScheduleError: the text is none of these.
        """
        text = raw.strip().lower()
        if text == "skip":
            return cls(MisfireKind.SKIP, 0)
        match = re.fullmatch(r"(late|join):(\d{1,4})", text)
        if not match:
            raise ScheduleError(
                f"Chính sách phát trễ «{raw}» không hợp lệ. Dùng «skip» (bỏ qua), «late:PHÚT» (phát lại từ đầu nếu "
                "trễ không quá số phút) hoặc «join:PHÚT» (phát tiếp từ vị trí đúng giờ)."
            )
        return cls(MisfireKind(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return "skip" if self.kind is MisfireKind.SKIP else f"{self.kind.value}:{self.minutes}"

    @property
    def label(self) -> str:
        """Vietnamese description for the operator."""
        if self.kind is MisfireKind.SKIP:
            return "bỏ qua nếu trễ"
        if self.kind is MisfireKind.LATE:
            return f"phát từ đầu nếu trễ không quá {self.minutes} phút"
        return f"phát tiếp từ vị trí đúng giờ nếu trễ không quá {self.minutes} phút"


@dataclass(frozen=True)
class ScheduleSpec:
    """Everything needed to expand and check one schedule, independent of storage."""

    id: int | None
    """Database id; ``None`` for a schedule not saved yet."""
    programme_id: int
    title: str
    """The programme's title (for messages)."""
    duration_s: float
    """Length of the programme, in seconds."""
    start_at: datetime
    """The one-off start, or DTSTART of the rule (aware)."""
    rrule: str | None = None
    """RRULE body (``FREQ=DAILY;BYDAY=MO``) or ``None`` for a one-off."""
    exdates: tuple[datetime, ...] = ()
    """Excluded occurrences (aware)."""
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    priority: Priority = Priority.NORMAL
    misfire: Misfire = field(default_factory=Misfire)
    session_name: str | None = None
    """Session the operator put it in; ``None``: whichever session its start falls in."""
    enabled: bool = True

    @property
    def order(self) -> int:
        """The operator's order among colliding priority items: the order schedules were saved in."""
        return self.id if self.id is not None else 1 << 62


@dataclass(frozen=True)
class Occurrence:
    """One airing of a schedule."""

    schedule_id: int | None
    programme_id: int
    title: str
    start: datetime
    """Scheduled start (aware, UTC)."""
    duration_s: float
    priority: Priority
    misfire: Misfire
    order: int
    session_name: str | None = None

    @property
    def end(self) -> datetime:
        """Scheduled end (UTC)."""
        return self.start + timedelta(seconds=self.duration_s)

    @property
    def key(self) -> str:
        """Stable identity of this airing: the schedule and its scheduled start."""
        return f"{self.schedule_id}@{self.start.astimezone(UTC).isoformat(timespec='seconds')}"


@dataclass(frozen=True)
class Planned:
    """An occurrence with the start it will actually be given (priority items move ahead in their session)."""

    occurrence: Occurrence
    start: datetime
    """Planned start (UTC); equals the occurrence's start unless placement moved it."""
    session: str | None = None
    """Name of the session it plays in, if any."""

    @property
    def end(self) -> datetime:
        """Planned end (UTC)."""
        return self.start + timedelta(seconds=self.occurrence.duration_s)

    @property
    def moved(self) -> bool:
        """Whether placement moved it from its scheduled start."""
        return self.start != self.occurrence.start
