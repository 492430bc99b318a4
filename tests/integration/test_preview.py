"""Previews play on the operator's headphones (a second PulseAudio sink), never on the station's speaker."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.media import make_tone
from tests.people import ADMIN
from tests.pulse import PulseServer, Recorder
from tests.tui.conftest import said
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.adapters.preview import PreviewPlayer
from truyenthanh.config import load_settings
from truyenthanh.errors import AudioError
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.library import LibraryScreen

pytestmark = pytest.mark.slow

HEADPHONES = "headphones"


@pytest.fixture
def headphones(pulse: PulseServer, pulse_env: dict[str, str]) -> Iterator[Recorder]:
    """A second null sink on the private server, standing for the operator's headphones; records its monitor."""
    loaded = subprocess.run(
        ["pactl", "load-module", "module-null-sink", f"sink_name={HEADPHONES}", "rate=48000", "channels=2"],
        env=pulse_env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    yield Recorder(pulse, sink=HEADPHONES)
    subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], env=pulse_env, check=False, capture_output=True)


def played_until_done(player: PreviewPlayer, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while player.is_playing():
        assert time.monotonic() < deadline, "the preview did not end"
        time.sleep(0.05)


def test_preview_is_heard_on_the_headphones_and_not_on_the_speaker(
    headphones: Recorder, recorder: Recorder, tmp_path: Path
) -> None:
    tone = make_tone(tmp_path / "bản tin.wav", seconds=1.0, hz=440, level_dbfs=-12)
    player = PreviewPlayer(f"pulse:{HEADPHONES}", on_air_device="default", rate=48000, buffer_ms=20)
    with headphones.record() as heard, recorder.record() as speaker:
        player.play(tone)
        assert player.playing == tone
        played_until_done(player)
    assert heard[0].first_sound() is not None
    assert max(heard[0].rms_windows(0.1)) > 0.05
    assert speaker[0].first_sound(threshold=0.001) is None


def test_without_a_preview_device_nothing_plays_and_the_operator_is_told(
    pulse_env: dict[str, str], recorder: Recorder, tmp_path: Path
) -> None:
    tone = make_tone(tmp_path / "tone.wav", seconds=0.5)
    with recorder.record() as speaker:
        with pytest.raises(AudioError, match="Chưa đặt thiết bị nghe thử"):
            PreviewPlayer(None, on_air_device="default", rate=48000, buffer_ms=20).play(tone)
        with pytest.raises(AudioError, match="cũng là thiết bị phát của đài"):
            PreviewPlayer("pulse", on_air_device="pulse", rate=48000, buffer_ms=20).play(tone)
        with pytest.raises(AudioError, match="cũng là thiết bị phát của đài"):  # the sink the station plays on
            PreviewPlayer("pulse:speaker", on_air_device="default", rate=48000, buffer_ms=20).play(tone)
        with pytest.raises(AudioError, match="Không phát thử được trên thiết bị «không-có-tai-nghe»: Không mở được"):
            PreviewPlayer("không-có-tai-nghe", on_air_device="default", rate=48000, buffer_ms=20).play(tone)
    assert speaker[0].first_sound(threshold=0.001) is None


async def test_library_preview_key_plays_on_the_headphones(
    station_dir: Path, headphones: Recorder, recorder: Recorder, tmp_path: Path
) -> None:
    (station_dir / "truyenthanh.toml").write_text(f'preview_device = "pulse:{HEADPHONES}"\n', encoding="utf-8")
    container = bootstrap.build(load_settings(station_dir))
    try:
        container.station.init()
        container.library.add(ADMIN, [make_tone(tmp_path / "Nhạc hiệu.wav", seconds=3.0, hz=660, level_dbfs=-12)])
        app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.press("f3")
            await settle(app, pilot)
            assert isinstance(app.screen, LibraryScreen) and len(app.screen.assets) == 1
            with headphones.record() as heard, recorder.record() as speaker:
                await pilot.press("p")
                await settle(app, pilot)
                assert app.preview.is_playing()
                assert f"Đang nghe thử «Nhạc hiệu» trên thiết bị «pulse:{HEADPHONES}» (nhấn P để dừng)." in said(app)
                await pilot.pause(1.0)
                await pilot.press("p")
                await settle(app, pilot)
                assert not app.preview.is_playing()
        assert heard[0].first_sound() is not None
        assert speaker[0].first_sound(threshold=0.001) is None
        sounding_s = sum(level > 0.01 for level in heard[0].rms_windows(0.1)) * 0.1
        assert sounding_s < 2.5, "P stopped the 3-second tune before its end"
    finally:
        container.close()
