"""A province's upstream office (the hub, issue 19) and its stations: the messages that are not already the
fleet's (:mod:`truyenthanh.domain.fleet`). Pure Python.

The hub is to its stations what a station is to its receivers, over the same transport: each station is a
receiver of the hub's fleet, alone in a zone named after it, so ``tt/<hub>/zone/<station>/command`` reaches
one station and the broker's ACLs (one account per station) keep each station to its own topics. Downward:

- a signed :class:`~truyenthanh.domain.fleet.Envelope` of kind ``package`` whose body is a
  :class:`PackageNotice` (the station fetches ``/files/<sha256>`` from the hub's file server with Range
  resume, then imports it through its own package import, which verifies the package's own signature);
- a signed ``command`` (:class:`~truyenthanh.domain.fleet.Command`, action ``emergency`` or ``cancel``); an
  emergency's spoken text travels beside it in the body under ``text``.

Upward, unsigned (the broker's ACL lets a station write only its own topics): a retained
:class:`StationHealth` on ``tt/<hub>/receiver/<station>/status`` (its MQTT last will is the offline one) and a
:class:`~truyenthanh.domain.fleet.CommandAck` per notice or command on ``.../ack``.

A package notice is an envelope kind of its own, not a command: a package is not live (it must not be refused
as stale after a minute, as :data:`~truyenthanh.domain.fleet.COMMAND_MAX_AGE` refuses a late emergency), and a
station's receivers must never mistake it for something to play.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from truyenthanh.domain.fleet import _field, _load, canonical, read_when, when
from truyenthanh.errors import FleetError

PACKAGE_WAITING = "waiting"
"""A package acknowledgement's ``reason`` prefix when it was imported and waits for the commune's approver."""


@dataclass(frozen=True)
class PackageNotice:
    """A package the hub offers: fetch ``/files/<sha256>`` (``size`` bytes) and import it."""

    notice_id: str
    sha256: str
    size: int
    name: str
    """The package's file name at the hub, for people reading a log."""

    def to_dict(self) -> dict[str, Any]:
        """The envelope's body."""
        return {"notice_id": self.notice_id, "sha256": self.sha256, "size": self.size, "name": self.name}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PackageNotice:
        """Read an envelope's body.

        Raises:
            FleetError: a field is missing, of the wrong type, or the digest is not 64 lower-case hex digits.
        """
        digest = str(_field(data, "sha256", str))
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise FleetError(f"Mã sha256 không hợp lệ: {digest!r}.", field="sha256")
        size = int(_field(data, "size", int))
        if size <= 0:
            raise FleetError(f"Kích thước gói không hợp lệ: {size}.", field="size")
        return cls(str(_field(data, "notice_id", str)), digest, size, str(data.get("name", "")))


@dataclass(frozen=True)
class StationHealth:
    """A station's retained health at its hub. Its keys are a superset of a receiver's
    :class:`~truyenthanh.domain.fleet.ReceiverStatus`, so the hub's fleet records read it as one."""

    receiver: str
    """The station's slug at the hub."""
    zone: str
    online: bool
    at: datetime
    daemon_ok: bool = True
    device_ok: bool = True
    device_error: str | None = None
    playing: str | None = None
    next_airing: datetime | None = None
    next_title: str | None = None
    misses_24h: int = 0
    """Airings logged as missed in the 24 hours before ``at``."""
    free_disk_bytes: int | None = None
    refused: str | None = None
    """The last message from the hub the station refused, in Vietnamese, with why."""
    version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "receiver": self.receiver,
            "zone": self.zone,
            "online": self.online,
            "at": when(self.at),
            "daemon_ok": self.daemon_ok,
            "device_ok": self.device_ok,
            "device_error": self.device_error,
            "playing": self.playing,
            "next_airing": when(self.next_airing) if self.next_airing else None,
            "next_title": self.next_title,
            "misses_24h": self.misses_24h,
            "free_disk_bytes": self.free_disk_bytes,
            "refused": self.refused,
            "version": self.version,
        }

    def encode(self) -> bytes:
        """The MQTT payload."""
        return canonical(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StationHealth:
        """Read a health report (a stored one or a payload's).

        Raises:
            FleetError: a field is missing or unreadable.
        """
        next_airing = data.get("next_airing")
        disk = data.get("free_disk_bytes")
        return cls(
            receiver=str(_field(data, "receiver", str)),
            zone=str(_field(data, "zone", str)),
            online=bool(data.get("online")),
            at=read_when(data.get("at"), "at"),
            daemon_ok=bool(data.get("daemon_ok", True)),
            device_ok=bool(data.get("device_ok", True)),
            device_error=data.get("device_error") if isinstance(data.get("device_error"), str) else None,
            playing=data.get("playing") if isinstance(data.get("playing"), str) else None,
            next_airing=read_when(next_airing, "next_airing") if next_airing else None,
            next_title=data.get("next_title") if isinstance(data.get("next_title"), str) else None,
            misses_24h=int(data.get("misses_24h") or 0),
            free_disk_bytes=disk if isinstance(disk, int) else None,
            refused=data.get("refused") if isinstance(data.get("refused"), str) else None,
            version=str(data.get("version", "")),
        )

    @classmethod
    def decode(cls, raw: bytes) -> StationHealth:
        """Read a payload (see :meth:`from_dict`)."""
        return cls.from_dict(_load(raw))


__all__ = ["PACKAGE_WAITING", "PackageNotice", "StationHealth"]
