"""SpeechService on a real station: real SQLite, real espeak-ng and ffmpeg, gTTS over intercepted HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import get_args

import pytest
import responses
from sqlmodel import select

from tests.fakes import FrozenClock
from tests.speechfakes import GTTS_URL, FakeGoogle, make_mp3, silent_server
from truyenthanh import bootstrap
from truyenthanh.adapters import ffmpeg
from truyenthanh.adapters.db.models import Announcement, AudioAsset
from truyenthanh.adapters.tts.espeak import EspeakEngine
from truyenthanh.adapters.tts.gtts import GttsEngine
from truyenthanh.config import Settings, load_settings
from truyenthanh.domain.enums import AssetSource, Category, ReadingVariant
from truyenthanh.domain.vietnamese import CodeLetters, split_for_speech
from truyenthanh.errors import ConfigError, NotFoundError, SpeechError, StorageError
from truyenthanh.services.ports import SpeechEngine

TEXT = "Thông báo của UBND xã: lúc 7h30 ngày 12/12/2026 tiêm chủng tại Hội trường ấp 2. Liên hệ 0912 000 113."


def _build(station_dir: Path, clock: FrozenClock, **settings: object) -> bootstrap.Container:
    engines: dict[str, SpeechEngine] = {
        "gtts": GttsEngine(timeout_s=2, min_interval_s=0, backoff_s=0.01, retries=1),
        "espeak": EspeakEngine(),
    }
    return bootstrap.build(load_settings(station_dir, **settings), clock=clock, speech_engines=engines)


@pytest.fixture
def station(station_dir: Path, clock: FrozenClock) -> Iterator[bootstrap.Container]:
    built = _build(station_dir, clock)
    built.station.init()
    yield built
    built.close()


@pytest.fixture(scope="module")
def mp3() -> bytes:
    return make_mp3()


@pytest.fixture
def google(mp3: bytes) -> Iterator[FakeGoogle]:
    fake = FakeGoogle(mp3=mp3)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, GTTS_URL, callback=fake)
        yield fake


def _announcement(container: bootstrap.Container, text: str = TEXT) -> int:
    with container.db.session() as session:
        row = Announcement(title="Tiêm chủng", text=text, category=Category.ADMINISTRATION)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _get(container: bootstrap.Container, announcement_id: int) -> Announcement:
    with container.db.session() as session:
        row = session.get(Announcement, announcement_id)
        assert row is not None
        return row


def test_container_has_the_speech_service(container: bootstrap.Container) -> None:
    assert container.speech.normalize("UBND xã") == "Ủy ban nhân dân xã"
    assert set(container.speech_engines) == {"gtts", "espeak"}


def test_render_with_gtts_stores_a_measured_tts_asset(station: bootstrap.Container, google: FakeGoogle) -> None:
    rendering = station.speech.synthesize(TEXT, engine="auto", title="Tiêm chủng")
    asset = rendering.asset
    assert (rendering.engine, rendering.voice, rendering.fell_back) == ("gtts", "vi", False)
    assert (asset.engine, asset.voice, asset.source) == ("gtts", "vi", AssetSource.TTS)
    assert asset.id is not None and asset.title == "Tiêm chủng"
    assert asset.loudness_lufs is not None and asset.loudness_lufs > -40
    assert asset.duration_s > 1
    assert (station.locations.media_dir / asset.path).is_file()
    assert "bảy giờ ba mươi" in rendering.spoken_text
    assert all(len(text) <= 100 for text, _ in google.requests)


def test_the_cache_answers_the_same_text_without_an_engine(station: bootstrap.Container, google: FakeGoogle) -> None:
    first = station.speech.synthesize(TEXT)
    calls = len(google.requests)
    second = station.speech.synthesize(TEXT)
    assert len(google.requests) == calls
    assert second.from_cache and not first.from_cache
    assert second.asset.id == first.asset.id
    with station.db.session() as session:
        assert len(session.exec(select(AudioAsset)).all()) == 1


def test_cache_key_includes_engine_and_speed(station_dir: Path, clock: FrozenClock, google: FakeGoogle) -> None:
    normal = _build(station_dir, clock)
    normal.station.init()
    slow = _build(station_dir, clock, tts_speed=0.8)
    try:
        a = normal.speech.synthesize("Xin chào bà con.", engine="espeak")
        b = slow.speech.synthesize("Xin chào bà con.", engine="espeak")
        c = normal.speech.synthesize("Xin chào bà con.", engine="gtts")
        assert len({a.asset.path, b.asset.path, c.asset.path}) == 3
        assert b.asset.duration_s > a.asset.duration_s
    finally:
        normal.close()
        slow.close()


def test_announcement_falls_back_to_espeak_and_says_so(station: bootstrap.Container) -> None:
    # No interception: HTTPS goes to a closed local port (tests/conftest.py), as when the Internet is down.
    announcement_id = _announcement(station)
    rendering = station.speech.render_announcement(announcement_id)
    assert rendering.fell_back
    assert (rendering.engine, rendering.voice) == ("espeak", "vi")
    assert rendering.notice is not None and "gTTS" in rendering.notice and "espeak" in rendering.notice
    stored = _get(station, announcement_id)
    assert (stored.engine, stored.voice, stored.asset_id) == ("espeak", "vi", rendering.asset.id)
    assert stored.spoken_text == rendering.spoken_text
    assert "Ủy ban nhân dân" in stored.spoken_text
    assert not list((station.locations.cache_dir / "speech").glob("gtts-*"))


def test_gtts_rerender_when_the_network_is_back(station: bootstrap.Container, mp3: bytes) -> None:
    announcement_id = _announcement(station)
    offline = station.speech.render_announcement(announcement_id)
    assert offline.engine == "espeak"
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, GTTS_URL, callback=FakeGoogle(mp3=mp3))
        report = station.speech.retry_online(by="vanhanh")
    assert report.upgraded == [announcement_id]
    assert report.still_offline == {}
    stored = _get(station, announcement_id)
    assert stored.engine == "gtts"
    assert stored.asset_id != offline.asset.id
    # Both readings are in the audit trail: the first ahead of air by the daemon, the second asked by a person.
    first, second = reversed(station.audit.entries(entity="announcement", entity_id=str(announcement_id))[:2])
    assert [(e.action, e.actor) for e in (first, second)] == [
        ("announcement.render", "daemon"),
        ("announcement.render", "vanhanh"),
    ]
    assert first.after is not None and second.before == first.after
    assert (first.after["engine"], first.after["asset_id"]) == ("espeak", offline.asset.id)
    assert second.after is not None and (second.after["engine"], second.after["asset_id"]) == ("gtts", stored.asset_id)
    assert all(report.ok for report in station.audit.verify())


def test_rerender_keeps_the_offline_audio_while_the_network_is_down(station: bootstrap.Container) -> None:
    announcement_id = _announcement(station)
    station.speech.render_announcement(announcement_id)
    before = _get(station, announcement_id)
    report = station.speech.retry_online([announcement_id])
    assert report.upgraded == []
    assert announcement_id in report.still_offline
    after = _get(station, announcement_id)
    assert (after.engine, after.asset_id) == (before.engine, before.asset_id)


def test_gtts_only_raises_in_vietnamese_when_unreachable(station: bootstrap.Container) -> None:
    with pytest.raises(SpeechError) as caught:
        station.speech.render("Xin chào bà con.", engine="gtts")
    assert "gTTS không đọc được" in caught.value.message


def test_ensure_rendered_never_uses_the_network(station: bootstrap.Container, google: FakeGoogle) -> None:
    first, second = _announcement(station), _announcement(station, "Bà con chú ý: họp thôn lúc 19h.")
    made = station.speech.ensure_rendered([first, second])
    assert google.requests == []
    assert [r.engine for r in made] == ["espeak", "espeak"]
    assert station.speech.ensure_rendered([first, second]) == []
    with station.db.session() as session:
        row = session.get(Announcement, second)
        assert row is not None
        row.text = "Bà con chú ý: họp thôn lúc 20h."
    again = station.speech.ensure_rendered([first, second])
    assert [r.spoken_text for r in again] == ["Bà con chú ý: họp thôn lúc hai mươi giờ."]


def test_ensure_rendered_uses_cached_gtts_audio_offline(station: bootstrap.Container, google: FakeGoogle) -> None:
    announcement_id = _announcement(station)
    station.speech.synthesize(TEXT)  # rendered online earlier (when the announcement was approved)
    calls = len(google.requests)
    (made,) = station.speech.ensure_rendered([announcement_id])
    assert len(google.requests) == calls
    assert made.engine == "gtts" and made.from_cache


def test_ensure_rendered_reports_missing_announcements_after_doing_the_rest(station: bootstrap.Container) -> None:
    good = _announcement(station)
    with pytest.raises(SpeechError, match="thông báo 999"):
        station.speech.ensure_rendered([999, good])
    assert station.speech.is_ready(good)


def test_ensure_rendered_redoes_audio_whose_file_vanished(station: bootstrap.Container) -> None:
    announcement_id = _announcement(station)
    station.speech.ensure_rendered([announcement_id])
    stored = _get(station, announcement_id)
    with station.db.session() as session:
        asset = session.get(AudioAsset, stored.asset_id)
        assert asset is not None
    (station.locations.media_dir / asset.path).unlink()
    assert not station.speech.is_ready(announcement_id)
    station.speech.ensure_rendered([announcement_id])
    assert station.speech.is_ready(announcement_id)


def test_unknown_announcement_and_engine(station: bootstrap.Container) -> None:
    with pytest.raises(NotFoundError, match="42"):
        station.speech.render_announcement(42)
    with pytest.raises(SpeechError, match="auto, gtts, espeak"):
        station.speech.render("Xin chào", engine="piper")
    with pytest.raises(SpeechError, match="không có chữ"):
        station.speech.render(" ... ")


def test_rendering_before_init_asks_for_init(station_dir: Path, clock: FrozenClock) -> None:
    container = _build(station_dir, clock)
    try:
        with pytest.raises(StorageError, match="truyenthanh init"):
            container.speech.render("Xin chào", engine="espeak")
    finally:
        container.close()


def test_southern_station_reads_south(station_dir: Path, clock: FrozenClock) -> None:
    container = _build(station_dir, clock, reading_variant="south")
    container.station.init()
    try:
        assert (
            container.speech.normalize("105 hộ, năm 2024") == "một trăm lẻ năm hộ, năm hai ngàn không trăm hai mươi bốn"
        )
        rendering = container.speech.synthesize("Xin chào bà con.", engine="espeak")
        assert rendering.voice == "vi-vn-x-south"
        north = container.speech.normalize("105", variant=ReadingVariant.NORTH)
        assert north == "một trăm linh năm"
    finally:
        container.close()


def test_station_lexicon_file_beside_the_config(station_dir: Path, clock: FrozenClock) -> None:
    (station_dir / "lexicon.toml").write_text(
        '[abbreviations]\n"TDP" = "tổ dân phố"\n\n[words]\n"Krông Búk" = "Krông Búc"\n', encoding="utf-8"
    )
    container = _build(station_dir, clock)
    try:
        assert container.speech.normalize("TDP 3 huyện Krông Búk") == "tổ dân phố ba huyện Krông Búc"
    finally:
        container.close()


def test_lexicon_file_setting_and_its_errors(station_dir: Path, clock: FrozenClock) -> None:
    (station_dir / "local.toml").write_text('[abbreviations]\n"BQLDA" = "ban quản lý dự án"\n', encoding="utf-8")
    container = _build(station_dir, clock, lexicon_file=Path("local.toml"))
    try:
        assert container.speech.normalize("BQLDA") == "ban quản lý dự án"
    finally:
        container.close()
    (station_dir / "broken.toml").write_text('[abbreviations]\n"HTX" = \n', encoding="utf-8")
    broken = _build(station_dir, clock, lexicon_file=station_dir / "broken.toml")
    try:
        with pytest.raises(ConfigError, match=r"broken\.toml, dòng 2"):
            broken.speech.normalize("HTX")
    finally:
        broken.close()
    missing = _build(station_dir, clock, lexicon_file=station_dir / "none.toml")
    try:
        with pytest.raises(ConfigError, match="lexicon_file"):
            missing.speech.normalize("HTX")
    finally:
        missing.close()


def test_the_same_text_from_two_threads_renders_once(station: bootstrap.Container, google: FakeGoogle) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: station.speech.synthesize("Bà con chú ý, bà con chú ý."), range(2)))
    assert len(google.requests) == 1
    assert results[0].asset.id == results[1].asset.id
    assert sorted(r.from_cache for r in results) == [False, True]
    assert not [p for p in (station.locations.cache_dir / "speech").iterdir() if p.name.endswith(".part")]


def test_render_file_uses_the_chain_and_cache_without_an_asset(station: bootstrap.Container, tmp_path: Path) -> None:
    target = tmp_path / "package" / "announcement.wav"
    assert station.speech.render_file("Bà con chú ý.", target) == "espeak"  # no Internet: the fallback spoke
    assert ffmpeg.probe(target).duration_s > 0.5
    again = tmp_path / "again.wav"
    assert station.speech.render_file("Bà con chú ý.", again, engine="espeak") == "espeak"
    assert again.read_bytes() == target.read_bytes()
    with station.db.session() as session:
        assert session.exec(select(AudioAsset)).all() == []


# --- air time never waits on the network ---------------------------------------------------------------------


def test_due_now_speaks_offline_at_once_and_gtts_comes_for_next_time(
    station: bootstrap.Container, google: FakeGoogle, clock: FrozenClock
) -> None:
    background: list[Callable[[], None]] = []
    station.speech.spawn = background.append  # run the background work when the test says
    now = station.speech.synthesize(TEXT, due=clock.now())
    assert google.requests == []  # nothing asked on the way to air
    assert (now.engine, now.fell_back, now.from_cache) == ("espeak", True, False)
    assert now.reason == "gtts: chưa có sẵn bản đọc và không kịp chờ mạng trước giờ phát"
    assert now.notice is not None and "bản gTTS đang được tạo để dùng cho các lần phát sau" in now.notice
    assert now.upgrade is not None and not now.upgrade.done()
    assert station.speech.synthesize(TEXT, due=clock.now()).upgrade is now.upgrade  # asked once, not twice
    (work,) = background
    work()
    online = now.upgrade.result(timeout=0)
    assert (online.engine, online.fell_back, online.spoken_text) == ("gtts", False, now.spoken_text)
    assert google.requests
    again = station.speech.synthesize(TEXT, due=clock.now())  # the next airing: gTTS from the cache
    assert (again.engine, again.from_cache, again.upgrade, again.asset.id) == ("gtts", True, None, online.asset.id)


def test_due_beyond_the_timeout_may_wait_for_gtts(
    station: bootstrap.Container, google: FakeGoogle, clock: FrozenClock
) -> None:
    later = station.speech.synthesize(TEXT, due=clock.now() + timedelta(seconds=10.5))  # tts_timeout_s is 10
    assert (later.engine, later.upgrade) == ("gtts", None)
    offline = station.speech.synthesize("Bà con chú ý.", due=clock.now() + timedelta(seconds=9), allow_network=False)
    assert (offline.engine, offline.upgrade) == ("espeak", None)  # no network at all: nothing in the background
    assert len({text for text, _ in google.requests}) == len(split_for_speech(later.spoken_text))


def test_a_gtts_only_station_is_still_heard_when_air_time_is_near(
    station_dir: Path, clock: FrozenClock, google: FakeGoogle
) -> None:
    built = _build(station_dir, clock, tts_engine="gtts")
    built.station.init()
    try:
        built.speech.spawn = lambda work: None  # the gTTS rendering is not the point here
        rendering = built.speech.synthesize("Bà con chú ý.", due=clock.now())
        assert (rendering.engine, rendering.fell_back) == ("espeak", True) and rendering.upgrade is not None
        with pytest.raises(SpeechError, match="không được dùng mạng"):
            built.speech.synthesize("Bà con chú ý nhé.", allow_network=False)  # no deadline: the choice stands
    finally:
        built.close()


def test_an_announcement_due_now_gets_its_gtts_reading_recorded_when_it_arrives(
    station: bootstrap.Container, google: FakeGoogle, clock: FrozenClock
) -> None:
    background: list[Callable[[], None]] = []
    station.speech.spawn = background.append
    announcement_id = _announcement(station)
    (now,) = station.speech.ensure_rendered([announcement_id], allow_network=True, due=clock.now())
    assert google.requests == [] and now.engine == "espeak" and now.upgrade is not None
    assert _get(station, announcement_id).engine == "espeak"
    background.pop()()
    online = now.upgrade.result(timeout=0)
    stored = _get(station, announcement_id)
    assert (stored.engine, stored.asset_id) == ("gtts", online.asset.id)
    actions = [(e.actor, e.after["engine"] if e.after else None) for e in station.audit.entries(entity="announcement")]
    assert actions[:2] == [("daemon", "gtts"), ("daemon", "espeak")]  # newest first
    assert station.speech.ensure_rendered([announcement_id], allow_network=True, due=clock.now()) == []


def test_a_hanging_gtts_never_delays_speech_due_now(
    station: bootstrap.Container, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with silent_server() as (host, port):
        # HTTPS goes through a server that accepts the connection and never answers (gTTS waits 2 s here).
        monkeypatch.setenv("HTTPS_PROXY", f"http://{host}:{port}")
        monkeypatch.setenv("https_proxy", f"http://{host}:{port}")
        started = time.monotonic()
        first = station.speech.synthesize("Bão số ba sắp đổ bộ.", due=clock.now())
        # The same text again while gTTS still hangs on it in the background: its lock is not waited for.
        second = station.speech.synthesize("Bão số ba sắp đổ bộ.", due=clock.now())
        took = time.monotonic() - started
        assert (first.engine, second.engine, second.from_cache) == ("espeak", "espeak", True)
        assert first.upgrade is not None and second.upgrade is first.upgrade and not first.upgrade.done()
        assert took < 2.0
        assert isinstance(first.upgrade.exception(timeout=10), SpeechError)
    assert station.speech.synthesize("Bão số ba sắp đổ bộ.", due=clock.now()).engine == "espeak"


# --- code letters ---------------------------------------------------------------------------------------------


def test_code_letters_setting_matches_the_normaliser() -> None:
    assert set(get_args(Settings.model_fields["code_letters"].annotation)) == {m.value for m in CodeLetters}
    assert Settings.model_fields["code_letters"].default == CodeLetters.AS_WRITTEN.value


@pytest.mark.parametrize(
    ("setting", "spoken"),
    [
        (None, "Cúm a hát năm en một, xe ba không N, một hai ba bốn năm."),
        ("nờ", "Cúm a hát năm nờ một, xe ba không nờ, một hai ba bốn năm."),
        ("en", "Cúm a hát năm en một, xe ba không en, một hai ba bốn năm."),
    ],
)
def test_the_station_chooses_how_code_letters_are_read(
    station_dir: Path, clock: FrozenClock, setting: str | None, spoken: str
) -> None:
    built = _build(station_dir, clock, code_letters=setting)
    try:
        assert built.speech.code_letters == CodeLetters(setting or "as-written")
        assert built.speech.normalize("Cúm A/H5N1, xe 30N-123.45.") == spoken
        explained, steps = built.speech.explain("Cúm A/H5N1, xe 30N-123.45.")
        assert explained == spoken and steps
    finally:
        built.close()


def test_a_wrong_code_letters_value_is_refused_in_vietnamese(station_dir: Path) -> None:
    load_settings(station_dir).locations().config_file.write_text('code_letters = "nò"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="dòng 1, mục «code_letters»: giá trị «nò» không hợp lệ"):
        load_settings(station_dir)
