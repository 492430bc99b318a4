"""Keeping the zone's schedule: accepting a new signed copy once every file it needs is in the cache.

Runs on its own thread (downloads take minutes on a 4G link; the MQTT thread only hands the raw message over).
A schedule with a higher sequence number is checked, its files fetched, and only then does it replace the copy
being aired, which until that moment keeps airing. A copy whose files cannot all be fetched stays pending and
is tried again every :data:`RETRY_S` seconds. The clock offset is measured here too, at start and every
:data:`OFFSET_EVERY_S` seconds.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from truyenthanh.domain.fleet import Envelope, Kind, ZoneSchedule
from truyenthanh.errors import FleetError
from truyenthanh.receiver.cache import FileCache
from truyenthanh.receiver.link import Gate
from truyenthanh.receiver.player import Player
from truyenthanh.receiver.state import ReceiverState
from truyenthanh.receiver.status import StatusBoard, measure_offset

log = logging.getLogger(__name__)

RETRY_S = 30.0
OFFSET_EVERY_S = 600.0
RESYNC = b"resync"
"""The work item that re-checks every cached file (a ``resync`` command)."""


@dataclass
class _Pending:
    """A schedule accepted by the gate whose files are not all here yet."""

    raw: bytes
    envelope: Envelope
    schedule: ZoneSchedule


class ScheduleKeeper:
    """Takes schedules from the link, fetches their files, hands the complete copy to the player.

    Args:
        zone: the zone this box belongs to (a schedule for another is refused).
        state, cache, gate, player, board: the receiver's parts.
        files_url: the station's file server (for the clock offset).
    """

    def __init__(
        self,
        zone: str,
        parts: tuple[ReceiverState, FileCache, Gate, Player, StatusBoard],
        files_url: str,
    ) -> None:
        self._zone = zone
        self._state, self._cache, self._gate, self._player, self._board = parts
        self._files_url = files_url
        self._inbox: queue.Queue[bytes | None] = queue.Queue()
        self._pending: _Pending | None = None
        self._offset_s = 0.0
        self._resync_asked = threading.Event()
        self._thread = threading.Thread(target=self._run, name="receiver-sync", daemon=True)

    @property
    def offset_s(self) -> float:
        """The box's clock minus the station's, in seconds, as last measured (0 until then)."""
        return self._offset_s

    def load(self) -> None:
        """Air the copy kept on disk, if its signature still verifies (call before :meth:`start`)."""
        raw = self._state.schedule_envelope()
        if raw is None:
            return
        envelope = self._gate.verify_stored(raw)
        if envelope is None:
            self._board.update(refused=f"Lịch phát lưu tại {self._state.schedule_path} không khớp chữ ký của đài.")
            return
        try:
            schedule = ZoneSchedule.from_dict(envelope.body)
        except FleetError as exc:
            self._board.update(refused=f"Lịch phát lưu tại {self._state.schedule_path} hỏng: {exc.message}")
            return
        self._player.set_schedule(schedule)
        synced = datetime.fromtimestamp(self._state.schedule_path.stat().st_mtime, tz=UTC)
        self._board.update(
            schedule_seq=envelope.seq,
            schedule_valid_until=schedule.valid_until,
            last_sync=synced,
            missing_files=len(self._cache.missing(schedule.files())),
        )

    def start(self) -> None:
        """Start the thread (it first measures the clock and completes the cache)."""
        self._thread.start()

    def offer(self, raw: bytes) -> None:
        """A schedule message arrived (any thread; returns at once)."""
        self._inbox.put(raw)

    def resync(self) -> None:
        """Check every cached file again and fetch what is missing (once, however often it is asked meanwhile)."""
        if not self._resync_asked.is_set():
            self._resync_asked.set()
            self._inbox.put(RESYNC)

    def close(self) -> None:
        """Stop the thread (a download in progress is abandoned; it resumes next time)."""
        self._inbox.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        next_offset = 0.0
        item: bytes | None = RESYNC
        while True:
            if time.monotonic() >= next_offset:
                self._measure()
                next_offset = time.monotonic() + OFFSET_EVERY_S
            if item == RESYNC:
                self._resync_asked.clear()
                self._complete()
            elif item is not None:
                self._take(item)
            try:
                item = self._inbox.get(timeout=RETRY_S if self._pending else OFFSET_EVERY_S)
            except queue.Empty:
                item = b""
            if item is None:
                return
            if item == b"":
                self._retry()

    def _measure(self) -> None:
        try:
            offset, trip = measure_offset(self._files_url)
        except FleetError as exc:
            log.info("%s", exc.message)
            return
        self._offset_s = offset
        self._board.update(clock_offset_ms=round(offset * 1000.0, 1))
        log.info("Lệch giờ so với đài: %.1f ms (khứ hồi %.1f ms)", offset * 1000, trip * 1000)

    def _take(self, raw: bytes) -> None:
        verdict = self._gate.check(raw, Kind.SCHEDULE, quiet_same=True)
        if verdict.refusal is not None:
            self._board.update(refused=verdict.refusal)
            return
        envelope = verdict.envelope
        if envelope is None:
            return
        try:
            schedule = ZoneSchedule.from_dict(envelope.body)
        except FleetError as exc:
            self._board.update(refused=f"Lịch phát số {envelope.seq} hỏng: {exc.message}")
            return
        if schedule.zone != self._zone:
            self._board.update(
                refused=f"Lịch phát số {envelope.seq} dành cho cụm «{schedule.zone}», không phải cụm này."
            )
            return
        self._pending = _Pending(raw, envelope, schedule)
        self._retry()

    def _retry(self) -> None:
        pending = self._pending
        if pending is None:
            return
        missing = self._cache.ensure(pending.schedule.files())
        if missing:
            self._board.update(missing_files=len(missing))
            return
        self._state.save_schedule_envelope(pending.raw)
        self._state.save_seq(Kind.SCHEDULE, pending.envelope.seq)
        previous = self._player.schedule
        self._player.set_schedule(pending.schedule)
        # Files neither copy names are no longer needed (the old copy's may still be queued in the engine).
        keep = {ref.sha256 for copy in (previous, pending.schedule) if copy is not None for ref in copy.files()}
        self._cache.prune(keep)
        self._pending = None
        self._board.update(
            schedule_seq=pending.envelope.seq,
            schedule_valid_until=pending.schedule.valid_until,
            last_sync=datetime.now(UTC),
            missing_files=0,
        )
        log.info("Đã nhận lịch phát số %d (%d lượt phát)", pending.envelope.seq, len(pending.schedule.airings))

    def _complete(self) -> None:
        """Fetch again whatever the aired copy lacks (a file deleted or damaged on the box)."""
        schedule = self._player.schedule
        if schedule is not None:
            missing = self._cache.ensure(schedule.files())
            self._board.update(missing_files=len(missing))
        self._retry()


__all__ = ["ScheduleKeeper"]
