"""Issue 14, points 5 and 9: a failed item's log row keeps its schedule, programme and title; an item that ended
early is logged partial, and what covered the rest of its slot under the same programme."""

from __future__ import annotations

from tests.daemon.conftest import Station, approved_programme, hn, schedule
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import AudioAsset, Programme, ProgrammeItem
from truyenthanh.domain.enums import ContentStatus, ItemKind, Outcome
from truyenthanh.domain.playout import EndReason, ItemEnded, ItemStarted, PlayItem


def programme_with_a_missing_file(container: bootstrap.Container) -> int:
    """An approved programme of one audio item whose file has gone from the media folder."""
    with container.db.session() as session:
        asset = AudioAsset(path="da-xoa.mp3", sha256="0" * 64, duration_s=10.0, format="mp3", channels=1,
                           sample_rate=44100, title="Thông báo tiêm chủng")  # fmt: skip
        session.add(asset)
        row = Programme(title="Bản tin chiều", status=ContentStatus.APPROVED, approved_by="Nguyễn Văn Duyệt")
        session.add(row)
        session.flush()
        assert row.id is not None and asset.id is not None
        session.add(ProgrammeItem(programme_id=row.id, position=0, kind=ItemKind.AUDIO, asset_id=asset.id))
        return row.id


def test_a_failed_item_is_logged_with_its_schedule_programme_and_title(station: Station) -> None:
    programme_id = programme_with_a_missing_file(station.container)
    schedule_id = schedule(station.container, "Bản tin chiều", hn(10, 10))
    station.start()
    station.clock.set(hn(10, 9, 56))
    station.tick()
    station.tick(10.0)
    rows = [row for row in station.log() if row.outcome is Outcome.FAILED]
    assert len(rows) == 1
    failed = rows[0]
    assert (failed.schedule_id, failed.programme_id) == (schedule_id, programme_id)
    assert (failed.programme_title, failed.item_title) == ("Bản tin chiều", "Thông báo tiêm chủng")
    assert "không tìm thấy tệp" in failed.reason and failed.scheduled_start == hn(10, 10)


def test_an_item_that_ended_early_is_logged_partial_and_its_cover_under_its_programme(station: Station) -> None:
    approved_programme(station.container, "Bản tin sáng", 10.0, 5.0)
    schedule(station.container, "Bản tin sáng", hn(10, 10))
    station.start()
    station.clock.set(hn(10, 9, 56))
    station.tick()
    station.tick(4.0)
    [first] = [e.item for e in station.fake.events if isinstance(e, ItemStarted)]
    # What the real engine reports when the file runs out at 2.7 s of 10 (tests/integration/test_faults_playout.py).
    detail = "Kết thúc sớm: tệp chỉ phát được 2.7 giây trong 10.0 giây; đã phát «Nhạc đệm» thay 7.3 giây còn lại."
    listener = station.daemon.listener
    listener.handle(ItemEnded(first, hn(10, 10, 2), EndReason.FINISHED, 2.7, detail))
    cover = PlayItem(key="station:filler", title="Nhạc đệm", kind=ItemKind.JINGLE, duration_s=7.3)
    listener.handle(ItemStarted(cover, hn(10, 10, 2), replaced=first))
    listener.handle(ItemEnded(cover, hn(10, 10, 10), EndReason.FINISHED, 7.3))
    rows = station.log()
    assert [(r.programme_title, r.item_title, r.outcome) for r in rows] == [
        ("Bản tin sáng", "Mục 1", Outcome.PARTIAL),
        ("Bản tin sáng", "Nhạc đệm (thay cho «Mục 1»)", Outcome.PLAYED),
    ]
    assert detail in rows[0].reason and rows[1].schedule_id == rows[0].schedule_id
