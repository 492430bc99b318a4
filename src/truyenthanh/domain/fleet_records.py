"""The station's own records of its loudspeaker clusters (issue 18), as the fleet repository hands them to the
fleet service: zones, enrolled receivers, one-time enrolment codes, schedule targets. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ZoneRecord:
    """A loudspeaker zone (cụm loa / khu vực) the station addresses."""

    name: str
    slug: str
    """Its ASCII name in topics and files."""
    hamlet: str = ""
    enabled: bool = True

    def to_json(self) -> dict[str, Any]:
        """JSON-ready copy (audit snapshots)."""
        return {"name": self.name, "slug": self.slug, "hamlet": self.hamlet, "enabled": self.enabled}


@dataclass(frozen=True)
class ReceiverRecord:
    """An enrolled receiver box and what the station last heard from it."""

    slug: str
    """Its name in topics, also its broker username."""
    name: str
    zone_slug: str
    password_hash: str
    """The broker password's ``$7$`` hash (the password itself is never kept)."""
    enrolled_at: datetime
    online: bool = False
    last_seen: datetime | None = None
    last_status: dict[str, Any] | None = None
    """The last status it published, as sent (a :class:`~truyenthanh.domain.fleet.ReceiverStatus` dict)."""
    revoked_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready copy without the password hash (audit snapshots)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "zone": self.zone_slug,
            "enrolled_at": self.enrolled_at.isoformat(),
        }


@dataclass(frozen=True)
class CodeRecord:
    """A one-time enrolment code, found by the SHA-256 of the code (the code itself is never kept)."""

    code_hash: str
    zone_slug: str
    issued_by: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    receiver_slug: str | None = None


@dataclass(frozen=True)
class ScheduleTargets:
    """Where one schedule airs, read from its row: the station's own output and the zones (``None``: all)."""

    local: bool = True
    zones: tuple[str, ...] | None = None

    def reaches_zone(self, zone_slug: str) -> bool:
        """Whether the schedule airs in this zone."""
        return self.zones is None or zone_slug in self.zones


@dataclass(frozen=True)
class ZonePlayCount:
    """How many airings a zone's receivers reported over one period: played (at least one item aired), and
    failed (nothing aired: failed or missed)."""

    zone: str
    """The zone's name."""
    played: int
    failed: int


@dataclass(frozen=True)
class CommandRecord:
    """A command the station (or hub) sent, as recorded, with its receivers' answers."""

    command_id: str
    action: str
    """``emergency``, ``cancel``, ``package``, ``test_tone``, ...: what the sender recorded."""
    zones: tuple[str, ...]
    """The zone slugs it was sent to (empty for a command sent to one receiver's inbox)."""
    receiver_slug: str | None
    issued_by: str
    issued_at: datetime
    acks: dict[str, Any]
    """By receiver slug: ``{"ok": bool, "at": iso, "heard_at": iso | None, "reason": str}``."""


__all__ = ["CodeRecord", "CommandRecord", "ReceiverRecord", "ScheduleTargets", "ZonePlayCount", "ZoneRecord"]
