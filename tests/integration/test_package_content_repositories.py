"""The repository calls a package import and its retirement go through, on a real SQLite file: announcements
brought already read aloud, the programmes of one package, whether one aired, and removing an announcement no item
reads any more."""

from __future__ import annotations

from datetime import UTC, datetime

from truyenthanh import bootstrap
from truyenthanh.domain.broadcast_log import LogEntry
from truyenthanh.domain.content import AnnouncementRecord, AssetRecord, ItemRecord, ProgrammeRecord
from truyenthanh.domain.enums import AssetSource, Category, ContentStatus, ItemKind, Outcome
from truyenthanh.services.unit_of_work import UnitOfWork

MADE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _announcement(title: str) -> AnnouncementRecord:
    return AnnouncementRecord(
        title=title,
        text=f"{title}: UBND xã thông báo.",
        status=ContentStatus.WAITING,
        created_by="Huyện Tuyên truyền",
        created_at=MADE,
        updated_at=MADE,
    )


def _recording(uow: UnitOfWork) -> int:
    stored, _change = uow.assets.add(
        AssetRecord(
            path="library/" + "b" * 20 + ".wav",
            sha256="b" * 64,
            duration_s=12.0,
            format="wav",
            channels=1,
            sample_rate=48000,
            title="Bản đọc sẵn",
            source=AssetSource.PACKAGE,
        )
    )
    assert stored.id is not None
    return stored.id


def _programme(uow: UnitOfWork, title: str, package_id: str | None, announcement_id: int) -> int:
    change = uow.programmes.add(
        ProgrammeRecord(title=title, category=Category.ADMINISTRATION, package_id=package_id, created_at=MADE),
        [ItemRecord(kind=ItemKind.ANNOUNCEMENT, title=title, announcement_id=announcement_id)],
    )
    assert isinstance(change.entity_id, int)
    return change.entity_id


def test_an_announcement_read_aloud_in_a_package_is_stored_with_its_rendering(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        asset_id = _recording(uow)
        change = uow.announcements.add_read(_announcement("Phòng chống bão"), asset_id=asset_id, engine="package")
        assert isinstance(change.entity_id, int)
        script = uow.announcements.script(change.entity_id)
    assert change.before is None and change.after is not None
    assert (change.after["asset_id"], change.after["engine"], change.after["status"]) == (
        asset_id,
        "package",
        "waiting",
    )
    assert script is not None
    assert (script.asset_id, script.engine, script.voice, script.spoken_text) == (asset_id, "package", None, "")


def test_the_programmes_of_a_package_and_whether_they_aired(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        shared = _add(uow, "Lịch tiêm chủng")
        first = _programme(uow, "Bản tin sáng", "huyen-a", shared)
        _programme(uow, "Bản tin của đài", None, shared)
        second = _programme(uow, "Bản tin chiều", "huyen-a", shared)
        uow.broadcast_log.append(
            LogEntry(outcome=Outcome.PLAYED, programme_title="Bản tin sáng", programme_id=first), recorded_at=MADE
        )
    with container.store.transaction() as uow:
        assert [p.id for p in uow.programmes.of_package("huyen-a")] == [first, second]
        assert uow.programmes.of_package("huyen-b") == []
        assert (uow.programmes.aired(first), uow.programmes.aired(second)) == (True, False)


def test_an_announcement_is_removed_once_no_item_reads_it(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        announcement_id = _add(uow, "Mất điện")
        programme_id = _programme(uow, "Bản tin sáng", "huyen-a", announcement_id)
        assert uow.announcements.used(announcement_id)
        assert uow.programmes.remove(programme_id) is not None
        assert not uow.announcements.used(announcement_id)
        gone = uow.announcements.remove(announcement_id)
        assert uow.announcements.remove(announcement_id) is None
        assert uow.announcements.get(announcement_id) is None
    assert gone is not None and gone.after is None
    assert gone.before is not None and gone.before["title"] == "Mất điện"


def _add(uow: UnitOfWork, title: str) -> int:
    ident = uow.announcements.add(_announcement(title)).entity_id
    assert isinstance(ident, int)
    return ident
