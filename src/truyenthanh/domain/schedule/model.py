"""The schedule model: a schedule in domain form, its airings, and its misfire policy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.fleet import Targets
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


class LeapPolicy(StrEnum):
    """Which months a lunar schedule airs in when the year has a leap month (tháng nhuận) repeating its month."""

    BOTH = "both"
    """The regular month and the leap month after it."""
    REGULAR = "regular"
    """Only the regular month."""

    @property
    def label(self) -> str:
        """Vietnamese description."""
        return "cả tháng nhuận" if self is LeapPolicy.BOTH else "không tính tháng nhuận"


@dataclass(frozen=True)
class LunarRule:
    """Air on lunar days: "every mùng 1 and rằm" is ``days=(1, 15)``; "the 23rd of the 12th month" is
    ``days=(23,), months=(12,)``."""

    days: tuple[int, ...]
    """Lunar days, 1 to 30 (a 30th is skipped in months of 29 days)."""
    months: tuple[int, ...] = ()
    """Lunar months, 1 to 12; empty: every month."""
    leap: LeapPolicy = LeapPolicy.BOTH

    def __post_init__(self) -> None:
        if not self.days or any(not 1 <= d <= 30 for d in self.days):
            raise ScheduleError("Ngày âm lịch phải từ 1 đến 30 (ví dụ 1,15).", field="lunar")
        if any(not 1 <= m <= 12 for m in self.months):
            raise ScheduleError("Tháng âm lịch phải từ 1 đến 12.", field="lunar")

    @classmethod
    def parse(cls, raw: str, *, leap: LeapPolicy = LeapPolicy.BOTH) -> LunarRule:
        """Read ``1,15`` (those days of every lunar month) or ``23/12`` (day/month; several with commas:
        ``1/1,15/1``), as an operator types them; ``mùng`` and ``rằm`` are understood.

        Raises:
            ScheduleError: not such a list (``field="lunar"``).
        """
        text = raw.strip().lower().replace("mùng", "").replace("rằm", "15")
        days: list[int] = []
        months: list[int] = []
        for token in filter(None, (t.strip() for t in re.split(r"[,;\s]+", text))):
            match = re.fullmatch(r"(\d{1,2})(?:/(\d{1,2}))?", token)
            if match is None:
                raise ScheduleError(
                    f"Không hiểu ngày âm lịch «{raw}». Ví dụ: «1,15» (mùng 1 và rằm hằng tháng), «23/12» "
                    "(23 tháng Chạp).",
                    field="lunar",
                )
            days.append(int(match.group(1)))
            if match.group(2):
                months.append(int(match.group(2)))
        if months and len(months) != len(days):
            raise ScheduleError(
                f"Ngày âm lịch «{raw}»: hoặc mọi ngày đều có tháng (23/12), hoặc không ngày nào có.", field="lunar"
            )
        return cls(tuple(sorted(set(days))), tuple(sorted(set(months))), leap)

    def __str__(self) -> str:
        """The form :meth:`parse` reads: ``1,15`` or ``23/12`` (each day in each month)."""
        if not self.months:
            return ",".join(map(str, self.days))
        return ",".join(f"{d}/{m}" for m in self.months for d in self.days)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"days": list(self.days), "months": list(self.months), "leap": self.leap.value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LunarRule:
        """Rebuild a rule stored by :meth:`to_json`."""
        return cls(
            tuple(int(d) for d in data["days"]),
            tuple(int(m) for m in data.get("months", [])),
            LeapPolicy(data.get("leap", LeapPolicy.BOTH.value)),
        )


class HolidayPolicy(StrEnum):
    """What a schedule does on public holidays and the station's days off."""

    ALWAYS = "always"
    """Air as on any other day."""
    SKIP = "skip"
    """Do not air on holidays."""
    ONLY = "only"
    """Air only on holidays."""
    SWAP = "swap"
    """Play the holiday programme instead on holidays."""

    @property
    def label(self) -> str:
        """Vietnamese description, as a suffix of a schedule's summary."""
        return {
            HolidayPolicy.ALWAYS: "",
            HolidayPolicy.SKIP: "trừ ngày lễ",
            HolidayPolicy.ONLY: "chỉ ngày lễ",
            HolidayPolicy.SWAP: "ngày lễ phát chương trình khác",
        }[self]


@dataclass(frozen=True)
class ProgrammeSwap:
    """The programme a schedule plays on holidays instead of its own (:attr:`HolidayPolicy.SWAP`)."""

    programme_id: int
    title: str = ""
    duration_s: float = 0.0


@dataclass(frozen=True)
class CalendarRule:
    """A schedule's place in the Vietnamese calendar: lunar days, holidays, and the session start it follows."""

    lunar: LunarRule | None = None
    """Air on these lunar days at the schedule's time of day (instead of an RRULE)."""
    holidays: HolidayPolicy = HolidayPolicy.ALWAYS
    holiday_swap: ProgrammeSwap | None = None
    """What plays on holidays under :attr:`HolidayPolicy.SWAP`."""
    at_session_start: bool = False
    """Air at the start of the schedule's session each day, following its seasonal start times."""

    def to_json(self) -> dict[str, Any] | None:
        """JSON-ready form; ``None`` when nothing is set (a plain solar schedule)."""
        data: dict[str, Any] = {}
        if self.lunar is not None:
            data["lunar"] = self.lunar.to_json()
        if self.holidays is not HolidayPolicy.ALWAYS:
            data["holidays"] = self.holidays.value
        if self.holiday_swap is not None:
            data["holiday_programme_id"] = self.holiday_swap.programme_id
        if self.at_session_start:
            data["at_session_start"] = True
        return data or None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, swap: ProgrammeSwap | None = None) -> CalendarRule:
        """Rebuild a rule stored by :meth:`to_json`; ``swap``: the holiday programme it names, looked up."""
        if not data:
            return cls()
        return cls(
            lunar=LunarRule.from_json(data["lunar"]) if data.get("lunar") else None,
            holidays=HolidayPolicy(data.get("holidays", HolidayPolicy.ALWAYS.value)),
            holiday_swap=swap
            or (ProgrammeSwap(int(data["holiday_programme_id"])) if data.get("holiday_programme_id") else None),
            at_session_start=bool(data.get("at_session_start", False)),
        )


@dataclass(frozen=True)
class ZoneRef:
    """A loudspeaker zone (cụm loa) as schedules name it: its slug (what targets hold) and its name."""

    slug: str
    name: str


LOCAL_OUTPUT = ""
"""The station's own output among a schedule's outputs (:func:`outputs`); every other output is a zone slug."""


def outputs(targets: Targets, zones: Sequence[ZoneRef]) -> list[str]:
    """Every output ``targets`` reaches: :data:`LOCAL_OUTPUT` first if it airs locally, then its zones' slugs in
    the station's order (a slug the station no longer has is left out)."""
    found = [LOCAL_OUTPUT] if targets.local else []
    return found + targets.zone_list([z.slug for z in zones])


ALL_ZONES_TOKEN = "*"
LOCAL_TOKEN = "local"


def format_targets(targets: Targets) -> str:
    """Targets as one line (iCalendar's ``X-TRUYENTHANH-TARGETS``): ``local,*`` (the default), ``local``,
    ``thon-dong,thon-tay``, ``*``; empty when it reaches nothing."""
    tokens = [LOCAL_TOKEN] if targets.local else []
    tokens += [ALL_ZONES_TOKEN] if targets.zones is None else list(targets.zones)
    return ",".join(tokens)


def parse_targets(text: str) -> Targets:
    """Read :func:`format_targets`' line (zones as written: slugs or names, resolved against the station's zones
    later). ``local`` airs on the station's own output, ``*`` in every zone; no zone token means no zone."""
    tokens = [t.strip() for t in text.split(",") if t.strip()]
    local = any(t.lower() == LOCAL_TOKEN for t in tokens)
    zones = [t for t in tokens if t.lower() != LOCAL_TOKEN]
    return Targets(local=local, zones=None if ALL_ZONES_TOKEN in zones else tuple(zones))


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
    calendar: CalendarRule = field(default_factory=CalendarRule)
    """Lunar days, holidays and the session start."""
    targets: Targets = field(default_factory=Targets)
    """Where it airs: the station's own output and/or zones (default: both, every zone)."""

    @property
    def lunar(self) -> LunarRule | None:
        """The lunar days it airs on (instead of ``rrule``), if any."""
        return self.calendar.lunar

    @property
    def holidays(self) -> HolidayPolicy:
        """What it does on holidays."""
        return self.calendar.holidays

    @property
    def holiday_swap(self) -> ProgrammeSwap | None:
        """What plays on holidays under :attr:`HolidayPolicy.SWAP`."""
        return self.calendar.holiday_swap

    @property
    def at_session_start(self) -> bool:
        """Whether it airs at the start of ``session_name``, following the session's seasonal times."""
        return self.calendar.at_session_start

    @property
    def recurring(self) -> bool:
        """Whether it airs more than once (an RRULE or lunar days)."""
        return bool(self.rrule) or self.lunar is not None

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
    targets: Targets = field(default_factory=Targets)
    """Where this airing plays (its schedule's targets)."""

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
