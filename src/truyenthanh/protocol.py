"""The typed messages between the daemon and its clients (the TUI, the CLI), encoded and decoded here only.

The daemon builds these dataclasses and publishes :func:`encode` of them on its control channel; clients read
them back with :func:`decode_event` and :meth:`DaemonStatus.from_json`. The wire form is JSON objects with a
``"type"`` field (events) and the status object of the ``status`` command; both sides are type-checked against
the same classes. Datetimes are timezone-aware and travel as ISO 8601 strings.

Pure Python: no Textual, no database, so the TUI can import it before anything heavy loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from truyenthanh.domain.enums import Outcome, Priority

# ----------------------------------------------------------------------------------------------- helpers


def _time(value: datetime | None, *, ms: bool = False) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds") if ms else value.isoformat()


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _float(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


# ------------------------------------------------------------------------------------------------ events


@dataclass(frozen=True)
class Problem:
    """Something the operator must know (Vietnamese), about one airing or the station."""

    kind: ClassVar[str] = "problem"
    message: str
    airing: str | None = None
    """Key of the airing concerned (``None``: the station as a whole)."""

    def to_json(self) -> dict[str, Any]:
        """Wire form (without ``type``)."""
        data: dict[str, Any] = {"message": self.message}
        if self.airing is not None:
            data["airing"] = self.airing
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        """Back from the wire."""
        return cls(message=_str(data.get("message")), airing=_optional_str(data.get("airing")))


@dataclass(frozen=True)
class DeviceChanged:
    """The sound output works again (``ok``) or stopped working, with a Vietnamese message."""

    kind: ClassVar[str] = "device"
    ok: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        """Wire form (without ``type``)."""
        return {"ok": self.ok, "message": self.message}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceChanged:
        """Back from the wire."""
        return cls(ok=bool(data.get("ok")), message=_str(data.get("message")))


@dataclass(frozen=True)
class AiringQueued:
    """An airing was handed to the engine (``start_at``: its first sample; ``None``: as soon as possible)."""

    kind: ClassVar[str] = "queued"
    airing: str
    programme: str
    start_at: datetime | None
    items: int

    def to_json(self) -> dict[str, Any]:
        """Wire form (without ``type``)."""
        return {"airing": self.airing, "programme": self.programme, "start_at": _time(self.start_at),
                "items": self.items}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AiringQueued:
        """Back from the wire."""
        return cls(airing=_str(data.get("airing")), programme=_str(data.get("programme")),
                   start_at=_parse(data.get("start_at")), items=_int(data.get("items")))  # fmt: skip


@dataclass(frozen=True)
class ItemStartedOnAir:
    """One item of an airing began to sound (``at``: its first sample)."""

    kind: ClassVar[str] = "started"
    airing: str
    programme: str
    item: str
    priority: Priority
    scheduled_start: datetime | None
    at: datetime

    def to_json(self) -> dict[str, Any]:
        """Wire form (without ``type``)."""
        return {
            "airing": self.airing,
            "programme": self.programme,
            "item": self.item,
            "priority": self.priority.value,
            "scheduled_start": _time(self.scheduled_start),
            "at": _time(self.at, ms=True),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemStartedOnAir:
        """Back from the wire."""
        return cls(
            airing=_str(data.get("airing")),
            programme=_str(data.get("programme")),
            item=_str(data.get("item")),
            priority=_priority(data.get("priority")),
            scheduled_start=_parse(data.get("scheduled_start")),
            at=_parse(data.get("at")) or datetime.fromtimestamp(0).astimezone(),
        )


@dataclass(frozen=True)
class ItemEndedOnAir:
    """One item stopped sounding, with the outcome written to the broadcast log and why."""

    kind: ClassVar[str] = "ended"
    airing: str
    programme: str
    item: str
    outcome: Outcome
    reason: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        """Wire form (without ``type``)."""
        return {
            "airing": self.airing,
            "programme": self.programme,
            "item": self.item,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "at": _time(self.at, ms=True),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemEndedOnAir:
        """Back from the wire."""
        try:
            outcome = Outcome(str(data.get("outcome")))
        except ValueError:
            outcome = Outcome.FAILED
        return cls(
            airing=_str(data.get("airing")),
            programme=_str(data.get("programme")),
            item=_str(data.get("item")),
            outcome=outcome,
            reason=_str(data.get("reason")),
            at=_parse(data.get("at")) or datetime.fromtimestamp(0).astimezone(),
        )


@dataclass(frozen=True)
class RelayOutageReported:
    """A relay stream was lost between ``start`` and ``end`` (covered by the fallback meanwhile)."""

    kind: ClassVar[str] = "relay_outage"
    item: str
    start: datetime
    end: datetime
    cause: str
    airing: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Wire form (without ``type``)."""
        return {"item": self.item, "start": _time(self.start), "end": _time(self.end), "cause": self.cause,
                "airing": self.airing}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RelayOutageReported:
        """Back from the wire."""
        epoch = datetime.fromtimestamp(0).astimezone()
        return cls(item=_str(data.get("item")), start=_parse(data.get("start")) or epoch,
                   end=_parse(data.get("end")) or epoch, cause=_str(data.get("cause")),
                   airing=_optional_str(data.get("airing")))  # fmt: skip


@dataclass(frozen=True)
class EmergencyStarted:
    """An emergency airing (number ``count`` of emergency ``id``) cut in."""

    kind: ClassVar[str] = "emergency"
    id: int
    count: int
    title: str

    def to_json(self) -> dict[str, Any]:
        """Wire form (without ``type``)."""
        return {"id": self.id, "count": self.count, "title": self.title}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EmergencyStarted:
        """Back from the wire."""
        return cls(id=_int(data.get("id")), count=_int(data.get("count"), 1), title=_str(data.get("title")))


@dataclass(frozen=True)
class EmergencyCancelled:
    """The running emergency was cancelled (its repeats too)."""

    kind: ClassVar[str] = "emergency_cancelled"
    id: int

    def to_json(self) -> dict[str, Any]:
        """Wire form (without ``type``)."""
        return {"id": self.id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EmergencyCancelled:
        """Back from the wire."""
        return cls(id=_int(data.get("id")))


@dataclass(frozen=True)
class FleetChanged:
    """A loudspeaker cluster (cụm loa) reported something: its status, an as-played record or a command's
    acknowledgement (``what``), so the «Cụm loa» screen refreshes."""

    kind: ClassVar[str] = "fleet"
    receiver: str
    """The receiver's slug."""
    what: str
    """``status``, ``played`` or ``ack``."""

    def to_json(self) -> dict[str, Any]:
        """Wire form (without ``type``)."""
        return {"receiver": self.receiver, "what": self.what}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FleetChanged:
        """Back from the wire."""
        return cls(receiver=_str(data.get("receiver")), what=_str(data.get("what")))


DaemonEvent = (
    Problem
    | DeviceChanged
    | AiringQueued
    | ItemStartedOnAir
    | ItemEndedOnAir
    | RelayOutageReported
    | EmergencyStarted
    | EmergencyCancelled
    | FleetChanged
)
"""Every event the daemon publishes."""

_EVENTS: dict[str, Any] = {
    cls.kind: cls
    for cls in (
        Problem,
        DeviceChanged,
        AiringQueued,
        ItemStartedOnAir,
        ItemEndedOnAir,
        RelayOutageReported,
        EmergencyStarted,
        EmergencyCancelled,
        FleetChanged,
    )
}


def encode(event: DaemonEvent, *, sent_at: datetime) -> dict[str, Any]:
    """The wire form of an event: its fields, its ``type`` and when it was sent."""
    return {"type": event.kind, **event.to_json(), "sent_at": _time(sent_at, ms=True)}


def decode_event(data: dict[str, Any]) -> DaemonEvent | None:
    """An event back from its wire form; ``None`` for a type this client does not know (a newer daemon)."""
    cls = _EVENTS.get(str(data.get("type", "")))
    if cls is None:
        return None
    event: DaemonEvent = cls.from_json(data)
    return event


def _priority(value: Any) -> Priority:
    try:
        return Priority(str(value))
    except ValueError:
        return Priority.NORMAL


# ------------------------------------------------------------------------------------------------ status


@dataclass(frozen=True)
class DeviceState:
    """The sound output as the daemon sees it."""

    ok: bool
    name: str
    error: str | None = None
    """Why it does not play (Vietnamese), ``None`` while it works."""
    standby: bool = False
    """Given back to the system during a quiet spell (taken again before the next airing)."""

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {"ok": self.ok, "name": self.name, "error": self.error, "standby": self.standby}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceState:
        """Back from the wire."""
        return cls(ok=bool(data.get("ok", True)), name=_str(data.get("name")),
                   error=_optional_str(data.get("error")), standby=bool(data.get("standby")))  # fmt: skip


@dataclass(frozen=True)
class NowPlaying:
    """The item sounding now."""

    airing: str
    programme: str
    item: str
    priority: Priority
    started_at: datetime | None
    position_s: float
    duration_s: float | None

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {
            "airing": self.airing,
            "programme": self.programme,
            "item": self.item,
            "priority": self.priority.value,
            "started_at": _time(self.started_at, ms=True),
            "position_s": round(self.position_s, 3),
            "duration_s": self.duration_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NowPlaying:
        """Back from the wire."""
        duration = data.get("duration_s")
        return cls(
            airing=_str(data.get("airing")),
            programme=_str(data.get("programme")),
            item=_str(data.get("item")),
            priority=_priority(data.get("priority")),
            started_at=_parse(data.get("started_at")),
            position_s=_float(data.get("position_s")),
            duration_s=_float(duration) if duration else None,
        )


@dataclass(frozen=True)
class EmergencyState:
    """The emergency being repeated (also what the daemon keeps in its state file to carry it on)."""

    id: int
    title: str
    source: str
    """The bulletin's audio file (empty while it is being prepared)."""
    gain_db: float
    every_s: float
    remaining: int | None
    """Airings still to go (``None``: until cancelled)."""
    operator: str | None
    engine: str | None
    announcement_id: int | None = None
    next_at: datetime | None = None
    count: int = 0
    keys: tuple[str, ...] = ()
    """Airing keys of its airings so far."""

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "gain_db": self.gain_db,
            "every_s": self.every_s,
            "remaining": self.remaining,
            "operator": self.operator,
            "engine": self.engine,
            "announcement_id": self.announcement_id,
            "next_at": _time(self.next_at),
            "count": self.count,
            "keys": list(self.keys),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EmergencyState:
        """Back from the wire or the state file."""
        remaining = data.get("remaining")
        return cls(
            id=_int(data.get("id")),
            title=_str(data.get("title")),
            source=_str(data.get("source")),
            gain_db=_float(data.get("gain_db")),
            every_s=_float(data.get("every_s"), 7200.0),
            remaining=None if remaining is None else _int(remaining),
            operator=_optional_str(data.get("operator")),
            engine=_optional_str(data.get("engine")),
            announcement_id=_optional_int(data.get("announcement_id")),
            next_at=_parse(data.get("next_at")),
            count=_int(data.get("count")),
            keys=tuple(str(key) for key in data.get("keys") or ()),
        )


@dataclass(frozen=True)
class UpcomingAiring:
    """One of the next airings the timer knows."""

    schedule_id: int
    programme: str
    start: datetime
    priority: Priority

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {"schedule_id": self.schedule_id, "programme": self.programme, "start": _time(self.start),
                "priority": self.priority.value}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UpcomingAiring:
        """Back from the wire."""
        return cls(schedule_id=_int(data.get("schedule_id")), programme=_str(data.get("programme")),
                   start=_parse(data.get("start")) or datetime.fromtimestamp(0).astimezone(),
                   priority=_priority(data.get("priority")))  # fmt: skip


@dataclass(frozen=True)
class FleetSummary:
    """The station's loudspeaker clusters at a glance (in :class:`DaemonStatus` when the fleet is enabled)."""

    online: int
    total: int
    stale: int
    """Receivers whose copy of the schedule is older than the freshness limit."""
    refusing: int = 0
    """Receivers that refused a station message (forged, replayed, stale)."""
    broker_connected: bool = False
    problem: str | None = None
    """Why the station cannot drive its clusters (Vietnamese; e.g. its signing key needs a passphrase)."""

    def to_json(self) -> dict[str, Any]:
        """Wire form."""
        return {
            "online": self.online,
            "total": self.total,
            "stale": self.stale,
            "refusing": self.refusing,
            "broker_connected": self.broker_connected,
            "problem": self.problem,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FleetSummary:
        """Back from the wire."""
        return cls(
            online=_int(data.get("online")),
            total=_int(data.get("total")),
            stale=_int(data.get("stale")),
            refusing=_int(data.get("refusing")),
            broker_connected=bool(data.get("broker_connected")),
            problem=_optional_str(data.get("problem")),
        )

    def text(self) -> str:
        """One line in Vietnamese for ``truyenthanh status``."""
        line = f"Cụm loa: {self.online}/{self.total} trực tuyến"
        if self.stale:
            line += f", {self.stale} lịch cũ"
        if self.refusing:
            line += f", {self.refusing} từ chối lệnh"
        if not self.broker_connected:
            line += ", chưa nối được máy chủ MQTT"
        return line + "."


@dataclass(frozen=True)
class DaemonStatus:
    """What the daemon is doing: the answer to the ``status`` command."""

    pid: int
    started_at: datetime
    output: str
    device: DeviceState
    now: datetime
    playing: NowPlaying | None = None
    level_dbfs: float = -120.0
    queued: int = 0
    emergency: EmergencyState | None = None
    upcoming: tuple[UpcomingAiring, ...] = field(default_factory=tuple)
    amplifier_on: bool = False
    running: bool = True
    log_pending: int = 0
    """Broadcast-log rows journalled but not yet written to the database (it is locked or the disk is full)."""
    clock_warning: str | None = None
    """Why the clock cannot be aired by (Vietnamese; ``None`` while it can): scheduled airings wait meanwhile."""
    fleet: FleetSummary | None = None
    """The loudspeaker clusters (``None`` when the fleet is not enabled)."""

    def to_json(self) -> dict[str, Any]:
        """Wire form (``fleet`` only when the station drives loudspeaker clusters)."""
        data = {
            "running": self.running,
            "pid": self.pid,
            "started_at": _time(self.started_at),
            "output": self.output,
            "device": self.device.to_json(),
            "now": _time(self.now, ms=True),
            "playing": self.playing.to_json() if self.playing else None,
            "level_dbfs": round(self.level_dbfs, 1),
            "queued": self.queued,
            "emergency": self.emergency.to_json() if self.emergency else None,
            "upcoming": [each.to_json() for each in self.upcoming],
            "amplifier_on": self.amplifier_on,
            "log_pending": self.log_pending,
            "clock_warning": self.clock_warning,
        }
        if self.fleet is not None:
            data["fleet"] = self.fleet.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DaemonStatus:
        """Back from the wire (missing parts take their defaults)."""
        epoch = datetime.fromtimestamp(0).astimezone()
        playing = data.get("playing")
        emergency = data.get("emergency")
        device = data.get("device")
        fleet = data.get("fleet")
        return cls(
            running=bool(data.get("running", True)),
            pid=_int(data.get("pid")),
            started_at=_parse(data.get("started_at")) or epoch,
            output=_str(data.get("output")),
            device=DeviceState.from_json(device) if isinstance(device, dict) else DeviceState(ok=True, name=""),
            now=_parse(data.get("now")) or epoch,
            playing=NowPlaying.from_json(playing) if isinstance(playing, dict) else None,
            level_dbfs=_float(data.get("level_dbfs"), -120.0),
            queued=_int(data.get("queued")),
            emergency=EmergencyState.from_json(emergency) if isinstance(emergency, dict) else None,
            upcoming=tuple(
                UpcomingAiring.from_json(each) for each in data.get("upcoming") or () if isinstance(each, dict)
            ),
            amplifier_on=bool(data.get("amplifier_on")),
            log_pending=_int(data.get("log_pending")),
            clock_warning=_optional_str(data.get("clock_warning")),
            fleet=FleetSummary.from_json(fleet) if isinstance(fleet, dict) else None,
        )


__all__ = [
    "AiringQueued",
    "DaemonEvent",
    "DaemonStatus",
    "DeviceChanged",
    "DeviceState",
    "EmergencyCancelled",
    "EmergencyStarted",
    "EmergencyState",
    "FleetChanged",
    "FleetSummary",
    "ItemEndedOnAir",
    "ItemStartedOnAir",
    "NowPlaying",
    "Problem",
    "RelayOutageReported",
    "UpcomingAiring",
    "decode_event",
    "encode",
]
