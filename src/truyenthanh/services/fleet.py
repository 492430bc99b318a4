"""The station's side of its IP loudspeaker clusters (issue 18): zones, one-time enrolment of receiver boxes and
their broker accounts, each zone's schedule for the coming week, the files receivers may fetch, and what the
receivers report back (status, as-played records, answers to commands).

The MQTT link, the file server and the daemon's publishing are elsewhere (``adapters/mqtt.py``,
``adapters/fleet_http.py``, ``daemon/fleet.py``); this service is what they call. The broker's files are behind
the :class:`BrokerPort`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from truyenthanh.config import Settings
from truyenthanh.domain.approval import ItemState, air_check
from truyenthanh.domain.content import AnnouncementRef, AssetRecord, ItemRecord, Rundown
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.fleet import (
    SCHEDULE_DAYS,
    AsPlayed,
    Command,
    CommandAck,
    Enrolment,
    FileRef,
    ReceiverStatus,
    ZoneAiring,
    ZoneSchedule,
    canonical,
    slug,
)
from truyenthanh.domain.fleet_records import CodeRecord, ReceiverRecord, ScheduleTargets, ZoneRecord
from truyenthanh.domain.schedule import Planned
from truyenthanh.domain.schedule.placement import plan
from truyenthanh.domain.schedule.recurrence import expand_all
from truyenthanh.errors import FleetError
from truyenthanh.locations import Locations
from truyenthanh.services.playout import normalising_gain
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store, UnitOfWork

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits that cannot be mistaken for one another over the phone (no I/1/L, O/0)."""
CODE_LENGTH = 10


def format_code(raw: str) -> str:
    """A code as people read it: ``ABCD-EFGH-JK``."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(typed: str) -> str:
    """A code as typed (any case, with or without dashes and spaces) in its stored form."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def code_digest(typed: str) -> str:
    """The SHA-256 (hex) kept for a code; the code itself is never stored."""
    return hashlib.sha256(normalise_code(typed).encode("ascii", "replace")).hexdigest()


# --- the broker port ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokerReceiver:
    """One receiver's broker account: its username (the receiver's slug), its zone and its password's hash."""

    username: str
    zone: str
    password_hash: str


@dataclass(frozen=True)
class BrokerListener:
    """Where the broker listens: its TLS port, the address it binds, and the names its certificate carries."""

    port: int
    bind: str
    hostnames: tuple[str, ...]


class BrokerPort(Protocol):
    """The broker's files in ``<data_dir>/broker/`` (Mosquitto's configuration, passwords, ACLs, TLS CA and the
    station's own login). Not thread-safe: the fleet service calls it under its own lock.

    Every method raises :class:`~truyenthanh.errors.FleetError` (in Vietnamese, naming the file) when a file
    cannot be read or written, and nothing else.
    """

    def hash_password(self, password: str) -> str:
        """A password in Mosquitto 2's ``$7$`` (PBKDF2-SHA512) form."""
        ...

    def station_login(self, station_id: str) -> tuple[str, str, str]:
        """The station's own broker username, password and password hash, created (file mode 0600) if missing."""
        ...

    def ca_pem(self) -> str:
        """The broker's certificate authority (PEM); empty before :meth:`configure` made it."""
        ...

    def configure(
        self, station_id: str, station_hash: str, receivers: Sequence[BrokerReceiver], listener: BrokerListener
    ) -> Path:
        """Write the broker's whole configuration (a CA and server certificate are made once and then kept);
        the listener is remembered for :meth:`apply`. Returns the ``mosquitto.conf`` written."""
        ...

    def apply(self, station_id: str, station_hash: str, receivers: Sequence[BrokerReceiver]) -> bool:
        """Rewrite the passwords and ACLs for these accounts with the remembered listener and ask a running
        broker to reload them; returns whether a running broker was told."""
        ...


# --- what the service returns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ZoneView:
    """A zone as lists show it."""

    name: str
    slug: str
    hamlet: str
    enabled: bool
    receivers: int
    """How many receivers are enrolled in it."""


@dataclass(frozen=True)
class IssuedCode:
    """A one-time enrolment code just issued: show it once, it is never stored."""

    code: str
    """As people read it, ``ABCD-EFGH-JK``."""
    zone: str
    """The zone's slug."""
    expires_at: datetime


@dataclass(frozen=True)
class ReceiverView:
    """An enrolled receiver with its last status and a status light."""

    slug: str
    name: str
    zone: str
    online: bool
    last_seen: datetime | None
    status: ReceiverStatus | None
    stale: bool
    """Its schedule is older than ``fleet_stale_hours`` (or ran out, or it never synced)."""
    light: str
    """``offline`` (not connected), ``refusing`` (it refused a station message), ``stale``, else ``ok``."""


@dataclass(frozen=True)
class ZonePlan:
    """A zone's schedule and what it had to leave out for now (the daemon retries those)."""

    schedule: ZoneSchedule
    unrendered: tuple[int, ...] = ()
    """Announcements (ids) some airing reads that have no rendered speech yet."""
    missing_files: tuple[str, ...] = ()
    """Library files (paths relative to the media folder) the database names but the disk lacks."""

    @property
    def missing(self) -> int:
        """How many items were left out for want of a file."""
        return len(self.unrendered) + len(self.missing_files)


@dataclass
class _Contents:
    """Per programme: its file references (``None``: not airable), built once per plan."""

    by_programme: dict[int, tuple[FileRef, ...] | None] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    unrendered: set[int] = field(default_factory=set)
    missing_files: set[str] = field(default_factory=set)


class FleetService:
    """Zones, receivers and their schedules for one station. Thread-safe (the daemon's MQTT thread, its file
    server's threads and its timers all call it)."""

    def __init__(
        self,
        *,
        settings: Settings,
        locations: Locations,
        store: Store,
        clock: Clock,
        broker: BrokerPort,
        station_key: Callable[[], bytes],
    ) -> None:
        """Args:
        settings: the fleet settings (station id, broker and file-server addresses, code lifetime, staleness).
        locations: the media folder the files are served from.
        store: where zones, receivers, codes, schedules and records are kept.
        clock: the source of time.
        broker: the broker's files.
        station_key: the station's own Ed25519 public key (raw, 32 bytes), the one its messages are signed with.
        """
        self._settings = settings
        self._locations = locations
        self._store = store
        self._clock = clock
        self._broker = broker
        self._station_key = station_key
        self._lock = threading.Lock()
        self._files: dict[str, Path] = {}
        """Every file a zone schedule or a recorded command named, by sha256."""
        self._replanned: tuple[int, str] | None = None
        """The store's change counter and the schedules' digest when :meth:`file_path` last worked out every
        zone."""

    # --- zones ------------------------------------------------------------------------------------------------

    def zones(self) -> list[ZoneView]:
        """Every zone, by name, with how many receivers it has."""
        with self._store.transaction() as uow:
            zones = uow.fleet.zones()
            receivers = [r for r in uow.fleet.receivers() if r.revoked_at is None]
        return [
            ZoneView(z.name, z.slug, z.hamlet, z.enabled, sum(1 for r in receivers if r.zone_slug == z.slug))
            for z in zones
        ]

    def add_zone(self, actor: str, name: str, hamlet: str = "") -> ZoneView:
        """Add a zone (audited); its slug is made from the name, ``-2``, ``-3`` … when taken.

        Raises:
            FleetError: the name is empty or another zone has it (``field`` ``name``).
        """
        cleaned = " ".join(name.split())
        if not cleaned:
            raise FleetError("Cần tên cụm loa (ví dụ «Thôn Đông»).", field="name")
        with self._store.transaction() as uow:
            existing = uow.fleet.zones()
            if any(z.name.casefold() == cleaned.casefold() for z in existing):
                raise FleetError(f"Đã có cụm loa tên «{cleaned}»; hãy chọn tên khác.", field="name")
            zone = ZoneRecord(cleaned, _unique(slug(cleaned), {z.slug for z in existing}), " ".join(hamlet.split()))
            uow.audited(actor, "zone.add", uow.fleet.add_zone(zone))
        return ZoneView(zone.name, zone.slug, zone.hamlet, zone.enabled, 0)

    def _zone(self, uow: UnitOfWork, zone: str) -> ZoneRecord:
        wanted = zone.strip()
        zones = uow.fleet.zones()
        for record in zones:
            if wanted in (record.slug, record.name) or record.name.casefold() == wanted.casefold():
                return record
        known = ", ".join(z.name for z in zones) or "(chưa có; thêm bằng «truyenthanh zone add»)"
        raise FleetError(f"Không có cụm loa «{zone}». Các cụm loa có: {known}.", field="zone")

    # --- enrolment --------------------------------------------------------------------------------------------

    def issue_code(self, actor: str, zone: str) -> IssuedCode:
        """A one-time enrolment code for a zone, valid ``fleet_enrol_code_minutes`` (audited; only its digest is
        kept).

        Raises:
            FleetError: no such zone (``field`` ``zone``).
        """
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        now = self._clock.now()
        expires_at = now + timedelta(minutes=self._settings.fleet_enrol_code_minutes)
        with self._store.transaction() as uow:
            record = self._zone(uow, zone)
            code = CodeRecord(code_digest(raw), record.slug, actor, now, expires_at)
            uow.audited(actor, "zone.enrol_code", uow.fleet.add_code(code))
        return IssuedCode(format_code(raw), record.slug, expires_at)

    def enrol(self, code: str, name: str) -> Enrolment:
        """Enrol a receiver box with a one-time code: its broker account is made (the broker's files rewritten
        and a running broker reloaded before the code is marked used: if they cannot be written, the code stays
        unused and nothing is stored).

        Raises:
            FleetError: the name is empty (``name``); the code is unknown, used or expired (``code``); the broker
                has not been configured (``broker config``).
            NotFoundError, PackageError: the station has no signing key of its own, or several.
        """
        box_name = " ".join(name.split())
        if not box_name:
            raise FleetError("Cần tên cho máy thu (ví dụ «Loa thôn Đông»).", field="name")
        public_key = base64.b64encode(self._station_key()).decode("ascii")
        ca_pem = self._broker.ca_pem()
        if not ca_pem:
            raise FleetError("Đài chưa cấu hình máy chủ tin nhắn: chạy «truyenthanh broker config» trước.")
        now = self._clock.now()
        digest = code_digest(code)
        station_id = self._settings.fleet_station_id
        password = secrets.token_urlsafe(18)
        with self._lock, self._store.transaction() as uow:
            uow.fleet.lock_enrolment()  # another process (a second hub) enrolling meanwhile writes the broker first
            issued = uow.fleet.code(digest)
            _check_code(issued, code, now)
            assert issued is not None
            receivers = uow.fleet.receivers()
            receiver = ReceiverRecord(
                slug=_unique(slug(box_name), {r.slug for r in receivers}),
                name=box_name,
                zone_slug=issued.zone_slug,
                password_hash=self._broker.hash_password(password),
                enrolled_at=now,
            )
            uow.audited(issued.issued_by, "receiver.enrol", uow.fleet.add_receiver(receiver))
            if not uow.fleet.use_code(digest, at=now, receiver_slug=receiver.slug):
                raise FleetError("Mã đăng ký này vừa được dùng.", field="code")
            _, _, station_hash = self._broker.station_login(station_id)
            self._broker.apply(station_id, station_hash, _accounts([*receivers, receiver]))
        host = self._settings.fleet_public_host or self._settings.fleet_broker_host
        return Enrolment(
            station=station_id,
            receiver=receiver.slug,
            zone=receiver.zone_slug,
            broker_host=host,
            broker_port=self._settings.fleet_broker_port,
            username=receiver.slug,
            password=password,
            broker_ca_pem=ca_pem,
            station_public_key=public_key,
            files_url=f"http://{host}:{self._settings.fleet_http_port}",
        )

    def configure_broker(self, *, port: int, bind: str, hostnames: Sequence[str]) -> Path:
        """Write the broker's whole configuration for the station and every enrolled receiver (``broker config``);
        returns the ``mosquitto.conf`` written."""
        station_id = self._settings.fleet_station_id
        with self._store.transaction() as uow:
            receivers = uow.fleet.receivers()
        with self._lock:
            _, _, station_hash = self._broker.station_login(station_id)
            listener = BrokerListener(port, bind, tuple(dict.fromkeys(h for h in hostnames if h)))
            return self._broker.configure(station_id, station_hash, _accounts(receivers), listener)

    def station_login(self) -> tuple[str, str]:
        """The station's own broker username and password (made on first use)."""
        with self._lock:
            username, password, _ = self._broker.station_login(self._settings.fleet_station_id)
        return username, password

    # --- receivers -----------------------------------------------------------------------------------------------

    def receivers(self) -> list[ReceiverView]:
        """Every enrolled receiver (revoked ones left out), by zone then name, with its status light."""
        now = self._clock.now()
        stale_after = timedelta(hours=self._settings.fleet_stale_hours)
        with self._store.transaction() as uow:
            records = [r for r in uow.fleet.receivers() if r.revoked_at is None]
        views = []
        for record in records:
            status = _status(record)
            stale = (
                status is None
                or status.last_sync is None
                or now - status.last_sync > stale_after
                or (status.schedule_valid_until is not None and status.schedule_valid_until < now)
            )
            if not record.online:
                light = "offline"
            elif status is not None and status.refused:
                light = "refusing"
            else:
                light = "stale" if stale else "ok"
            views.append(
                ReceiverView(
                    record.slug, record.name, record.zone_slug, record.online, record.last_seen, status, stale, light
                )
            )
        return views

    def record_status(self, status: ReceiverStatus) -> None:
        """Keep a receiver's status. An offline status (its last will) keeps the last known figures and marks it
        offline; an online one is the time it was last seen. A status from an unknown receiver is ignored."""
        now = self._clock.now()
        with self._store.transaction() as uow:
            data = status.to_dict()
            seen_at = now
            if not status.online:
                previous = next((r for r in uow.fleet.receivers() if r.slug == status.receiver), None)
                if previous is not None and previous.last_status:
                    data = {**previous.last_status, "online": False}
                seen_at = min(status.at, now)
            uow.fleet.set_status(status.receiver, status=data, online=status.online, seen_at=seen_at)

    def record_played(self, record: AsPlayed) -> bool:
        """Store an as-played record once; ``False`` (nothing changed) if its ``record_id`` is stored already."""
        head, at, _ = record.airing_id.partition("@")
        schedule_id = int(head) if at and head.isdigit() else None
        with self._store.transaction() as uow:
            return uow.fleet.add_play(record, schedule_id=schedule_id, received_at=self._clock.now())

    def record_command(
        self, actor: str, command: Command, zones: Sequence[str], receiver: str | None, seq: int
    ) -> None:
        """Record a command sent to ``zones`` (or to ``receiver``'s inbox) under message number ``seq``; the
        library files it names (found by sha256) become fetchable from the file server. Call it before the
        command is published: receivers fetch its files at once."""
        with self._store.transaction() as uow:
            uow.fleet.add_command(
                command_id=command.command_id,
                action=command.action.value,
                zones=list(zones),
                receiver_slug=receiver,
                seq=seq,
                issued_by=actor,
                issued_at=self._clock.now(),
            )
            assets = [uow.assets.by_sha(item.sha256) for item in command.items]
        with self._lock:
            for asset in assets:
                if asset is not None:
                    self._files[asset.sha256] = self._locations.media_dir / asset.path

    def record_ack(self, ack: CommandAck) -> None:
        """Keep a receiver's answer to a command (an answer to a command never recorded is ignored)."""
        self.record_acks([ack])

    def record_acks(self, acks: Sequence[CommandAck]) -> None:
        """Keep several answers in one transaction, in order (a later answer of a receiver to the same command
        replaces its earlier one; answers to commands never recorded are ignored)."""
        with self._store.transaction() as uow:
            for ack in acks:
                answer = {
                    "ok": ack.ok,
                    "at": ack.at.isoformat(timespec="milliseconds"),
                    "heard_at": ack.heard_at.isoformat(timespec="milliseconds") if ack.heard_at else None,
                    "reason": ack.reason,
                }
                uow.fleet.add_ack(ack.command_id, ack.receiver, answer)

    def command_acks(self, command_id: str) -> dict[str, dict[str, object]]:
        """The answers to a command so far, by receiver slug (empty if none, or no such command)."""
        with self._store.transaction() as uow:
            return dict(uow.fleet.command_acks(command_id) or {})

    def next_seq(self) -> int:
        """The station's next message number (its own transaction; never the same number twice)."""
        with self._store.transaction() as uow:
            return uow.fleet.next_seq()

    # --- zone schedules and their files --------------------------------------------------------------------------

    def zone_schedule(self, zone: str, now: datetime) -> ZoneSchedule:
        """What a zone airs from ``now`` for :data:`~truyenthanh.domain.fleet.SCHEDULE_DAYS` days (see
        :meth:`zone_plan`).

        Raises:
            FleetError: no such zone (``field`` ``zone``).
        """
        return self.zone_plan(zone, now).schedule

    def zone_plan(self, zone: str, now: datetime) -> ZonePlan:
        """A zone's schedule from ``now`` for :data:`~truyenthanh.domain.fleet.SCHEDULE_DAYS` days, and what it
        left out.

        Every airing of an enabled schedule whose targets reach the zone (no zones named: every zone), placed by
        priority within its session as the station's own output places it. Each item is a library file: audio
        as stored, an announcement as its rendered speech. Left out: announcements not rendered yet and files
        missing from disk (counted in the plan, for the daemon to retry), programmes or announcements not
        approved (they would not air at the station either), silences, and relays (a live stream cannot be
        copied ahead to a box that must play with its link down). An airing left with no item is left out. A zone
        that is switched off gets an empty schedule (its boxes then stay silent).

        Raises:
            FleetError: no such zone (``field`` ``zone``).
        """
        end = now + timedelta(days=SCHEDULE_DAYS)
        contents = _Contents()
        with self._store.transaction() as uow:
            record = self._zone(uow, zone)
            planned = self._planned(uow, record.slug, now, end) if record.enabled else []
            airings = []
            for placed in planned:
                occurrence = placed.occurrence
                items = self._items(uow, occurrence.programme_id, contents)
                if items:
                    airings.append(
                        ZoneAiring(
                            airing_id=occurrence.key,
                            start=placed.start,
                            title=occurrence.title,
                            items=items,
                            priority=occurrence.priority.rank,
                        )
                    )
        with self._lock:
            self._files.update(contents.paths)
        schedule = ZoneSchedule(record.slug, now, end, tuple(airings))
        return ZonePlan(schedule, tuple(sorted(contents.unrendered)), tuple(sorted(contents.missing_files)))

    def _planned(self, uow: UnitOfWork, zone_slug: str, start: datetime, end: datetime) -> list[Planned]:
        targets = uow.fleet.targets()
        specs = [
            s
            for s in uow.schedules.specs()
            if s.enabled and s.id is not None and targets.get(s.id, ScheduleTargets()).reaches_zone(zone_slug)
        ]
        rules = uow.station.rules()
        tz = self._settings.zone
        # As the station's own output does: expand beyond the window so placement sees whole sessions.
        margin = timedelta(seconds=max((s.duration_s for s in specs), default=0.0)) + timedelta(hours=6)
        placed = plan(expand_all(specs, start - margin, end + margin, tz, rules), rules, tz)
        return [p for p in placed if start <= p.start < end]

    def _items(self, uow: UnitOfWork, programme_id: int, contents: _Contents) -> tuple[FileRef, ...] | None:
        if programme_id in contents.by_programme:
            return contents.by_programme[programme_id]
        rundown = uow.programmes.get(programme_id)
        refs: tuple[FileRef, ...] | None = None
        if rundown is not None:
            refs = self._programme_refs(uow, rundown, contents)
        contents.by_programme[programme_id] = refs
        return refs

    def _programme_refs(self, uow: UnitOfWork, rundown: Rundown, contents: _Contents) -> tuple[FileRef, ...] | None:
        items = rundown.items
        announcements = uow.announcements.many(i.announcement_id for i in items if i.announcement_id is not None)
        programme = rundown.programme
        check = air_check(
            rundown.id,
            programme.title,
            programme.status,
            programme.approved_by,
            [_state(item, announcements.get(item.announcement_id or -1)) for item in items],
        )
        if not check.airable:
            return None
        blocked = {b.position for b in check.blocked_items}
        asset_ids = {i.asset_id for i in items if i.asset_id is not None}
        asset_ids |= {a.asset_id for a in announcements.values() if a.asset_id is not None}
        assets = uow.assets.many(asset_ids)
        refs = []
        for item in items:
            if item.position in blocked or item.kind in (ItemKind.SILENCE, ItemKind.RELAY):
                continue
            announcement = announcements.get(item.announcement_id or -1)
            asset_id = item.asset_id if item.asset_id is not None else (announcement.asset_id if announcement else None)
            asset = assets.get(asset_id) if asset_id is not None else None
            if asset is None:
                if announcement is not None:
                    contents.unrendered.add(announcement.id)
                continue
            ref = self._ref(asset, item, contents)
            if ref is not None:
                refs.append(ref)
        return tuple(refs)

    def _ref(self, asset: AssetRecord, item: ItemRecord, contents: _Contents) -> FileRef | None:
        path = self._locations.media_dir / asset.path
        try:
            size = path.stat().st_size
        except OSError:
            contents.missing_files.add(asset.path)
            return None
        contents.paths[asset.sha256] = path
        gain = normalising_gain(
            loudness_lufs=asset.loudness_lufs,
            true_peak_dbtp=asset.true_peak_dbtp,
            target_lufs=self._settings.target_lufs,
            ceiling_dbtp=self._settings.true_peak_dbtp,
            item_gain_db=item.gain_db,
        )
        return FileRef(asset.sha256, size, asset.duration_s, item.title or asset.title, gain)

    def file_path(self, sha256: str) -> Path | None:
        """The file with these bytes, if some current zone schedule or recorded command names it and it is on
        disk; anything else is not served.

        The files planned so far are kept; on a miss every zone's schedule is worked out again (at the clock's
        now) only if the schedules changed since the last time (the first miss always does): a receiver asking
        again and again for a file nobody names costs a look at the change counter, and after other records
        changed (a receiver's report), one digest of the schedules.
        """
        with self._lock:
            known = self._files.get(sha256)
        if known is None and self._schedules_changed():
            now = self._clock.now()
            for zone in self.zones():
                self.zone_plan(zone.slug, now)
            with self._lock:
                known = self._files.get(sha256)
        return known if known is not None and known.is_file() else None

    def _schedules_changed(self) -> bool:
        """Whether the schedules (their timing, targets, programmes' items, the station's rules) changed since
        :meth:`file_path` last worked out every zone; if so, that is noted as done now."""
        counter = self._store.change_counter()  # before reading: a commit in between moves it again
        with self._lock:
            last = self._replanned
        if last is not None and last[0] == counter:
            return False
        with self._store.transaction() as uow:
            digest = uow.schedules.timing_digest()
        with self._lock:
            changed = self._replanned is None or self._replanned[1] != digest
            self._replanned = (counter, digest)
        return changed


def _unique(base: str, taken: Iterable[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` … whichever is free."""
    used = set(taken)
    value, n = base, 2
    while value in used:
        value, n = f"{base}-{n}", n + 1
    return value


def _check_code(issued: CodeRecord | None, typed: str, now: datetime) -> None:
    if issued is None:
        raise FleetError(f"Mã đăng ký «{typed}» không đúng; hãy đọc lại mã trên máy của đài.", field="code")
    if issued.used_at is not None:
        raise FleetError("Mã đăng ký này đã được dùng; hãy tạo mã mới («truyenthanh zone enroll»).", field="code")
    if now >= issued.expires_at:
        raise FleetError(
            f"Mã đăng ký này đã hết hạn lúc {issued.expires_at.isoformat(timespec='minutes')}; hãy tạo mã mới "
            "(«truyenthanh zone enroll»).",
            field="code",
        )


def _accounts(receivers: Iterable[ReceiverRecord]) -> list[BrokerReceiver]:
    return [BrokerReceiver(r.slug, r.zone_slug, r.password_hash) for r in receivers if r.revoked_at is None]


def _status(record: ReceiverRecord) -> ReceiverStatus | None:
    if not record.last_status:
        return None
    try:
        return ReceiverStatus.decode(canonical(record.last_status))
    except FleetError:
        return None


def _state(item: ItemRecord, announcement: AnnouncementRef | None) -> ItemState:
    return ItemState(
        item_id=item.id or 0,
        position=item.position,
        title=item.title or (announcement.title if announcement else ""),
        announcement_id=item.announcement_id,
        announcement_status=announcement.status if announcement else None,
    )


__all__ = [
    "CODE_ALPHABET",
    "BrokerListener",
    "BrokerPort",
    "BrokerReceiver",
    "FleetService",
    "IssuedCode",
    "ReceiverView",
    "ZonePlan",
    "ZoneView",
    "code_digest",
    "format_code",
    "normalise_code",
]
