"""IP loudspeaker clusters (cụm loa, issue 18): the messages between a station and its receivers, their MQTT
topics, and the rules a receiver applies before it obeys one. Pure Python; signing and the broker are adapters.

The station signs what it sends (:class:`Envelope`: a zone's schedule, a command) with its Ed25519 key, the one
it signs packages with; a receiver checks the signature against the key it was given at enrolment, then
:func:`judge` decides with the sequence number and the age. Receivers' own messages (status, as-played
records, acknowledgements) are not signed: the broker lets each receiver write only its own topics (one
username and password per receiver, ACLs written by ``truyenthanh broker config``).

Topics, under ``tt/<station>`` (``station`` is ``Settings.fleet_station_id``; zones and receivers are named by
their ASCII slug, :func:`slug`):

- ``tt/<station>/zone/<zone>/schedule`` (station → receivers, retained): a signed :class:`ZoneSchedule`;
- ``tt/<station>/zone/<zone>/command`` (station → receivers, QoS 1, not retained): a signed :class:`Command`;
- ``tt/<station>/receiver/<receiver>/inbox`` (station → one receiver, QoS 1): a signed :class:`Command` for it
  alone (test tone, volume, re-sync of one box);
- ``tt/<station>/receiver/<receiver>/status`` (receiver → station, retained; the MQTT last will publishes an
  offline :class:`ReceiverStatus` there): :class:`ReceiverStatus`;
- ``tt/<station>/receiver/<receiver>/played`` (receiver → station, QoS 1): :class:`AsPlayed`, one per item,
  kept on the receiver's disk until the broker acknowledges it; the station stores each ``record_id`` once;
- ``tt/<station>/receiver/<receiver>/ack`` (receiver → station, QoS 1): :class:`CommandAck`.

Every datetime is timezone-aware and travels as ISO 8601 with milliseconds; every JSON object is encoded with
sorted keys and no spaces (:func:`canonical`), which is what the signature covers.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from truyenthanh.errors import FleetError

FORMAT = "truyenthanh-fleet/1"
"""The ``format`` of every envelope; a receiver refuses any other."""

TOPIC_ROOT = "tt"

SCHEDULE_DAYS = 7
"""How far ahead a zone's schedule reaches (days)."""


def slug(name: str) -> str:
    """An MQTT- and file-safe ASCII name for a zone or receiver: ``Thôn Đông 2`` → ``thon-dong-2``."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


# ------------------------------------------------------------------------------------------------- topics


def zone_topic(station: str, zone: str, leaf: str) -> str:
    """``tt/<station>/zone/<zone>/<leaf>``, ``leaf`` being ``schedule`` or ``command``."""
    return f"{TOPIC_ROOT}/{station}/zone/{zone}/{leaf}"


def receiver_topic(station: str, receiver: str, leaf: str) -> str:
    """``tt/<station>/receiver/<receiver>/<leaf>``: ``inbox``, ``status``, ``played`` or ``ack``."""
    return f"{TOPIC_ROOT}/{station}/receiver/{receiver}/{leaf}"


def parse_receiver_topic(topic: str) -> tuple[str, str, str] | None:
    """``(station, receiver, leaf)`` of a receiver topic, or ``None``."""
    parts = topic.split("/")
    if len(parts) == 5 and parts[0] == TOPIC_ROOT and parts[2] == "receiver":
        return parts[1], parts[3], parts[4]
    return None


# ------------------------------------------------------------------------------------------------ encoding


def canonical(data: Mapping[str, Any]) -> bytes:
    """The exact bytes a signature covers: UTF-8 JSON, sorted keys, no spaces."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def when(value: datetime) -> str:
    """A datetime on the wire."""
    if value.tzinfo is None:
        raise ValueError("naive datetime on the wire")
    return value.isoformat(timespec="milliseconds")


def read_when(value: Any, name: str) -> datetime:
    """A datetime from the wire, or :class:`FleetError` naming the field."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise FleetError(f"Trường «{name}» không phải là thời điểm: {value!r}.") from exc
    if parsed.tzinfo is None:
        raise FleetError(f"Trường «{name}» thiếu múi giờ: {value!r}.")
    return parsed


def _load(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FleetError(f"Tin nhắn không phải JSON hợp lệ: {exc}.") from exc
    if not isinstance(data, dict):
        raise FleetError("Tin nhắn không phải một đối tượng JSON.")
    return data


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        raise FleetError(f"Thiếu trường «{name}» hoặc sai kiểu.")
    return value


# --------------------------------------------------------------------------------------------- the messages


@dataclass(frozen=True)
class FileRef:
    """One audio file a receiver needs, fetched from the station's file server at ``/files/<sha256>``."""

    sha256: str
    size: int
    duration_s: float
    name: str = ""
    """The file's name in the station's library, for people reading a status."""
    gain_db: float = 0.0
    """The gain the station's engine would apply (loudness normalisation plus the item's own gain)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "duration_s": self.duration_s,
            "name": self.name,
            "gain_db": self.gain_db,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileRef:
        digest = str(_field(data, "sha256", str))
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise FleetError(f"Mã sha256 không hợp lệ: {digest!r}.")
        return cls(
            sha256=digest,
            size=int(_field(data, "size", int)),
            duration_s=float(_field(data, "duration_s", (int, float))),
            name=str(data.get("name", "")),
            gain_db=float(data.get("gain_db", 0.0)),
        )


@dataclass(frozen=True)
class ZoneAiring:
    """One airing of a zone's schedule: its items, played back to back from ``start``."""

    airing_id: str
    """Stable across republishing: the station's schedule id and the occurrence's start (``"12@2026-12-07T…"``)."""
    start: datetime
    title: str
    items: tuple[FileRef, ...]
    priority: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "airing_id": self.airing_id,
            "start": when(self.start),
            "title": self.title,
            "items": [item.to_dict() for item in self.items],
            "priority": self.priority,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ZoneAiring:
        return cls(
            airing_id=str(_field(data, "airing_id", str)),
            start=read_when(data.get("start"), "start"),
            title=str(data.get("title", "")),
            items=tuple(FileRef.from_dict(item) for item in _field(data, "items", list)),
            priority=int(data.get("priority", 0)),
        )


@dataclass(frozen=True)
class ZoneSchedule:
    """What one zone airs over the next :data:`SCHEDULE_DAYS` days, as the station planned it."""

    zone: str
    generated_at: datetime
    valid_until: datetime
    """The end of the period the list covers; a receiver past it has nothing left to air (stale)."""
    airings: tuple[ZoneAiring, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "generated_at": when(self.generated_at),
            "valid_until": when(self.valid_until),
            "airings": [airing.to_dict() for airing in self.airings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ZoneSchedule:
        return cls(
            zone=str(_field(data, "zone", str)),
            generated_at=read_when(data.get("generated_at"), "generated_at"),
            valid_until=read_when(data.get("valid_until"), "valid_until"),
            airings=tuple(ZoneAiring.from_dict(a) for a in _field(data, "airings", list)),
        )

    def files(self) -> list[FileRef]:
        """Every file the schedule needs, each once, in order of first use."""
        seen: dict[str, FileRef] = {}
        for airing in sorted(self.airings, key=lambda a: a.start):
            for item in airing.items:
                seen.setdefault(item.sha256, item)
        return list(seen.values())


class Action(StrEnum):
    """What a command asks a receiver to do."""

    EMERGENCY = "emergency"
    """Break in now: the alert tone, then ``items`` (fetched at once, or ``inline``), ``repeat`` times.

    Without ``items`` and ``inline`` it is the alert alone: the tone sounds at once and the box holds the
    emergency for its bulletin. With ``ref`` naming the emergency on air, it is that emergency's bulletin: played
    after its alert, with no second alert; with a ``ref`` the box does not know (it missed the alert, e.g. while
    offline) it is a full break-in. A box starts the alert before it fetches a bulletin that is not inline."""
    CANCEL = "cancel"
    """End the emergency ``ref`` (or any emergency) and go back to the schedule."""
    STOP = "stop"
    """Stop whatever is playing now (the schedule carries on at its next airing)."""
    VOLUME = "volume"
    """Set the output volume to ``volume`` percent (0–100)."""
    TEST_TONE = "test_tone"
    """Play the test tone once."""
    RESYNC = "resync"
    """Fetch the retained schedule again and check every cached file."""


@dataclass(frozen=True)
class Command:
    """A live command to a zone's receivers (or to one receiver, through its inbox)."""

    command_id: str
    action: Action
    items: tuple[FileRef, ...] = ()
    inline: bytes | None = None
    """Small bulletin audio sent with the command itself (an encoded file, e.g. Ogg/Opus or MP3)."""
    volume: int | None = None
    repeat: int = 1
    ref: str | None = None
    """The command a ``cancel`` ends; on an ``emergency``, the alert-only emergency this is the bulletin of."""
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "command_id": self.command_id,
            "action": self.action.value,
            "items": [item.to_dict() for item in self.items],
            "repeat": self.repeat,
            "title": self.title,
        }
        if self.inline is not None:
            data["inline"] = base64.b64encode(self.inline).decode("ascii")
        if self.volume is not None:
            data["volume"] = self.volume
        if self.ref is not None:
            data["ref"] = self.ref
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Command:
        try:
            action = Action(str(data.get("action")))
        except ValueError as exc:
            raise FleetError(f"Lệnh không rõ: {data.get('action')!r}.") from exc
        inline = data.get("inline")
        volume = data.get("volume")
        if volume is not None and not (isinstance(volume, int) and 0 <= volume <= 100):
            raise FleetError(f"Âm lượng phải từ 0 đến 100: {volume!r}.")
        return cls(
            command_id=str(_field(data, "command_id", str)),
            action=action,
            items=tuple(FileRef.from_dict(item) for item in data.get("items") or []),
            inline=base64.b64decode(inline) if isinstance(inline, str) else None,
            volume=volume,
            repeat=max(1, int(data.get("repeat", 1))),
            ref=data.get("ref") if isinstance(data.get("ref"), str) else None,
            title=str(data.get("title", "")),
        )


class Kind(StrEnum):
    """What an envelope carries."""

    SCHEDULE = "schedule"
    COMMAND = "command"
    PACKAGE = "package"
    """A hub's notice of a signed ``.ttpkg`` for its stations (issue 19, :mod:`truyenthanh.domain.upstream`)."""


@dataclass(frozen=True)
class Envelope:
    """A signed station message. ``seq`` grows with every message the station sends (one counter per station,
    kept in its database); ``signature`` is the station key's Ed25519 signature of :meth:`signed_bytes`."""

    kind: Kind
    station: str
    seq: int
    issued_at: datetime
    body: dict[str, Any]
    signature: bytes = b""

    def signed_bytes(self) -> bytes:
        """What the signature covers: everything but the signature."""
        return canonical(
            {
                "format": FORMAT,
                "kind": self.kind.value,
                "station": self.station,
                "seq": self.seq,
                "issued_at": when(self.issued_at),
                "body": self.body,
            }
        )

    def signed(self, sign: Callable[[bytes], bytes]) -> Envelope:
        """This envelope with ``sign(signed_bytes())`` as its signature."""
        return Envelope(self.kind, self.station, self.seq, self.issued_at, self.body, sign(self.signed_bytes()))

    def encode(self) -> bytes:
        """The MQTT payload."""
        data = json.loads(self.signed_bytes())
        data["signature"] = base64.b64encode(self.signature).decode("ascii")
        return canonical(data)

    @classmethod
    def decode(cls, raw: bytes) -> Envelope:
        """Read a payload (not yet trusted: see :func:`judge`)."""
        data = _load(raw)
        if data.get("format") != FORMAT:
            raise FleetError(f"Định dạng tin nhắn không được hỗ trợ: {data.get('format')!r}.")
        try:
            kind = Kind(str(data.get("kind")))
            signature = base64.b64decode(str(_field(data, "signature", str)), validate=True)
        except ValueError as exc:
            raise FleetError("Loại tin nhắn hoặc chữ ký không đọc được.") from exc
        return cls(
            kind=kind,
            station=str(_field(data, "station", str)),
            seq=int(_field(data, "seq", int)),
            issued_at=read_when(data.get("issued_at"), "issued_at"),
            body=dict(_field(data, "body", dict)),
            signature=signature,
        )


class Refusal(StrEnum):
    """Why a receiver refused a station message (shown on the station's «Cụm loa» screen)."""

    FORGED = "forged"
    REPLAYED = "replayed"
    STALE = "stale"
    OTHER_STATION = "other_station"
    MALFORMED = "malformed"

    @property
    def text(self) -> str:
        """The reason in Vietnamese."""
        return _REFUSAL_TEXT[self]


_REFUSAL_TEXT = {
    Refusal.FORGED: "chữ ký không đúng khoá của đài (tin giả mạo)",
    Refusal.REPLAYED: "số thứ tự đã dùng (tin phát lại)",
    Refusal.STALE: "tin quá cũ",
    Refusal.OTHER_STATION: "tin của đài khác",
    Refusal.MALFORMED: "tin nhắn hỏng",
}


COMMAND_MAX_AGE = timedelta(seconds=60)
"""A command older than this (by its ``issued_at`` against the receiver's clock, after the measured offset) is
refused as stale: an emergency must not play an hour late because a link came back."""


def judge(
    envelope: Envelope,
    *,
    station: str,
    verify: Callable[[bytes, bytes], bool],
    last_seq: int,
    now: datetime,
    max_age: timedelta | None,
) -> Refusal | None:
    """``None`` if the receiver may act on ``envelope``, else why not.

    ``verify(message, signature)`` is the station's public key; ``last_seq`` the highest sequence number the
    receiver has accepted for this kind (a retained schedule it already holds comes back with the same number
    on every reconnect: the caller ignores ``seq == last_seq`` of a schedule quietly before calling);
    ``max_age`` ``None`` accepts any age (schedules carry their own ``valid_until``).
    """
    if not verify(envelope.signed_bytes(), envelope.signature):
        return Refusal.FORGED
    if envelope.station != station:
        return Refusal.OTHER_STATION
    if envelope.seq <= last_seq:
        return Refusal.REPLAYED
    if max_age is not None and now - envelope.issued_at > max_age:
        return Refusal.STALE
    return None


# ------------------------------------------------------------------------------------- receiver → station


@dataclass(frozen=True)
class ReceiverStatus:
    """A receiver's retained status. ``online`` false is what the MQTT last will publishes."""

    receiver: str
    zone: str
    online: bool
    at: datetime
    playing: str | None = None
    """Title of what plays now."""
    volume: int | None = None
    last_sync: datetime | None = None
    """When the receiver last had its schedule and every file of it."""
    schedule_seq: int = 0
    schedule_valid_until: datetime | None = None
    free_disk_bytes: int | None = None
    clock_offset_ms: float | None = None
    """The receiver's clock minus the station's (measured against the station's ``/time``)."""
    version: str = ""
    refused: str | None = None
    """The last refusal, in Vietnamese, with when and why (:class:`Refusal`)."""
    missing_files: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "receiver": self.receiver,
            "zone": self.zone,
            "online": self.online,
            "at": when(self.at),
            "playing": self.playing,
            "volume": self.volume,
            "last_sync": when(self.last_sync) if self.last_sync else None,
            "schedule_seq": self.schedule_seq,
            "schedule_valid_until": when(self.schedule_valid_until) if self.schedule_valid_until else None,
            "free_disk_bytes": self.free_disk_bytes,
            "clock_offset_ms": self.clock_offset_ms,
            "version": self.version,
            "refused": self.refused,
            "missing_files": self.missing_files,
        }

    def encode(self) -> bytes:
        return canonical(self.to_dict())

    @classmethod
    def decode(cls, raw: bytes) -> ReceiverStatus:
        data = _load(raw)
        return cls(
            receiver=str(_field(data, "receiver", str)),
            zone=str(_field(data, "zone", str)),
            online=bool(data.get("online")),
            at=read_when(data.get("at"), "at"),
            playing=data.get("playing") if isinstance(data.get("playing"), str) else None,
            volume=data.get("volume") if isinstance(data.get("volume"), int) else None,
            last_sync=read_when(data["last_sync"], "last_sync") if data.get("last_sync") else None,
            schedule_seq=int(data.get("schedule_seq") or 0),
            schedule_valid_until=(
                read_when(data["schedule_valid_until"], "schedule_valid_until")
                if data.get("schedule_valid_until")
                else None
            ),
            free_disk_bytes=data.get("free_disk_bytes") if isinstance(data.get("free_disk_bytes"), int) else None,
            clock_offset_ms=(
                float(data["clock_offset_ms"]) if isinstance(data.get("clock_offset_ms"), (int, float)) else None
            ),
            version=str(data.get("version", "")),
            refused=data.get("refused") if isinstance(data.get("refused"), str) else None,
            missing_files=int(data.get("missing_files") or 0),
        )


class PlayedOutcome(StrEnum):
    """How an item went on a receiver."""

    PLAYED = "played"
    PARTIAL = "partial"
    FAILED = "failed"
    MISSED = "missed"
    """Never started: the file was missing, the box was off at the time, the schedule was stale."""


@dataclass(frozen=True)
class AsPlayed:
    """One item as a receiver played it (or failed to). ``record_id`` is unique: the station stores it once."""

    record_id: str
    receiver: str
    zone: str
    airing_id: str
    """The :class:`ZoneAiring` id, or ``command:<command_id>`` for an emergency or a test tone."""
    title: str
    sha256: str
    outcome: PlayedOutcome
    started_at: datetime | None
    ended_at: datetime | None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "receiver": self.receiver,
            "zone": self.zone,
            "airing_id": self.airing_id,
            "title": self.title,
            "sha256": self.sha256,
            "outcome": self.outcome.value,
            "started_at": when(self.started_at) if self.started_at else None,
            "ended_at": when(self.ended_at) if self.ended_at else None,
            "reason": self.reason,
        }

    def encode(self) -> bytes:
        return canonical(self.to_dict())

    @classmethod
    def decode(cls, raw: bytes) -> AsPlayed:
        data = _load(raw)
        try:
            outcome = PlayedOutcome(str(data.get("outcome")))
        except ValueError as exc:
            raise FleetError(f"Kết quả phát không rõ: {data.get('outcome')!r}.") from exc
        return cls(
            record_id=str(_field(data, "record_id", str)),
            receiver=str(_field(data, "receiver", str)),
            zone=str(_field(data, "zone", str)),
            airing_id=str(_field(data, "airing_id", str)),
            title=str(data.get("title", "")),
            sha256=str(data.get("sha256", "")),
            outcome=outcome,
            started_at=read_when(data["started_at"], "started_at") if data.get("started_at") else None,
            ended_at=read_when(data["ended_at"], "ended_at") if data.get("ended_at") else None,
            reason=str(data.get("reason", "")),
        )


@dataclass(frozen=True)
class CommandAck:
    """A receiver's answer to a command: when it acted (``heard_at``: the first sample out) or why not."""

    command_id: str
    receiver: str
    at: datetime
    ok: bool
    heard_at: datetime | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "command_id": self.command_id,
            "receiver": self.receiver,
            "at": when(self.at),
            "ok": self.ok,
            "heard_at": when(self.heard_at) if self.heard_at else None,
            "reason": self.reason,
        }

    def encode(self) -> bytes:
        return canonical(self.to_dict())

    @classmethod
    def decode(cls, raw: bytes) -> CommandAck:
        data = _load(raw)
        return cls(
            command_id=str(_field(data, "command_id", str)),
            receiver=str(_field(data, "receiver", str)),
            at=read_when(data.get("at"), "at"),
            ok=bool(data.get("ok")),
            heard_at=read_when(data["heard_at"], "heard_at") if data.get("heard_at") else None,
            reason=str(data.get("reason", "")),
        )


# ----------------------------------------------------------------------------------------------- enrolment


@dataclass(frozen=True)
class Enrolment:
    """What the station's file server answers to ``POST /enrol`` with a valid one-time code (``{"code": ...,
    "name": ...}``): everything a receiver needs to join, saved in its state folder."""

    station: str
    receiver: str
    zone: str
    broker_host: str
    broker_port: int
    username: str
    password: str
    broker_ca_pem: str
    """The broker's TLS certificate authority (the station made it with ``broker config``)."""
    station_public_key: str
    """Base64 of the station's raw Ed25519 public key."""
    files_url: str
    """``http://station:port`` of the station's file server (``/files/<sha256>``, ``/time``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "receiver": self.receiver,
            "zone": self.zone,
            "broker_host": self.broker_host,
            "broker_port": self.broker_port,
            "username": self.username,
            "password": self.password,
            "broker_ca_pem": self.broker_ca_pem,
            "station_public_key": self.station_public_key,
            "files_url": self.files_url,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Enrolment:
        return cls(
            station=str(_field(data, "station", str)),
            receiver=str(_field(data, "receiver", str)),
            zone=str(_field(data, "zone", str)),
            broker_host=str(_field(data, "broker_host", str)),
            broker_port=int(_field(data, "broker_port", int)),
            username=str(_field(data, "username", str)),
            password=str(_field(data, "password", str)),
            broker_ca_pem=str(_field(data, "broker_ca_pem", str)),
            station_public_key=str(_field(data, "station_public_key", str)),
            files_url=str(_field(data, "files_url", str)),
        )


@dataclass(frozen=True)
class Targets:
    """Where a schedule or programme airs: the station's own output and/or zones (slugs). ``zones`` ``None``
    means every zone, the default; ``()`` means none."""

    local: bool = True
    zones: tuple[str, ...] | None = None

    def reaches(self, other: Targets, all_zones: Sequence[str]) -> bool:
        """Whether two targets share an output (conflicts are checked per target)."""
        if self.local and other.local:
            return True
        mine = set(all_zones if self.zones is None else self.zones)
        theirs = set(all_zones if other.zones is None else other.zones)
        return bool(mine & theirs)

    def zone_list(self, all_zones: Sequence[str]) -> list[str]:
        """The zones this reaches, in the station's order."""
        return list(all_zones) if self.zones is None else [z for z in all_zones if z in self.zones]


__all__ = [
    "COMMAND_MAX_AGE",
    "FORMAT",
    "SCHEDULE_DAYS",
    "Action",
    "AsPlayed",
    "Command",
    "CommandAck",
    "Enrolment",
    "Envelope",
    "FileRef",
    "FleetError",
    "Kind",
    "PlayedOutcome",
    "ReceiverStatus",
    "Refusal",
    "Targets",
    "ZoneAiring",
    "ZoneSchedule",
    "judge",
    "parse_receiver_topic",
    "receiver_topic",
    "slug",
    "zone_topic",
]
