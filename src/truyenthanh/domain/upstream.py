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
:class:`StationHealth` on ``tt/<hub>/receiver/<station>/status`` (its MQTT last will is the offline one), a
:class:`~truyenthanh.domain.fleet.CommandAck` per notice or command on ``.../ack``, and the station's broadcast
log as :class:`LogBatch` messages on ``.../played`` (:data:`LOG_LEAF`: a station's log is to its hub what a
receiver's as-played records are to its station, and the ACL already lets it write there).

The log's way up is resumable and idempotent without any state at the station: the hub answers each batch with
a retained :class:`LogReceipt` on ``tt/<hub>/zone/<station>/log`` (:data:`RECEIPT_LEAF`, readable by the station
as its zone's topic), naming the last row it holds. On every (re)connect the station reads that receipt and
sends the rows after it, in order, :data:`LOG_BATCH_ROWS` at a time. The hub stores a row once: :func:`accept`
skips rows it holds and refuses a batch that does not continue the station's chain (a gap, or a ``prev_hash``
that is not the previous row's ``row_hash``), saying so in the receipt.

A package notice is an envelope kind of its own, not a command: a package is not live (it must not be refused
as stale after a minute, as :data:`~truyenthanh.domain.fleet.COMMAND_MAX_AGE` refuses a late emergency), and a
station's receivers must never mistake it for something to play.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.domain.fleet import _field, _load, canonical, read_when, when
from truyenthanh.domain.hashchain import GENESIS
from truyenthanh.domain.reports import LogRow
from truyenthanh.errors import FleetError

PACKAGE_WAITING = "waiting"
"""A package acknowledgement's ``reason`` prefix when it was imported and waits for the commune's approver."""
LOG_LEAF = "played"
"""Receiver-topic leaf a station sends its :class:`LogBatch` messages on (``tt/<hub>/receiver/<station>/played``)."""
RECEIPT_LEAF = "log"
"""Zone-topic leaf the hub keeps each station's retained :class:`LogReceipt` on (``tt/<hub>/zone/<station>/log``)."""
LOG_BATCH_ROWS = 500
"""The most rows one :class:`LogBatch` carries."""


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
class LogProgress:
    """A station's broadcast log on its way up, as its health report tells the hub."""

    pending: int | None = None
    """Rows the hub does not hold yet (``None``: not known, before the hub's first receipt is read)."""
    problem: str | None = None
    """Why the hub refused the station's last batch, in Vietnamese (its :class:`LogReceipt`'s problem)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"pending": self.pending, "problem": self.problem}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogProgress:
        """Read it back (an unreadable value reads as not known)."""
        pending, problem = data.get("pending"), data.get("problem")
        return cls(
            pending if isinstance(pending, int) and not isinstance(pending, bool) else None,
            problem if isinstance(problem, str) else None,
        )


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
    log: LogProgress | None = None
    """How far the station's broadcast log has come up to the hub (``None`` in reports from older versions
    and in the offline last will)."""

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
            "log": self.log.to_dict() if self.log else None,
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
        progress = data.get("log")
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
            log=LogProgress.from_dict(progress) if isinstance(progress, Mapping) else None,
        )

    @classmethod
    def decode(cls, raw: bytes) -> StationHealth:
        """Read a payload (see :meth:`from_dict`)."""
        return cls.from_dict(_load(raw))


@dataclass(frozen=True)
class ShippedRow:
    """One broadcast-log row of a station as its hub receives it: where it sits in the station's chain and its
    hashed content (:func:`truyenthanh.domain.records.broadcast_content` made JSON-ready by
    :func:`truyenthanh.domain.records.plain`: instants as ISO text, enums as their values)."""

    row_id: int
    prev_hash: str
    row_hash: str
    content: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "row_id": self.row_id,
            "prev_hash": self.prev_hash,
            "row_hash": self.row_hash,
            "content": dict(self.content),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShippedRow:
        """Read one shipped row.

        Raises:
            FleetError: a field is missing or of the wrong type, or a hash is not 64 lower-case hex digits.
        """
        row_id = int(_field(data, "row_id", int))
        hashes = [str(_field(data, name, str)) for name in ("prev_hash", "row_hash")]
        for name, value in zip(("prev_hash", "row_hash"), hashes, strict=True):
            if not re.fullmatch(r"[0-9a-f]{64}", value):
                raise FleetError(f"Dòng {row_id} của nhật ký: {name} không hợp lệ ({value!r}).", field=name)
        content = data.get("content")
        if not isinstance(content, Mapping):
            raise FleetError(f"Dòng {row_id} của nhật ký không có nội dung.", field="content")
        return cls(row_id, hashes[0], hashes[1], dict(content))

    def log_row(self) -> LogRow:
        """The row as the reports read it.

        Raises:
            FleetError: the content lacks a field the reports need or holds a value no version writes (naming
                the row and the field).
        """
        content = self.content

        def instant(name: str) -> datetime | None:
            value = content.get(name)
            return read_when(value, name) if value else None

        try:
            recorded = instant("recorded_at")
            if recorded is None:
                raise FleetError(f"Dòng {self.row_id} của nhật ký thiếu recorded_at.", field="recorded_at")
            kind, category = content.get("item_kind"), content.get("category")
            return LogRow(
                id=self.row_id,
                programme_title=str(content.get("programme_title") or ""),
                item_title=str(content.get("item_title") or ""),
                item_kind=ItemKind(kind) if kind else None,
                category=Category(category) if category else None,
                language=str(content.get("language") or "vi"),
                priority=Priority(content.get("priority") or Priority.NORMAL.value),
                scheduled_start=instant("scheduled_start"),
                actual_start=instant("actual_start"),
                end=instant("end"),
                outcome=Outcome(content["outcome"]),
                reason=str(content.get("reason") or ""),
                outages=tuple(content.get("outages") or ()),
                operator=content.get("operator"),
                approver=content.get("approver"),
                recorded_at=recorded,
                schedule_id=content.get("schedule_id"),
                programme_id=content.get("programme_id"),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise FleetError(f"Dòng {self.row_id} của nhật ký không đọc được: {exc}.", field="content") from exc


@dataclass(frozen=True)
class LogBatch:
    """Consecutive rows of one station's broadcast log, oldest first (at most :data:`LOG_BATCH_ROWS`)."""

    station: str
    rows: tuple[ShippedRow, ...]

    def encode(self) -> bytes:
        """The MQTT payload."""
        return canonical({"station": self.station, "rows": [row.to_dict() for row in self.rows]})

    @classmethod
    def decode(cls, raw: bytes) -> LogBatch:
        """Read a payload.

        Raises:
            FleetError: the payload or one of its rows is unreadable.
        """
        data = _load(raw)
        rows = data.get("rows")
        if not isinstance(rows, list):
            raise FleetError("Gói nhật ký không có danh sách dòng.", field="rows")
        return cls(str(_field(data, "station", str)), tuple(ShippedRow.from_dict(row) for row in rows))


@dataclass(frozen=True)
class LogReceipt:
    """What the hub holds of a station's log: its last row (``0`` and :data:`GENESIS` when none), and why the
    last batch was refused, if it was."""

    station: str
    last_id: int
    last_hash: str
    at: datetime
    problem: str | None = None
    """Vietnamese, naming the row (a gap, a broken link); ``None`` when the last batch was taken."""

    def encode(self) -> bytes:
        """The MQTT payload (retained)."""
        return canonical(
            {
                "station": self.station,
                "last_id": self.last_id,
                "last_hash": self.last_hash,
                "at": when(self.at),
                "problem": self.problem,
            }
        )

    @classmethod
    def decode(cls, raw: bytes) -> LogReceipt:
        """Read a payload.

        Raises:
            FleetError: a field is missing or unreadable.
        """
        data = _load(raw)
        problem = data.get("problem")
        return cls(
            station=str(_field(data, "station", str)),
            last_id=int(_field(data, "last_id", int)),
            last_hash=str(_field(data, "last_hash", str)),
            at=read_when(data.get("at"), "at"),
            problem=problem if isinstance(problem, str) else None,
        )


def accept(last_id: int, last_hash: str, rows: Sequence[ShippedRow]) -> tuple[list[ShippedRow], str | None]:
    """Which rows of a batch the hub stores, given the last row it holds (``0``/:data:`GENESIS` for none).

    Rows up to ``last_id`` are held already and skipped (a batch sent twice changes nothing). The rest must
    follow on: ids one apart from ``last_id + 1``, each ``prev_hash`` the previous row's ``row_hash``. The
    rows before the first break are taken; the break is returned as a Vietnamese problem naming the row.
    """
    taken: list[ShippedRow] = []
    expected_id, expected_hash = last_id + 1, last_hash or GENESIS
    for row in rows:
        if row.row_id < expected_id:
            continue
        if row.row_id != expected_id:
            return taken, f"thiếu dòng {expected_id}–{row.row_id - 1} của nhật ký (nhận được dòng {row.row_id})"
        if row.prev_hash != expected_hash:
            return taken, f"dòng {row.row_id} không nối tiếp dòng {row.row_id - 1}: chuỗi băm bị đứt"
        taken.append(row)
        expected_id, expected_hash = row.row_id + 1, row.row_hash
    return taken, None


__all__ = [
    "LOG_BATCH_ROWS",
    "LOG_LEAF",
    "PACKAGE_WAITING",
    "RECEIPT_LEAF",
    "LogBatch",
    "LogProgress",
    "LogReceipt",
    "PackageNotice",
    "ShippedRow",
    "StationHealth",
    "accept",
]
