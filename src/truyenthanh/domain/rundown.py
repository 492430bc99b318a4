"""Where a scheduled broadcast of today stands, as the operator reads it on the "Hôm nay" screen.

Pure functions of the broadcast's times, what the log recorded and what is on air now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from truyenthanh.domain.enums import LabelledEnum, Outcome


class AirState(LabelledEnum):
    """The state of one broadcast in today's rundown."""

    WAITING = "waiting", "chờ phát"
    ON_AIR = "on_air", "đang phát"
    PLAYED = "played", "đã phát"
    LATE = "late", "trễ"
    MISSED = "missed", "bỏ lỡ"
    FAILED = "failed", "lỗi"


_FROM_OUTCOME = {
    Outcome.PLAYED: AirState.PLAYED,
    Outcome.PARTIAL: AirState.PLAYED,
    Outcome.PREEMPTED: AirState.PLAYED,
    Outcome.LATE: AirState.LATE,
    Outcome.MISSED: AirState.MISSED,
    Outcome.SKIPPED: AirState.MISSED,
    Outcome.FAILED: AirState.FAILED,
}


def air_state(
    *,
    start: datetime,
    now: datetime,
    outcome: Outcome | None,
    on_air: bool,
    grace: timedelta = timedelta(minutes=5),
) -> AirState:
    """The state of a broadcast due at ``start``.

    Args:
        start: when it is due (aware).
        now: the current instant (aware).
        outcome: what the broadcast log recorded for it, if anything yet.
        on_air: the daemon reports it playing now.
        grace: how long after ``start`` an unstarted broadcast may still go out (the misfire window);
            past it, a broadcast with no log entry is missed.
    """
    if on_air:
        return AirState.ON_AIR
    if outcome is not None:
        return _FROM_OUTCOME[outcome]
    if now < start:
        return AirState.WAITING
    if now <= start + grace:
        return AirState.LATE
    return AirState.MISSED


@dataclass(frozen=True)
class Countdown:
    """Time left until an instant, split for display."""

    seconds: int

    @classmethod
    def between(cls, now: datetime, then: datetime) -> Countdown:
        """The whole seconds from ``now`` to ``then`` (0 when ``then`` has passed)."""
        return cls(max(0, int((then - now).total_seconds())))

    def __str__(self) -> str:
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours:d}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"
