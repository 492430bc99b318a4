"""The private PulseAudio sink hears what is played into it, and when."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.pulse import Recorder
from truyenthanh.adapters import ffmpeg
from truyenthanh.domain.tunes import TUNES


@pytest.mark.slow
@pytest.mark.realtime
def test_paplay_into_the_sink_is_recorded(tmp_path: Path, recorder: Recorder, pulse_env: dict[str, str]) -> None:
    tone = tmp_path / "tone.wav"
    ffmpeg.render_tune(TUNES["tone"], tone)
    with recorder.record() as result:
        time.sleep(0.3)
        asked = time.time()
        subprocess.run(["paplay", "--device=speaker", str(tone)], env=pulse_env, check=True, timeout=30)
    recording = result[0]
    onset = recording.first_sound()
    assert onset is not None
    heard_at = recording.started_at + onset
    # paplay's own start and connection take most of this bound on a loaded machine; the recorder's clock is
    # what is checked here (a wrong time base would be off by whole seconds or land before the command).
    assert 0.0 <= heard_at - asked < 2.0
    levels = recording.rms_windows(0.1)
    loud = [level for level in levels if level > 0.05]
    # The 5 s tone at 0.5 full scale has an RMS near 0.35.
    assert 4.5 <= len(loud) * 0.1 <= 5.5
    assert all(0.3 < level < 0.4 for level in loud[1:-1])
