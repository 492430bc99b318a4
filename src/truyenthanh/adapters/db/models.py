"""SQLModel tables of one station.

Identifiers are English; enum values are stored as their ``value``; every datetime is aware and stored in UTC.
Change a table only together with a new Alembic migration in ``migrations/versions``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from truyenthanh.adapters.db.types import UTCDateTime
from truyenthanh.domain.enums import (
    AssetSource,
    Category,
    ContentStatus,
    ItemKind,
    Outcome,
    Priority,
    ReadingVariant,
    Role,
)


def utc_now() -> datetime:
    """Default for ``created_at`` columns; services pass their own clock where time matters."""
    return datetime.now(UTC)


class Station(SQLModel, table=True):
    """The commune station this database belongs to (one row)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    commune: str
    province: str
    upstream: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    reading_variant: ReadingVariant = ReadingVariant.NORTH
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class AudioAsset(SQLModel, table=True):
    """An audio file in the station's media folder, with its measured properties."""

    __tablename__ = "audio_asset"

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(unique=True)
    """Relative to the media folder."""
    sha256: str = Field(unique=True, index=True)
    duration_s: float
    format: str
    codec: str = ""
    channels: int
    sample_rate: int
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None
    title: str
    category: Category = Category.OTHER
    language: str = "vi"
    """BCP 47 tag: ``vi``, or an ethnic-minority language code for recorded items."""
    source: AssetSource = AssetSource.IMPORTED
    engine: str | None = None
    """Speech engine that rendered it (TTS assets only)."""
    voice: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Announcement(SQLModel, table=True):
    """A text announcement (thông báo) and its rendered speech."""

    id: int | None = Field(default=None, primary_key=True)
    title: str
    text: str = Field(sa_column=Column(Text, nullable=False))
    spoken_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    engine: str | None = None
    voice: str | None = None
    asset_id: int | None = Field(default=None, foreign_key="audio_asset.id", ondelete="SET NULL")
    status: ContentStatus = ContentStatus.DRAFT
    priority: Priority = Priority.NORMAL
    category: Category = Category.ADMINISTRATION
    created_by: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejected_reason: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Programme(SQLModel, table=True):
    """A programme (chương trình): an ordered rundown of items."""

    id: int | None = Field(default=None, primary_key=True)
    title: str
    category: Category = Category.LOCAL_AFFAIRS
    priority: Priority = Priority.NORMAL
    language: str = "vi"
    fallback_asset_id: int | None = Field(default=None, foreign_key="audio_asset.id", ondelete="SET NULL")
    """Played instead of an item that is missing or fails at air time."""
    status: ContentStatus = ContentStatus.DRAFT
    package_id: str | None = Field(default=None, index=True)
    """Identity of the upstream package it came from, if any."""
    created_by: str | None = None
    approved_by: str | None = None
    """Full name of the person who approved it (or the trusted upstream of a pre-approved package)."""
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejected_reason: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ProgrammeItem(SQLModel, table=True):
    """One item of a programme, in ``position`` order."""

    __tablename__ = "programme_item"
    __table_args__ = (UniqueConstraint("programme_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True, ondelete="CASCADE")
    position: int
    kind: ItemKind
    title: str = ""
    asset_id: int | None = Field(default=None, foreign_key="audio_asset.id", ondelete="RESTRICT")
    announcement_id: int | None = Field(default=None, foreign_key="announcement.id", ondelete="RESTRICT")
    relay_url: str | None = None
    duration_s: float | None = None
    """Length of a silence or relay item; audio items use their asset's duration."""
    gain_db: float = 0.0
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    crossfade_s: float = 0.0
    """Overlap with the previous item; 0 plays the two gaplessly."""


class Schedule(SQLModel, table=True):
    """When a programme airs: one-off (``rrule`` empty) or recurring (RFC 5545 RRULE from ``start_at``)."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True, ondelete="CASCADE")
    start_at: datetime = Field(sa_type=UTCDateTime)
    """The one-off start, or DTSTART of the rule; UTC."""
    rrule: str | None = None
    """RRULE body (``FREQ=DAILY;BYDAY=MO,TU``), expanded in the station's time zone."""
    exdates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """Excluded occurrences, ISO datetimes in UTC."""
    valid_from: datetime | None = Field(default=None, sa_type=UTCDateTime)
    valid_to: datetime | None = Field(default=None, sa_type=UTCDateTime)
    priority: Priority = Priority.NORMAL
    misfire: str = "late:5"
    """``skip``, ``late:MINUTES`` (play from the start) or ``join:MINUTES`` (join where the clock says)."""
    session_name: str | None = None
    enabled: bool = True
    target_local: bool = True
    """Whether it airs on the station's own output."""
    target_zones: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """Zone slugs it airs in; ``None``: every zone (the default), ``[]``: none
    (:class:`~truyenthanh.domain.fleet.Targets`)."""
    calendar: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """Lunar days, holidays and the session start (``ScheduleSpec.calendar``, JSON); ``None`` for a solar one."""
    package_id: str | None = Field(default=None, index=True)
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class BroadcastLog(SQLModel, table=True):
    """Append-only record of every broadcast and every miss; rows are never updated or deleted.

    Hash-chained: append only through ``adapters.db.chains.append_broadcast`` (or compute the hashes over
    ``domain.records.broadcast_content``); ``truyenthanh audit verify`` checks the chain.
    """

    __tablename__ = "broadcast_log"

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int | None = Field(default=None, index=True)
    programme_id: int | None = Field(default=None, index=True)
    programme_title: str = ""
    item_title: str = ""
    item_kind: ItemKind | None = None
    """What the item was (a relay, an announcement...); ``None`` for a whole-programme row."""
    category: Category | None = None
    language: str = "vi"
    priority: Priority = Priority.NORMAL
    scheduled_start: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    actual_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: Outcome
    reason: str = ""
    outages: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """Relay outages during this item: ``{"start": ISO UTC, "end": ISO UTC, "cause": Vietnamese text}``."""
    engine: str | None = None
    operator: str | None = None
    approver: str | None = None
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    prev_hash: str = ""
    row_hash: str = ""


class Zone(SQLModel, table=True):
    """A loudspeaker cluster (cụm loa) or area the station can address."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    slug: str = Field(unique=True)
    """The zone's ASCII name in MQTT topics and files (:func:`truyenthanh.domain.fleet.slug` of ``name``)."""
    hamlet: str = ""
    endpoint: str | None = None
    """Address of an IP receiver, if any."""
    enabled: bool = True


class Receiver(SQLModel, table=True):
    """An enrolled IP receiver (the box of a loudspeaker cluster), one broker account each (issue 18)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True)
    """Its name in topics, also its broker username."""
    name: str
    zone_slug: str = Field(index=True)
    password_hash: str
    """The broker password in Mosquitto's ``$7$`` PBKDF2-SHA512 form (the password itself is never kept)."""
    enrolled_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    online: bool = False
    last_seen: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """The last :class:`~truyenthanh.domain.fleet.ReceiverStatus` it published, as sent."""


class EnrolmentCode(SQLModel, table=True):
    """A one-time enrolment code for a zone; only the code's digest is kept. Used once, then ``used_at``."""

    __tablename__ = "enrolment_code"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True)
    zone_slug: str
    issued_by: str
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    receiver_slug: str | None = None


class ZonePlay(SQLModel, table=True):
    """One item as a receiver played it, or failed to (:class:`~truyenthanh.domain.fleet.AsPlayed`), stored once
    per ``record_id``: the per-zone half of the broadcast log."""

    __tablename__ = "zone_play"

    id: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(unique=True)
    receiver_slug: str = Field(index=True)
    zone_slug: str = Field(index=True)
    airing_id: str = Field(index=True)
    schedule_id: int | None = Field(default=None, index=True)
    """The station's schedule the airing came from (``None`` for a command: emergency, test tone)."""
    title: str = ""
    sha256: str = ""
    outcome: str
    """:class:`~truyenthanh.domain.fleet.PlayedOutcome` value."""
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = ""
    received_at: datetime = Field(sa_type=UTCDateTime)


class HubLog(SQLModel, table=True):
    """One row of a station's broadcast log as its hub holds it (issue 19): stored once per station and row id,
    in the station's chain order, with its hashed content as the station sent it
    (:class:`~truyenthanh.domain.upstream.ShippedRow`)."""

    __tablename__ = "hub_log"
    __table_args__ = (
        UniqueConstraint("station_slug", "row_id", name="uq_hub_log_station_row"),
        Index("ix_hub_log_station_moment", "station_slug", "moment"),
    )

    id: int | None = Field(default=None, primary_key=True)
    station_slug: str
    row_id: int
    """The row's id in the station's own broadcast log."""
    prev_hash: str
    row_hash: str
    moment: datetime = Field(sa_type=UTCDateTime)
    """When the row counts in a report (scheduled start, else actual start, else when it was recorded)."""
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(sa_type=UTCDateTime)


class HubFile(SQLModel, table=True):
    """A file a hub offers its stations (a signed package, a recorded bulletin), by its sha256 (issue 19). Kept in
    the database rather than on one machine's disk, so that any hub process serves it."""

    __tablename__ = "hub_file"

    sha256: str = Field(primary_key=True, max_length=64)
    """64 lowercase hex digits of the content's SHA-256."""
    name: str
    """The file's name when it was offered (for people; stations check the digest)."""
    size: int = Field(sa_type=BigInteger)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)


class ChainKeyRecord(SQLModel, table=True):
    """The fingerprint of the key the chains of a database shared by several machines are hashed with (never the
    key itself): a machine missing the key file, or holding another key, is refused rather than starting a chain
    of its own (see :class:`~truyenthanh.adapters.db.chainkey.KeyPlace`)."""

    __tablename__ = "chain_key_record"

    fingerprint: str = Field(primary_key=True, max_length=16)
    key_file: str
    """Where the machine that made the key kept it (to tell people which file to copy)."""
    created_at: datetime = Field(sa_type=UTCDateTime)


class FleetCommand(SQLModel, table=True):
    """A command the station sent to its receivers, and who acknowledged it (emergency fan-out, test tones)."""

    __tablename__ = "fleet_command"

    id: int | None = Field(default=None, primary_key=True)
    command_id: str = Field(unique=True)
    action: str
    zones: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    receiver_slug: str | None = None
    """Set for a command sent to one receiver's inbox."""
    seq: int
    issued_by: str
    issued_at: datetime = Field(sa_type=UTCDateTime)
    acks: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """By receiver slug: ``{"ok": bool, "at": iso, "heard_at": iso | None, "reason": str}``."""


class FleetSequence(SQLModel, table=True):
    """The station's one message counter: every signed fleet message takes the next number."""

    __tablename__ = "fleet_sequence"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0


class AirPassRow(SQLModel, table=True):
    """A session token or an emergency permit (see :mod:`truyenthanh.domain.passes`); only the token's digest."""

    __tablename__ = "air_pass"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True)
    kind: str
    """``session`` or ``emergency``."""
    username: str
    full_name: str
    role: str
    single_operator: bool = False
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    audit_id: int | None = None
    announcement_id: int | None = None
    programme_id: int | None = None


class LogJournalMark(SQLModel, table=True):
    """A line of the daemon's log journal that reached the database (written in the same transaction)."""

    __tablename__ = "log_journal_mark"

    journal_id: str = Field(primary_key=True)
    log_id: int | None = None
    """The broadcast-log row it became (``None`` for a permit's use)."""
    committed_at: datetime = Field(sa_type=UTCDateTime)


class User(SQLModel, table=True):
    """An account that can edit, approve or operate."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)
    full_name: str
    role: Role
    password_hash: str
    disabled: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    failed_logins: int = 0
    """Wrong passwords in a row since the last successful login (or the last lockout)."""
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Every login is refused until then, after too many wrong passwords in a row."""


class AuditEntry(SQLModel, table=True):
    """A hash-chained record of one change made by a person."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    actor: str
    action: str
    entity: str
    entity_id: str = ""
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    prev_hash: str = ""
    row_hash: str = ""


class ChainAnchor(SQLModel, table=True):
    """The tail of each hash chain, kept by SQLite triggers on insert so deleted last rows are noticed."""

    __tablename__ = "chain_anchor"

    chain: str = Field(primary_key=True)
    """Table name of the chain: ``broadcast_log`` or ``audit_entry``."""
    last_id: int
    last_hash: str
    length: int
    """Rows appended so far."""


class ProgrammePackage(SQLModel, table=True):
    """One imported version of an upstream programme package; ``content`` remembers what it brought."""

    __tablename__ = "programme_package"
    __table_args__ = (UniqueConstraint("package_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: str = Field(index=True)
    """The package's identity, stable across versions (also on the programmes and schedules it created)."""
    version: int
    title: str
    upstream: str
    author: str
    signer_fingerprint: str | None = None
    """Fingerprint of the trusted key that signed it; ``None``: imported unsigned (allowed by a setting)."""
    signer_name: str | None = None
    archive_sha256: str
    manifest_sha256: str
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Canonical programmes by key, and the ids of the rows created for them."""
    imported_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    imported_by: str | None = None


class TrustedKey(SQLModel, table=True):
    """An upstream editor's public key that this station accepts packages from."""

    __tablename__ = "trusted_key"

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(unique=True)
    name: str
    public_key: str
    """Raw ed25519 public key, base64."""
    added_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    added_by: str | None = None
