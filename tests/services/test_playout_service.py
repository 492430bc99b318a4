"""Programmes become play items at the station's loudness, with their fallback attached."""

from __future__ import annotations

from pathlib import Path

import pytest

from truyenthanh.adapters.db.models import Announcement, AudioAsset, Programme, ProgrammeItem
from truyenthanh.bootstrap import Container
from truyenthanh.domain.enums import ItemKind
from truyenthanh.errors import NotFoundError
from truyenthanh.services.playout import normalising_gain


@pytest.mark.parametrize(
    ("lufs", "peak", "item_gain", "expected"),
    [
        (-20.0, -6.0, 0.0, 4.0),  # brought up to -16 LUFS
        (-20.0, -3.0, 0.0, 2.0),  # but its true peak may only reach -1 dBTP
        (-10.0, -0.5, 0.0, -6.0),  # a loud item comes down
        (-16.0, -10.0, 1.5, 1.5),  # the item's own gain adds on top
        (None, None, -2.0, -2.0),  # never measured: only its own gain
        (-70.0, -70.0, 0.0, 0.0),  # silence is not boosted
    ],
)
def test_normalising_gain(lufs: float | None, peak: float | None, item_gain: float, expected: float) -> None:
    gain = normalising_gain(
        loudness_lufs=lufs, true_peak_dbtp=peak, target_lufs=-16.0, ceiling_dbtp=-1.0, item_gain_db=item_gain
    )
    assert gain == pytest.approx(expected)


def _asset(name: str, lufs: float | None, peak: float | None) -> AudioAsset:
    return AudioAsset(
        path=f"library/{name}.mp3",
        sha256=name * 8,
        duration_s=30.0,
        format="mp3",
        channels=1,
        sample_rate=44100,
        loudness_lufs=lufs,
        true_peak_dbtp=peak,
        title=f"Tệp {name}",
    )


def test_programme_items_resolve_files_gain_and_fallback(container: Container) -> None:
    with container.db.session() as session:
        bulletin, evergreen, speech = _asset("ban-tin", -20.0, -6.0), _asset("nhac", -14.0, -2.0), _asset("tb", -18, -4)
        session.add_all([bulletin, evergreen, speech])
        session.flush()
        notice = Announcement(title="Thông báo tiêm chủng", text="...", asset_id=speech.id)
        unrendered = Announcement(title="Thông báo chưa đọc", text="...")
        session.add_all([notice, unrendered])
        session.flush()
        programme = Programme(title="Buổi sáng", fallback_asset_id=evergreen.id)
        session.add(programme)
        session.flush()
        assert programme.id is not None
        rows = [
            ProgrammeItem(programme_id=programme.id, position=2, kind=ItemKind.SILENCE, duration_s=2.0),
            ProgrammeItem(programme_id=programme.id, position=0, kind=ItemKind.AUDIO, asset_id=bulletin.id, gain_db=-1),
            ProgrammeItem(programme_id=programme.id, position=1, kind=ItemKind.ANNOUNCEMENT, announcement_id=notice.id),
            ProgrammeItem(
                programme_id=programme.id,
                position=3,
                kind=ItemKind.RELAY,
                title="Thời sự VOV",
                relay_url="http://127.0.0.1:8000/vov",
                duration_s=900.0,
                crossfade_s=1.0,
            ),
            ProgrammeItem(
                programme_id=programme.id, position=4, kind=ItemKind.ANNOUNCEMENT, announcement_id=unrendered.id
            ),
        ]
        session.add_all(rows)
        programme_id = programme.id
    items = container.playout.programme_items(programme_id)
    media = container.locations.media_dir
    assert [i.kind for i in items] == [
        ItemKind.AUDIO,
        ItemKind.ANNOUNCEMENT,
        ItemKind.SILENCE,
        ItemKind.RELAY,
        ItemKind.ANNOUNCEMENT,
    ]
    assert [i.title for i in items] == [
        "Tệp ban-tin",
        "Tệp tb",
        "Mục 3",
        "Thời sự VOV",
        "Thông báo chưa đọc",
    ]
    assert items[0].source == media / "library/ban-tin.mp3"
    assert items[0].gain_db == pytest.approx(3.0)  # +4 to reach -16 LUFS, -1 of its own
    assert items[1].gain_db == pytest.approx(2.0)
    assert items[2].duration_s == 2.0 and items[2].source is None
    assert items[3].relay_url == "http://127.0.0.1:8000/vov" and items[3].duration_s == 900.0
    assert items[3].crossfade_s == 1.0
    assert items[4].source is None  # not rendered yet: the engine will play the fallback
    fallback = items[0].fallback
    assert fallback is not None and fallback.source == media / "library/nhac.mp3"
    assert fallback.gain_db == pytest.approx(-2.0)
    assert all(i.fallback == fallback for i in items)
    assert len({i.key for i in items}) == len(items)


def test_unknown_programme_is_a_vietnamese_error(container: Container) -> None:
    with pytest.raises(NotFoundError, match="Không có chương trình số 42"):
        container.playout.programme_items(42)


def test_filler_is_rendered_once_into_the_cache(container: Container) -> None:
    filler = container.playout.filler()
    assert filler.source is not None and filler.source.is_file()
    assert filler.source.is_relative_to(container.locations.cache_dir)
    stamp = filler.source.stat().st_mtime_ns
    assert container.playout.filler().source == filler.source
    assert filler.source.stat().st_mtime_ns == stamp
    assert -20 < filler.gain_db < 20


def test_loose_files_are_measured(container: Container, tmp_path: Path) -> None:
    from tests.audio import tone

    quiet = tone(tmp_path / "quiet.wav", 440, 1.0, amplitude=0.05)
    (item,) = container.playout.file_items([quiet])
    # A 0.05 sine is about -29 LUFS; it is raised toward -16 but its peak (-26 dBFS) allows that.
    assert item.gain_db == pytest.approx(13.0, abs=1.0)
    assert item.title == "quiet.wav"
