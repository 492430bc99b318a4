"""Plain records the daemon's parts pass between them: one queued item, and how instants travel in the state file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority

KEY_SEPARATOR = "|"
"""Between an airing's key and its item's key in the engine's item keys."""
EMERGENCY_TITLE = "Phát khẩn cấp"
"""Programme title of emergency airings in the broadcast log."""


@dataclass
class ItemRecord:
    """What the log needs to know about one queued item."""

    airing: str
    """Key of the airing (or emergency) it belongs to."""
    programme_title: str
    item_title: str
    item_kind: ItemKind
    priority: Priority
    schedule_id: int | None = None
    programme_id: int | None = None
    category: Category | None = None
    language: str = "vi"
    scheduled_start: datetime | None = None
    outcome: Outcome = Outcome.PLAYED
    """Outcome when it plays to its end (``late`` for an airing played late)."""
    reason: str = ""
    engine: str | None = None
    operator: str | None = None
    approver: str | None = None
    misfire: str = "late:5"
    planned_end: datetime | None = None
    """End of the whole airing as planned (to rejoin it after a crash)."""
    last: bool = False
    """The last item of its airing."""
    actual_start: datetime | None = None
    offset_s: float = 0.0
    resumed: bool = False
    announcement_id: int | None = None
    """The announcement this item reads (marked as aired once it has played)."""

    def to_json(self) -> dict[str, Any]:
        """For the state file."""
        data = dict(self.__dict__)
        for name in ("scheduled_start", "planned_end", "actual_start"):
            value = data[name]
            data[name] = value.isoformat() if value else None
        for name in ("item_kind", "priority", "outcome", "category"):
            data[name] = data[name].value if data[name] is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemRecord:
        """Back from the state file."""
        values = dict(data)
        for name in ("scheduled_start", "planned_end", "actual_start"):
            values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
        values["item_kind"] = ItemKind(values["item_kind"])
        values["priority"] = Priority(values["priority"])
        values["outcome"] = Outcome(values["outcome"])
        values["category"] = Category(values["category"]) if values.get("category") else None
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


def parse_instant(value: Any) -> datetime | None:
    """An ISO 8601 instant from the state file as UTC (``None`` when missing or unreadable)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).astimezone(UTC)
    except ValueError:
        return None


__all__ = ["EMERGENCY_TITLE", "KEY_SEPARATOR", "ItemRecord", "parse_instant"]
