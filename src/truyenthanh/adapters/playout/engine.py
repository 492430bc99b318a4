"""The playout engine: one persistent output fed block by block from a queue of decoded-ahead items.

Three kinds of thread touch it:

* the output's thread (PortAudio's callback, or the pacing thread of a file or Icecast output) calls
  :meth:`PlayoutEngine._render` for every block. It mixes under one short lock, never waits, never starts a
  process, and applies pending commands at the top of the block, so a command takes effect within one block;
* callers (the daemon, the CLI) issue commands, which only queue an operation and wake the housekeeper;
* the housekeeper thread starts decoders ahead of need, puts the fallback (or the station filler) in place of
  an item whose file is missing or undecodable, closes finished decoders, and delivers events to listeners.

Time: every instant is the wall-clock time (``time.time()``) at which a sample reaches the output, as the
output reports it; events carry it as an aware UTC datetime.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from truyenthanh.adapters.playout.frames import Frames
from truyenthanh.adapters.playout.output import Output
from truyenthanh.adapters.playout.sources import (
    FailedSource,
    FfmpegSource,
    RelaySource,
    Source,
    ToneSource,
    open_file_source,
)
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.playout import (
    EndReason,
    ItemEnded,
    ItemStarted,
    PlayItem,
    PlayoutEvent,
    PlayoutStatus,
    RelayOutage,
)
from truyenthanh.errors import AudioError

log = logging.getLogger(__name__)

PREFETCH = 2
"""Queued items whose decoders run ahead of the one playing."""
RAMP_S = 0.005
"""De-click ramp applied when a command cuts or resumes a sound."""
SILENCE_LEVEL = 10 ** (-50 / 20)
"""Peak below which a relay stream counts as silent (-50 dBFS)."""
_SILENT_DBFS = -120.0
EARLY_TOLERANCE_S = 0.5
"""An item whose decoder ends more than this (or 2 % of its length, if more) before its expected length ended
early: its file was cut short."""


def _utc(at: float) -> datetime:
    return datetime.fromtimestamp(at, tz=UTC)


def _ramp(first: int, count: int, length: int, *, step: int = 1) -> list[float]:
    """``count`` envelope factors ``min(1, i / length)`` for ``i`` from ``first`` on by ``step``."""
    return [min(1.0, i / length) for i in range(first, first + step * count, step)]


def _times(envelope: list[float] | None, factors: list[float]) -> list[float]:
    """Two envelopes applied one after the other (``factors`` alone when there is no ``envelope`` yet)."""
    return factors if envelope is None else [a * b for a, b in zip(envelope, factors, strict=True)]


@dataclass(eq=False)
class _Voice:
    """One item on its way to the speaker: its decoder and how far it got."""

    item: PlayItem
    rate: int
    not_before: float | None = None
    """Wall time before which it must not start (``start_at``)."""
    replaced: PlayItem | None = None
    """The item this one stands in for (fallback or filler)."""
    failure: str = ""
    """Why :attr:`replaced` could not play."""
    covering: bool = False
    """It covers the rest of :attr:`replaced`, which ended early (that item did play: it did not fail)."""
    cover: _Voice | None = None
    """The voice prepared to cover this one's missing end, once its decoder ended early."""
    source: Source | None = None
    played: int = 0
    ramp_in: int = 0
    fade_in: int = field(init=False)
    fade_out: int = field(init=False)
    xfade: int = field(init=False)
    limit: int | None = field(init=False)
    gain: float = field(init=False)

    def __post_init__(self) -> None:
        self.fade_in = round(self.item.fade_in_s * self.rate)
        self.fade_out = round(self.item.fade_out_s * self.rate)
        self.xfade = round(self.item.crossfade_s * self.rate)
        self.limit = None if self.item.duration_s is None else round(self.item.duration_s * self.rate)
        self.gain = 10.0 ** (self.item.gain_db / 20.0)

    @property
    def ready(self) -> bool:
        """It can start now: its decoder has samples, or has finished without failing outright."""
        source = self.source
        if source is None:
            return False
        # ``done`` first: read after ``failed_before_sound``, it could turn true in between and pass a source
        # that failed as "finished, nothing to play".
        done = source.done
        if source.failed_before_sound:
            return False
        return source.buffer.frames > 0 or done

    @property
    def remaining(self) -> int | None:
        """Frames left to play, when known (a duration is set, or the decoder reached the end)."""
        left: int | None = None if self.limit is None else max(0, self.limit - self.played)
        source = self.source
        if source is not None and source.done:
            buffered = source.buffer.frames
            left = buffered if left is None else min(left, buffered)
        return left

    @property
    def finished(self) -> bool:
        """Nothing more will sound."""
        return self.remaining == 0

    @property
    def position_s(self) -> float:
        """Seconds into the item (counting its start offset)."""
        return self.item.start_offset_s + self.played / self.rate

    @property
    def duration_s(self) -> float | None:
        """The item's length for the progress bar, when known."""
        if self.item.duration_s is not None:
            return self.item.duration_s
        if self.source is not None and self.source.duration_s is not None:
            return self.item.start_offset_s + self.source.duration_s
        return None

    def missing_s(self) -> float:
        """Seconds of the item its decoder will never deliver (it ended early), else 0. Known once it is done."""
        source = self.source
        if source is None or not source.done or source.error is not None or self.item.kind is ItemKind.SILENCE:
            return 0.0
        if self.replaced is not None:
            return 0.0  # a stand-in shorter than its slot is not a damaged file
        expected = self.item.duration_s or self.item.expected_s
        if expected is None and source.duration_exact and source.duration_s is not None:
            expected = self.item.start_offset_s + source.duration_s
        if expected is None:
            return 0.0
        expected -= self.item.start_offset_s
        missing = expected - source.produced / self.rate
        return missing if missing > max(EARLY_TOLERANCE_S, 0.02 * expected) else 0.0

    def render(self, frames: int, at: float = 0.0) -> Frames:
        """Take up to ``frames`` frames with gain, fades and ramps applied (fewer on underrun or at the end).

        ``at`` is the wall time at which the first of them is heard.
        """
        remaining = self.remaining
        block = self._take(frames if remaining is None else min(frames, remaining), at)
        count = len(block)
        if not count:
            return block
        envelope: list[float] | None = None
        if self.fade_in and self.played < self.fade_in:
            envelope = _ramp(self.played + 1, count, self.fade_in)
        if self.fade_out and remaining is not None and remaining - count < self.fade_out:
            envelope = _times(envelope, _ramp(remaining - 1, count, self.fade_out, step=-1))
        if self.ramp_in:
            ramp_frames = round(RAMP_S * self.rate)
            envelope = _times(envelope, _ramp(ramp_frames - self.ramp_in + 1, count, ramp_frames))
            self.ramp_in = max(0, self.ramp_in - count)
        self.played += count
        return block.scaled(self.gain) if envelope is None else block.shaped(envelope, self.gain)

    def _take(self, frames: int, at: float) -> Frames:
        """Raw frames from the decoder (fewer when it has not caught up)."""
        assert self.source is not None
        return self.source.buffer.take(frames)

    def close(self) -> None:
        """Release the decoder (stops its process and joins its thread), and a cover prepared for it."""
        if self.source is not None:
            self.source.close()
        if self.cover is not None:
            self.cover.close()

    def cut_tail(self, frames: int) -> Frames:
        """The next few milliseconds (at most ``frames``: one block) faded to zero, without consuming them: a
        click-free cut."""
        ramp = min(round(RAMP_S * self.rate), frames)
        if self.source is None or ramp < 2:
            return Frames.silent(0)
        block = self.source.buffer.peek(ramp)
        return block.shaped(_ramp(ramp - 1, len(block), ramp - 1, step=-1), self.gain)


@dataclass(eq=False)
class _RelayVoice(_Voice):
    """A relay slot: the live stream for ``duration_s``, the backup whenever the stream is down or silent.

    It always fills every block (slot time runs on whatever happens to the stream) and records each outage
    with its start, end and cause in :attr:`outages` for the engine to report.
    """

    backup: Source | None = None
    """The fallback (or station filler), decoded in a loop, played during outages."""
    backup_gain: float = 1.0
    dropout: int = 0
    """Frames without any data from the stream before it counts as dropped."""
    quiet: int = 0
    """Frames of silence from the stream before it counts as silent."""
    recover: int = 0
    """Frames of sound from the stream before the relay goes back to it."""
    outages: list[RelayOutage] = field(default_factory=list)
    _starved: int = 0
    _silent: int = 0
    _sounding: int = 0
    _down_since: float | None = None
    _cause: str = ""

    @property
    def ready(self) -> bool:
        """A relay can always start: without the stream, its backup plays."""
        return self.source is not None

    @property
    def in_outage(self) -> bool:
        """The backup is playing instead of the stream."""
        return self._down_since is not None

    def _take(self, frames: int, at: float) -> Frames:
        assert self.source is not None
        live = self.source.buffer.take(frames)
        got = len(live)
        if got:
            self._starved = 0
            if live.peak() * self.gain < SILENCE_LEVEL:
                self._silent += got
                self._sounding = 0
            else:
                self._silent = 0
                self._sounding += got
        else:
            self._starved += frames
            self._sounding = 0
        if self._down_since is None:
            if self._starved >= self.dropout:
                self._down(at - self._starved / self.rate + frames / self.rate, self._lost_cause())
            elif self._silent >= self.quiet:
                seconds = round(self.quiet / self.rate)
                self._down(at - self._silent / self.rate + got / self.rate, f"luồng im lặng quá {seconds} giây")
        elif self._sounding >= self.recover:
            self.end_outage(at + got / self.rate)
        if self._down_since is None:
            return live.padded(frames)
        return self._backup(frames)

    def _lost_cause(self) -> str:
        source = self.source
        assert source is not None
        error = f" ({source.error})" if source.error else ""
        if source.produced == 0:
            return f"không kết nối được luồng tiếp sóng{error}"
        return f"mất luồng tiếp sóng{error}"

    def _down(self, since: float, cause: str) -> None:
        self._down_since = since
        self._cause = cause
        log.warning("Tiếp sóng «%s» gián đoạn: %s", self.item.title, cause)

    def _backup(self, frames: int) -> Frames:
        block = self.backup.buffer.take(frames) if self.backup is not None else Frames.silent(0)
        return block.padded(frames).scaled(self.backup_gain / self.gain)

    def end_outage(self, at: float) -> None:
        """Close the running outage (the stream came back, or the slot ended) at wall time ``at``."""
        if self._down_since is None:
            return
        self.outages.append(RelayOutage(self.item, _utc(self._down_since), _utc(at), self._cause))
        self._down_since = None
        self._starved = self._silent = 0

    def close(self) -> None:
        """Release the stream and the backup."""
        super().close()
        if self.backup is not None:
            self.backup.close()


@dataclass
class _Op:
    """A command waiting for the next block."""

    kind: str
    voices: list[_Voice] = field(default_factory=list)
    resume: bool = True
    key: str | None = None
    """For a skip: only if this item is the one playing when the command takes effect."""


class _Voices:
    """Makes the voices of items, with their decoders, and keeps those prepared ahead of a command.

    :attr:`prepared` is guarded by the engine's lock; making voices and starting decoders runs outside it.
    """

    def __init__(
        self,
        rate: int,
        *,
        filler: PlayItem | None,
        ahead_s: float,
        relay_dropout_s: float,
        relay_silence_s: float,
        relay_recover_s: float,
        relay_retry_s: float,
    ) -> None:
        self.rate = rate
        self.filler = filler
        self._ahead_s = ahead_s
        self.relay_dropout_s = relay_dropout_s
        """A relay stream that sends nothing for this long counts as lost."""
        self._relay_silence_s = relay_silence_s
        self._relay_recover_s = relay_recover_s
        self._relay_retry_s = relay_retry_s
        self.prepared: dict[PlayItem, _Voice] = {}
        """Voices whose decoders were started by :meth:`PlayoutEngine.prepare`, by item."""

    def claim(self, item: PlayItem) -> _Voice:
        """A prepared voice for ``item`` if there is one (its decoder already running), else a new one.
        The engine's lock is held."""
        return self.prepared.pop(item, None) or self.new(item)

    def new(self, item: PlayItem, **fields: Any) -> _Voice:
        """A voice for ``item`` (a relay voice for a relay item); its decoder starts in :meth:`prepare`."""
        if item.kind is not ItemKind.RELAY:
            return _Voice(item, self.rate, **fields)
        return _RelayVoice(
            item,
            self.rate,
            dropout=round(self.relay_dropout_s * self.rate),
            quiet=round(self._relay_silence_s * self.rate),
            recover=round(self._relay_recover_s * self.rate),
            **fields,
        )

    def prepare(self, voice: _Voice) -> None:
        """Start the voice's decoder (and a relay's looping backup). Runs outside the lock."""
        if isinstance(voice, _RelayVoice):
            backup = voice.item.fallback or self.filler
            if backup is not None and backup.source is not None and backup.source.is_file():
                voice.backup = FfmpegSource(
                    str(backup.source),
                    rate=self.rate,
                    ahead_s=self._ahead_s,
                    input_args=("-stream_loop", "-1"),
                    name=backup.source.name,
                ).start()
                voice.backup_gain = 10.0 ** (backup.gain_db / 20.0)
        voice.source = self._make_source(voice)

    def _make_source(self, voice: _Voice) -> Source:
        """The started decoder of a voice's item."""
        item = voice.item
        ahead = self._ahead_s + item.fade_out_s + item.crossfade_s
        if item.kind is ItemKind.SILENCE:
            return ToneSource(rate=self.rate, seconds=item.duration_s or 0.0, name=item.key).start()
        if item.kind is ItemKind.RELAY:
            if not item.relay_url:
                return FailedSource(f"mục tiếp sóng «{item.title}» không có địa chỉ luồng", rate=self.rate).start()
            return RelaySource(item.relay_url, rate=self.rate, retry_s=self._relay_retry_s, name=item.key).start()
        if item.source is None:
            return FailedSource(f"mục «{item.title}» không có tệp âm thanh", rate=self.rate).start()
        return open_file_source(
            item.source, rate=self.rate, offset_s=item.start_offset_s, duration_s=item.duration_s, ahead_s=ahead
        ).start()

    def replacement(self, voice: _Voice) -> _Voice | None:
        """The fallback for a voice whose source failed before sounding, or ``None`` when none is left."""
        assert voice.source is not None
        original = voice.replaced or voice.item
        error = voice.source.error or ""
        reason = f"{voice.failure}; «{voice.item.title}» cũng hỏng: {error}" if voice.replaced else error
        candidates: list[PlayItem] = []
        if voice.replaced is None and voice.item.fallback is not None:
            candidates.append(voice.item.fallback)
        if self.filler is not None and voice.item is not self.filler:
            candidates.append(self.filler)
        if not candidates:
            return None
        stand_in = candidates[0]
        slot = original.duration_s or original.expected_s
        if slot is not None and stand_in.kind is not ItemKind.RELAY:
            stand_in = dataclasses.replace(stand_in, duration_s=min(slot, stand_in.duration_s or slot))
        return self.new(stand_in, not_before=voice.not_before, replaced=original, failure=reason)

    def cover_item(self, voice: _Voice) -> PlayItem | None:
        """What would cover the missing end of ``voice``: its fallback, else the filler (never a relay)."""
        stand_in = voice.item.fallback if voice.replaced is None else None
        stand_in = stand_in or (self.filler if voice.item is not self.filler else None)
        if stand_in is None or stand_in.kind is ItemKind.RELAY:
            return None
        return stand_in

    def cover(self, voice: _Voice, missing_s: float) -> _Voice | None:
        """A voice playing the fallback (else the filler), cut to ``missing_s``, for an item that ended early."""
        stand_in = self.cover_item(voice)
        if stand_in is None:
            return None
        cut = dataclasses.replace(stand_in, duration_s=missing_s, start_offset_s=0.0, crossfade_s=0.0)
        return self.new(cut, replaced=voice.item, covering=True)


@dataclass
class _Power:
    """Whether the engine is open and holds its output, and the housekeeper thread that runs while it is open."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    """Serialises taking the output and giving it back (never held with the engine's lock: stopping an output
    waits for its render call, which takes that lock)."""
    opened: bool = False
    standing_by: bool = False
    housekeeper: threading.Thread | None = None
    stopping: threading.Event = field(default_factory=threading.Event)


class _Mailbox:
    """Events on their way from the output thread to the listeners; the housekeeper delivers them."""

    def __init__(self) -> None:
        self.events: queue.SimpleQueue[PlayoutEvent] = queue.SimpleQueue()
        self.listeners: list[Callable[[PlayoutEvent], None]] = []
        self.undelivered = 0
        """Events posted and not yet delivered to every listener (guarded by the engine's lock)."""

    def post(self, event: PlayoutEvent) -> None:
        """Queue an event (the engine's lock is held)."""
        self.undelivered += 1
        self.events.put(event)


@dataclass
class _Meters:
    """What the output thread measures."""

    level_dbfs: float = _SILENT_DBFS
    """Peak of the last block (guarded by the engine's lock)."""
    starved_blocks: int = 0
    """Blocks in which a started item had no decoded samples ready (heard as a gap)."""


class PlayoutEngine:
    """The real :class:`~truyenthanh.services.ports.Playout`: one persistent output fed from a callback.

    Thread-safe; every command returns at once and takes effect at the next block (at most one buffer later).

    Args:
        output: where the samples go (sound device, file, Icecast).
        filler: what plays when an item and its fallback both fail (the station's filler tune).
        ahead_s: seconds each decoder runs ahead of the speaker.
        relay_dropout_s: a relay stream that sends nothing for this long counts as lost (the backup plays).
        relay_silence_s: a relay stream silent (below -50 dBFS) for this long counts as lost.
        relay_recover_s: the stream must sound again for this long before the relay goes back to it.
        relay_retry_s: pause between reconnection attempts.
    """

    def __init__(
        self,
        output: Output,
        *,
        filler: PlayItem | None = None,
        ahead_s: float = 3.0,
        relay_dropout_s: float = 1.5,
        relay_silence_s: float = 4.0,
        relay_recover_s: float = 0.5,
        relay_retry_s: float = 1.0,
    ) -> None:
        self.output = output
        self.rate = output.rate
        self._voices = _Voices(
            output.rate,
            filler=filler,
            ahead_s=ahead_s,
            relay_dropout_s=relay_dropout_s,
            relay_silence_s=relay_silence_s,
            relay_recover_s=relay_recover_s,
            relay_retry_s=relay_retry_s,
        )
        self._power = _Power()
        self._mail = _Mailbox()
        self._meters = _Meters()
        self._lock = threading.Lock()
        """Guards the line below, the prepared voices, the mailbox's count and the meters' level."""
        self._queue: list[_Voice] = []
        self._current: _Voice | None = None
        self._tails: list[_Voice] = []
        self._ops: list[_Op] = []
        self._handover = False
        """An item just ended and the next one must follow without a gap."""
        self._paused = False
        self._closing: list[_Voice] = []
        self._wake = threading.Event()

    @property
    def filler(self) -> PlayItem | None:
        """What plays when an item and its fallback both fail."""
        return self._voices.filler

    @property
    def starved_blocks(self) -> int:
        """Blocks in which a started item had no decoded samples ready (heard as a gap)."""
        return self._meters.starved_blocks

    # ----------------------------------------------------------------------------------------- lifecycle

    def open(self) -> None:
        """Start the housekeeper and the output, playing silence.

        Raises:
            AudioError: the output cannot be opened.
        """
        power = self._power
        if power.opened:
            return
        power.stopping.clear()
        power.housekeeper = threading.Thread(target=self._housekeep, name="playout-housekeeper", daemon=True)
        power.housekeeper.start()
        try:
            self.output.start(self._render, self._ready_for)
        except AudioError:
            power.stopping.set()
            self._wake.set()
            power.housekeeper.join()
            raise
        power.opened = True

    def close(self) -> None:
        """Stop what is playing (``ItemEnded(STOPPED)``), release the output, every decoder and thread."""
        power = self._power
        with power.lock:
            if not power.opened:
                return
            power.opened = False
            if not power.standing_by:
                self.output.stop()
            power.standing_by = False
        now = time.time()
        with self._lock:
            for voice in [*self._tails, *([self._current] if self._current else [])]:
                self._report_outages(voice, now)
                self._emit(ItemEnded(voice.item, _utc(now), EndReason.STOPPED, voice.position_s))
            pending = [voice for op in self._ops for voice in op.voices]
            pending += self._voices.prepared.values()
            self._voices.prepared = {}
            self._closing += [*self._tails, *self._queue, *pending, *([self._current] if self._current else [])]
            self._tails, self._queue, self._current, self._ops = [], [], None, []
        power.stopping.set()
        self._wake.set()
        if power.housekeeper is not None:
            power.housekeeper.join()
            power.housekeeper = None

    def standby(self) -> bool:
        """Give the output back while nothing plays, waits or is prepared; the engine stays open and the next
        :meth:`enqueue` or :meth:`preempt` (or :meth:`wake`) takes the output again. Returns whether it did.

        An open sound stream costs CPU for every block even when it carries silence; a station is silent
        most of the day.
        """
        power = self._power
        with power.lock:
            if not power.opened or power.standing_by:
                return False
            with self._lock:
                if (
                    self._current
                    or self._queue
                    or self._tails
                    or self._ops
                    or self._voices.prepared
                    or self._mail.undelivered
                ):
                    return False
                power.standing_by = True
            self.output.stop()
            return True

    def wake(self) -> None:
        """Take the output again after :meth:`standby` (nothing happens otherwise).

        Raises:
            AudioError: the output cannot be opened any more (the engine stays in standby).
        """
        power = self._power
        with power.lock:
            if power.standing_by:
                self.output.start(self._render, self._ready_for)
                power.standing_by = False

    @property
    def standing_by(self) -> bool:
        """The output is given back (see :meth:`standby`)."""
        return self._power.standing_by

    @property
    def alive(self) -> bool:
        """Open, and the output still takes blocks (or is given back in standby)."""
        return self._power.opened and (self._power.standing_by or self.output.alive)

    def describe(self) -> str:
        """Vietnamese description of where the sound goes."""
        return self.output.describe()

    def __enter__(self) -> PlayoutEngine:
        self.open()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------ commands

    def subscribe(self, listener: Callable[[PlayoutEvent], None]) -> None:
        """Receive every event, from the housekeeper thread (listeners must not block)."""
        with self._lock:
            self._mail.listeners.append(listener)

    def enqueue(self, items: Sequence[PlayItem], *, start_at: datetime | None = None) -> None:
        """Queue items to follow each other gaplessly after what is queued.

        With ``start_at`` the first item's first sample reaches the output at that instant, provided the
        queue is otherwise empty by then (decoders start ahead at once).

        Raises:
            AudioError: the engine is in standby and the output cannot be taken again.
        """
        self.wake()
        with self._lock:
            voices = [self._voices.claim(item) for item in items]
            if voices and start_at is not None:
                voices[0].not_before = start_at.timestamp()
            self._queue.extend(voices)
        self._wake.set()

    def prepare(self, items: Sequence[PlayItem]) -> None:
        """Start decoding items that may be needed at short notice (an emergency bulletin waiting to cut in).

        A later :meth:`preempt` or :meth:`enqueue` of the same items then sounds at once instead of waiting
        for a decoder to start (about 70 ms for ffmpeg on an idle machine, several times that on a busy
        one). Only the last call's items are kept ready; :meth:`close` releases them.
        """
        voices = [self._voices.new(item) for item in items]
        for voice in voices:
            self._voices.prepare(voice)
        with self._lock:
            self._closing += self._voices.prepared.values()
            self._voices.prepared = {voice.item: voice for voice in voices}
        self._wake.set()

    def preempt(self, items: Sequence[PlayItem], *, resume: bool) -> None:
        """Cut in now with ``items``; then the interrupted item resumes where it stopped (``resume``) or
        restarts from its beginning, and the rest of the queue follows.

        Raises:
            AudioError: the engine is in standby and the output cannot be taken again.
        """
        self.wake()
        with self._lock:
            voices = [self._voices.claim(item) for item in items]
        for voice in voices[:PREFETCH]:
            if voice.source is None:
                self._voices.prepare(voice)
        self._command(_Op("preempt", voices=voices, resume=resume))

    def stop(self) -> None:
        """Silence now and clear the queue."""
        self._command(_Op("stop"))

    def skip(self, key: str | None = None) -> None:
        """End the current item now and go on with the next; with ``key``, only if that item is still the one
        playing when the command takes effect (a skip decided for one item never cuts the next)."""
        self._command(_Op("skip", key=key))

    def pause(self) -> None:
        """Hold the current item (silence) until :meth:`resume`."""
        self._command(_Op("pause"))

    def resume(self) -> None:
        """Continue after :meth:`pause`."""
        self._command(_Op("resume"))

    def status(self) -> PlayoutStatus:
        """What is playing, where, and how loud (peak of the last block, dBFS)."""
        with self._lock:
            voice = self._current
            return PlayoutStatus(
                playing=voice.item if voice else None,
                position_s=voice.position_s if voice else 0.0,
                duration_s=voice.duration_s if voice else None,
                level_dbfs=self._meters.level_dbfs,
                paused=self._paused,
                queued=tuple(v.item for v in self._queue),
            )

    @property
    def glitches(self) -> int:
        """Blocks heard as a gap so far: the output ran dry (the machine was starved of CPU) or a started item
        had no decoded samples ready. Zero on a healthy station; the daemon can log it as a health figure."""
        return self._meters.starved_blocks + self.output.underflows

    @property
    def busy(self) -> bool:
        """Something is playing, fading out or waiting in the queue, or an event is not yet delivered."""
        with self._lock:
            return bool(self._current or self._queue or self._tails or self._ops or self._mail.undelivered)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is playing or queued and every event has been delivered; ``False`` if
        ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.busy:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _emit(self, event: PlayoutEvent) -> None:
        """Queue an event for the housekeeper to deliver (the lock is held)."""
        self._mail.post(event)

    def _command(self, op: _Op) -> None:
        with self._lock:
            self._ops.append(op)
        self._wake.set()

    # ------------------------------------------------------------------------------------ output thread

    def _ready_for(self, frames: int) -> bool:
        """For outputs faster than real time: whether the next block can be rendered without a gap that a
        real-time output would not have.

        Every voice the block reaches must have its part of it decoded, or have ended: the tails, the current
        item, each item it hands over to within the block (a decoder that has just started may hold only a
        few hundred frames), and the cover of an item whose decoder ended early (prepared by the housekeeper).
        """
        with self._lock:
            if self._ops:
                return True
            if self._paused:
                return False
            if not all(self._has_block(tail, frames) for tail in self._tails):
                return False
            if self._current is None and not self._queue:
                return bool(self._tails)
            if self._chain_ready(frames):
                return True
        self._wake.set()  # the housekeeper may have a decoder to start, a failed item to replace, a cover
        return False

    def _chain_ready(self, frames: int) -> bool:
        """Whether the current item and those following it within the next ``frames`` have their samples.

        Only the voices the housekeeper prepares (the current one, ``PREFETCH`` queued ones and the cover of
        the current one or the first queued one) are waited for, so the output can never wait for a decoder
        nobody starts. The engine's lock is held.
        """
        current = self._current
        chain = [*([current] if current is not None else []), *self._queue[:PREFETCH]]
        need = frames
        index = 0
        while index < len(chain):
            voice = chain[index]
            if voice is not current and not voice.ready:
                return False
            if not self._has_block(voice, frames):
                return False
            following = chain[index + 1] if index + 1 < len(chain) else None
            if voice is not current and voice.not_before is not None:
                return True  # it starts after a silence whose length this block does not know
            left = voice.remaining
            if left is None:
                return True
            sounding = voice is current or voice is (self._queue[0] if self._queue else None)
            cover = self._cover_due(voice, sounding=sounding)
            if cover is False:
                return False
            if isinstance(cover, _Voice):
                following = cover
                chain.insert(index + 1, cover)
            overlap = following.xfade if following is not None and following.not_before is None else 0
            advance = max(0, left - overlap)
            if advance >= need:
                return True
            need -= advance
            index += 1
        return True

    def _has_block(self, voice: _Voice, frames: int) -> bool:
        """The voice's decoder holds a whole block, or has finished (what it holds is all there is). The
        lock is held."""
        source = voice.source
        if source is None:
            return False
        if isinstance(voice, _RelayVoice) and isinstance(source, RelaySource):
            stalled = time.monotonic() - source.last_data > self._voices.relay_dropout_s
            return voice.in_outage or stalled or source.buffer.frames >= frames
        return source.done or source.buffer.frames >= frames

    def _cover_due(self, voice: _Voice, *, sounding: bool) -> _Voice | bool:
        """The cover that will follow a voice whose decoder ended early; ``False`` while the housekeeper has
        yet to prepare it (for the voices it covers), ``True`` when none will follow. The lock is held."""
        source = voice.source
        if source is None or not source.done or isinstance(voice, _RelayVoice) or voice.covering:
            return True
        if voice.cover is not None:
            return voice.cover
        return not sounding or not voice.missing_s() or self._voices.cover_item(voice) is None

    def _render(self, out: Frames, at: float) -> None:
        """Fill ``out`` with the block whose first frame is heard at wall time ``at``."""
        out.clear()
        with self._lock:
            ops, self._ops = self._ops, []
            for op in ops:
                self._apply(op, out, at)
            if not self._paused:
                self._mix(out, at)
            peak = out.peak()
            if peak > 1.0:
                out.clip()
                peak = 1.0
            self._meters.level_dbfs = 20.0 * math.log10(peak) if peak > 1e-6 else _SILENT_DBFS
        if ops or self._closing or self._mail.undelivered:
            self._wake.set()

    def _apply(self, op: _Op, out: Frames, at: float) -> None:
        current = self._current
        if op.kind == "pause":
            if current is not None and not self._paused:
                out.mix(current.cut_tail(len(out)))
            self._paused = True
            return
        if op.kind == "resume":
            if self._paused and current is not None:
                current.ramp_in = round(RAMP_S * self.rate)
            self._paused = False
            return
        if op.key is not None and (current is None or current.item.key != op.key):
            return
        reason = {"stop": EndReason.STOPPED, "skip": EndReason.SKIPPED, "preempt": EndReason.PREEMPTED}[op.kind]
        if current is not None:
            self._report_outages(current, at)
            if not self._paused:
                out.mix(current.cut_tail(len(out)))
            self._emit(ItemEnded(current.item, _utc(at), reason, current.position_s))
            self._current = None
        self._paused = False
        if op.kind == "stop":
            for tail_voice in self._tails:
                self._emit(ItemEnded(tail_voice.item, _utc(at), reason, tail_voice.position_s))
            self._closing += [*self._tails, *self._queue, *op.voices, *([current] if current else [])]
            self._tails, self._queue = [], []
        elif op.kind == "skip":
            if current is not None:
                self._closing.append(current)
        else:
            back: list[_Voice] = []
            if current is not None:
                if op.resume:
                    current.ramp_in = round(RAMP_S * self.rate)
                    back = [current]
                else:
                    self._closing.append(current)
                    back = [self._voices.new(current.item, replaced=current.replaced, failure=current.failure)]
            self._queue[:0] = [*op.voices, *back]

    def _mix(self, out: Frames, at: float) -> None:
        frames = len(out)
        rate = self.rate
        for tail in list(self._tails):
            block = tail.render(frames, at)
            out.mix(block)
            if tail.finished:
                self._finish(tail, at + len(block) / rate)
                self._tails.remove(tail)
        pos = 0
        while pos < frames:
            voice = self._current
            if voice is None:
                if not self._queue:
                    self._handover = False
                    return
                upcoming = self._queue[0]
                if upcoming.not_before is not None:
                    wait = round((upcoming.not_before - at) * rate) - pos
                    if wait >= frames - pos:
                        return
                    pos += max(0, wait)
                if not upcoming.ready:
                    # Only a hand-over counts: an item starting from silence just starts a little later.
                    if self._handover:
                        self._meters.starved_blocks += 1
                    return
                self._queue.pop(0)
                self._start(upcoming, at + pos / rate)
                voice = upcoming
            span = frames - pos
            following = self._queue[0] if self._queue else None
            overlap = following.xfade if following and following.not_before is None and following.ready else 0
            left = voice.remaining
            if overlap and left is not None:
                if left <= overlap:
                    # Crossfade: the outgoing item fades over what is left of it while the next one fades in.
                    assert following is not None
                    voice.fade_out = max(voice.fade_out, left)
                    following.fade_in = max(following.fade_in, left)
                    block = voice.render(span, at + pos / rate)
                    out.mix(block, pos)
                    if voice.finished:
                        self._finish(voice, at + (pos + len(block)) / rate)
                    else:
                        self._tails.append(voice)
                    self._current = None
                    continue
                span = min(span, left - overlap)
            block = voice.render(span, at + pos / rate)
            out.mix(block, pos)
            pos += len(block)
            if isinstance(voice, _RelayVoice) and voice.outages:
                self._report_outages(voice, None)
            if voice.finished:
                self._finish(voice, at + pos / rate)
                self._current = None
                continue
            if len(block) < span:
                self._meters.starved_blocks += 1
                return

    def _start(self, voice: _Voice, at: float) -> None:
        self._current = voice
        self._handover = False
        when = _utc(at)
        if voice.replaced is not None and voice.played == 0 and not voice.covering:
            detail = f"Không phát được «{voice.replaced.title}»: {voice.failure}; đã phát «{voice.item.title}» thay."
            self._emit(ItemEnded(voice.replaced, when, EndReason.FAILED, 0.0, detail))
        self._emit(ItemStarted(voice.item, when, voice.replaced))

    def _report_outages(self, voice: _Voice, end: float | None) -> None:
        """Emit a relay's finished outages; with ``end``, close the running one at that instant first."""
        if not isinstance(voice, _RelayVoice):
            return
        if end is not None:
            voice.end_outage(end)
        for outage in voice.outages:
            self._emit(outage)
        voice.outages.clear()

    def _finish(self, voice: _Voice, at: float) -> None:
        self._handover = True
        self._report_outages(voice, at)
        source = voice.source
        failed = source is not None and source.error is not None and not isinstance(voice, _RelayVoice)
        reason = EndReason.FAILED if failed else EndReason.FINISHED
        detail = f"Phát dở dang: {source.error}." if failed and source is not None else ""
        missing = 0.0 if failed or isinstance(voice, _RelayVoice) else voice.missing_s()
        if missing:
            detail = self._cover(voice, missing)
        self._emit(ItemEnded(voice.item, _utc(at), reason, voice.position_s, detail))
        self._closing.append(voice)

    def _cover(self, voice: _Voice, missing: float) -> str:
        """Queue the cover of an item that ended early (prepared ahead by the housekeeper, else now); returns
        the Vietnamese reason for the log. The lock is held."""
        cover = voice.cover or self._voices.cover(voice, missing)
        voice.cover = None
        expected = voice.played / self.rate + missing
        why = (
            f"Kết thúc sớm: tệp chỉ phát được {voice.played / self.rate:.1f} giây trong {expected:.1f} giây "
            "(tệp bị cắt cụt hoặc hỏng phần cuối)"
        )
        if cover is None:
            return f"{why}; không có gì để phát thay {missing:.1f} giây còn lại."
        self._queue.insert(0, cover)
        return f"{why}; đã phát «{cover.item.title}» thay {missing:.1f} giây còn lại."

    # -------------------------------------------------------------------------------------- housekeeper

    def _housekeep(self) -> None:
        while True:
            self._wake.wait(0.1)
            self._wake.clear()
            stopping = self._power.stopping.is_set()
            with self._lock:
                listeners = list(self._mail.listeners)
                closing, self._closing = self._closing, []
                wanted = [v for v in self._queue[:PREFETCH] if v.source is None]
                failed = [v for v in self._queue if v.source is not None and v.source.failed_before_sound]
                sounding = [v for v in [self._current, *self._queue[:1]] if v is not None and v.cover is None]
            for voice in closing:
                voice.close()
            if not stopping:
                self._prepare_covers(sounding)
                for voice in wanted:
                    self._voices.prepare(voice)
                    with self._lock:
                        if voice in self._queue:
                            continue
                    voice.close()
                for voice in failed:
                    self._replace(voice)
            self._deliver(listeners)
            if stopping:
                return

    def _prepare_covers(self, voices: list[_Voice]) -> None:
        """Start the cover of each item whose decoder has just ended early, so it follows without a gap."""
        for voice in voices:
            if isinstance(voice, _RelayVoice) or voice.covering:
                continue
            missing = voice.missing_s()
            cover = self._voices.cover(voice, missing) if missing else None
            if cover is None:
                continue
            self._voices.prepare(cover)
            with self._lock:
                if voice.cover is None and (voice is self._current or voice in self._queue):
                    voice.cover = cover
                    continue
            cover.close()

    def _replace(self, voice: _Voice) -> None:
        assert voice.source is not None
        replacement = self._voices.replacement(voice)
        if replacement is not None:
            self._voices.prepare(replacement)
        with self._lock:
            if voice not in self._queue:
                if replacement is not None:
                    self._closing.append(replacement)
                return
            index = self._queue.index(voice)
            if replacement is None:
                del self._queue[index]
                original = voice.replaced or voice.item
                error = voice.source.error
                why = f"{voice.failure}; «{voice.item.title}» cũng hỏng: {error}" if voice.replaced else error
                why = f"Không phát được «{original.title}»: {why}; không còn gì để phát thay."
                self._emit(ItemEnded(original, _utc(time.time()), EndReason.FAILED, 0.0, why))
            else:
                self._queue[index] = replacement
            self._closing.append(voice)
        log.warning("Thay mục hỏng «%s»", voice.item.title)

    def _deliver(self, listeners: list[Callable[[PlayoutEvent], None]]) -> None:
        while True:
            try:
                event = self._mail.events.get_nowait()
            except queue.Empty:
                return
            for listener in listeners:
                try:
                    listener(event)
                except Exception:  # a broken listener must not stop the speaker
                    log.exception("Lỗi trong bộ nhận sự kiện phát thanh")
            with self._lock:
                self._mail.undelivered -= 1
