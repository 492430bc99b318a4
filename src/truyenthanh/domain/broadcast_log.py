"""What one line of the broadcast log (nhật ký phát thanh) says: an entry to append, and a row as stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority


@dataclass(frozen=True)
class LogEntry:
    """What one broadcast-log row says. Instants are aware; they are stored in UTC."""

    outcome: Outcome
    programme_title: str = ""
    item_title: str = ""
    """Empty when the row is about the whole programme (a miss, a skip)."""
    item_kind: ItemKind | None = None
    schedule_id: int | None = None
    programme_id: int | None = None
    category: Category | None = None
    language: str = "vi"
    priority: Priority = Priority.NORMAL
    scheduled_start: datetime | None = None
    actual_start: datetime | None = None
    """When the first sample reached the output, to the millisecond."""
    end: datetime | None = None
    reason: str = ""
    """Vietnamese explanation (why late, missed, cut or failed)."""
    outages: tuple[dict[str, Any], ...] = ()
    """Relay outages during the item: ``{"start", "end", "cause"}``."""
    engine: str | None = None
    """Speech engine of a spoken item."""
    operator: str | None = None
    approver: str | None = None


@dataclass(frozen=True)
class LoggedBroadcast(LogEntry):
    """A broadcast-log row as stored: its entry, where it sits in the chain and when it was written.

    Readers use the same attribute names as the table row (``row.outcome``, ``row.row_hash``...).
    """

    id: int = 0
    recorded_at: datetime | None = None
    """When the row was appended (aware)."""
    prev_hash: str = ""
    """The previous row's ``row_hash`` (the genesis hash for the first row)."""
    row_hash: str = ""
    """The hash of this row's content chained to ``prev_hash``."""


__all__ = ["LogEntry", "LoggedBroadcast"]
