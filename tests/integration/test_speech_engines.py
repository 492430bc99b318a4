"""The speech engines for real: espeak-ng renders audio; gTTS talks HTTP to an intercepted endpoint."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses

from tests.speechfakes import GTTS_URL, TONE_S, FakeGoogle, make_mp3, no_sleep_log, silent_server
from truyenthanh.adapters import ffmpeg
from truyenthanh.adapters.tts.espeak import EspeakEngine
from truyenthanh.adapters.tts.gtts import GttsEngine
from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.vietnamese import normalize
from truyenthanh.errors import SpeechError

SPOKEN = normalize(
    "THÔNG BÁO của UBND xã Tân Phú về việc tiêm chủng mở rộng. Trạm Y tế xã tổ chức tiêm vắc-xin phòng sởi - "
    "rubella cho trẻ từ 1-5 tuổi vào lúc 7h30 sáng thứ Bảy, ngày 12/12/2026, tại Hội trường ấp 2. Phụ huynh "
    "mang theo sổ tiêm chủng và thẻ BHYT của trẻ."
)


@pytest.fixture(scope="module")
def mp3() -> bytes:
    return make_mp3()


@pytest.fixture
def google(mp3: bytes) -> Iterator[FakeGoogle]:
    fake = FakeGoogle(mp3=mp3)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, GTTS_URL, callback=fake)
        yield fake


def _leftovers(folder: Path) -> list[Path]:
    return list(folder.iterdir()) if folder.exists() else []


# --- espeak-ng -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("voice", ["vi", "vi-vn-x-central", "vi-vn-x-south"])
def test_espeak_renders_non_silent_speech_of_the_expected_length(tmp_path: Path, voice: str) -> None:
    target = tmp_path / "out.wav"
    text = "Ủy ban nhân dân xã xin thông báo đến toàn thể bà con nhân dân trong xã."
    EspeakEngine().synthesize(text, voice=voice, speed=1.0, target=target)
    info = ffmpeg.probe(target)
    loudness = ffmpeg.measure_loudness(target)
    syllables = len(text.split())
    # 150 words (syllables) a minute: 17 syllables take about 7 s; allow for espeak-ng's pauses and pace.
    expected = syllables / 150 * 60
    assert 0.5 * expected < info.duration_s < 2.0 * expected
    assert info.sample_rate == 48000
    assert info.channels == 1
    assert loudness.integrated_lufs > -40
    assert _leftovers(tmp_path) == [target]


def test_espeak_speed_changes_the_length(tmp_path: Path) -> None:
    text = "Bà con chú ý, bà con chú ý. Đài truyền thanh xã xin thông báo."
    engine = EspeakEngine()
    engine.synthesize(text, voice="vi", speed=1.0, target=tmp_path / "normal.wav")
    engine.synthesize(text, voice="vi", speed=1.5, target=tmp_path / "fast.wav")
    normal = ffmpeg.probe(tmp_path / "normal.wav").duration_s
    fast = ffmpeg.probe(tmp_path / "fast.wav").duration_s
    assert fast < 0.85 * normal


def test_espeak_voice_follows_the_variant() -> None:
    engine = EspeakEngine()
    assert engine.voice(ReadingVariant.NORTH) == "vi"
    assert engine.voice(ReadingVariant.SOUTH) == "vi-vn-x-south"


def test_espeak_refuses_an_unknown_voice_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="vi-vn-x-central"):
        EspeakEngine().synthesize("Xin chào", voice="en", speed=1.0, target=tmp_path / "out.wav")
    assert _leftovers(tmp_path) == []


# --- gTTS over intercepted HTTP ----------------------------------------------------------------------------


def test_gtts_sends_vietnamese_chunks_of_at_most_100_characters(tmp_path: Path, google: FakeGoogle) -> None:
    target = tmp_path / "out.wav"
    GttsEngine(timeout_s=5, min_interval_s=0, pause_s=0.25).synthesize(SPOKEN, voice="vi", speed=1.0, target=target)
    texts = [text for text, _ in google.requests]
    assert len(texts) >= 3
    assert all(len(text) <= 100 for text in texts)
    assert {language for _, language in google.requests} == {"vi"}
    assert " ".join(texts).split() == SPOKEN.split()
    # Each part is a 0.6 s tone; the joins are even 0.25 s pauses.
    duration = ffmpeg.probe(target).duration_s
    expected = len(texts) * TONE_S + (len(texts) - 1) * 0.25
    assert abs(duration - expected) < 0.1 * len(texts)
    assert ffmpeg.measure_loudness(target).integrated_lufs > -40
    assert _leftovers(tmp_path) == [target]


def test_gtts_backs_off_on_429_then_succeeds(tmp_path: Path, google: FakeGoogle) -> None:
    google.statuses = [429, 429]
    waits, sleep = no_sleep_log()
    engine = GttsEngine(timeout_s=5, min_interval_s=0, backoff_s=1.0, retries=3, sleep=sleep)
    engine.synthesize("Xin chào bà con.", voice="vi", speed=1.0, target=tmp_path / "out.wav")
    assert len(google.requests) == 3
    assert waits == [1.0, 2.0]
    assert (tmp_path / "out.wav").stat().st_size > 1000


def test_gtts_honours_retry_after(tmp_path: Path, mp3: bytes) -> None:
    waits, sleep = no_sleep_log()
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, GTTS_URL, status=429, headers={"Retry-After": "7"})
        mock.add_callback(responses.POST, GTTS_URL, callback=FakeGoogle(mp3=mp3))
        GttsEngine(timeout_s=5, min_interval_s=0, sleep=sleep).synthesize(
            "Xin chào.", voice="vi", speed=1.0, target=tmp_path / "out.wav"
        )
    assert waits == [7.0]


def test_gtts_gives_up_on_lasting_5xx_and_leaves_no_file(tmp_path: Path, google: FakeGoogle) -> None:
    google.statuses = [503] * 10
    waits, sleep = no_sleep_log()
    engine = GttsEngine(timeout_s=5, min_interval_s=0, retries=2, backoff_s=0.5, sleep=sleep)
    with pytest.raises(SpeechError, match="HTTP 503"):
        engine.synthesize(SPOKEN, voice="vi", speed=1.0, target=tmp_path / "out.wav")
    assert waits == [0.5, 1.0]
    assert _leftovers(tmp_path) == []


def test_gtts_fails_whole_when_a_later_chunk_fails(tmp_path: Path, google: FakeGoogle) -> None:
    google.statuses = [200, 200, 400]
    with pytest.raises(SpeechError, match=r"đoạn 3/"):
        GttsEngine(timeout_s=5, min_interval_s=0).synthesize(SPOKEN, voice="vi", speed=1.0, target=tmp_path / "out.wav")
    assert _leftovers(tmp_path) == []


def test_gtts_throttles_its_requests(tmp_path: Path, google: FakeGoogle) -> None:
    started = time.monotonic()
    GttsEngine(timeout_s=5, min_interval_s=0.15).synthesize(SPOKEN, voice="vi", speed=1.0, target=tmp_path / "a.wav")
    assert time.monotonic() - started >= 0.15 * (len(google.requests) - 1)


def test_gtts_times_out_on_a_server_that_never_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with silent_server() as (host, port):
        # Route HTTPS through the silent server: it accepts the connection and never answers.
        monkeypatch.setenv("HTTPS_PROXY", f"http://{host}:{port}")
        monkeypatch.setenv("https_proxy", f"http://{host}:{port}")
        started = time.monotonic()
        with pytest.raises(SpeechError, match=r"0\.5 giây"):
            GttsEngine(timeout_s=0.5, min_interval_s=0).synthesize(
                "Xin chào bà con.", voice="vi", speed=1.0, target=tmp_path / "out.wav"
            )
        assert time.monotonic() - started < 5
    assert _leftovers(tmp_path) == []
