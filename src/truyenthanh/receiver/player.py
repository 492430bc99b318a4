"""The receiver's speaker: the zone's airings handed to the playout engine on the box's own clock, live commands
from the station, and an as-played record of every item.

A small timer thread (no APScheduler: one process, a handful of airings a day) looks at the accepted schedule
a few times a second; each airing is queued :data:`LEAD_S` seconds before its start with ``start_at`` set to
it, so the engine has its decoders ready and starts it on the sample. Nothing here needs the link: the box airs
its copy for as long as the copy lasts.

Every item ends in one :class:`~truyenthanh.domain.fleet.AsPlayed` record in the outbox, keyed
``<receiver>/<airing_id>/<index>``; an airing whose time passed while the box was off, whose file is missing or
that a ``stop`` cut before it began is recorded ``missed`` with the reason. Records already in the outbox are
never written again, which is also how a restarted receiver knows what it already handled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from truyenthanh.adapters.playout.frames import Frames
from truyenthanh.adapters.playout.output import Output, Render
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.fleet import AsPlayed, FileRef, PlayedOutcome, ZoneAiring, ZoneSchedule
from truyenthanh.domain.playout import EndReason, ItemEnded, ItemStarted, PlayItem, PlayoutEvent
from truyenthanh.errors import AudioError
from truyenthanh.receiver.cache import FileCache
from truyenthanh.receiver.outbox import Outbox

log = logging.getLogger(__name__)

LEAD_S = 3.0
"""An airing is queued this long before its start, so its decoders are ready."""
LATE_S = 1.0
"""An airing not queued by this long after its start is missed (the box was off or busy)."""
LOOKBACK = timedelta(hours=24)
"""Airings older than this are not reported missed (the station's log has long closed them)."""
TICK_S = 0.1
CHECK_AHEAD = timedelta(seconds=60)
"""The files of airings starting within this are checked (size and sha256) every :data:`CHECK_EVERY_S`."""
CHECK_EVERY_S = 1.0
STANDBY_S = 10.0
"""Seconds of quiet after which the sound output is given back."""
WAKE_AHEAD_S = 2.0
"""The output is taken again this long before an airing is queued."""
PAD_S = 30.0
"""Silence held after an emergency's alert while its bulletin is on its way (cut as soon as it comes)."""


class GainOutput:
    """An :class:`~truyenthanh.adapters.playout.output.Output` that applies the box's volume to every block.

    The engine has no master volume (only a gain per item, fixed when the item is queued), so the station's
    ``volume`` command is applied here, after the mix: it takes effect at the next block, even mid-item.
    ``volume`` is in percent of full scale (amplitude).
    """

    def __init__(self, inner: Output, volume: int = 100) -> None:
        self.inner = inner
        self.rate = inner.rate
        self.realtime = inner.realtime
        self.volume = volume

    @property
    def underflows(self) -> int:
        """The inner output's count of blocks heard as a gap."""
        return self.inner.underflows

    @underflows.setter
    def underflows(self, value: int) -> None:
        self.inner.underflows = value

    def start(self, render: Render, ready: Callable[[int], bool]) -> None:
        """Start the inner output with the volume applied after ``render``."""

        def scaled(out: Frames, at: float) -> None:
            render(out, at)
            gain = self.volume / 100.0
            if gain != 1.0:
                out.samples[:] = out.scaled(gain).samples

        self.inner.start(scaled, ready)

    def stop(self) -> None:
        """Stop the inner output."""
        self.inner.stop()

    def describe(self) -> str:
        """The inner output's description."""
        return self.inner.describe()

    @property
    def alive(self) -> bool:
        """Whether the inner output still takes blocks."""
        return self.inner.alive


class Engine(Protocol):
    """What the player needs of :class:`~truyenthanh.adapters.playout.PlayoutEngine` (its real adapter)."""

    def subscribe(self, listener: Callable[[PlayoutEvent], None]) -> None:
        """Receive every event (on the engine's housekeeper thread)."""

    def enqueue(self, items: Sequence[PlayItem], *, start_at: datetime | None = None) -> None:
        """Queue ``items`` back to back, the first not before ``start_at``."""

    def preempt(self, items: Sequence[PlayItem], *, resume: bool) -> None:
        """Break in now with ``items``."""

    def stop(self) -> None:
        """Stop everything and empty the queue."""

    def skip(self, key: str | None = None) -> None:
        """End item ``key`` now if it is the one playing."""

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing plays and every event was delivered."""

    def standby(self) -> bool:
        """Give the output back while nothing plays (the next enqueue or preempt takes it again)."""

    def wake(self) -> None:
        """Take the output back after :meth:`standby`."""

    @property
    def standing_by(self) -> bool:
        """The output is given back."""

    @property
    def busy(self) -> bool:
        """Something plays, waits or has an event not yet delivered."""


@dataclass
class _Entry:
    """One item handed to the engine: what its record will say."""

    airing_id: str
    title: str
    sha256: str
    started_at: datetime | None = None
    heard: Callable[[datetime], None] | None = None
    """Told the instant the item's first sample reached the output (a command's acknowledgement)."""


@dataclass
class _Hold:
    """An emergency on air whose bulletin is still to come: its alert, then a silence pad it comes in place of."""

    command_id: str
    title: str
    pad: str
    """The key of the silence pad after the alert."""
    next_index: int = 1
    """The record index of the next bulletin item (0 is the alert)."""
    phase: str = "alert"
    """``alert`` (the tone is queued or sounding), ``pad`` (the pad is on air), ``over`` (the pad ran out)."""
    waiting: list[PlayItem] = field(default_factory=list)
    """A bulletin that came while the alert sounded: it cuts in when the pad begins."""


@dataclass
class _Held:
    """The emergency waiting for its bulletin, and the silence pads no longer wanted."""

    hold: _Hold | None = None
    """Alert-only, or its bulletin still being fetched."""
    dropped: set[str] = field(default_factory=set)
    """Pads skipped the moment they sound again (the engine resumes a preempted item; it has no "drop")."""


@dataclass
class _Quiet:
    """When the timer last did its once-a-second chores, since when nothing played, and its stop signal."""

    checked_at: float = 0.0
    since: float = field(default_factory=time.monotonic)
    stopping: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class Identity:
    """Who writes the records."""

    receiver: str
    zone: str


class Player:
    """Airs the accepted schedule and the station's live commands on the engine, recording every item.

    Thread-safe: the link's thread sets the schedule and issues commands, the timer thread queues airings, the
    engine's housekeeper delivers events.

    Args:
        engine: an opened playout engine.
        cache: where the files are.
        outbox: where the records go.
        identity: this receiver and its zone.
        on_change: called (from any of those threads) when what plays or a record changes.
        on_missing: called from the timer thread when a file an airing due soon needs is missing or damaged
            (the receiver fetches it again).
    """

    def __init__(
        self,
        engine: Engine,
        cache: FileCache,
        outbox: Outbox,
        identity: Identity,
        *,
        on_change: Callable[[], None] = lambda: None,
        on_missing: Callable[[], None] = lambda: None,
    ) -> None:
        self._engine = engine
        self._cache = cache
        self._outbox = outbox
        self._identity = identity
        self._on_change = on_change
        self._on_missing = on_missing
        self._quiet = _Quiet()
        self._lock = threading.RLock()
        self._schedule: ZoneSchedule | None = None
        self._queued: set[str] = set()
        """Airings handed to the engine (or recorded) since start."""
        self._entries: dict[str, _Entry] = {}
        """Items handed to the engine, by key (= record id), until they end."""
        self._begun: set[str] = set()
        """Airings (and commands) whose first item started."""
        self.playing: str | None = None
        """Title of what plays now."""
        self._held = _Held()
        self._thread = threading.Thread(target=self._run, name="receiver-timer", daemon=True)
        engine.subscribe(self._on_event)

    def start(self) -> None:
        """Start the timer thread."""
        self._thread.start()

    def close(self) -> None:
        """Stop the timer thread (the engine is the caller's)."""
        self._quiet.stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    @property
    def schedule(self) -> ZoneSchedule | None:
        """The schedule being aired."""
        return self._schedule

    def set_schedule(self, schedule: ZoneSchedule) -> None:
        """Air ``schedule`` from now on (airings already queued from the previous one stay queued)."""
        with self._lock:
            self._schedule = schedule

    # --------------------------------------------------------------------------------------------- timer

    def _run(self) -> None:
        while not self._quiet.stopping.wait(TICK_S):
            try:
                self.tick(datetime.now(UTC))
            except Exception:  # the timer must outlive any one bad airing
                log.exception("Lỗi khi xếp lịch phát của máy thu")

    def tick(self, now: datetime) -> None:
        """Queue the airings due within :data:`LEAD_S`, record those missed (the timer calls this)."""
        schedule = self._schedule
        if time.monotonic() - self._quiet.checked_at >= CHECK_EVERY_S:
            self._quiet.checked_at = time.monotonic()
            self._rest(schedule, now)
            if schedule is not None:
                self._check_files(schedule, now)
        if schedule is None:
            return
        with self._lock:
            self._due(schedule, now)

    def _due(self, schedule: ZoneSchedule, now: datetime) -> None:
        for airing in schedule.airings:
            if airing.airing_id in self._queued:
                continue
            start = airing.start
            if start - timedelta(seconds=LEAD_S) > now or start < now - LOOKBACK:
                continue
            self._queued.add(airing.airing_id)
            if all(self._outbox.has(self._key(airing.airing_id, i)) for i in range(len(airing.items))):
                continue  # handled before a restart
            if now > start + timedelta(seconds=LATE_S):
                self._miss(airing, range(len(airing.items)), "máy thu không hoạt động vào giờ phát")
            elif now > schedule.valid_until:
                self._miss(airing, range(len(airing.items)), "lịch phát đã quá hạn")
            else:
                self._queue(airing)

    def _rest(self, schedule: ZoneSchedule | None, now: datetime) -> None:
        """Give the sound output back after :data:`STANDBY_S` of quiet; take it again before the next airing
        (an open stream costs CPU for every block of silence; an emergency or test tone takes it at once)."""
        engine = self._engine
        horizon = now + timedelta(seconds=LEAD_S + WAKE_AHEAD_S)
        soon = schedule is not None and any(
            now - timedelta(seconds=LATE_S) <= a.start <= horizon and a.airing_id not in self._queued
            for a in schedule.airings
        )
        if engine.standing_by:
            if soon:
                try:
                    engine.wake()
                except AudioError as exc:
                    log.error("Không mở lại được đầu ra âm thanh: %s", exc.message)
            return
        if engine.busy or soon:
            self._quiet.since = time.monotonic()
        elif time.monotonic() - self._quiet.since >= STANDBY_S:
            engine.standby()

    def _check_files(self, schedule: ZoneSchedule, now: datetime) -> None:
        soon = [
            ref
            for airing in schedule.airings
            if airing.airing_id not in self._queued and now <= airing.start <= now + CHECK_AHEAD
            for ref in airing.items
        ]
        if self._cache.missing(soon):
            self._on_missing()

    def _queue(self, airing: ZoneAiring) -> None:
        missing = [i for i, ref in enumerate(airing.items) if not self._cache.valid(ref)]
        if missing:
            self._miss(airing, missing, "thiếu tệp âm thanh (chưa tải được hoặc bị hỏng)")
        items = []
        for index, ref in enumerate(airing.items):
            if index in missing:
                continue
            key = self._key(airing.airing_id, index)
            self._entries[key] = _Entry(airing.airing_id, airing.title, ref.sha256)
            items.append(self._item(key, airing.title, ref, self._cache.path(ref.sha256)))
        if items:
            self._engine.enqueue(items, start_at=airing.start)

    # ------------------------------------------------------------------------------------------ commands

    def emergency(
        self,
        command_id: str,
        title: str,
        alert: Path,
        bulletin: Sequence[tuple[FileRef, Path]],
        *,
        repeat: int,
        heard: Callable[[datetime], None],
    ) -> None:
        """Break in now with the alert tone then ``bulletin`` (``repeat`` times); ``heard`` gets the instant
        the first sample of the tone reached the output.

        With no ``bulletin`` the emergency is held: the alert is followed by a silence pad (:data:`PAD_S`) that
        :meth:`bulletin` replaces with the bulletin when it comes. A newer emergency ends a held one."""
        airing_id = f"command:{command_id}"
        alert_ref = FileRef(sha256="", size=alert.stat().st_size, duration_s=0.0, name="alert")
        sequence = [(alert_ref, alert), *(list(bulletin) * repeat)]
        items = []
        with self._lock:
            for index, (ref, path) in enumerate(sequence):
                key = self._key(airing_id, index)
                self._entries[key] = _Entry(airing_id, title, ref.sha256, heard=None if index else heard)
                items.append(self._item(key, title, ref, path))
            self._release_hold()
            if not bulletin:
                pad = f"{self._key(airing_id, 0)}/pad"
                self._held.hold = _Hold(command_id, title, pad)
                items.append(PlayItem(key=pad, title=title, kind=ItemKind.SILENCE, duration_s=PAD_S))
            self._engine.preempt(items, resume=True)

    def bulletin(self, command_id: str, bulletin: Sequence[tuple[FileRef, Path]], *, repeat: int) -> bool:
        """Air ``bulletin`` (``repeat`` times) as the bulletin of held emergency ``command_id``: after its alert
        (never a second alert), in place of the silence pad. Returns ``False`` when that emergency is not held
        any more (cancelled, stopped or superseded meanwhile): nothing is aired."""
        with self._lock:
            hold = self._held.hold
            if hold is None or hold.command_id != command_id or not bulletin:
                return False
            airing_id = f"command:{command_id}"
            items = []
            for ref, path in list(bulletin) * repeat:
                key = self._key(airing_id, hold.next_index)
                hold.next_index += 1
                self._entries[key] = _Entry(airing_id, hold.title, ref.sha256)
                items.append(self._item(key, hold.title, ref, path))
            if hold.phase == "alert":
                hold.waiting.extend(items)
                return True
            if hold.phase == "pad":
                self._held.dropped.add(hold.pad)
            # Under the lock: a stop clears the hold under it first, so nothing cuts in after a stop.
            self._engine.preempt(items, resume=True)
        return True

    def abandon(self, command_id: str) -> None:
        """Held emergency ``command_id`` gets no bulletin (it could not be fetched): its silence pad ends now,
        so the schedule is not held up behind it."""
        with self._lock:
            hold = self._held.hold
            if hold is None or hold.command_id != command_id:
                return
            self._release_hold()
            on_air = hold.phase == "pad"
        if on_air:
            self._engine.skip(hold.pad)

    def _release_hold(self) -> None:
        """The held emergency is over (a newer one, a stop): its pad must not sound again (the lock is held)."""
        if self._held.hold is not None:
            self._held.dropped.add(self._held.hold.pad)
            self._held.hold = None

    def _pad_started(self, key: str) -> None:
        """The pad of the held emergency began (the alert is over): a bulletin already waiting cuts in now
        (from a thread of its own: the engine's housekeeper must not wait for a decoder to start)."""
        if key in self._held.dropped:
            self._engine.skip(key)
            return
        hold = self._held.hold
        if hold is None or hold.pad != key:
            return
        hold.phase = "pad"
        if hold.waiting:
            threading.Thread(target=self._air_waiting, args=(hold,), name="receiver-bulletin", daemon=True).start()

    def _air_waiting(self, hold: _Hold) -> None:
        with self._lock:
            if self._held.hold is not hold or not hold.waiting:
                return
            items, hold.waiting = hold.waiting, []
            self._held.dropped.add(hold.pad)
            self._engine.preempt(items, resume=True)

    def test_tone(self, command_id: str, tone: Path, heard: Callable[[datetime], None]) -> None:
        """Play the test tone as soon as nothing else plays."""
        key = self._key(f"command:{command_id}", 0)
        with self._lock:
            self._entries[key] = _Entry(f"command:{command_id}", "Âm thử", "", heard=heard)
        self._engine.enqueue([PlayItem(key=key, title="Âm thử", kind=ItemKind.JINGLE, source=tone)])

    def stop(self, reason: str) -> None:
        """Stop everything now; airings not yet begun are queued again at their time, the rest recorded (a
        held emergency's bulletin too, as missed)."""
        with self._lock:
            self._held.hold = None
            self._held.dropped.clear()
        self._engine.stop()
        # The engine drops queued voices without events: settle them here, once its own events are out.
        self._engine.wait_idle(2.0)
        with self._lock:
            for key, entry in list(self._entries.items()):
                if entry.airing_id in self._begun or entry.airing_id.startswith("command:"):
                    del self._entries[key]
                    outcome = PlayedOutcome.PARTIAL if entry.started_at else PlayedOutcome.MISSED
                    self._record(key, entry, outcome, datetime.now(UTC), reason)
            # Airings not yet begun are queued again by the timer at their time.
            waiting = {entry.airing_id for entry in self._entries.values()}
            self._entries.clear()
            self._queued -= waiting
            self.playing = None
        self._on_change()

    # ------------------------------------------------------------------------------------------- events

    def _on_event(self, event: PlayoutEvent) -> None:
        if isinstance(event, ItemStarted):
            heard = None
            with self._lock:
                if event.item.kind is ItemKind.SILENCE:
                    self._pad_started(event.item.key)
                entry = self._entries.get(event.item.key)
                if entry is not None and entry.started_at is None:
                    entry.started_at = event.at
                    self._begun.add(entry.airing_id)
                    heard, entry.heard = entry.heard, None
                self.playing = event.item.title
            if heard is not None:
                heard(event.at)
            self._on_change()
        elif isinstance(event, ItemEnded) and event.reason is not EndReason.PREEMPTED:
            # A preempted item comes back after the break-in: its record waits for its real end.
            with self._lock:
                self._pad_ended(event.item.key)
                entry = self._entries.pop(event.item.key, None)
                if entry is not None:
                    outcome, reason = _outcome(event, entry)
                    self._record(event.item.key, entry, outcome, event.at, reason)
                if self.playing == event.item.title:
                    self.playing = None
            self._on_change()

    def _pad_ended(self, key: str) -> None:
        self._held.dropped.discard(key)
        if self._held.hold is not None and self._held.hold.pad == key:
            self._held.hold.phase = "over"  # the bulletin, when it comes, cuts in at once

    def _miss(self, airing: ZoneAiring, indexes: Sequence[int] | range, reason: str) -> None:
        for index in indexes:
            ref = airing.items[index]
            entry = _Entry(airing.airing_id, airing.title, ref.sha256)
            self._record(self._key(airing.airing_id, index), entry, PlayedOutcome.MISSED, None, reason)
        self._on_change()

    def _record(self, key: str, entry: _Entry, outcome: PlayedOutcome, ended: datetime | None, reason: str) -> None:
        record = AsPlayed(
            record_id=key,
            receiver=self._identity.receiver,
            zone=self._identity.zone,
            airing_id=entry.airing_id,
            title=entry.title,
            sha256=entry.sha256,
            outcome=outcome,
            started_at=entry.started_at,
            ended_at=ended if entry.started_at else None,
            reason=reason,
        )
        self._outbox.add(key, "played", record.encode())

    def _key(self, airing_id: str, index: int) -> str:
        return f"{self._identity.receiver}/{airing_id}/{index}"

    @staticmethod
    def _item(key: str, title: str, ref: FileRef, path: Path) -> PlayItem:
        return PlayItem(
            key=key,
            title=title,
            kind=ItemKind.AUDIO,
            source=path,
            gain_db=ref.gain_db,
            expected_s=ref.duration_s or None,
        )


def _outcome(event: ItemEnded, entry: _Entry) -> tuple[PlayedOutcome, str]:
    if event.reason is EndReason.FINISHED:
        return (PlayedOutcome.PARTIAL if event.detail else PlayedOutcome.PLAYED), event.detail
    if event.reason is EndReason.FAILED:
        return PlayedOutcome.FAILED, event.detail
    if entry.started_at is None:
        return PlayedOutcome.MISSED, "bị dừng trước khi phát"
    return PlayedOutcome.PARTIAL, "bị dừng giữa chừng theo lệnh"


__all__ = ["LEAD_S", "Engine", "GainOutput", "Identity", "Player"]
