"""Issue 14, point 9: a failed item's log row keeps its schedule, programme and title."""

from __future__ import annotations

from tests.daemon.conftest import Station, hn, schedule
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import AudioAsset, Programme, ProgrammeItem
from truyenthanh.domain.enums import ContentStatus, ItemKind, Outcome


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
