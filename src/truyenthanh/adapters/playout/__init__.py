"""The speaker: a playout engine over one persistent output (sound device, file or Icecast).

See :mod:`.engine` for how the threads share the work, :mod:`.sources` for the decoders and :mod:`.outputs`
for how PortAudio reaches PulseAudio on this platform.
"""

from __future__ import annotations

from truyenthanh.adapters.playout.engine import PlayoutEngine
from truyenthanh.adapters.playout.outputs import make_output

__all__ = ["PlayoutEngine", "make_output"]
