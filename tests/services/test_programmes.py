"""Building programmes: items of every kind, order, totals against the session limit, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time

import pytest

from tests.people import ADMIN
from tests.tui.conftest import add_asset, add_programme
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Announcement
from truyenthanh.adapters.db.store import SqlStore, SqlUnitOfWork
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.enums import ContentStatus, ItemKind, Priority
from truyenthanh.errors import NotFoundError, ProgrammeError, StorageError
from truyenthanh.services.audit import AuditService
from truyenthanh.services.programmes import ProgrammeService


def test_build_reorder_and_remove_items(container: bootstrap.Container) -> None:
    service = container.programmes
    jingle = add_asset(container, "Nhạc hiệu", 12.0)
    bulletin = add_asset(container, "Bản tin xã", 300.0)
    programme = service.create(ADMIN, "  Chương trình sáng thứ Hai ")
    assert programme.title == "Chương trình sáng thứ Hai"
    service.add_item(ADMIN, programme.id, ItemKind.JINGLE, asset_id=jingle.id)
    service.add_item(ADMIN, programme.id, ItemKind.AUDIO, asset_id=bulletin.id)
    service.add_item(ADMIN, programme.id, ItemKind.SILENCE, duration_s=2)
    detail = service.add_item(
        ADMIN, programme.id, ItemKind.RELAY, relay_url="https://vov.example/vov1", duration_s=900, title="Thời sự VOV"
    )
    assert [(i.kind, i.title, i.duration_s) for i in detail.items] == [
        (ItemKind.JINGLE, "Nhạc hiệu", 12.0),
        (ItemKind.AUDIO, "Bản tin xã", 300.0),
        (ItemKind.SILENCE, "Khoảng lặng", 2.0),
        (ItemKind.RELAY, "Thời sự VOV", 900.0),
    ]
    assert detail.total_s == 1214.0
    moved = service.move_item(ADMIN, programme.id, 3, -2)
    assert [i.title for i in moved.items] == ["Nhạc hiệu", "Thời sự VOV", "Bản tin xã", "Khoảng lặng"]
    assert service.move_item(ADMIN, programme.id, 0, -1).items == moved.items
    removed = service.remove_item(ADMIN, programme.id, 1)
    assert [(i.position, i.title) for i in removed.items] == [(0, "Nhạc hiệu"), (1, "Bản tin xã"), (2, "Khoảng lặng")]
    [summary] = service.list(search="sáng")
    assert (summary.items, summary.total_s) == (3, 314.0)


def test_total_is_measured_against_the_session_it_airs_in(container: bootstrap.Container) -> None:
    programme_id, _ = add_programme(container, "Bản tin sáng", at=time(5, 30), seconds=3500)
    detail = container.programmes.get(programme_id)
    assert (detail.session_name, detail.limit_s, detail.over_limit) == ("Buổi sáng", 3600.0, False)
    detail = container.programmes.add_item(ADMIN, programme_id, ItemKind.SILENCE, duration_s=120)
    assert detail.over_limit


def test_refusals_say_what_is_missing_and_change_nothing(container: bootstrap.Container) -> None:
    service = container.programmes
    with pytest.raises(ProgrammeError, match="không được để trống"):
        service.create(ADMIN, "   ")
    programme = service.create(ADMIN, "Thử")
    with pytest.raises(ProgrammeError, match="cần chọn một tệp âm thanh"):
        service.add_item(ADMIN, programme.id, ItemKind.AUDIO)
    with pytest.raises(ProgrammeError, match="không hợp lệ"):
        service.add_item(ADMIN, programme.id, ItemKind.RELAY, relay_url="vov1", duration_s=60)
    with pytest.raises(ProgrammeError, match="lớn hơn 0 giây"):
        service.add_item(ADMIN, programme.id, ItemKind.SILENCE, duration_s=0)
    with pytest.raises(NotFoundError):
        service.add_item(ADMIN, programme.id, ItemKind.AUDIO, asset_id=999)
    with pytest.raises(NotFoundError):
        service.move_item(ADMIN, programme.id, 0, 1)
    assert service.get(programme.id).items == ()


def _rendered_announcement(container: bootstrap.Container, title: str, seconds: float) -> int:
    """An announcement whose reading (``seconds`` long) is in the library."""
    reading = add_asset(container, f"{title} (bản đọc)", seconds)
    with container.db.session() as session:
        row = Announcement(title=title, text=title, asset_id=reading.id)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def test_the_list_counts_announcements_as_long_as_their_reading(container: bootstrap.Container) -> None:
    service = container.programmes
    song = add_asset(container, "Bài hát", 20.0)
    notice = _rendered_announcement(container, "Họp dân", 14.0)
    programme = service.create(ADMIN, "Bản tin trưa")
    service.add_item(ADMIN, programme.id, ItemKind.AUDIO, asset_id=song.id)
    detail = service.add_item(ADMIN, programme.id, ItemKind.ANNOUNCEMENT, announcement_id=notice)
    [summary] = service.list(search="trưa")
    assert (summary.total_s, detail.total_s) == (34.0, 34.0)  # was 20 in the list, 34 in the detail


def _programme_of_three(container: bootstrap.Container) -> int:
    service = container.programmes
    song = add_asset(container, "Bài hát", 20.0)
    notice = _rendered_announcement(container, "Họp dân", 14.0)
    programme = service.create(ADMIN, "Bản tin trưa", priority=Priority.PRIORITY)
    service.add_item(ADMIN, programme.id, ItemKind.AUDIO, asset_id=song.id, title="Mở đầu")
    service.add_item(ADMIN, programme.id, ItemKind.ANNOUNCEMENT, announcement_id=notice)
    service.add_item(ADMIN, programme.id, ItemKind.SILENCE, duration_s=3)
    return programme.id


def test_duplicate_copies_the_items_in_one_audited_add(container: bootstrap.Container) -> None:
    source_id = _programme_of_three(container)
    source = container.programmes.get(source_id)
    copy = container.programmes.duplicate(ADMIN, source_id, "  Bản tin trưa (bản sao) ")
    assert copy.id != source_id
    assert (copy.title, copy.priority, copy.status) == (
        "Bản tin trưa (bản sao)",
        Priority.PRIORITY,
        ContentStatus.DRAFT,
    )
    keep = [(i.kind, i.title, i.duration_s, i.asset_id, i.announcement_id) for i in source.items]
    assert [(i.kind, i.title, i.duration_s, i.asset_id, i.announcement_id) for i in copy.items] == keep
    assert {i.id for i in copy.items}.isdisjoint(i.id for i in source.items)
    [entry] = AuditService(store=container.store).entries(entity="programme", entity_id=str(copy.id))
    assert entry.action == "programme.add"  # one entry: the programme with its items, not one per item
    with pytest.raises(ProgrammeError, match="không được để trống"):
        container.programmes.duplicate(ADMIN, source_id, "  ")
    with pytest.raises(NotFoundError):
        container.programmes.duplicate(ADMIN, 999, "Bản sao")
    assert len(container.programmes.list()) == 2


class _AuditFailsStore(SqlStore):
    """The real store, whose audit write fails (as on a full disk) after the records were written."""

    @contextmanager
    def transaction(self) -> Iterator[SqlUnitOfWork]:
        with super().transaction() as uow:
            yield _AuditFailsUnitOfWork(uow)


class _AuditFailsUnitOfWork(SqlUnitOfWork):
    def __init__(self, real: SqlUnitOfWork) -> None:
        self.__dict__.update(real.__dict__)

    def audited(self, actor: str, action: str, change: RecordChange) -> None:
        raise StorageError(f"Không ghi được nhật ký thao tác «{action}»: ổ đĩa đầy.")


def test_a_duplicate_that_fails_part_way_leaves_nothing(container: bootstrap.Container) -> None:
    source_id = _programme_of_three(container)
    before = container.programmes.list()
    failing = ProgrammeService(
        settings=container.settings,
        store=_AuditFailsStore(container.db, container.clock),
        clock=container.clock,
        accounts=container.accounts,
    )
    with pytest.raises(StorageError, match="ổ đĩa đầy"):
        failing.duplicate(ADMIN, source_id, "Bản sao")
    assert container.programmes.list() == before
    assert container.programmes.list(search="Bản sao") == []
