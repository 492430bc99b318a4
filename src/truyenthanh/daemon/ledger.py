"""The daemon's ledger of items it handed to the engine: queued, sounding, cancelled, and why each will end."""

from __future__ import annotations

import threading
from dataclasses import replace

from truyenthanh.daemon.records import ItemRecord
from truyenthanh.domain.enums import Priority
from truyenthanh.domain.playout import EndReason, PlayItem

FAILED_KEPT = 50
"""Failed items remembered (a fallback that replaces one may still name it)."""


class Ledger:
    """Items the daemon handed to the engine, by engine item key. Thread-safe: every part that reads or
    changes it holds :attr:`lock` (one re-entrant lock for the whole daemon, as the parts call each other)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        """Guards the ledger and the emergency state."""
        self.items: dict[str, ItemRecord] = {}
        """Queued or sounding items."""
        self.playing: dict[str, ItemRecord] = {}
        """Items sounding now."""
        self.failed: dict[str, ItemRecord] = {}
        """The last few items that failed (a fallback replacing one names it)."""
        self.cancelled: set[str] = set()
        """Item or airing keys skipped the moment they start (cancelled or superseded emergencies)."""
        self.pending_end: dict[str, str] = {}
        """Why an item is about to end by our own command (stop, supersede), by item key."""

    def add(self, key: str, record: ItemRecord) -> None:
        """Remember an item handed to the engine."""
        with self.lock:
            self.items[key] = record

    @property
    def on_air(self) -> bool:
        """Something is sounding."""
        with self.lock:
            return bool(self.playing)

    @property
    def active(self) -> bool:
        """Something is sounding or waiting in the engine."""
        with self.lock:
            return bool(self.playing or self.items)

    def now_playing(self) -> ItemRecord | None:
        """The item sounding now (the first one, during a crossfade)."""
        with self.lock:
            return next(iter(self.playing.values()), None)

    def end_all(self, why: str, *, keep: bool = False) -> None:
        """Every item sounding now ends for ``why`` (with ``keep``: unless it already has a reason)."""
        with self.lock:
            for key in self.playing:
                if keep:
                    self.pending_end.setdefault(key, why)
                else:
                    self.pending_end[key] = why

    def drop_waiting(self) -> list[ItemRecord]:
        """Forget the items that have not started (the output was lost); returns them to be logged."""
        with self.lock:
            waiting = [record for key, record in self.items.items() if key not in self.playing]
            self.items = {key: record for key, record in self.items.items() if key in self.playing}
        return waiting

    def record_for(self, item: PlayItem, replaced: PlayItem | None = None) -> ItemRecord:
        """The record of an item the engine reports (a stand-in is named after the item it replaces)."""
        with self.lock:
            record = self.items.get(item.key)
            if record is None and replaced is not None:
                record = self.items.get(replaced.key) or self.failed.get(replaced.key)
        if record is None:
            record = ItemRecord(airing=item.key, programme_title="", item_title=item.title, item_kind=item.kind,
                                priority=Priority.NORMAL)  # fmt: skip
        if replaced is not None:
            record = replace(record, item_title=f"{item.title} (thay cho «{replaced.title}»)", item_kind=item.kind)
        return record

    def forget(self, key: str, reason: EndReason) -> tuple[ItemRecord | None, str]:
        """An item stopped sounding: its record (``None`` if it was not sounding) and why we ended it.

        Finished items are forgotten (a 24/7 process must not grow); a failed one is kept among the last few.
        """
        with self.lock:
            record = self.playing.pop(key, None)
            why = self.pending_end.pop(key, "")
            if reason is not EndReason.PREEMPTED:
                ended = self.items.pop(key, None)
                if ended is not None and reason is EndReason.FAILED:
                    self.failed[key] = ended
                    while len(self.failed) > FAILED_KEPT:
                        self.failed.pop(next(iter(self.failed)))
        return record, why


__all__ = ["FAILED_KEPT", "Ledger"]
