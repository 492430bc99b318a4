"""Small interfaces the services depend on; real adapters and test fakes both implement them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.playout import PlayItem, PlayoutEvent, PlayoutStatus


class Clock(Protocol):
    """Source of the current time. Thread-safe."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class Playout(Protocol):
    """The speaker: one persistent output stream fed from a callback. All methods are thread-safe and return
    at once; commands take effect within one audio buffer. Events are delivered to the listener given to
    :meth:`subscribe` from the engine's own thread (listeners must not block).
    """

    def open(self) -> None:
        """Open the output (device, file or Icecast) and start the stream, playing silence."""
        ...

    def close(self) -> None:
        """Stop everything and release the output."""
        ...

    @property
    def alive(self) -> bool:
        """Open, and the output still takes blocks (``False`` once a sound device is lost: close, then open)."""
        ...

    def standby(self) -> bool:
        """Give the output back while nothing plays, waits or is prepared (the engine stays open); returns
        whether it did. :meth:`enqueue`, :meth:`preempt` and :meth:`wake` take it again."""
        ...

    def wake(self) -> None:
        """Take the output again after :meth:`standby` (raises ``AudioError`` if it cannot be opened)."""
        ...

    @property
    def standing_by(self) -> bool:
        """The output is given back (see :meth:`standby`)."""
        ...

    def describe(self) -> str:
        """Vietnamese description of where the sound goes."""
        ...

    def subscribe(self, listener: Callable[[PlayoutEvent], None]) -> None:
        """Receive every :data:`~truyenthanh.domain.playout.PlayoutEvent`."""
        ...

    def enqueue(self, items: Sequence[PlayItem], *, start_at: datetime | None = None) -> None:
        """Queue items to follow each other gaplessly after what is queued.

        With ``start_at`` the first item's first sample reaches the output at that instant (the engine
        decodes ahead and counts samples), provided the queue is otherwise empty by then.
        """
        ...

    def preempt(self, items: Sequence[PlayItem], *, resume: bool) -> None:
        """Cut in now with ``items``; afterwards the interrupted item resumes where it stopped
        (``resume=True``) or restarts, then the rest of the queue follows."""
        ...

    def stop(self) -> None:
        """Silence now and clear the queue."""
        ...

    def skip(self, key: str | None = None) -> None:
        """End the current item now and go on with the next (with ``key``: only if that item is still on air)."""
        ...

    def pause(self) -> None:
        """Hold the current item (silence) until :meth:`resume`."""
        ...

    def resume(self) -> None:
        """Continue after :meth:`pause`."""
        ...

    def status(self) -> PlayoutStatus:
        """What is playing, where, and how loud."""
        ...


class SpeechEngine(Protocol):
    """A text-to-speech engine. ``synthesize`` may be called from several threads at once.

    Attributes:
        name: the engine's name as stored on assets and announcements (``gtts``, ``espeak``).
        online: whether it needs the Internet (the service never calls such an engine at air time).
    """

    name: str
    online: bool

    def voice(self, variant: ReadingVariant) -> str:
        """The voice this engine uses for a reading variant (``vi``, ``vi-vn-x-south``...)."""
        ...

    def synthesize(self, text: str, *, voice: str, speed: float, target: Path) -> None:
        """Read already-normalised ``text`` aloud into a 48 kHz mono WAV file at ``target``.

        ``speed`` is a rate factor (1.0 normal, 0.5 to 2.0). The file appears whole or not at all: after a
        failure ``target`` does not exist (nor does any partial file beside it).

        Raises:
            SpeechError: the only error; its Vietnamese message says why (no network, timeout, refused,
                engine missing).
        """
        ...
