"""The announcement repository's writes the approval workflow goes through, on a real SQLite file: an announcement
written, edited and moved, with the snapshots its audit entries hold; and the announcements a package brought with
its programme."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from truyenthanh import bootstrap
from truyenthanh.domain.content import AnnouncementRecord, ItemRecord, ProgrammeRecord
from truyenthanh.domain.enums import Category, ContentStatus, ItemKind, Priority
from truyenthanh.services.unit_of_work import UnitOfWork

WRITTEN = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
EDITED = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


def _draft(title: str, *, by: str = "bientap", status: ContentStatus = ContentStatus.DRAFT) -> AnnouncementRecord:
    return AnnouncementRecord(
        title=title,
        text=f"{title}: UBND xã thông báo.",
        category=Category.LOCAL_AFFAIRS,
        priority=Priority.PRIORITY,
        status=status,
        created_by=by,
        created_at=WRITTEN,
    )


def _add(uow: UnitOfWork, record: AnnouncementRecord) -> int:
    ident = uow.announcements.add(record).entity_id
    assert isinstance(ident, int)
    return ident


def test_an_announcement_is_added_edited_and_moved_with_its_values_before_and_after(
    container: bootstrap.Container,
) -> None:
    with container.store.transaction() as uow:
        added = uow.announcements.add(_draft("Tiêm chủng"))
        ident = added.entity_id
        assert isinstance(ident, int)
        stored = uow.announcements.record(ident)
    assert (added.entity, added.before) == ("announcement", None)
    assert added.after is not None and added.after["title"] == "Tiêm chủng" and added.after["status"] == "draft"
    assert stored == replace(_draft("Tiêm chủng"), id=ident, updated_at=WRITTEN)  # no updated_at: its creation
    with container.store.transaction() as uow:
        edited = replace(stored, title="Tiêm chủng (sửa)", text="Ngày 25/11.", created_by="ai-khac", updated_at=EDITED)
        change = uow.announcements.put(edited)
        moved = uow.announcements.set_status(
            ident, ContentStatus.APPROVED, approved_by="Nguyễn Văn Duyệt", approved_at=EDITED, rejected_reason=None
        )
        assert uow.announcements.put(replace(edited, id=999)) is None
        assert (
            uow.announcements.set_status(
                999, ContentStatus.WAITING, approved_by=None, approved_at=None, rejected_reason=None
            )
            is None
        )
        assert uow.announcements.record(999) is None
    assert change is not None and change.before is not None and change.after is not None
    assert (change.before["text"], change.after["text"]) == ("Tiêm chủng: UBND xã thông báo.", "Ngày 25/11.")
    assert change.after["created_by"] == "bientap"  # the author stays whoever the record says
    assert moved is not None and moved.before == change.after and moved.after is not None
    assert (moved.after["status"], moved.after["approved_by"]) == ("approved", "Nguyễn Văn Duyệt")
    with container.store.transaction() as uow:
        assert uow.announcements.record(ident) == replace(
            edited,
            created_by="bientap",
            status=ContentStatus.APPROVED,
            approved_by="Nguyễn Văn Duyệt",
            approved_at=EDITED,
            updated_at=EDITED,  # a status move leaves the time of the last edit
        )


def test_records_are_listed_newest_first_and_by_state(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        ids = [
            uow.announcements.add(_draft(title, status=status)).entity_id
            for title, status in (
                ("Một", ContentStatus.DRAFT),
                ("Hai", ContentStatus.WAITING),
                ("Ba", ContentStatus.WAITING),
            )
        ]
    with container.store.transaction() as uow:
        assert [record.id for record in uow.announcements.records()] == ids[::-1]
        assert [record.title for record in uow.announcements.records(ContentStatus.WAITING)] == ["Ba", "Hai"]
        assert uow.announcements.records(ContentStatus.AIRED) == []


def test_only_the_waiting_announcements_a_programme_reads_by_its_author_count_as_brought_with_it(
    container: bootstrap.Container,
) -> None:
    with container.store.transaction() as uow:
        brought, also, approved, others, elsewhere = (
            _add(uow, _draft(title, by=by, status=status))
            for title, by, status in (
                ("Một", "Đài tỉnh", ContentStatus.WAITING),
                ("Hai", "Đài tỉnh", ContentStatus.WAITING),
                ("Ba", "Đài tỉnh", ContentStatus.APPROVED),
                ("Bốn", "bientap", ContentStatus.WAITING),
                ("Năm", "Đài tỉnh", ContentStatus.WAITING),
            )
        )
        items = [
            ItemRecord(kind=ItemKind.ANNOUNCEMENT, announcement_id=ident)
            for ident in (also, brought, approved, others, also)  # read twice: listed once
        ]
        programme = uow.programmes.add(ProgrammeRecord(title="Chuyên mục", created_by="Đài tỉnh"), items).entity_id
        assert isinstance(programme, int)
        assert uow.announcements.waiting_in(programme, created_by="Đài tỉnh") == [brought, also]
        assert uow.announcements.waiting_in(programme, created_by="bientap") == [others]
        assert uow.announcements.waiting_in(999, created_by="Đài tỉnh") == []
        assert elsewhere not in uow.announcements.waiting_in(programme, created_by="Đài tỉnh")
