"""A preview file (an output faster than real time) never holds a gap a speaker would not have heard, however
slowly a decoder delivers: the output waits for the samples instead of writing silence in their place."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.audio import RATE, decode, mismatch, sweep, tone
from truyenthanh.adapters.playout import PlayoutEngine, make_output
from truyenthanh.adapters.playout import engine as engine_module
from truyenthanh.adapters.playout.frames import Frames
from truyenthanh.adapters.playout.sources import Source, WavSource, open_file_source
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.playout import ItemStarted, PlayItem, PlayoutEvent

FIRST_FRAMES = 100
"""What the slow decoder delivers at once: far less than the rest of the block it is handed over in."""
HOLD_S = 0.5
"""How long it then keeps the rest back (unless its item starts first, which only a gap would allow)."""


class SlowStart(WavSource):
    """A real WAV decoder that delivers its first few frames at once and the rest only after ``HOLD_S`` or
    once ``released`` is set: a decoder slowed down by a loaded machine, made repeatable."""

    def __init__(self, path: Path, released: threading.Event, *, rate: int, offset_s: float, ahead_s: float) -> None:
        super().__init__(path, rate=rate, offset_s=offset_s, ahead_s=ahead_s)
        self._released = released
        self._held = False

    def _emit(self, block: Frames) -> bool:
        if self._held:
            return super()._emit(block)
        self._held = True
        if not super()._emit(block[:FIRST_FRAMES]):
            return False
        self._released.wait(HOLD_S)
        return super()._emit(block[FIRST_FRAMES:])


def slow_for(path: Path, released: threading.Event) -> Callable[..., Source]:
    """``open_file_source`` with ``path`` decoded by :class:`SlowStart`."""
    real = open_file_source

    def open_source(source: Path, *, rate: int, offset_s: float, duration_s: float | None, ahead_s: float) -> Source:
        if source == path:
            return SlowStart(source, released, rate=rate, offset_s=offset_s, ahead_s=ahead_s)
        return real(source, rate=rate, offset_s=offset_s, duration_s=duration_s, ahead_s=ahead_s)

    return open_source


def item(path: Path, key: str, **fields: object) -> PlayItem:
    return PlayItem(key=key, title=f"Mục {key}", kind=ItemKind.AUDIO, source=path, **fields)  # type: ignore[arg-type]


def render(target: Path, items: list[PlayItem], listener: Callable[[PlayoutEvent], None]) -> None:
    player = PlayoutEngine(make_output(f"file:{target}", device=None, rate=RATE, buffer_ms=20, realtime=False))
    player.subscribe(listener)
    player.open()
    try:
        player.enqueue(items)
        assert player.wait_idle(20)
        assert player.starved_blocks == 0
    finally:
        player.close()


@pytest.mark.parametrize("second_kind", ["audio", "fallback"])
def test_a_hand_over_to_a_slow_decoder_waits_for_its_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second_kind: str
) -> None:
    # 0.7 s ends 160 frames into a 20 ms block: the next item must fill the other 800 frames of it.
    first = tone(tmp_path / "a.wav", 440, 0.7 + 160 / RATE)
    second = sweep(tmp_path / "b.wav", 0.6, start_hz=600)
    released = threading.Event()
    monkeypatch.setattr(engine_module, "open_file_source", slow_for(second, released))

    def on_event(event: PlayoutEvent) -> None:
        if isinstance(event, ItemStarted) and event.item.key in ("b", "fallback"):
            released.set()  # a gap already happened: no need to keep the test waiting

    follows = item(second, "b")
    if second_kind == "fallback":
        follows = item(tmp_path / "missing.mp3", "missing", fallback=item(second, "fallback"))
    target = tmp_path / "preview.wav"
    render(target, [item(first, "a"), follows], on_event)

    expected = np.concatenate([decode(first), decode(second)])
    written = decode(target)
    assert len(expected) <= len(written) < len(expected) + RATE * 0.02
    assert mismatch(written, expected, 0) < 1e-6
    assert not written[len(expected) :].any()


def test_the_cover_of_a_file_cut_short_follows_it_without_a_gap(tmp_path: Path) -> None:
    # A WAV whose header promises 2 s and whose data stops after about 1 s (an interrupted copy): its decoder
    # ends at once in a preview, and the fallback covering the missing second must follow without a gap.
    whole = sweep(tmp_path / "whole.wav", 2.0, start_hz=500)
    data = whole.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: 44 + (len(data) - 44) // 2 // 4 * 4])
    backup = tone(tmp_path / "backup.wav", 880, 1.5)
    target = tmp_path / "preview.wav"
    render(target, [item(cut, "cut", fallback=item(backup, "backup"))], lambda event: None)

    heard = decode(cut)
    expected = np.concatenate([heard, decode(backup)[: 2 * RATE - len(heard)]])
    written = decode(target)
    assert len(expected) <= len(written) < len(expected) + RATE * 0.02
    assert mismatch(written, expected, 0) < 1e-6
    assert not written[len(expected) :].any()
