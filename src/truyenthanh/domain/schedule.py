"""Schedules: expanding one-off and RFC 5545 recurring schedules into occurrences, placing priority items within
their session, checking the station's rules, deciding what to do with late occurrences, and describing
recurrences in Vietnamese.

Pure: every function takes the station's time zone and, where time matters, ``now``. Instants are aware UTC
datetimes; recurrence rules are expanded in the station's local time (so "05:30 every day" stays 05:30 local).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.station import SessionRule, StationRules
from truyenthanh.errors import ScheduleError

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
"""RFC 5545 weekday codes, Monday first (``datetime.weekday()`` order)."""

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
"""Vietnamese weekday names, Monday first."""

_ALLOWED_RRULE_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "BYYEARDAY",
    "BYWEEKNO",
    "WKST",
    "BYHOUR",
    "BYMINUTE",
}
_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}


# --- misfire policy ---------------------------------------------------------------------------------------------


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


# --- schedules and occurrences ------------------------------------------------------------------------------------


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


def normalise_rrule(raw: str) -> str:
    """Check an RRULE body and return it in canonical form (upper case, no ``RRULE:`` prefix).

    Raises:
        ScheduleError: unknown parts, a missing or unsupported FREQ, or a rule dateutil cannot read.
    """
    text = raw.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: list[str] = []
    keys: set[str] = set()
    for chunk in filter(None, text.split(";")):
        if "=" not in chunk:
            raise ScheduleError(f"Quy tắc lặp «{raw}»: phần «{chunk}» thiếu dấu «=» (dạng KHÓA=GIÁ_TRỊ).")
        key, value = chunk.split("=", 1)
        key = key.strip().upper()
        if key not in _ALLOWED_RRULE_PARTS:
            raise ScheduleError(
                f"Quy tắc lặp «{raw}»: không hỗ trợ phần «{key}». Dùng: {', '.join(sorted(_ALLOWED_RRULE_PARTS))}."
            )
        if key in keys:
            raise ScheduleError(f"Quy tắc lặp «{raw}»: phần «{key}» xuất hiện hai lần.")
        keys.add(key)
        parts.append(f"{key}={value.strip().upper()}")
    freq = next((p.split("=", 1)[1] for p in parts if p.startswith("FREQ=")), None)
    if freq is None:
        raise ScheduleError(f"Quy tắc lặp «{raw}»: thiếu FREQ (ví dụ FREQ=DAILY hoặc FREQ=WEEKLY;BYDAY=MO,WE,FR).")
    if freq not in _FREQUENCIES:
        raise ScheduleError(f"Quy tắc lặp «{raw}»: FREQ={freq} không hỗ trợ; dùng DAILY, WEEKLY, MONTHLY hoặc YEARLY.")
    body = ";".join(parts)
    try:
        _rule(body, datetime(2026, 1, 1, 5, 30), ZoneInfo("UTC"))
    except (ValueError, TypeError) as exc:
        raise ScheduleError(f"Quy tắc lặp «{raw}» không hợp lệ: {exc}.") from exc
    return body


def _rule(body: str, dtstart_local: datetime, zone: ZoneInfo) -> rrule:
    """Build a dateutil rule over naive local times; a UTC UNTIL is converted to local time first."""

    body = re.sub(r"UNTIL=([0-9TZ]+)", lambda m: "UNTIL=" + f"{_until_local(m.group(1), zone):%Y%m%dT%H%M%S}", body)
    rule = rrulestr(body, dtstart=dtstart_local)
    assert isinstance(rule, rrule)
    return rule


def _until_local(raw: str, zone: ZoneInfo) -> datetime:
    """An RRULE UNTIL value as a naive local time (a date alone means the end of that day)."""
    try:
        moment = datetime.strptime(raw.rstrip("Z"), "%Y%m%dT%H%M%S" if "T" in raw else "%Y%m%d")
    except ValueError as exc:
        raise ValueError(f"UNTIL={raw} không phải ngày giờ dạng YYYYMMDD hoặc YYYYMMDDTHHMMSSZ") from exc
    if raw.endswith("Z"):
        return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    if "T" not in raw:
        return moment.replace(hour=23, minute=59, second=59)
    return moment


def _rule_parts(body: str) -> dict[str, str]:
    return dict(chunk.split("=", 1) for chunk in body.split(";") if "=" in chunk)


def expand(spec: ScheduleSpec, start: datetime, end: datetime, zone: ZoneInfo) -> list[Occurrence]:
    """Occurrences of one schedule that start in ``[start, end)``, in time order.

    Exception dates, the validity window and ``enabled`` are applied. A recurring rule is expanded in the
    station's local time from DTSTART, then each occurrence is converted to UTC.
    """
    if not spec.enabled:
        return []
    low = max(start, spec.valid_from) if spec.valid_from else start
    high = min(end, spec.valid_to) if spec.valid_to else end
    if low >= high:
        return []
    excluded = {moment.astimezone(UTC).replace(microsecond=0) for moment in spec.exdates}
    starts: Iterable[datetime]
    if not spec.rrule:
        starts = [spec.start_at.astimezone(UTC)]
    else:
        dtstart_local = spec.start_at.astimezone(zone).replace(tzinfo=None)
        rule = _rule(spec.rrule, dtstart_local, zone)
        margin = timedelta(days=1)
        local_low = low.astimezone(zone).replace(tzinfo=None) - margin
        local_high = high.astimezone(zone).replace(tzinfo=None) + margin
        starts = (naive.replace(tzinfo=zone).astimezone(UTC) for naive in rule.between(local_low, local_high, inc=True))
    return [
        Occurrence(
            schedule_id=spec.id,
            programme_id=spec.programme_id,
            title=spec.title,
            start=moment,
            duration_s=spec.duration_s,
            priority=spec.priority,
            misfire=spec.misfire,
            order=spec.order,
            session_name=spec.session_name,
        )
        for moment in starts
        if low <= moment < high and moment.replace(microsecond=0) not in excluded
    ]


def expand_all(specs: Iterable[ScheduleSpec], start: datetime, end: datetime, zone: ZoneInfo) -> list[Occurrence]:
    """Occurrences of every schedule starting in ``[start, end)``, ordered by start then operator order."""
    found = [occurrence for spec in specs for occurrence in expand(spec, start, end, zone)]
    return sorted(found, key=lambda o: (o.start, o.order))


# --- sessions and placement -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionWindow:
    """One session on one local date."""

    rule: SessionRule
    day: date
    start: datetime
    """UTC."""
    end: datetime
    """UTC."""


def session_window(occurrence: Occurrence, rules: StationRules, zone: ZoneInfo) -> SessionWindow | None:
    """The session an occurrence belongs to: the one named on its schedule, else the one its start falls in."""
    local = occurrence.start.astimezone(zone)
    session: SessionRule | None = None
    if occurrence.session_name:
        session = next((s for s in rules.sessions if s.name == occurrence.session_name), None)
    if session is None:
        session = rules.session_at(local)
    if session is None:
        return None
    day = local.date()
    begin = datetime.combine(day, session.start, tzinfo=zone).astimezone(UTC)
    finish = datetime.combine(day, session.end, tzinfo=zone).astimezone(UTC)
    if finish <= begin:
        finish += timedelta(days=1)
    return SessionWindow(rule=session, day=day, start=begin, end=finish)


def plan(occurrences: Sequence[Occurrence], rules: StationRules, zone: ZoneInfo) -> list[Planned]:
    """Give every occurrence its planned start.

    Within one session on one day, priority items play first, at the earliest scheduled start of the session's
    items, in the operator's order; normal items follow at their scheduled start or as soon as the items before
    them end. Items outside any session and emergency items keep their scheduled start.
    """
    groups: dict[tuple[date, str], list[Occurrence]] = {}
    planned: list[Planned] = []
    for occurrence in occurrences:
        window = session_window(occurrence, rules, zone) if occurrence.priority is not Priority.EMERGENCY else None
        if window is None:
            planned.append(Planned(occurrence, occurrence.start))
            continue
        groups.setdefault((window.day, window.rule.name), []).append(occurrence)
    for (_day, name), members in groups.items():
        ahead = sorted((o for o in members if o.priority is Priority.PRIORITY), key=lambda o: (o.order, o.start))
        normal = sorted((o for o in members if o.priority is Priority.NORMAL), key=lambda o: (o.start, o.order))
        cursor = min(o.start for o in members)
        for occurrence in ahead:
            planned.append(Planned(occurrence, cursor, name))
            cursor += timedelta(seconds=occurrence.duration_s)
        for occurrence in normal:
            begin = max(occurrence.start, cursor)
            planned.append(Planned(occurrence, begin, name))
            cursor = begin + timedelta(seconds=occurrence.duration_s)
    return sorted(planned, key=lambda p: (p.start, p.occurrence.order))


# --- rule checks --------------------------------------------------------------------------------------------------


class ConflictKind(StrEnum):
    """What a schedule collides with."""

    OVERLAP = "overlap"
    SESSION_OVERRUN = "session_overrun"
    QUIET_HOURS = "quiet_hours"
    WEEKEND = "weekend"


class Resolution(StrEnum):
    """How an operator may resolve a conflict."""

    SHIFT = "shift"
    """Move the new schedule to the suggested free time."""
    AFTER = "after"
    """Start the new schedule right after the item it overlaps."""
    REPLACE = "replace"
    """Drop the colliding airings of the other schedule."""
    FORCE = "force"
    """Save as it is."""


@dataclass(frozen=True)
class Conflict:
    """One broken rule, explained in Vietnamese."""

    kind: ConflictKind
    occurrence: Occurrence
    """The new schedule's airing that breaks the rule."""
    message: str
    other: Occurrence | None = None
    """The airing it overlaps (overlaps only)."""


@dataclass(frozen=True)
class ConflictReport:
    """Every conflict of a candidate schedule, with the choices that would resolve them."""

    conflicts: tuple[Conflict, ...]
    shift_to: datetime | None = None
    """A free start (UTC) for the first conflicting airing, if one was found the same day or the next."""
    after: datetime | None = None
    """End (UTC) of the item the first conflicting airing overlaps, if it overlaps one."""
    replace_ids: tuple[int, ...] = ()
    """Schedules whose colliding airings ``replace`` would drop."""

    @property
    def choices(self) -> tuple[Resolution, ...]:
        """The resolutions available here; ``force`` is always one."""
        found = []
        if self.shift_to is not None:
            found.append(Resolution.SHIFT)
        if self.after is not None:
            found.append(Resolution.AFTER)
        if self.replace_ids:
            found.append(Resolution.REPLACE)
        found.append(Resolution.FORCE)
        return tuple(found)

    def explain(self, zone: ZoneInfo, limit: int = 5) -> str:
        """A Vietnamese explanation: what collides, then the choices with the command-line options for them."""
        lines = [conflict.message for conflict in self.conflicts[:limit]]
        if len(self.conflicts) > limit:
            lines.append(f"... và {len(self.conflicts) - limit} xung đột khác.")
        options = []
        if self.shift_to is not None:
            options.append(f"dời sang {_hm(self.shift_to, zone)} (--resolve shift)")
        if self.after is not None:
            options.append(f"phát ngay sau mục bị trùng, lúc {_hm(self.after, zone)} (--resolve after)")
        if self.replace_ids:
            ids = ", ".join(str(i) for i in self.replace_ids)
            options.append(f"thay thế các lần phát bị trùng của lịch số {ids} (--resolve replace)")
        options.append("hoặc vẫn lưu như vậy (--force)")
        lines.append("Có thể chọn: " + "; ".join(options) + ".")
        return "\n".join(lines)


def _hm(moment: datetime, zone: ZoneInfo) -> str:
    """``05:30``, or ``05:30:12`` when the seconds matter."""
    local = moment.astimezone(zone)
    return local.strftime("%H:%M:%S" if local.second or local.microsecond else "%H:%M")


def describe_moment(moment: datetime, zone: ZoneInfo) -> str:
    """``05:30 Thứ Hai 23/11/2026`` in the station's zone."""
    local = moment.astimezone(zone)
    return f"{_hm(moment, zone)} {WEEKDAY_NAMES[local.weekday()]} {local:%d/%m/%Y}"


def _span(occurrence: Occurrence, zone: ZoneInfo) -> str:
    return f"{_hm(occurrence.start, zone)}–{_hm(occurrence.end, zone)}"


def quiet_overlap(
    rules: StationRules, zone: ZoneInfo, start: datetime, end: datetime
) -> tuple[datetime, datetime] | None:
    """The first quiet-hours window (UTC) that ``[start, end)`` touches, if any."""
    local_start = start.astimezone(zone)
    for quiet in rules.quiet_hours:
        for offset in (-1, 0, 1):
            day = local_start.date() + timedelta(days=offset)
            q_start = datetime.combine(day, quiet.start, tzinfo=zone).astimezone(UTC)
            q_end = datetime.combine(day, quiet.end, tzinfo=zone).astimezone(UTC)
            if q_end <= q_start:
                q_end += timedelta(days=1)
            if start < q_end and q_start < end:
                return q_start, q_end
    return None


def _collides(a: Occurrence, b: Occurrence, rules: StationRules, zone: ZoneInfo) -> bool:
    """Whether two airings of different schedules overlap in a way placement does not settle."""
    if a.schedule_id is not None and a.schedule_id == b.schedule_id:
        return False
    if Priority.EMERGENCY in (a.priority, b.priority):
        return False  # emergencies cut in on whatever plays
    if not (a.start < b.end and b.start < a.end):
        return False
    if Priority.PRIORITY in (a.priority, b.priority):
        window_a, window_b = session_window(a, rules, zone), session_window(b, rules, zone)
        if window_a is not None and window_a == window_b:
            return False  # placed ahead within the session; colliding priority items keep the operator's order
    return True


def _occurrence_conflicts(
    occurrence: Occurrence, others: Sequence[Occurrence], rules: StationRules, zone: ZoneInfo
) -> list[Conflict]:
    if occurrence.priority is Priority.EMERGENCY:
        return []  # emergencies are exempt from quiet hours, sessions and the weekend rule
    found: list[Conflict] = []
    when = describe_moment(occurrence.start, zone)
    name = f"«{occurrence.title}»"
    for other in others:
        if _collides(occurrence, other, rules, zone):
            found.append(
                Conflict(
                    ConflictKind.OVERLAP,
                    occurrence,
                    f"{name} lúc {when} trùng với «{other.title}» ({_span(other, zone)}, lịch số {other.schedule_id}).",
                    other,
                )
            )
    quiet = quiet_overlap(rules, zone, occurrence.start, occurrence.end)
    if quiet is not None:
        found.append(
            Conflict(
                ConflictKind.QUIET_HOURS,
                occurrence,
                f"{name} lúc {when} ({_span(occurrence, zone)}) rơi vào giờ yên tĩnh "
                f"{_hm(quiet[0], zone)}–{_hm(quiet[1], zone)} của đài.",
            )
        )
    local = occurrence.start.astimezone(zone)
    if rules.weekend_forbids(local):
        found.append(
            Conflict(
                ConflictKind.WEEKEND,
                occurrence,
                f"{name} lúc {when}: quy định của đài là «{rules.weekend_rule.label}».",
            )
        )
    window = session_window(occurrence, rules, zone)
    if window is not None:
        same_session = [
            o
            for o in others
            if o.priority is not Priority.EMERGENCY
            and o.schedule_id != occurrence.schedule_id
            and session_window(o, rules, zone) == window
        ]
        members = [occurrence, *same_session]
        total_min = sum(o.duration_s for o in members) / 60
        placed = [p for p in plan(members, rules, zone) if p.occurrence == occurrence]
        planned_end = placed[0].end if placed else occurrence.end
        session_label = f"{window.rule.name} ({window.rule.start:%H:%M}–{window.rule.end:%H:%M})"
        if planned_end > window.end:
            found.append(
                Conflict(
                    ConflictKind.SESSION_OVERRUN,
                    occurrence,
                    f"{name} lúc {when} kết thúc lúc {_hm(planned_end, zone)}, quá giờ kết thúc của {session_label}.",
                )
            )
        elif total_min > window.rule.max_minutes + 1e-9:
            found.append(
                Conflict(
                    ConflictKind.SESSION_OVERRUN,
                    occurrence,
                    f"{name} lúc {when}: tổng thời lượng {session_label} ngày {window.day:%d/%m/%Y} sẽ là "
                    f"{total_min:.0f} phút, vượt mức tối đa {window.rule.max_minutes} phút.",
                )
            )
    return found


CHECK_HORIZON = timedelta(days=62)
"""How far ahead a new schedule's airings are checked against the rules."""


def check(
    candidate: ScheduleSpec,
    existing: Sequence[ScheduleSpec],
    rules: StationRules,
    zone: ZoneInfo,
    now: datetime,
    *,
    horizon: timedelta = CHECK_HORIZON,
) -> ConflictReport:
    """Check a candidate schedule's airings over ``horizon`` from its first airing after ``now`` against the
    others and the rules.

    Returns:
        A report with no conflicts when the schedule can be saved as it is.
    """
    start = max(now, candidate.start_at, candidate.valid_from or now)
    end = start + horizon
    mine = expand(candidate, start, end, zone)
    if not mine:
        return ConflictReport(())
    others_specs = [s for s in existing if s.id is None or s.id != candidate.id]
    longest = max((s.duration_s for s in others_specs), default=0.0)
    others = expand_all(others_specs, start - timedelta(seconds=longest) - timedelta(days=1), end, zone)
    conflicts: list[Conflict] = []
    for occurrence in mine:
        nearby = [o for o in others if abs((o.start - occurrence.start).total_seconds()) < 2 * 86400]
        conflicts.extend(_occurrence_conflicts(occurrence, nearby, rules, zone))
    if not conflicts:
        return ConflictReport(())
    first = conflicts[0]
    overlapped = next((c.other for c in conflicts if c.other is not None and c.occurrence == first.occurrence), None)
    after = overlapped.end if overlapped is not None else None
    if after is not None and _occurrence_conflicts(replace(first.occurrence, start=after), others, rules, zone):
        after = None
    replace_ids = tuple(sorted({c.other.schedule_id for c in conflicts if c.other and c.other.schedule_id}))
    return ConflictReport(
        conflicts=tuple(conflicts),
        shift_to=_free_start(first.occurrence, others, rules, zone),
        after=after,
        replace_ids=replace_ids,
    )


def _free_start(
    occurrence: Occurrence, others: Sequence[Occurrence], rules: StationRules, zone: ZoneInfo
) -> datetime | None:
    """The first start, minute by minute from the airing's own start up to a day later, that breaks no rule."""
    base = occurrence.start.replace(second=0, microsecond=0)
    nearby = [o for o in others if abs((o.start - base).total_seconds()) < 3 * 86400]
    for minutes in range(1, 24 * 60):
        trial = replace(occurrence, start=base + timedelta(minutes=minutes))
        if not _occurrence_conflicts(trial, nearby, rules, zone):
            return trial.start
    return None


# --- misfires and downtime ----------------------------------------------------------------------------------------


class Verdict(StrEnum):
    """What to do with one airing when the daemon gets to it."""

    ON_TIME = "on_time"
    LATE = "late"
    """Play now from the start."""
    JOIN = "join"
    """Play now from ``offset_s``."""
    MISSED = "missed"
    """Do not play: too late, or superseded by a later airing in the same gap."""


@dataclass(frozen=True)
class Decision:
    """The verdict for one airing and its Vietnamese reason (for the broadcast log)."""

    planned: Planned
    verdict: Verdict
    offset_s: float = 0.0
    reason: str = ""


ON_TIME_TOLERANCE = timedelta(seconds=2)
"""An airing reached this close to (or after) its start is still prepared to start on time."""


def decide(
    due: Sequence[Planned], now: datetime, zone: ZoneInfo, cause: str | Callable[[Planned], str] = ""
) -> list[Decision]:
    """Decide what happens to airings whose start has come (or passed), all at once.

    At most one late airing is played: the most recent one whose misfire policy allows it, and only if it would
    still be sounding (a ``late`` play always restarts from the beginning). Older ones are logged missed; a
    backlog is never played back to back.

    Args:
        due: airings not yet handled whose planned start is at or before ``now`` plus the on-time tolerance.
        now: the current instant.
        zone: the station's zone, for the reasons.
        cause: why they are late, in Vietnamese (e.g. "máy tắt từ 05:00 đến 06:10"), or a function giving it
            for each airing; empty for plain lateness.
    """
    ordered = sorted(due, key=lambda p: (p.start, p.occurrence.order))
    decisions: dict[int, Decision] = {}
    chosen: int | None = None
    for index in range(len(ordered) - 1, -1, -1):
        item = ordered[index]
        lateness = now - item.start
        misfire = item.occurrence.misfire
        why = cause(item) if callable(cause) else cause
        reason_cause = f" ({why})" if why else ""
        if lateness <= ON_TIME_TOLERANCE and not why:
            decisions[index] = Decision(item, Verdict.ON_TIME)
            continue
        late_min = lateness.total_seconds() / 60
        within = misfire.kind is not MisfireKind.SKIP and late_min <= misfire.minutes
        if misfire.kind is MisfireKind.JOIN and lateness.total_seconds() >= item.occurrence.duration_s:
            within = False
        if not within:
            policy = "lịch này không phát trễ" if misfire.kind is MisfireKind.SKIP else f"{misfire.label}"
            decisions[index] = Decision(
                item, Verdict.MISSED, reason=f"Quá giờ phát {_duration(lateness)}{reason_cause}; {policy}."
            )
        elif chosen is not None:
            later = ordered[chosen]
            decisions[index] = Decision(
                item,
                Verdict.MISSED,
                reason=f"Quá giờ phát{reason_cause}; không phát dồn vì đã phát lần sau lúc "
                f"{_hm(later.start, zone)} («{later.occurrence.title}»).",
            )
        else:
            chosen = index
            verdict = Verdict.JOIN if misfire.kind is MisfireKind.JOIN else Verdict.LATE
            offset = max(0.0, lateness.total_seconds()) if verdict is Verdict.JOIN else 0.0
            how = "phát tiếp từ vị trí đúng giờ" if verdict is Verdict.JOIN else "phát lại từ đầu"
            decisions[index] = Decision(
                item, verdict, offset, f"Trễ {_duration(lateness)}{reason_cause}; {how} ({misfire.label})."
            )
    return [decisions[index] for index in range(len(ordered))]


def _duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} giây"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} phút {seconds} giây" if seconds else f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} giờ {minutes} phút"


# --- recurrence descriptions and shorthands -----------------------------------------------------------------------


def _days_phrase(codes: Sequence[str]) -> str:
    indexes = sorted({WEEKDAY_CODES.index(code[-2:]) for code in codes})
    if indexes == list(range(7)):
        return "Hằng ngày"
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    pieces: list[str] = []
    for run in runs:
        if len(run) >= 3:
            pieces.append(f"{WEEKDAY_NAMES[run[0]]} đến {WEEKDAY_NAMES[run[-1]]}")
        else:
            pieces.extend(WEEKDAY_NAMES[i] for i in run)
    if len(pieces) == 1:
        return pieces[0]
    return ", ".join(pieces[:-1]) + " và " + pieces[-1]


def describe(spec: ScheduleSpec, zone: ZoneInfo) -> str:
    """A Vietnamese summary of when a schedule airs: ``Thứ Hai đến Thứ Sáu, 05:30``, ``Hằng ngày, 17:00``,
    ``Một lần, 05:30 Thứ Hai 23/11/2026``, with the count, end and validity window where set."""
    local = spec.start_at.astimezone(zone)
    if not spec.rrule:
        return f"Một lần, {describe_moment(spec.start_at, zone)}"
    parts = _rule_parts(spec.rrule)
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1") or 1)
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    hours = [int(h) for h in parts.get("BYHOUR", "").split(",") if h]
    minutes = [int(m) for m in parts.get("BYMINUTE", "").split(",") if m] or [local.minute]
    times = [f"{h:02d}:{m:02d}" for h in hours for m in minutes] if hours else [_hm(spec.start_at, zone)]
    clock = " và ".join(times)
    if freq == "DAILY" and not days:
        when = "Hằng ngày" if interval == 1 else f"Mỗi {interval} ngày"
    elif freq in ("DAILY", "WEEKLY"):
        plain_days = days or [WEEKDAY_CODES[local.weekday()]]
        when = _days_phrase(plain_days)
        if interval > 1:
            when += f", mỗi {interval} tuần"
        elif len(plain_days) == 1:
            when += " hằng tuần"
    elif freq == "MONTHLY":
        month_days = parts.get("BYMONTHDAY", "") or str(local.day)
        when = f"Ngày {month_days} hằng tháng" if interval == 1 else f"Ngày {month_days}, mỗi {interval} tháng"
        if days:
            when = f"{_days_phrase(days)} hằng tháng"
    else:
        when = f"Ngày {local:%d/%m} hằng năm"
    text = f"{when}, {clock}"
    extras = []
    if "COUNT" in parts:
        extras.append(f"{parts['COUNT']} lần")
    if "UNTIL" in parts:
        extras.append(f"đến {_until_local(parts['UNTIL'], zone):%d/%m/%Y}")
    if spec.valid_from is not None:
        extras.append(f"từ {spec.valid_from.astimezone(zone):%d/%m/%Y}")
    if spec.valid_to is not None:
        extras.append(f"hết hiệu lực {spec.valid_to.astimezone(zone):%d/%m/%Y}")
    if spec.exdates:
        extras.append(f"trừ {len(spec.exdates)} ngày")
    return text + (f" ({'; '.join(extras)})" if extras else "")


_DAY_ALIASES = {
    **{code.lower(): code for code in WEEKDAY_CODES},
    **{f"t{n}": WEEKDAY_CODES[n - 2] for n in range(2, 8)},
    **{str(n): WEEKDAY_CODES[n - 2] for n in range(2, 8)},
    "cn": "SU",
    "8": "SU",
    "mon": "MO",
    "tue": "TU",
    "wed": "WE",
    "thu": "TH",
    "fri": "FR",
    "sat": "SA",
    "sun": "SU",
}


def rrule_for_days(days: str) -> str:
    """Turn a list of days into a weekly RRULE: ``"t2,t4,t6"``, ``"2,4,6"``, ``"mo,we,fr"``, ``"cn"``.

    Vietnamese numbering: Thứ 2 is Monday ... Thứ 7 is Saturday, CN is Sunday.

    Raises:
        ScheduleError: a day is not recognised.
    """
    codes: list[str] = []
    for token in re.split(r"[,\s]+", days.strip().lower()):
        if not token:
            continue
        code = _DAY_ALIASES.get(token.replace("thứ", "t").replace(" ", ""))
        if code is None:
            raise ScheduleError(
                f"Không hiểu ngày «{token}». Dùng t2..t7 và cn (hoặc 2..7, cn; hoặc mo, tu, we, th, fr, sa, su)."
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ScheduleError("Cần ít nhất một ngày trong tuần (ví dụ: t2,t4,t6).")
    codes.sort(key=WEEKDAY_CODES.index)
    return "FREQ=WEEKLY;BYDAY=" + ",".join(codes)


DAILY_RRULE = "FREQ=DAILY"
"""Every day."""
WEEKDAYS_RRULE = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
"""Monday to Friday."""


def local_datetime(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local date and wall-clock time as an aware UTC instant."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def parse_when(raw: str, zone: ZoneInfo, now: datetime) -> datetime:
    """Read a start time the way an operator types it, in the station's zone; returns UTC.

    Accepts ``2026-11-24 05:30``, ``24/11/2026 05:30``, ISO 8601 with or without an offset, ``05:30`` (the next
    such time, today or tomorrow), and ``+90s``, ``+5m``, ``+2h`` (from now). Seconds and milliseconds are kept.

    Raises:
        ScheduleError: the text is none of these.
    """
    text = raw.strip()
    relative = re.fullmatch(r"\+(\d+(?:\.\d+)?)\s*([smh])", text.lower())
    if relative:
        unit = {"s": "seconds", "m": "minutes", "h": "hours"}[relative.group(2)]
        return (now + timedelta(**{unit: float(relative.group(1))})).astimezone(UTC)
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?", text)
    if clock:
        seconds = float(clock.group(3) or 0)
        wanted = time(int(clock.group(1)), int(clock.group(2)), int(seconds), min(999_999, round(seconds % 1 * 1e6)))
        local_now = now.astimezone(zone)
        moment = datetime.combine(local_now.date(), wanted, tzinfo=zone)
        if moment <= local_now:
            moment = datetime.combine(local_now.date() + timedelta(days=1), wanted, tzinfo=zone)
        return moment.astimezone(UTC)
    dmy = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T](.+)", text)
    if dmy:
        text = f"{dmy.group(3)}-{int(dmy.group(2)):02d}-{int(dmy.group(1)):02d} {dmy.group(4)}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ScheduleError(
            f"Không hiểu thời điểm «{raw}». Ví dụ đúng: «2026-11-24 05:30», «24/11/2026 05:30», «05:30», «+5m»."
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_time_of_day(raw: str) -> time:
    """``HH:MM`` or ``HH:MM:SS`` as a wall-clock time.

    Raises:
        ScheduleError: not a valid time of day.
    """
    try:
        return time.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ScheduleError(f"Giờ «{raw}» không hợp lệ; dùng dạng GG:PP, ví dụ 05:30.") from exc
