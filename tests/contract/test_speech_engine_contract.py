"""The SpeechEngine contract, run against every real engine: espeak-ng as it is, gTTS over intercepted HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import responses

from tests.speechfakes import GTTS_URL, FakeGoogle, make_mp3
from truyenthanh.adapters import ffmpeg
from truyenthanh.adapters.tts.espeak import EspeakEngine
from truyenthanh.adapters.tts.gtts import GttsEngine
from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.errors import SpeechError
from truyenthanh.services.ports import SpeechEngine

TEXT = "Ủy ban nhân dân xã thông báo: lúc bảy giờ ba mươi sáng mai, họp tại hội trường thôn một."


@pytest.fixture(params=["espeak", "gtts"])
def engine(request: pytest.FixtureRequest) -> Iterator[SpeechEngine]:
    if request.param == "espeak":
        yield EspeakEngine()
        return
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, GTTS_URL, callback=FakeGoogle(mp3=make_mp3()))
        yield GttsEngine(timeout_s=5, min_interval_s=0)


def test_names_and_voices(engine: SpeechEngine) -> None:
    assert engine.name in ("espeak", "gtts")
    assert engine.online is (engine.name == "gtts")
    for variant in ReadingVariant:
        assert engine.voice(variant).startswith("vi")


def test_writes_a_whole_48k_mono_wav(engine: SpeechEngine, tmp_path: Path) -> None:
    target = tmp_path / "speech.wav"
    engine.synthesize(TEXT, voice=engine.voice(ReadingVariant.NORTH), speed=1.0, target=target)
    info = ffmpeg.probe(target)
    assert (info.format, info.codec, info.sample_rate, info.channels) == ("wav", "pcm_s16le", 48000, 1)
    assert info.duration_s > 0.3
    assert ffmpeg.measure_loudness(target).integrated_lufs > -40
    assert list(tmp_path.iterdir()) == [target]


def test_nothing_to_say_is_a_speech_error_and_leaves_nothing(engine: SpeechEngine, tmp_path: Path) -> None:
    target = tmp_path / "speech.wav"
    with pytest.raises(SpeechError):
        engine.synthesize(" . , ", voice=engine.voice(ReadingVariant.NORTH), speed=1.0, target=target)
    assert list(tmp_path.iterdir()) == []
