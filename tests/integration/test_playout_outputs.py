"""The same engine writes a file (exactly what would have played) and feeds a real icecast2 server."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.audio import RATE, corrupt, decode, mismatch, sweep, tone
from tests.streams import Icecast
from truyenthanh.adapters.playout import PlayoutEngine, make_output
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.playout import EndReason, ItemEnded, ItemStarted, PlayItem
from truyenthanh.errors import AudioError


def item(path: Path, key: str, **fields: object) -> PlayItem:
    return PlayItem(key=key, title=f"Mục {key}", kind=ItemKind.AUDIO, source=path, **fields)  # type: ignore[arg-type]


def test_file_output_holds_exactly_what_would_have_played(tmp_path: Path) -> None:
    first, second = sweep(tmp_path / "a.wav", 0.7), sweep(tmp_path / "b.mp3", 1.1, start_hz=600)
    third = sweep(tmp_path / "c.ogg", 0.5, start_hz=1100, rate=44100)
    backup = tone(tmp_path / "backup.wav", 880, 0.4)
    items = [
        item(first, "a"),
        item(second, "b", gain_db=-6.0),
        item(corrupt(tmp_path / "broken.mp3"), "broken", fallback=item(backup, "fallback")),
        PlayItem(key="gap", title="Khoảng lặng", kind=ItemKind.SILENCE, duration_s=0.25),
        item(third, "c", gain_db=2.0),
    ]
    target = tmp_path / "preview.wav"
    player = PlayoutEngine(make_output(f"file:{target}", device=None, rate=RATE, buffer_ms=20, realtime=False))
    player.open()
    began = time.monotonic()
    player.enqueue(items)
    assert player.wait_idle(20)
    player.close()
    assert time.monotonic() - began < 2.5, "a preview is written faster than real time"
    expected = np.concatenate(
        [
            decode(first),
            decode(second, gain_db=-6.0),
            decode(backup),
            np.zeros(int(0.25 * RATE)),
            decode(third, gain_db=2.0),
        ]
    )
    written = decode(target)
    # Block-sized output: the tail of the last block is silence.
    assert len(expected) <= len(written) < len(expected) + RATE * 0.02
    assert mismatch(written, expected, 0) < 1e-6
    assert not written[len(expected) :].any()


def test_an_unknown_output_is_refused_in_vietnamese() -> None:
    with pytest.raises(AudioError, match="không hợp lệ"):
        make_output("loa:1", device=None, rate=RATE, buffer_ms=20)


LISTEN = ["ffmpeg", "-nostdin", "-v", "error", "-probesize", "32768", "-analyzeduration", "500000", "-i"]
"""A listener that starts at once on a live stream."""


@pytest.fixture
def icecast() -> Iterator[Icecast]:
    server = Icecast()
    yield server
    server.stop()


@pytest.mark.slow
def test_icecast_output_reaches_a_listener(tmp_path: Path, icecast: Icecast) -> None:
    clip = tone(tmp_path / "tone.wav", 1000, 6.0, amplitude=0.4)
    player = PlayoutEngine(make_output(f"icecast:{icecast.source_url('xa.mp3')}", device=None, rate=RATE, buffer_ms=20))
    player.open()
    try:
        player.enqueue([item(clip, "tone")])
        time.sleep(1.0)
        heard = subprocess.run(
            [*LISTEN, icecast.listen_url("xa.mp3"), "-t", "2", "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout
    finally:
        player.close()
    samples = np.frombuffer(heard, dtype="<i2").astype(np.float64) / 32768
    assert len(samples) >= RATE * 1.9
    spectrum = np.abs(np.fft.rfft(samples[-RATE:]))
    assert np.argmax(spectrum) == pytest.approx(1000, abs=2)  # one-second window: bins are 1 Hz
    # A 0.4 sine has an RMS of 0.28; MP3 keeps it within a few percent.
    assert np.sqrt(np.mean(samples[-RATE:] ** 2)) == pytest.approx(0.4 / np.sqrt(2), rel=0.1)


def test_fades_and_crossfades_shape_the_file_output(tmp_path: Path) -> None:
    first = tone(tmp_path / "a.wav", 440, 1.0, amplitude=0.5)
    second = tone(tmp_path / "b.wav", 660, 1.0, amplitude=0.5)
    target = tmp_path / "fades.wav"
    player = PlayoutEngine(make_output(f"file:{target}", device=None, rate=RATE, buffer_ms=20, realtime=False))
    player.open()
    player.enqueue([item(first, "a", fade_in_s=0.2), item(second, "b", crossfade_s=0.4, fade_out_s=0.3)])
    assert player.wait_idle(10)
    player.close()
    written = decode(target)
    expected_length = 2 * RATE - int(0.4 * RATE)  # the two overlap for 0.4 s

    def level(at_s: float, hz: float) -> float:
        """Amplitude of one tone in the 50 ms window starting at ``at_s``."""
        window = written[int(at_s * RATE) : int(at_s * RATE) + RATE // 20]
        spectrum = np.abs(np.fft.rfft(window)) * 2 / len(window)
        return float(spectrum[round(hz * len(window) / RATE)])

    assert np.flatnonzero(np.abs(written) > 1e-4)[-1] < expected_length
    assert np.abs(written[expected_length - int(0.31 * RATE) : expected_length - int(0.29 * RATE)]).max() > 0.05
    assert level(0.0, 440) < 0.1  # fading in
    assert level(0.1, 440) == pytest.approx(0.5 * 0.625, abs=0.05)  # halfway up the 0.2 s fade (window centre)
    assert level(0.3, 440) == pytest.approx(0.5, abs=0.03)
    assert level(0.775, 440) == pytest.approx(0.25, abs=0.05)  # the crossfade's middle: each at half
    assert level(0.775, 660) == pytest.approx(0.25, abs=0.05)
    assert level(1.0, 660) == pytest.approx(0.5, abs=0.03)
    assert level(1.0, 440) < 0.02  # the first item is gone after the overlap
    assert level(1.55, 660) < 0.15  # fading out over its last 0.3 s


def test_a_skip_for_one_item_never_cuts_another(tmp_path: Path) -> None:
    first, second = tone(tmp_path / "a.wav", 440, 1.0), tone(tmp_path / "b.wav", 660, 1.0)
    target = tmp_path / "skips.wav"
    player = PlayoutEngine(make_output(f"file:{target}", device=None, rate=RATE, buffer_ms=20, realtime=True))
    ended: list[tuple[str, EndReason]] = []
    started = threading.Event()

    def listen(event: object) -> None:
        if isinstance(event, ItemEnded):
            ended.append((event.item.key, event.reason))
        elif isinstance(event, ItemStarted) and event.item.key == "a":
            started.set()

    player.subscribe(listen)
    player.open()
    player.enqueue([item(first, "a"), item(second, "b")])
    assert started.wait(5)
    player.skip("b")  # decided for an item that is not on air: ignored, "a" goes on
    player.skip("a")  # "a" ends; "b" plays to its end
    assert player.wait_idle(10)
    player.close()
    assert ended == [("a", EndReason.SKIPPED), ("b", EndReason.FINISHED)]
