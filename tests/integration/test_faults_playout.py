"""Issue 14, point 5: an item whose file was cut short after scheduling ends early, is reported partial with the
reason, and the fallback (else the filler) covers the rest of its slot, cut to it. Real ffmpeg, file output."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from tests.audio import RATE, decode, tone
from truyenthanh.adapters.playout import PlayoutEngine, make_output
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.playout import EndReason, ItemEnded, ItemStarted, PlayItem, PlayoutEvent


def truncated_mp3(folder: Path, *, xing: bool) -> Path:
    """A 10 s MP3 (440 Hz) cut to 12 KB, as a file damaged after it was scheduled."""
    whole = folder / f"whole-{xing}.mp3"
    command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=10", "-ac", "1"]
    command += ["-c:a", "libmp3lame", "-b:a", "32k", *([] if xing else ["-write_xing", "0"]), str(whole)]
    subprocess.run(command, check=True)
    cut = folder / f"cut-{xing}.mp3"
    cut.write_bytes(whole.read_bytes()[: 12 * 1024])
    return cut


def play(items: list[PlayItem], target: Path, filler: PlayItem | None) -> list[PlayoutEvent]:
    events: list[PlayoutEvent] = []
    player = PlayoutEngine(
        make_output(f"file:{target}", device=None, rate=RATE, buffer_ms=20, realtime=False), filler=filler
    )
    player.subscribe(events.append)
    player.open()
    player.enqueue(items)
    assert player.wait_idle(30)
    player.close()
    return events


def test_a_truncated_mp3_ends_early_and_the_fallback_covers_the_rest_of_its_slot(tmp_path: Path) -> None:
    cut = truncated_mp3(tmp_path, xing=False)  # no header to tell its length: the library's measurement does
    backup = tone(tmp_path / "backup.wav", 880, 14.0)  # longer than the slot: cut to it
    fallback = PlayItem(key="fallback", title="Nhạc dự phòng", kind=ItemKind.AUDIO, source=backup)
    item = PlayItem(key="tb", title="Thông báo", kind=ItemKind.AUDIO, source=cut, expected_s=10.0, fallback=fallback)
    closing = PlayItem(key="end", title="Nhạc kết", kind=ItemKind.SILENCE, duration_s=0.5)
    target = tmp_path / "air.wav"
    events = play([item, closing], target, filler=None)
    ended = next(e for e in events if isinstance(e, ItemEnded) and e.item.key == "tb")
    assert ended.reason is EndReason.FINISHED and 2.0 < ended.position_s < 4.0
    assert ended.detail.startswith("Kết thúc sớm: tệp chỉ phát được")
    assert "đã phát «Nhạc dự phòng» thay" in ended.detail
    started = [e for e in events if isinstance(e, ItemStarted)]
    assert [(e.item.key, e.replaced.key if e.replaced else None) for e in started] == [
        ("tb", None),
        ("fallback", "tb"),
        ("end", None),
    ]
    assert started[1].item.duration_s is not None and abs(ended.position_s + started[1].item.duration_s - 10.0) < 0.01
    written = decode(target)
    slot = written[: int(10.0 * RATE)]
    heard = np.abs(slot.reshape(-1, RATE // 10)).max(axis=1)  # peak of every 100 ms
    assert (heard > 0.05).all(), "no silence in the slot: the fallback covered what the file lost"
    assert len(written) < int(10.6 * RATE) + RATE * 0.02  # 10 s slot + 0.5 s closing: the 14 s backup was cut


def test_a_header_that_knows_the_length_is_enough_and_the_filler_covers_without_a_fallback(tmp_path: Path) -> None:
    cut = truncated_mp3(tmp_path, xing=True)  # its Xing header still says 10 s
    filler = PlayItem(
        key="station:filler", title="Nhạc đệm", kind=ItemKind.JINGLE, source=tone(tmp_path / "f.wav", 330, 30.0)
    )
    item = PlayItem(key="tb", title="Thông báo", kind=ItemKind.AUDIO, source=cut)
    target = tmp_path / "air.wav"
    events = play([item], target, filler=filler)
    ended = [e for e in events if isinstance(e, ItemEnded)]
    assert [(e.item.key, e.reason) for e in ended] == [
        ("tb", EndReason.FINISHED),
        ("station:filler", EndReason.FINISHED),
    ]
    assert "«Nhạc đệm» thay" in ended[0].detail
    assert abs(len(decode(target)) / RATE - 10.03) < 0.1


def test_a_whole_file_is_not_reported_early(tmp_path: Path) -> None:
    whole = tone(tmp_path / "whole.wav", 440, 2.0)
    item = PlayItem(key="tb", title="Thông báo", kind=ItemKind.AUDIO, source=whole, expected_s=2.0)
    events = play([item], tmp_path / "air.wav", filler=None)
    [ended] = [e for e in events if isinstance(e, ItemEnded)]
    assert (ended.reason, ended.detail) == (EndReason.FINISHED, "")
