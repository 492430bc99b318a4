"""The speaker: a playout engine over one persistent output (PulseAudio, a sound device, a file or Icecast).

See :mod:`.engine` for how the threads share the work, :mod:`.sources` for the decoders, :mod:`.outputs` for
which output ``device`` means, and :mod:`.pulse` for the native PulseAudio output.
"""

from __future__ import annotations

from truyenthanh.adapters.playout.engine import PlayoutEngine
from truyenthanh.adapters.playout.outputs import make_output

__all__ = ["PlayoutEngine", "make_output"]
