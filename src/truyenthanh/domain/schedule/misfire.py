"""Misfires: what happens to airings whose start has come or passed when the daemon gets to them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from truyenthanh.domain.schedule.model import MisfireKind, Planned
from truyenthanh.domain.schedule.wording import clock_text, duration_text


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
                item, Verdict.MISSED, reason=f"Quá giờ phát {duration_text(lateness)}{reason_cause}; {policy}."
            )
        elif chosen is not None:
            later = ordered[chosen]
            decisions[index] = Decision(
                item,
                Verdict.MISSED,
                reason=f"Quá giờ phát{reason_cause}; không phát dồn vì đã phát lần sau lúc "
                f"{clock_text(later.start, zone)} («{later.occurrence.title}»).",
            )
        else:
            chosen = index
            verdict = Verdict.JOIN if misfire.kind is MisfireKind.JOIN else Verdict.LATE
            offset = max(0.0, lateness.total_seconds()) if verdict is Verdict.JOIN else 0.0
            how = "phát tiếp từ vị trí đúng giờ" if verdict is Verdict.JOIN else "phát lại từ đầu"
            decisions[index] = Decision(
                item, verdict, offset, f"Trễ {duration_text(lateness)}{reason_cause}; {how} ({misfire.label})."
            )
    return [decisions[index] for index in range(len(ordered))]


def late_start_reason(planned_start: datetime, started: datetime, tolerance: timedelta = ON_TIME_TOLERANCE) -> str:
    """Why an airing that was handed over on time counts as late, in Vietnamese, or ``""`` if it is not.

    An airing queued behind others (fifty programmes at the same minute, or a long one overrunning) sounds only
    when the engine gets to it; once its first sample is more than ``tolerance`` after its planned start it is
    late, and the broadcast log must say so rather than "Đã phát".

    Args:
        planned_start: the airing's planned start (UTC).
        started: when its first item began to sound (UTC).
        tolerance: lateness still counted as on time.
    """
    lateness = started - planned_start
    if lateness <= tolerance:
        return ""
    return f"Trễ {duration_text(lateness)} so với giờ đã định; phải chờ các chương trình phát trước đó kết thúc."
