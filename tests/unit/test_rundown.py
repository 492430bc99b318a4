"""States of today's broadcasts and the countdown text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from truyenthanh.domain.enums import Outcome
from truyenthanh.domain.rundown import AirState, Countdown, air_state

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def state(now_offset_min: float, outcome: Outcome | None = None, on_air: bool = False) -> AirState:
    return air_state(start=START, now=START + timedelta(minutes=now_offset_min), outcome=outcome, on_air=on_air)


def test_states_follow_the_clock_when_nothing_is_logged() -> None:
    assert state(-1) is AirState.WAITING
    assert state(3) is AirState.LATE
    assert state(6) is AirState.MISSED


def test_the_log_and_the_daemon_win_over_the_clock() -> None:
    assert state(60, Outcome.PLAYED) is AirState.PLAYED
    assert state(60, Outcome.LATE) is AirState.LATE
    assert state(60, Outcome.FAILED) is AirState.FAILED
    assert state(60, Outcome.SKIPPED) is AirState.MISSED
    assert state(1, on_air=True) is AirState.ON_AIR
    assert [s.label for s in AirState] == ["chờ phát", "đang phát", "đã phát", "trễ", "bỏ lỡ", "lỗi"]


def test_countdown_text() -> None:
    assert str(Countdown.between(START, START + timedelta(seconds=65))) == "01:05"
    assert str(Countdown.between(START, START + timedelta(hours=7))) == "7:00:00"
    assert str(Countdown.between(START, START - timedelta(seconds=5))) == "00:00"
