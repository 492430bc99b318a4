"""The amplifier relay: switched on before each airing, off again once the station falls quiet."""

from __future__ import annotations

import logging
import subprocess
from datetime import timedelta

from truyenthanh.adapters.platform import split_command
from truyenthanh.config import Settings
from truyenthanh.daemon.journal import Journal
from truyenthanh.daemon.ledger import Ledger
from truyenthanh.daemon.timer import AirScheduler
from truyenthanh.domain.schedule import Planned
from truyenthanh.protocol import Problem
from truyenthanh.services.ports import Clock

logger = logging.getLogger(__name__)


class Amplifier:
    """Runs the station's ``amplifier_on_command`` ahead of each airing (``amplifier_lead_s`` before it) and
    ``amplifier_off_command`` once nothing sounds and no airing is near. Without commands it only keeps track.

    Args:
        settings: the amplifier commands and lead.
        clock: the station's clock.
        ledger: what sounds now.
        journal: where problems are published.
        timer: runs the switching at its time.
    """

    def __init__(self, settings: Settings, clock: Clock, ledger: Ledger, journal: Journal, timer: AirScheduler):
        self._settings = settings
        self._clock = clock
        self._ledger = ledger
        self._journal = journal
        self._timer = timer
        self._on = False

    @property
    def on(self) -> bool:
        """Whether the amplifier was last switched on."""
        return self._on

    def schedule(self, planned: list[Planned]) -> None:
        """Switch on ahead of each of these airings."""
        if not self._settings.amplifier_on_command:
            return
        lead = timedelta(seconds=self._settings.amplifier_lead_s)
        for item in planned:
            when = item.start - lead
            if when > self._clock.now():
                self._timer.at(when, f"amplifier:{item.occurrence.key}", lambda: self.switch(True))

    def switch(self, on: bool) -> None:
        """Run the on or off command (once per change; a failure is published, not raised)."""
        command = self._settings.amplifier_on_command if on else self._settings.amplifier_off_command
        with self._ledger.lock:
            if self._on == on:
                return
            self._on = on
        if not command:
            return
        setting = "amplifier_on_command" if on else "amplifier_off_command"
        try:
            arguments = split_command(command)
        except ValueError as exc:
            logger.error("amplifier command %r cannot be read: %s", command, exc)
            reason = f"không đọc được lệnh «{command}» (thiếu dấu nháy đóng?)"
            self._journal.publish(Problem(message=f"Lệnh bật/tắt âm ly lỗi (thiết lập «{setting}»): {reason}."))
            return
        try:
            subprocess.run(arguments, check=True, timeout=30, capture_output=True)
        except (OSError, subprocess.SubprocessError) as exc:
            logger.error("amplifier command %r failed: %s", command, exc)
            self._journal.publish(Problem(message=f"Lệnh bật/tắt âm ly lỗi (thiết lập «{setting}»): {exc}"))

    def maybe_off(self) -> None:
        """After an airing: switch off a lead later if nothing sounds and no airing is near by then."""
        if not self._settings.amplifier_off_command:
            return
        lead = timedelta(seconds=self._settings.amplifier_lead_s)
        upcoming = self._timer.upcoming()
        busy = self._ledger.on_air
        soon = upcoming and upcoming[0].start - self._clock.now() < 2 * lead + timedelta(seconds=60)
        if not busy and not soon:
            self._timer.at(self._clock.now() + lead, "amplifier:off", self._off_if_idle)

    def _off_if_idle(self) -> None:
        if not self._ledger.on_air:
            self.switch(False)


__all__ = ["Amplifier"]
