"""Blocks of audio as the engine mixes them: interleaved stereo float32 in a standard-library ``array``.

The daemon runs for months on a cheap PC, so its resident memory matters, and NumPy alone would cost it about
14 MB. The engine's arithmetic is a few element-wise passes per block, which ``map`` over an ``array`` does in
C-level loops; the common case (one item at unity gain, no fade) costs one copy per block.
"""

from __future__ import annotations

import operator
import sys
from array import array
from collections.abc import Sequence
from itertools import chain

CHANNELS = 2
_BYTES = 4 * CHANNELS
"""Bytes per frame (two float32 samples)."""


class Frames:
    """A block of stereo frames, full scale at 1.0; ``len()`` counts frames and slices select frames."""

    __slots__ = ("samples",)

    def __init__(self, samples: array[float]) -> None:
        self.samples = samples
        """Interleaved left/right samples."""

    @classmethod
    def silent(cls, frames: int) -> Frames:
        """``frames`` frames of digital silence."""
        return cls(array("f", bytes(_BYTES * frames)))

    @classmethod
    def from_float32(cls, raw: bytes) -> Frames:
        """Frames from interleaved little-endian float32 stereo (what ``ffmpeg -f f32le -ac 2`` writes)."""
        samples = array("f", raw)
        if sys.byteorder == "big":
            samples.byteswap()
        return cls(samples)

    @classmethod
    def from_int16(cls, raw: bytes, channels: int) -> Frames:
        """Frames from little-endian 16-bit PCM with one or two channels (a mono channel goes to both sides)."""
        ints = array("h", raw)
        if sys.byteorder == "big":
            ints.byteswap()
        scaled = array("f", map((1 / 32768).__mul__, ints))
        if channels == 2:
            return cls(scaled)
        stereo = array("f", bytes(8 * len(scaled)))
        stereo[0::2] = scaled
        stereo[1::2] = scaled
        return cls(stereo)

    @classmethod
    def join(cls, parts: Sequence[Frames]) -> Frames:
        """The parts one after the other."""
        if len(parts) == 1:
            return parts[0]
        samples = array("f")
        for part in parts:
            samples.extend(part.samples)
        return cls(samples)

    def __len__(self) -> int:
        return len(self.samples) // CHANNELS

    def __getitem__(self, frames: slice) -> Frames:
        start, stop, _ = frames.indices(len(self))
        return Frames(self.samples[CHANNELS * start : CHANNELS * stop])

    def padded(self, frames: int) -> Frames:
        """These frames followed by silence up to ``frames`` frames."""
        missing = frames - len(self)
        if missing <= 0:
            return self
        return Frames(self.samples + array("f", bytes(_BYTES * missing)))

    def scaled(self, gain: float) -> Frames:
        """Every sample times ``gain`` (the block itself at unity gain)."""
        if gain == 1.0:
            return self
        return Frames(array("f", map(float(gain).__mul__, self.samples)))

    def shaped(self, envelope: Sequence[float], gain: float = 1.0) -> Frames:
        """Each frame times its factor in ``envelope`` (one per frame) and ``gain``."""
        if gain != 1.0:
            envelope = [factor * gain for factor in envelope]
        factors = chain.from_iterable(zip(envelope, envelope, strict=True))
        return Frames(array("f", map(operator.mul, self.samples, factors)))

    def mix(self, block: Frames, at: int = 0) -> None:
        """Add ``block`` into these frames from frame ``at`` on (in place; it must fit)."""
        start = CHANNELS * at
        stop = start + len(block.samples)
        assert stop <= len(self.samples), "the block does not fit"
        here = self.samples[start:stop]
        if any(here):
            self.samples[start:stop] = array("f", map(operator.add, here, block.samples))
        else:
            self.samples[start:stop] = block.samples

    def clear(self) -> None:
        """Silence every frame (in place)."""
        self.samples[:] = array("f", bytes(4 * len(self.samples)))

    def peak(self) -> float:
        """The largest absolute sample value (0.0 for an empty or silent block)."""
        samples = self.samples
        if not samples or not any(samples):
            return 0.0
        highest, lowest = max(samples), min(samples)
        return highest if highest > -lowest else -lowest

    def clip(self) -> None:
        """Limit every sample to full scale (in place)."""
        self.samples[:] = array("f", (1.0 if x > 1.0 else -1.0 if x < -1.0 else x for x in self.samples))

    def tobytes(self) -> bytes:
        """Interleaved little-endian float32, as the outputs send it."""
        if sys.byteorder == "big":
            swapped = array("f", self.samples)
            swapped.byteswap()
            return swapped.tobytes()
        return self.samples.tobytes()
