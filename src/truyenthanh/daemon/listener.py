"""The engine's events, turned into broadcast-log rows, state-file updates and published events, in order, on
one thread of their own (the engine's thread must never wait for the database)."""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict

from truyenthanh.daemon.amplifier import Amplifier
from truyenthanh.daemon.emergencies import Emergencies
from truyenthanh.daemon.journal import Journal
from truyenthanh.daemon.keeper import OutputKeeper
from truyenthanh.daemon.ledger import Ledger
from truyenthanh.daemon.records import ItemRecord
from truyenthanh.domain.enums import ItemKind, Outcome
from truyenthanh.domain.playout import EndReason, ItemEnded, ItemStarted, PlayoutEvent, RelayOutage
from truyenthanh.domain.schedule.misfire import late_start_reason
from truyenthanh.protocol import ItemEndedOnAir, ItemStartedOnAir, RelayOutageReported

logger = logging.getLogger(__name__)

CANCELLED_REASON = "Đã hủy hoặc bị thay bằng phát khẩn cấp mới"

AIRINGS_REMEMBERED = 256
"""Scheduled airings whose start (on time or late) is remembered, so every later item of a late airing is logged
late too; older ones are forgotten (a 24/7 process must not grow)."""


class EngineListener:
    """Receives the engine's events and answers them on its own thread.

    Args:
        resume_policy: the ``resume_policy`` setting (named in the log of a preempted item).
        ledger: the items handed to the engine.
        journal: the broadcast log, the state file, events.
        keeper: the speaker (to skip a cancelled item the moment it starts).
        amplifier: on while something sounds.
        emergencies: told when a silence pad starts and when a bulletin ends.
    """

    def __init__(
        self,
        *,
        resume_policy: str,
        ledger: Ledger,
        journal: Journal,
        keeper: OutputKeeper,
        amplifier: Amplifier,
        emergencies: Emergencies,
    ) -> None:
        self._resume_policy = resume_policy
        self._ledger = ledger
        self._journal = journal
        self._keeper = keeper
        self._amplifier = amplifier
        self._emergencies = emergencies
        self._events: queue.SimpleQueue[PlayoutEvent | None] = queue.SimpleQueue()
        self._late: OrderedDict[str, str] = OrderedDict()
        """Airing key -> why it started late (``""``: on time); only this thread touches it."""
        self._drained = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start answering events on a thread of its own."""
        self._thread = threading.Thread(target=self._loop, name="daemon-events", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Answer the events already received, then stop (waits at most ``timeout`` seconds)."""
        if self._thread is None:
            self.drain()
            return
        self._events.put(None)
        self._drained.wait(timeout)

    def drain(self) -> None:
        """Answer every event received so far on the calling thread (instead of :meth:`start`: tests on a
        frozen clock; events an answer causes are answered too, in order)."""
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            if event is not None:
                self.handle(event)

    def __call__(self, event: PlayoutEvent) -> None:
        """From the engine's thread: queue the event; a silence pad starting is answered at once (the bulletin
        waiting behind it must not wait for the log to be written)."""
        if isinstance(event, ItemStarted) and event.item.key.endswith("/pad"):
            self._emergencies.pad_started(event.item.key.rsplit("/", 1)[0])
        self._events.put(event)

    def _loop(self) -> None:
        while True:
            event = self._events.get()
            if event is None:
                self._drained.set()
                return
            try:
                self.handle(event)
            except Exception:  # one bad event must not stop the log
                logger.exception("playout event %r", event)

    def handle(self, event: PlayoutEvent) -> None:
        """Answer one event (on the listener's thread; tests call it directly)."""
        if isinstance(event, ItemStarted):
            self._started(event)
        elif isinstance(event, ItemEnded):
            self._ended(event)
        elif isinstance(event, RelayOutage):
            with self._ledger.lock:
                record = self._ledger.playing.get(event.item.key)
            self._journal.publish(
                RelayOutageReported(
                    item=event.item.title,
                    start=event.start,
                    end=event.end,
                    cause=event.cause,
                    airing=record.airing if record else None,
                )
            )
            if record is not None:
                record.reason = (record.reason + f" Mất tín hiệu tiếp sóng {event.cause}.").strip()

    def _started(self, event: ItemStarted) -> None:
        record = self._ledger.record_for(event.item, event.replaced)
        ledger = self._ledger
        with ledger.lock:
            previous = ledger.playing.get(event.item.key)
            record.resumed = previous is not None or record.actual_start is not None
            record.actual_start = event.at
            self._mark_late(record)
            ledger.playing[event.item.key] = record
            cancelled = record.airing in ledger.cancelled or event.item.key in ledger.cancelled
            if cancelled:
                ledger.pending_end.setdefault(event.item.key, CANCELLED_REASON)
        if cancelled:
            self._keeper.engine.skip(event.item.key)
        self._amplifier.switch(True)
        self._journal.save()
        self._journal.publish(
            ItemStartedOnAir(
                airing=record.airing,
                programme=record.programme_title,
                item=record.item_title,
                priority=record.priority,
                scheduled_start=record.scheduled_start,
                at=event.at,
            )
        )

    def _mark_late(self, record: ItemRecord) -> None:
        """A scheduled airing handed over on time whose first item sounds after its planned start (queued behind
        others) is late: this item and every later item of the airing are logged late, with the reason."""
        if record.schedule_id is None or record.scheduled_start is None or record.actual_start is None:
            return
        reason = self._late.get(record.airing)
        if reason is None:
            # Its first sounding item decides; a join or a rejoin starts mid-airing and says so already.
            on_time = record.outcome is Outcome.PLAYED and record.offset_s == 0 and not record.resumed
            reason = late_start_reason(record.scheduled_start, record.actual_start) if on_time else ""
            self._late[record.airing] = reason
            while len(self._late) > AIRINGS_REMEMBERED:
                self._late.popitem(last=False)
        if reason and record.outcome is Outcome.PLAYED:
            record.outcome = Outcome.LATE
            record.reason = f"{reason} {record.reason}".strip()

    def _ended(self, event: ItemEnded) -> None:
        record, why = self._ledger.forget(event.item.key, event.reason)
        if record is None:
            if event.reason is not EndReason.FAILED:
                return
            # An item that failed before it sounded was never playing: forget() has just moved its record
            # among the failed ones, where its schedule, programme and title are kept.
            with self._ledger.lock:
                kept = self._ledger.failed.get(event.item.key)
            record = kept or self._ledger.record_for(event.item)
        if why == "pad" or (event.item.key.endswith("/pad") and event.item.kind is ItemKind.SILENCE):
            return  # the silence held while the bulletin was prepared is not a broadcast
        outcome, text = self._outcome(event, record, why)
        self._journal.log(record, outcome, end=event.at, reason=text)
        if outcome in (Outcome.PLAYED, Outcome.LATE, Outcome.PARTIAL):
            self._journal.mark_aired(record)
        if event.item.key.endswith("/bulletin") and event.reason is not EndReason.PREEMPTED:
            self._emergencies.bulletin_ended(record.airing)
        self._journal.save()
        self._journal.publish(
            ItemEndedOnAir(
                airing=record.airing,
                programme=record.programme_title,
                item=record.item_title,
                outcome=outcome,
                reason=text,
                at=event.at,
            )
        )
        if record.last or event.reason is not EndReason.FINISHED:
            self._amplifier.maybe_off()

    def _outcome(self, event: ItemEnded, record: ItemRecord, why: str) -> tuple[Outcome, str]:
        """The log's outcome for an item that stopped sounding, and why (Vietnamese)."""
        reason = event.reason
        seconds = f"{event.position_s:.1f}"
        if reason is EndReason.FINISHED and event.detail:
            # It ended early (its file was cut short): partial, and the stand-in covering the rest is logged
            # under this item's programme, so its record stays where the stand-in's start looks for it.
            outcome = Outcome.PARTIAL
            text = f"{record.reason} {event.detail}"
            with self._ledger.lock:
                self._ledger.failed[event.item.key] = record
        elif reason is EndReason.FINISHED:
            outcome = record.outcome
            text = record.reason + (" Phát tiếp sau khi bị ngắt." if record.resumed else "")
        elif reason is EndReason.PREEMPTED:
            outcome = Outcome.PREEMPTED
            text = f"Bị ngắt ở giây {seconds} để phát khẩn cấp; sẽ phát tiếp ({self._resume_policy})."
        elif reason is EndReason.SKIPPED:
            outcome = Outcome.SKIPPED if event.position_s < 0.5 else Outcome.PARTIAL
            text = why or f"Người vận hành bỏ qua ở giây {seconds}."
        elif reason is EndReason.STOPPED:
            outcome = Outcome.PREEMPTED if why.startswith("Bị thay") else Outcome.PARTIAL
            text = f"{why or 'Người vận hành dừng phát'} (ở giây {seconds})."
        else:
            outcome = Outcome.FAILED
            text = event.detail or "Lỗi khi phát."
        return outcome, text.strip()


__all__ = ["AIRINGS_REMEMBERED", "CANCELLED_REASON", "EngineListener"]
