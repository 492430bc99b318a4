"""What the playout engine plays and what it reports: pure data shared by services, the daemon and the TUI.

The engine itself is a port (:class:`truyenthanh.services.ports.Playout`); its real adapter lives in
``adapters/playout``. Times are seconds (floats) for durations and aware UTC datetimes for instants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from truyenthanh.domain.enums import ItemKind


@dataclass(frozen=True)
class PlayItem:
    """One thing to play, fully resolved: the engine needs nothing from the database."""

    key: str
    """Stable identifier for logs and events (e.g. ``"programme:3/item:2"``)."""
    title: str
    """Vietnamese title for the operator and the log."""
    kind: ItemKind
    source: Path | None = None
    """Audio file for audio, announcement and jingle items."""
    relay_url: str | None = None
    """Stream URL for relay items."""
    duration_s: float | None = None
    """Length to play: required for silence and relay items; ``None`` plays the file to its end."""
    gain_db: float = 0.0
    """Total gain to apply (loudness normalisation plus the item's own gain), already capped for true peak."""
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    crossfade_s: float = 0.0
    """Overlap with the previous item; 0 means gapless, sample-exact succession."""
    start_offset_s: float = 0.0
    """Start this far into the item (resume after a break-in, or join a late broadcast)."""
    fallback: PlayItem | None = None
    """Played instead when this item is missing or fails to decode at air time."""
    expected_s: float | None = None
    """The file's length as the library measured it at import: a decoder that ends well before it (a file cut
    short since) makes the item end early, logged partial, and the fallback or filler covers the rest."""


class EndReason(StrEnum):
    """Why an item stopped sounding."""

    FINISHED = "finished"
    STOPPED = "stopped"
    SKIPPED = "skipped"
    PREEMPTED = "preempted"
    FAILED = "failed"


@dataclass(frozen=True)
class ItemStarted:
    """The first sample of an item reached the output."""

    item: PlayItem
    at: datetime
    """When the first sample reached the output (measured from the stream's clock), UTC."""
    replaced: PlayItem | None = None
    """The item this one stands in for, when a fallback or the filler plays."""


@dataclass(frozen=True)
class ItemEnded:
    """An item stopped sounding."""

    item: PlayItem
    at: datetime
    reason: EndReason
    position_s: float
    """How far into the item playback got, in seconds."""
    detail: str = ""
    """Vietnamese explanation for failures (missing file, decode error, relay outage); on a ``FINISHED`` item,
    why it ended early (its file ran out before its expected length)."""


@dataclass(frozen=True)
class RelayOutage:
    """A relay stream was unreachable, dropped or silent from ``start`` to ``end``."""

    item: PlayItem
    start: datetime
    end: datetime
    cause: str


PlayoutEvent = ItemStarted | ItemEnded | RelayOutage


@dataclass(frozen=True)
class PlayoutStatus:
    """A snapshot for the operator's progress bar and meter."""

    playing: PlayItem | None
    position_s: float = 0.0
    duration_s: float | None = None
    level_dbfs: float = -120.0
    paused: bool = False
    queued: tuple[PlayItem, ...] = field(default_factory=tuple)
