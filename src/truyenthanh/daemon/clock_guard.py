"""Clock sanity: whether the system clock can be trusted to air by.

Boards without a real-time clock (most ARM station boxes) come back from a power cut with the time they saved
at shutdown, or 1970, until NTP answers; without the Internet it never does. A station airing by such a clock
plays at the wrong hour without noticing. The guard refuses to trust the clock when:

* it is behind the station's last record (the last broadcast-log entry, or the daemon's last heartbeat):
  time went backwards across a restart;
* it jumped (forwards or back) by more than ``clock_max_jump_minutes`` against the monotonic clock while the
  daemon ran, and the system does not report NTP synchronisation (``timedatectl``, else ``chronyc``).

It trusts the clock again once the clock is past the last record (backwards case) or NTP reports
synchronisation, or when an operator confirms the time (:meth:`ClockGuard.accept`). What it decided is logged,
and :attr:`ClockVerdict.warning` is the Vietnamese sentence for ``status`` and Hôm nay.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from truyenthanh.services.ports import Clock

logger = logging.getLogger(__name__)

BACKWARDS_TOLERANCE = timedelta(seconds=5)
"""How far behind the last record the clock may be without counting as gone backwards (rounding, a log row
written a moment ahead by another thread)."""

_SHOWN = "%H:%M ngày %d/%m/%Y"


@dataclass(frozen=True)
class ClockVerdict:
    """Whether the clock may be aired by, and why not."""

    trusted: bool
    warning: str | None = None
    """Vietnamese: what is wrong with the clock and what to do (``None`` while trusted)."""


def ntp_synchronised(run: Callable[[list[str]], str | None] | None = None) -> bool | None:
    """Whether the system says its clock is synchronised by NTP: ``timedatectl show -p NTPSynchronized``
    (systemd-timesyncd, chrony under systemd), else ``chronyc tracking``. ``None`` when neither can tell
    (no such tool, e.g. Windows, or it failed).

    Args:
        run: runs a command and returns its output, ``None`` on failure (tests pass their own).
    """
    runner = run or _output
    answer = runner(["timedatectl", "show", "-p", "NTPSynchronized", "--value"])
    if answer is not None and answer.strip() in ("yes", "no"):
        return answer.strip() == "yes"
    tracking = runner(["chronyc", "tracking"])
    if tracking is None:
        return None
    for line in tracking.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "Leap status":
            return value.strip() != "Not synchronised"
    return None


def _output(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


class ClockGuard:
    """Checks the wall clock at every heartbeat. Thread-safe.

    Args:
        clock: the station's clock (aware datetimes).
        max_jump: the largest jump accepted without NTP synchronisation.
        last_record: the instant of the station's last record (last broadcast-log entry or heartbeat), or
            ``None`` when there is none; read at every check.
        synchronised: whether NTP synchronises the clock (``None``: cannot tell); see :func:`ntp_synchronised`.
        monotonic: seconds on a clock that never jumps.
        enabled: ``False`` trusts every clock (the ``clock_check`` setting).
        zone: the station's time zone, in which the warning shows times.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        max_jump: timedelta,
        last_record: Callable[[], datetime | None],
        synchronised: Callable[[], bool | None] = ntp_synchronised,
        monotonic: Callable[[], float] = time.monotonic,
        enabled: bool = True,
        zone: tzinfo = UTC,
    ) -> None:
        self._zone = zone
        self._clock = clock
        self._max_jump = max_jump
        self._last_record = last_record
        self._synchronised = synchronised
        self._monotonic = monotonic
        self._enabled = enabled
        self._lock = threading.Lock()
        self._previous: tuple[datetime, float] | None = None
        self._jump_warning: str | None = None
        self._verdict = ClockVerdict(trusted=True)

    @property
    def verdict(self) -> ClockVerdict:
        """The result of the last :meth:`check`."""
        with self._lock:
            return self._verdict

    def check(self) -> ClockVerdict:
        """Look at the clock now (every heartbeat); logs each change of verdict."""
        if not self._enabled:
            return self._verdict
        now, ticks = self._clock.now(), self._monotonic()
        with self._lock:
            previous, self._previous = self._previous, (now, ticks)
            if previous is not None:
                self._note_jump(now - (previous[0] + timedelta(seconds=ticks - previous[1])))
            verdict = self._judge(now)
            changed, self._verdict = verdict != self._verdict, verdict
        if changed and verdict.trusted:
            logger.info("clock trusted again: %s", now.isoformat())
        elif changed:
            logger.error("clock not trusted: %s", verdict.warning)
        return verdict

    def accept(self) -> ClockVerdict:
        """An operator confirms the clock shows the right time: forget a jump (a clock behind the last record
        stays untrusted: it would log airings out of order)."""
        with self._lock:
            self._jump_warning = None
        logger.info("clock confirmed by an operator")
        return self.check()

    def _note_jump(self, drift: timedelta) -> None:
        """Remember a jump larger than the limit, unless NTP made it."""
        if abs(drift) <= self._max_jump:
            return
        if self._synchronised() is True:
            logger.info("clock moved by %s, synchronised by NTP: trusted", drift)
            self._jump_warning = None
            return
        minutes = round(abs(drift).total_seconds() / 60)
        direction = "tới" if drift > timedelta(0) else "lùi"
        self._jump_warning = (
            f"Đồng hồ máy vừa nhảy {direction} {minutes} phút mà không được đồng bộ qua NTP (giới hạn "
            f"{self._max_jump.total_seconds() / 60:g} phút, thiết lập «clock_max_jump_minutes»): giờ máy có thể sai. "
            "Hãy kiểm tra giờ, kết nối mạng để đồng bộ, hoặc xác nhận giờ đúng."
        )

    def _judge(self, now: datetime) -> ClockVerdict:
        last = self._last_record()
        if last is not None and now < last - BACKWARDS_TOLERANCE:
            shown, logged = now.astimezone(self._zone).strftime(_SHOWN), last.astimezone(self._zone).strftime(_SHOWN)
            return ClockVerdict(
                trusted=False,
                warning=(
                    f"Đồng hồ máy ({shown}) đang chậm hơn dòng nhật ký cuối của đài ({logged}): giờ máy sai "
                    "(thường do mất điện ở máy không có pin đồng hồ). Lịch phát tạm dừng cho đến khi giờ đúng; "
                    "hãy chỉnh giờ hoặc kết nối mạng để đồng bộ."
                ),
            )
        if self._jump_warning is not None and self._synchronised() is True:
            logger.info("NTP synchronised since the jump: trusted")
            self._jump_warning = None
        if self._jump_warning is not None:
            return ClockVerdict(trusted=False, warning=self._jump_warning)
        return ClockVerdict(trusted=True)


__all__ = ["BACKWARDS_TOLERANCE", "ClockGuard", "ClockVerdict", "ntp_synchronised"]
