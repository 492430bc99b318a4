"""The output keeper: opens the sound output, notices when it is lost, reopens it, gives it back during a quiet
spell and takes it again before the next airing."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from truyenthanh.daemon.journal import Journal
from truyenthanh.daemon.ledger import Ledger
from truyenthanh.daemon.timer import AirScheduler
from truyenthanh.domain.enums import Outcome
from truyenthanh.errors import AudioError
from truyenthanh.protocol import DeviceChanged, DeviceState, Problem
from truyenthanh.services.ports import Clock, Playout

logger = logging.getLogger(__name__)

WAKE_AHEAD_S = 15.0
"""How long before an airing is handed to the engine the daemon takes back a sound device it gave back."""


class OutputKeeper:
    """Keeps the speaker: the engine, whether its output works, and when it was last busy.

    Args:
        output: the output specification (``device``, ``file:PATH``, ``icecast:URL``).
        standby_s: seconds of quiet after which a sound device is given back (0: never).
        clock: the station's clock.
        ledger: what is queued or sounding.
        journal: where failures are logged and problems published.
        timer: what is coming (to wake in time).
        monotonic: the clock quiet spells are measured on (seconds; never jumps).
    """

    def __init__(
        self,
        *,
        output: str,
        standby_s: float,
        clock: Clock,
        ledger: Ledger,
        journal: Journal,
        timer: AirScheduler,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.output = output
        self.playout: Playout | None = None
        """The engine (set before :meth:`open`)."""
        self._clock = clock
        self._ledger = ledger
        self._journal = journal
        self._timer = timer
        self.error: str | None = None
        """Why the output is not playing (``None`` while it works)."""
        self._standby_after = standby_s if output == "device" and standby_s > 0 else None
        """Seconds of quiet after which the sound device is given back (``None``: never)."""
        self._monotonic = monotonic
        self._quiet_since = monotonic()

    @property
    def engine(self) -> Playout:
        """The engine (the daemon has started)."""
        assert self.playout is not None
        return self.playout

    def open(self) -> None:
        """Open the output; on failure remember why (shown in the status)."""
        try:
            self.engine.open()
        except AudioError as exc:
            if self.error != exc.message:
                logger.error("output unavailable: %s", exc.message)
                self._journal.publish(Problem(message=exc.message))
            self.error = exc.message
            return
        if self.error is not None:
            logger.info("output back: %s", self.engine.describe())
            self._journal.publish(DeviceChanged(ok=True, message=f"Đã có lại {self.engine.describe()}."))
        self.error = None

    def lost_message(self) -> str:
        """What the operator reads when the output is lost."""
        return f"Mất {self.engine.describe()}: không phát ra được âm thanh."

    def state(self) -> DeviceState:
        """The output as the status shows it."""
        engine = self.engine
        problem = self.error or (None if engine.alive else self.lost_message())
        return DeviceState(ok=problem is None, name=engine.describe(), error=problem, standby=engine.standing_by)

    def watch(self) -> None:
        """Every heartbeat: notice a lost output (its airings are logged as failed) and reopen it when back."""
        engine = self.engine
        if self.error is None and engine.alive:
            return
        if self.error is None:
            self.error = error = self.lost_message()
            logger.error("output lost: %s", engine.describe())
            self._journal.publish(Problem(message=error))
            self._ledger.end_all(error)
            waiting = self._ledger.drop_waiting()
            engine.close()
            for record in waiting:
                self._journal.log(record, Outcome.FAILED, reason=error)
        self.open()

    def standby_or_wake(self) -> None:
        """Every heartbeat: give the sound device back after a quiet spell, take it again before an airing."""
        if self._standby_after is None or self.error is not None:
            return
        engine = self.engine
        horizon = self._clock.now() + timedelta(seconds=self._timer.lead_s + WAKE_AHEAD_S)
        soon = any(planned.start <= horizon for planned in self._timer.upcoming())
        if engine.standing_by:
            if soon and self.take():
                logger.info("output taken for the next airing")
            return
        if self._ledger.active or soon:  # a repeating emergency takes the device when it is due
            self._quiet_since = self._monotonic()
        elif self._monotonic() - self._quiet_since >= self._standby_after and engine.standby():
            logger.info("output on standby")

    def take(self) -> bool:
        """Take the output back after a standby; if it cannot be opened, say so and retry at each heartbeat."""
        engine = self.engine
        try:
            engine.wake()
        except AudioError as exc:
            logger.error("output unavailable: %s", exc.message)
            self.error = exc.message
            self._journal.publish(Problem(message=exc.message))
            engine.close()
            return False
        self._quiet_since = self._monotonic()
        return True


__all__ = ["WAKE_AHEAD_S", "OutputKeeper"]
