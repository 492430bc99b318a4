"""What every sound output is to the playout engine: the :class:`Output` protocol and the :data:`Render` callback.

Kept apart from :mod:`~truyenthanh.adapters.playout.outputs` (which builds outputs) so that an output defined in
its own module, such as :class:`~truyenthanh.adapters.playout.pulse.PulseOutput`, needs only this module and not
the module that chooses among outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from truyenthanh.adapters.playout.frames import Frames

Render = Callable[[Frames, float], None]
"""Fills a block in place; the float is the wall time at which its first frame is heard."""


class Output(Protocol):
    """A sink that pulls blocks from the engine at its own pace."""

    rate: int
    realtime: bool
    """``False`` for a file written faster than real time: the engine then waits for decoders."""
    underflows: int
    """Blocks the output had to play before they were rendered (heard as a gap)."""

    def start(self, render: Render, ready: Callable[[int], bool]) -> None:
        """Start pulling blocks. ``ready(frames)`` tells a non-real-time output whether to render now."""
        ...

    def stop(self) -> None:
        """Stop pulling blocks and release the output; returns once no ``render`` call is running."""
        ...

    def describe(self) -> str:
        """Vietnamese description of where the sound goes."""
        ...

    @property
    def alive(self) -> bool:
        """Whether the output is still taking blocks (a sound device unplugged or its server gone: ``False``)."""
        ...
