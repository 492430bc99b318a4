"""Clock sanity on a frozen clock and a hand-moved monotonic clock: a clock behind the last record or one that
jumped without NTP is not trusted, with a Vietnamese warning; NTP, the clock catching up or an operator's
confirmation trust it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.fakes import FrozenClock
from truyenthanh.daemon.clock_guard import ClockGuard, ntp_synchronised

LAST_RECORD = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 09:30 in Hà Nội; the clock says 10:00


class Machine:
    """The wall clock, the monotonic clock and NTP's state of a box, moved by the test."""

    def __init__(self) -> None:
        self.clock = FrozenClock()
        self.ticks = 1000.0
        self.ntp: bool | None = None
        self.last: datetime | None = LAST_RECORD

    def guard(self, **options: object) -> ClockGuard:
        return ClockGuard(
            clock=self.clock,
            max_jump=timedelta(minutes=10),
            last_record=lambda: self.last,
            synchronised=lambda: self.ntp,
            monotonic=lambda: self.ticks,
            zone=ZoneInfo("Asia/Ho_Chi_Minh"),
            **options,  # type: ignore[arg-type]
        )

    def wait(self, seconds: float) -> None:
        """Time passes: both clocks move together."""
        self.clock.advance(seconds=seconds)
        self.ticks += seconds


def test_a_steady_clock_ahead_of_the_last_record_is_trusted() -> None:
    box = Machine()
    guard = box.guard()
    for _ in range(5):
        assert guard.check().trusted
        box.wait(2)
    assert guard.verdict.warning is None


def test_a_clock_behind_the_last_record_is_not_trusted_until_it_is_past_it() -> None:
    box = Machine()
    box.clock.set(datetime(2026, 11, 20, 1, 0, tzinfo=UTC))  # a board back from a power cut, three days behind
    guard = box.guard()
    verdict = guard.check()
    assert not verdict.trusted and verdict.warning is not None
    assert "Đồng hồ máy (08:00 ngày 20/11/2026) đang chậm hơn dòng nhật ký cuối của đài (09:30 ngày 23/11/2026)" in (
        verdict.warning
    )
    assert "Lịch phát tạm dừng" in verdict.warning
    assert not guard.accept().trusted  # an operator cannot wave it through: the log would go out of order
    box.ntp = True
    box.clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))  # NTP sets it right (a jump made by NTP)
    box.ticks += 2
    assert guard.check().trusted


def test_a_jump_without_ntp_is_not_trusted_until_ntp_or_an_operator_confirms() -> None:
    box = Machine()
    guard = box.guard()
    assert guard.check().trusted
    box.wait(2)
    box.clock.advance(minutes=47)  # the wall clock moved 47 minutes in 2 seconds of real time
    verdict = guard.check()
    assert not verdict.trusted and verdict.warning is not None
    assert verdict.warning.startswith("Đồng hồ máy vừa nhảy tới 47 phút mà không được đồng bộ qua NTP")
    assert "«clock_max_jump_minutes»" in verdict.warning
    box.wait(2)
    assert not guard.check().trusted  # still not, two seconds later
    box.ntp = True
    box.wait(2)
    assert guard.check().trusted
    box.ntp = None  # no tool can tell (Windows, no timedatectl or chronyc)
    box.wait(2)
    box.clock.advance(minutes=-15)
    assert guard.check().warning is not None and "nhảy lùi 15 phút" in str(guard.verdict.warning)
    assert guard.accept().trusted


def test_small_drift_and_ntp_made_jumps_are_trusted_and_the_check_can_be_turned_off() -> None:
    box = Machine()
    guard = box.guard()
    guard.check()
    box.wait(2)
    box.clock.advance(minutes=9)  # within the limit
    assert guard.check().trusted
    box.ntp = True
    box.wait(2)
    box.clock.advance(hours=3)
    assert guard.check().trusted
    box.clock.set(datetime(1970, 1, 1, tzinfo=UTC))
    assert box.guard(enabled=False).check().trusted


def test_ntp_state_is_read_from_timedatectl_else_chronyc() -> None:
    answers: dict[str, str | None] = {"timedatectl": "yes\n", "chronyc": None}

    def run(command: list[str]) -> str | None:
        return answers[command[0]]

    assert ntp_synchronised(run) is True
    answers["timedatectl"] = "no\n"
    assert ntp_synchronised(run) is False
    answers["timedatectl"] = None
    answers["chronyc"] = "Reference ID    : 00000000 ()\nLeap status     : Not synchronised\n"
    assert ntp_synchronised(run) is False
    answers["chronyc"] = "Reference ID    : A29FC87B (time.cloudflare.com)\nLeap status     : Normal\n"
    assert ntp_synchronised(run) is True
    answers["chronyc"] = None
    assert ntp_synchronised(run) is None
