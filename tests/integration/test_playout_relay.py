"""Relay slots survive a stream that is cut and silenced: the fallback covers, the outages are reported."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.audio import RATE, samples, tone
from tests.pulse import Recorder, Recording
from tests.streams import LiveStream, free_port
from truyenthanh.adapters.playout import PlayoutEngine, make_output
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.playout import EndReason, ItemEnded, PlayItem, PlayoutEvent, RelayOutage

pytestmark = [pytest.mark.slow, pytest.mark.realtime]

STREAM_HZ, BACKUP_HZ = 1000.0, 440.0


@pytest.fixture
def stream() -> Iterator[LiveStream]:
    served = LiveStream(hz=STREAM_HZ, amplitude=0.3)
    yield served
    served.close()


def relay(url: str, seconds: float, backup: Path) -> PlayItem:
    return PlayItem(
        key="relay",
        title="Thời sự VOV",
        kind=ItemKind.RELAY,
        relay_url=url,
        duration_s=seconds,
        fallback=PlayItem(key="fallback", title="Nhạc dự phòng", kind=ItemKind.AUDIO, source=backup),
    )


def timeline(recording: Recording, window_s: float = 0.1) -> list[str]:
    """Per window: ``stream``, ``backup`` or ``silence``, by the strongest of the two tones."""
    heard = samples(recording)
    size = int(window_s * RATE)
    out = []
    for start in range(0, len(heard) - size + 1, size):
        chunk = heard[start : start + size]
        if np.sqrt(np.mean(chunk**2)) < 0.01:
            out.append("silence")
            continue
        spectrum = np.abs(np.fft.rfft(chunk))
        freq = np.argmax(spectrum) * RATE / size
        out.append("stream" if abs(freq - STREAM_HZ) < 30 else "backup" if abs(freq - BACKUP_HZ) < 30 else "?")
    return out


def runs(labels: list[str]) -> list[tuple[str, int]]:
    """Consecutive equal labels as (label, count)."""
    grouped: list[tuple[str, int]] = []
    for label in labels:
        if grouped and grouped[-1][0] == label:
            grouped[-1] = (label, grouped[-1][1] + 1)
        else:
            grouped.append((label, 1))
    return grouped


def test_relay_cut_and_silenced_mid_slot_falls_back_and_reconnects(
    tmp_path: Path, stream: LiveStream, recorder: Recorder, pulse_env: dict[str, str]
) -> None:
    backup = tone(tmp_path / "backup.wav", BACKUP_HZ, 1.0)
    player = PlayoutEngine(
        make_output("device", device=None, rate=RATE, buffer_ms=20),
        relay_dropout_s=1.0,
        relay_silence_s=1.5,
        relay_recover_s=0.3,
        relay_retry_s=0.3,
    )
    events: list[PlayoutEvent] = []
    player.subscribe(events.append)
    player.open()
    try:
        with recorder.record() as result:
            time.sleep(0.3)
            began = time.time()
            player.enqueue([relay(stream.url, 10.0, backup)])
            time.sleep(1.5)
            cut_at = time.time()
            stream.cut()
            time.sleep(2.5)
            stream.restore()
            time.sleep(1.5)
            silenced_at = time.time()
            stream.silence()
            time.sleep(2.0)
            stream.restore()
            assert player.wait_idle(10)
        ended_at = time.time()
    finally:
        player.close()
    outages = [event for event in events if isinstance(event, RelayOutage)]
    assert len(outages) == 2, outages
    dropped, silent = outages
    assert "mất luồng" in dropped.cause
    assert "im lặng" in silent.cause
    # An outage starts when the speaker ran out of the stream's sound (what was already buffered, under a
    # second, still plays after the cut) and ends once the stream sounds again.
    assert 0 <= dropped.start.timestamp() - cut_at < 1.2
    assert 2.5 <= dropped.end.timestamp() - cut_at < 4.5
    assert 0 <= silent.start.timestamp() - silenced_at < 1.2
    assert 2.0 <= silent.end.timestamp() - silenced_at < 4.0
    (ended,) = [event for event in events if isinstance(event, ItemEnded)]
    assert ended.reason is EndReason.FINISHED and ended.position_s == pytest.approx(10.0)
    assert stream.connections >= 2
    # What the speaker said: stream, backup, stream, backup, stream, never more than 2 s without sound.
    labels = timeline(result[0])
    start = labels.index("stream")
    sounding = [run for run in runs(labels[start:]) if run[0] != "?"]
    assert [label for label, _ in sounding if label != "silence"][:5] == [
        "stream",
        "backup",
        "stream",
        "backup",
        "stream",
    ]
    silences = [count for label, count in sounding if label == "silence"]
    assert max(silences[:-1], default=0) * 0.1 <= 2.0, sounding
    assert ended_at - began < 13


def test_unreachable_relay_plays_the_fallback_for_the_whole_slot(
    tmp_path: Path, recorder: Recorder, pulse_env: dict[str, str]
) -> None:
    backup = tone(tmp_path / "backup.wav", BACKUP_HZ, 0.7)
    player = PlayoutEngine(make_output("device", device=None, rate=RATE, buffer_ms=20), relay_dropout_s=1.0)
    events: list[PlayoutEvent] = []
    player.subscribe(events.append)
    player.open()
    try:
        with recorder.record() as result:
            time.sleep(0.3)
            player.enqueue([relay(f"http://127.0.0.1:{free_port()}/vov.mp3", 3.0, backup)])
            assert player.wait_idle(10)
    finally:
        player.close()
    (outage,) = [event for event in events if isinstance(event, RelayOutage)]
    assert "không kết nối được" in outage.cause
    assert (outage.end - outage.start).total_seconds() == pytest.approx(3.0, abs=0.1)
    labels = runs(timeline(result[0]))
    assert [label for label, _ in labels if label not in ("silence", "?")] == ["backup"]
    backup_run = next(count for label, count in labels if label == "backup")
    assert backup_run * 0.1 == pytest.approx(2.0, abs=0.25)
