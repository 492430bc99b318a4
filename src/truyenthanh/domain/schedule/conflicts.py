"""Conflicts: a candidate schedule checked against the others and the station's rules, with the choices that
would resolve what it breaks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.schedule.model import Occurrence, ScheduleSpec, ZoneRef, outputs
from truyenthanh.domain.schedule.placement import plan, session_window
from truyenthanh.domain.schedule.recurrence import expand, expand_all
from truyenthanh.domain.schedule.wording import clock_text, describe_moment, output_label
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import ScheduleError


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

    def explain(self, zone: ZoneInfo, limit: int = 5, *, choice_names: Mapping[Resolution, str] | None = None) -> str:
        """A Vietnamese explanation: what collides, then the choices in words.

        Args:
            choice_names: how an interface names each choice (the CLI: its options), added after the choice's
                words; ``None``: words only.
        """
        lines = [conflict.message for conflict in self.conflicts[:limit]]
        if len(self.conflicts) > limit:
            lines.append(f"... và {len(self.conflicts) - limit} xung đột khác.")
        words = {
            Resolution.SHIFT: f"dời sang {clock_text(self.shift_to, zone)}" if self.shift_to else "",
            Resolution.AFTER: f"phát ngay sau mục bị trùng, lúc {clock_text(self.after, zone)}" if self.after else "",
            Resolution.REPLACE: "thay thế các lần phát bị trùng của lịch số "
            + ", ".join(str(i) for i in self.replace_ids),
            Resolution.FORCE: "hoặc vẫn lưu như vậy",
        }
        names = choice_names or {}
        options = [words[choice] + (f" ({names[choice]})" if choice in names else "") for choice in self.choices]
        lines.append("Có thể chọn: " + "; ".join(options) + ".")
        return "\n".join(lines)


def _span(occurrence: Occurrence, zone: ZoneInfo) -> str:
    return f"{clock_text(occurrence.start, zone)}–{clock_text(occurrence.end, zone)}"


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


def _collides(a: Occurrence, b: Occurrence, rules: StationRules, zone: ZoneInfo, zones: Sequence[ZoneRef]) -> bool:
    """Whether two airings of different schedules overlap on an output they share, in a way placement does not
    settle."""
    if a.schedule_id is not None and a.schedule_id == b.schedule_id:
        return False
    if not a.targets.reaches(b.targets, [z.slug for z in zones]):
        return False  # different loudspeakers: both may air at once
    if Priority.EMERGENCY in (a.priority, b.priority):
        return False  # emergencies cut in on whatever plays
    if not (a.start < b.end and b.start < a.end):
        return False
    if Priority.PRIORITY in (a.priority, b.priority):
        window_a, window_b = session_window(a, rules, zone), session_window(b, rules, zone)
        if window_a is not None and window_a == window_b:
            return False  # placed ahead within the session; colliding priority items keep the operator's order
    return True


def _on(shared: Sequence[str], zones: Sequence[ZoneRef]) -> str:
    """`` trên loa tại đài, cụm loa Thôn Đông``: the outputs a conflict happens on."""
    return " trên " + ", ".join(output_label(o, zones) for o in shared) if shared else ""


def _occurrence_conflicts(
    occurrence: Occurrence,
    others: Sequence[Occurrence],
    rules: StationRules,
    zone: ZoneInfo,
    zones: Sequence[ZoneRef] = (),
) -> list[Conflict]:
    if occurrence.priority is Priority.EMERGENCY:
        return []  # emergencies are exempt from quiet hours, sessions and the weekend rule
    found: list[Conflict] = []
    when = describe_moment(occurrence.start, zone)
    name = f"«{occurrence.title}»"
    mine = outputs(occurrence.targets, zones)
    for other in others:
        if _collides(occurrence, other, rules, zone, zones):
            shared = [o for o in outputs(other.targets, zones) if o in mine]
            found.append(
                Conflict(
                    ConflictKind.OVERLAP,
                    occurrence,
                    f"{name} lúc {when} trùng với «{other.title}» ({_span(other, zone)}, lịch số {other.schedule_id})"
                    f"{_on(shared, zones)}.",
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
                f"{clock_text(quiet[0], zone)}–{clock_text(quiet[1], zone)} của đài.",
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
    overrun = _session_overrun(occurrence, others, rules, zone, zones)
    if overrun is not None:
        found.append(overrun)
    return found


def _session_overrun(
    occurrence: Occurrence,
    others: Sequence[Occurrence],
    rules: StationRules,
    zone: ZoneInfo,
    zones: Sequence[ZoneRef],
) -> Conflict | None:
    """The first output (of those the airing reaches) on which its session would run over, if any: a session's
    length is counted per loudspeaker, each with the airings that reach it."""
    window = session_window(occurrence, rules, zone)
    if window is None:
        return None
    name, when = f"«{occurrence.title}»", describe_moment(occurrence.start, zone)
    session_label = f"{window.rule.name} ({clock_text(window.start, zone)}–{clock_text(window.end, zone)})"
    in_session = [
        o
        for o in others
        if o.priority is not Priority.EMERGENCY
        and o.schedule_id != occurrence.schedule_id
        and session_window(o, rules, zone) == window
    ]
    mine = outputs(occurrence.targets, zones)
    for output in mine:
        members = [occurrence, *(o for o in in_session if output in outputs(o.targets, zones))]
        total_min = sum(o.duration_s for o in members) / 60
        placed = [p for p in plan(members, rules, zone) if p.occurrence == occurrence]
        planned_end = placed[0].end if placed else occurrence.end
        where = _on([output], zones) if len(mine) > 1 or output else ""
        if planned_end > window.end:
            return Conflict(
                ConflictKind.SESSION_OVERRUN,
                occurrence,
                f"{name} lúc {when} kết thúc lúc {clock_text(planned_end, zone)}, "
                f"quá giờ kết thúc của {session_label}{where}.",
            )
        if total_min > window.rule.max_minutes + 1e-9:
            return Conflict(
                ConflictKind.SESSION_OVERRUN,
                occurrence,
                f"{name} lúc {when}: tổng thời lượng {session_label} ngày {window.day:%d/%m/%Y}{where} sẽ là "
                f"{total_min:.0f} phút, vượt mức tối đa {window.rule.max_minutes} phút.",
            )
    return None


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
    zones: Sequence[ZoneRef] = (),
) -> ConflictReport:
    """Check a candidate schedule's airings over ``horizon`` from its first airing after ``now`` against the
    others and the rules. Two airings conflict only on an output they share (``zones``: the station's zones, in
    its order, which "every zone" means); the station's rules apply to every output.

    Returns:
        A report with no conflicts when the schedule can be saved as it is.
    """
    start = max(now, candidate.start_at, candidate.valid_from or now)
    end = start + horizon
    mine = expand(candidate, start, end, zone, rules)
    if not mine:
        return ConflictReport(())
    others_specs = [s for s in existing if s.id is None or s.id != candidate.id]
    longest = max((s.duration_s for s in others_specs), default=0.0)
    others = expand_all(others_specs, start - timedelta(seconds=longest) - timedelta(days=1), end, zone, rules)
    conflicts: list[Conflict] = []
    for occurrence in mine:
        nearby = [o for o in others if abs((o.start - occurrence.start).total_seconds()) < 2 * 86400]
        conflicts.extend(_occurrence_conflicts(occurrence, nearby, rules, zone, zones))
    if not conflicts:
        return ConflictReport(())
    first = conflicts[0]
    overlapped = next((c.other for c in conflicts if c.other is not None and c.occurrence == first.occurrence), None)
    after = overlapped.end if overlapped is not None else None
    if after is not None and _occurrence_conflicts(replace(first.occurrence, start=after), others, rules, zone, zones):
        after = None
    replace_ids = tuple(sorted({c.other.schedule_id for c in conflicts if c.other and c.other.schedule_id}))
    return ConflictReport(
        conflicts=tuple(conflicts),
        shift_to=_free_start(first.occurrence, others, rules, zone, zones),
        after=after,
        replace_ids=replace_ids,
    )


def _free_start(
    occurrence: Occurrence,
    others: Sequence[Occurrence],
    rules: StationRules,
    zone: ZoneInfo,
    zones: Sequence[ZoneRef],
) -> datetime | None:
    """The first start, minute by minute from the airing's own start up to a day later, that breaks no rule."""
    base = occurrence.start.replace(second=0, microsecond=0)
    nearby = [o for o in others if abs((o.start - base).total_seconds()) < 3 * 86400]
    for minutes in range(1, 24 * 60):
        trial = replace(occurrence, start=base + timedelta(minutes=minutes))
        if not _occurrence_conflicts(trial, nearby, rules, zone, zones):
            return trial.start
    return None


class ScheduleConflictError(ScheduleError):
    """A schedule breaks the station's rules; :attr:`report` holds the conflicts and the choices."""

    def __init__(self, report: ConflictReport, zone: ZoneInfo) -> None:
        super().__init__(self.REFUSED + report.explain(zone), field="resolve")
        self.report = report
        self.zone = zone
        """The station's zone, in which the conflicts and choices are told."""

    REFUSED = "Không lưu lịch phát vì:\n"
    """How the message starts."""

    def explained(self, choice_names: Mapping[Resolution, str]) -> str:
        """The message with each choice followed by the name an interface gives it (the CLI: its options)."""
        return self.REFUSED + self.report.explain(self.zone, choice_names=choice_names)


@dataclass(frozen=True)
class Resolved:
    """A candidate schedule after its conflicts were resolved: what to save, and what else changes."""

    candidate: ScheduleSpec
    """The schedule to save (moved, for ``shift`` and ``after``)."""
    forced: tuple[str, ...] = ()
    """Conflicts saved anyway with ``force`` (Vietnamese)."""
    note: str = ""
    """What the resolution changed (Vietnamese), e.g. the new start after ``shift``."""
    dropped: Mapping[int, tuple[datetime, ...]] = field(default_factory=dict)
    """For ``replace``: the airings (UTC starts) of other schedules to drop, by schedule id."""


def resolve_conflicts(
    candidate: ScheduleSpec,
    existing: Sequence[ScheduleSpec],
    rules: StationRules,
    zone: ZoneInfo,
    now: datetime,
    *,
    resolution: Resolution | None,
    zones: Sequence[ZoneRef] = (),
) -> Resolved:
    """Check a candidate against the other enabled schedules and the rules, and settle its conflicts as asked.

    Args:
        existing: the other enabled schedules (not the candidate itself).
        zones: the station's zones, in its order: airings conflict only on an output they share.
        resolution: ``None`` refuses any conflict; ``force`` keeps them; ``shift``/``after`` move the candidate
            by the report's offer (and check again); ``replace`` drops the other schedules' colliding airings.

    Raises:
        ScheduleConflictError: there are conflicts and ``resolution`` is ``None`` or cannot settle them.
    """
    report = check(candidate, existing, rules, zone, now, zones=zones)
    if not report.conflicts:
        return Resolved(candidate)
    if resolution is None:
        raise ScheduleConflictError(report, zone)
    if resolution is Resolution.FORCE:
        return Resolved(candidate, forced=tuple(c.message for c in report.conflicts))
    if resolution in (Resolution.SHIFT, Resolution.AFTER):
        target = report.shift_to if resolution is Resolution.SHIFT else report.after
        if target is None:
            raise ScheduleConflictError(report, zone)
        first = report.conflicts[0].occurrence.start
        moved = replace(candidate, start_at=candidate.start_at + (target - first))
        again = check(moved, existing, rules, zone, now, zones=zones)
        if again.conflicts:
            raise ScheduleConflictError(again, zone)
        return Resolved(moved, note=f"Đã dời giờ phát sang {describe_moment(target, zone)}.")
    if not report.replace_ids or any(c.other is None for c in report.conflicts):
        raise ScheduleConflictError(report, zone)
    dropped: dict[int, list[datetime]] = {}
    for conflict in report.conflicts:
        assert conflict.other is not None and conflict.other.schedule_id is not None
        dropped.setdefault(conflict.other.schedule_id, []).append(conflict.other.start)
    note = "Đã bỏ các lần phát bị trùng của lịch số " + ", ".join(map(str, sorted(dropped))) + "."
    return Resolved(candidate, note=note, dropped={k: tuple(v) for k, v in dropped.items()})
