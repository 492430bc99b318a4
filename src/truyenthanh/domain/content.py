"""The station's stored content as the services read and write it: programmes with their items in order, audio
assets, and announcements as programmes refer to them, as the speech service reads them and as the approval
service moves them.

These are plain values: repositories (``services/unit_of_work.py``) map them to and from the database, in one
place each, and the services change them with :func:`dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from truyenthanh.domain.enums import AssetSource, Category, ContentStatus, ItemKind, Priority
from truyenthanh.errors import LibraryError


@dataclass(frozen=True)
class ProgrammeRecord:
    """A programme's own values (not its items)."""

    title: str
    category: Category = Category.LOCAL_AFFAIRS
    priority: Priority = Priority.NORMAL
    language: str = "vi"
    """BCP 47 tag of the programme's speech (``vi``, or an ethnic-minority language)."""
    fallback_asset_id: int | None = None
    """The asset played in place of an item that cannot be played."""
    status: ContentStatus = ContentStatus.DRAFT
    package_id: str | None = None
    """The upstream package it came from; ``None``: made at the station."""
    created_by: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    rejected_reason: str | None = None
    created_at: datetime | None = None
    """When it was made (aware); ``None`` only before it is stored, where the store puts the current time."""
    id: int | None = None
    """``None`` until stored."""


@dataclass(frozen=True)
class ItemRecord:
    """One item of a programme's rundown. Which fields matter depends on :attr:`kind`: audio and jingle items
    play :attr:`asset_id`, announcements :attr:`announcement_id`, silence lasts :attr:`duration_s`, relay plays
    :attr:`relay_url` for :attr:`duration_s`."""

    kind: ItemKind
    title: str = ""
    asset_id: int | None = None
    announcement_id: int | None = None
    relay_url: str | None = None
    duration_s: float | None = None
    """Own length in seconds (silence and relay; ``None`` for the others: their audio decides)."""
    gain_db: float = 0.0
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    crossfade_s: float = 0.0
    """Overlap with the item before, in seconds."""
    position: int = 0
    """0-based place in the rundown as read; when a rundown is written its order decides."""
    id: int | None = None
    """``None`` for an item not stored yet."""


@dataclass(frozen=True)
class Rundown:
    """A programme with its items in order: the one unit the programme repository reads and writes."""

    programme: ProgrammeRecord
    items: tuple[ItemRecord, ...] = field(default_factory=tuple)

    @property
    def id(self) -> int:
        """The stored programme's id."""
        assert self.programme.id is not None, "a rundown read from the store has an id"
        return self.programme.id


@dataclass(frozen=True)
class AssetRecord:
    """An audio file of the library: where it is, what it is and how loud it measured."""

    path: str
    """Relative to the station's media folder."""
    sha256: str
    duration_s: float
    format: str
    channels: int
    sample_rate: int
    title: str
    codec: str = ""
    loudness_lufs: float | None = None
    """EBU R128 integrated loudness; ``None`` if never measured."""
    true_peak_dbtp: float | None = None
    category: Category = Category.OTHER
    language: str = "vi"
    source: AssetSource = AssetSource.IMPORTED
    engine: str | None = None
    """The speech engine that rendered it, for speech."""
    voice: str | None = None
    created_at: datetime | None = None
    """When it was recorded (aware); ``None`` only before it is stored, where the store puts the current time."""
    id: int | None = None
    """``None`` until stored."""


@dataclass(frozen=True)
class AssetUsers:
    """What still uses an asset, by title (an asset in use cannot be deleted)."""

    programmes: tuple[str, ...] = ()
    """Programmes with an item playing it."""
    fallbacks: tuple[str, ...] = ()
    """Programmes that fall back on it."""
    announcements: tuple[str, ...] = ()
    """Announcements read into it."""

    def __bool__(self) -> bool:
        return bool(self.programmes or self.fallbacks or self.announcements)


@dataclass(frozen=True)
class AnnouncementRef:
    """An announcement as a programme item sees it."""

    id: int
    title: str
    status: ContentStatus
    asset_id: int | None
    """Its rendering in the library, once read aloud."""


@dataclass(frozen=True)
class AnnouncementScript:
    """An announcement as the speech service reads it aloud: its written text and its current rendering."""

    id: int
    title: str
    text: str
    """What was written (any encoding the normaliser accepts)."""
    category: Category
    spoken_text: str
    """The normalised words of its current rendering (empty: never rendered)."""
    engine: str | None
    """The speech engine of its current rendering (``None``: never rendered)."""
    voice: str | None
    asset_id: int | None
    """Its current rendering in the library."""


@dataclass(frozen=True)
class AnnouncementRecord:
    """An announcement's written values and its place in the approval workflow, as the approval service reads and
    writes them (its rendering is the speech service's: :class:`AnnouncementScript`)."""

    title: str
    text: str
    category: Category = Category.ADMINISTRATION
    priority: Priority = Priority.NORMAL
    status: ContentStatus = ContentStatus.DRAFT
    created_by: str | None = None
    """Username of its author (an upstream's name for one brought in a package)."""
    approved_by: str | None = None
    """Full name of the person who approved it (or the trusted upstream that did)."""
    approved_at: datetime | None = None
    rejected_reason: str | None = None
    created_at: datetime | None = None
    """When it was written (aware); ``None`` only before it is stored, where the store puts the current time."""
    updated_at: datetime | None = None
    """When its text last changed (aware); ``None`` only before it is stored, where :attr:`created_at` is used."""
    id: int | None = None
    """``None`` until stored."""


class DuplicateAssetError(LibraryError):
    """An asset with the same content (or the same place in the media folder) is already stored: another
    process imported it meanwhile. Raised by the asset repository's ``add``; the transaction must roll back."""


__all__ = [
    "AnnouncementRecord",
    "AnnouncementRef",
    "AnnouncementScript",
    "AssetRecord",
    "AssetUsers",
    "DuplicateAssetError",
    "ItemRecord",
    "ProgrammeRecord",
    "Rundown",
]
