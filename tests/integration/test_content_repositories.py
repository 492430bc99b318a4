"""The programme, asset and announcement repositories on a real SQLite file: the one mapping of a programme and
its items (what the programme, playout and package services share), and the asset records' refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Announcement
from truyenthanh.domain.content import AssetRecord, DuplicateAssetError, ItemRecord, ProgrammeRecord
from truyenthanh.domain.enums import AssetSource, Category, ContentStatus, ItemKind
from truyenthanh.services.unit_of_work import UnitOfWork

MADE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _asset(title: str, sha: str) -> AssetRecord:
    return AssetRecord(
        path=f"library/{sha[:20]}.wav",
        sha256=sha * 64 if len(sha) == 1 else sha,
        duration_s=30.0,
        format="wav",
        channels=1,
        sample_rate=48000,
        title=title,
        loudness_lufs=-20.0,
        true_peak_dbtp=-3.0,
        source=AssetSource.IMPORTED,
        created_at=MADE,
    )


def _store_asset(uow: UnitOfWork, title: str, sha: str) -> int:
    stored, change = uow.assets.add(_asset(title, sha))
    assert stored.id is not None and change.entity_id == stored.id and change.before is None
    return stored.id


def test_a_rundown_is_written_and_read_back_whole(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        jingle = _store_asset(uow, "Nhạc hiệu", "a")
        change = uow.programmes.add(
            ProgrammeRecord(title="Bản tin sáng", category=Category.POLICY_LAW, created_by="bientap", created_at=MADE),
            [
                ItemRecord(kind=ItemKind.JINGLE, title="Nhạc hiệu", asset_id=jingle, gain_db=-2.0),
                ItemRecord(kind=ItemKind.SILENCE, title="Khoảng lặng", duration_s=2.0),
                ItemRecord(kind=ItemKind.RELAY, title="VOV", relay_url="https://vov.example/1", duration_s=900.0),
            ],
        )
    assert isinstance(change.entity_id, int) and change.after is not None
    assert [item["position"] for item in change.after["items"]] == [0, 1, 2]
    with container.store.transaction() as uow:
        rundown = uow.programmes.get(change.entity_id)
        assert uow.programmes.all() == [rundown]
        assert uow.programmes.schedules(change.entity_id) == []
    assert rundown is not None
    assert (rundown.id, rundown.programme.title, rundown.programme.category) == (
        change.entity_id,
        "Bản tin sáng",
        Category.POLICY_LAW,
    )
    assert rundown.programme.created_at == MADE and rundown.programme.status is ContentStatus.DRAFT
    assert [(i.position, i.kind, i.asset_id, i.gain_db) for i in rundown.items] == [
        (0, ItemKind.JINGLE, jingle, -2.0),
        (1, ItemKind.SILENCE, None, 0.0),
        (2, ItemKind.RELAY, None, 0.0),
    ]


def test_put_keeps_item_ids_removes_the_missing_and_numbers_the_new(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        made = uow.programmes.add(
            ProgrammeRecord(title="Chiều"),
            [ItemRecord(kind=ItemKind.SILENCE, title=f"Lặng {n}", duration_s=float(n)) for n in (1, 2, 3)],
        )
    assert isinstance(made.entity_id, int)
    with container.store.transaction() as uow:
        rundown = uow.programmes.get(made.entity_id)
        assert rundown is not None
        first, second, third = rundown.items
        added = ItemRecord(kind=ItemKind.SILENCE, title="Lặng mới", duration_s=9.0)
        change = uow.programmes.put(
            replace(rundown, programme=replace(rundown.programme, title="Chiều mới"), items=(third, added, first))
        )
    assert change is not None and change.before is not None and change.after is not None
    assert [i["title"] for i in change.before["items"]] == ["Lặng 1", "Lặng 2", "Lặng 3"]
    assert [i["title"] for i in change.after["items"]] == ["Lặng 3", "Lặng mới", "Lặng 1"]
    with container.store.transaction() as uow:
        again = uow.programmes.get(made.entity_id)
    assert again is not None and again.programme.title == "Chiều mới"
    assert [(i.position, i.title) for i in again.items] == [(0, "Lặng 3"), (1, "Lặng mới"), (2, "Lặng 1")]
    assert (again.items[0].id, again.items[2].id) == (third.id, first.id)
    assert again.items[1].id not in {first.id, second.id, third.id}


def test_status_changes_are_audited_without_items_and_removal_takes_the_items(
    container: bootstrap.Container,
) -> None:
    with container.store.transaction() as uow:
        made = uow.programmes.add(
            ProgrammeRecord(title="Tối", status=ContentStatus.APPROVED, approved_by="Duyệt", approved_at=MADE),
            [ItemRecord(kind=ItemKind.SILENCE, duration_s=1.0)],
        )
        assert isinstance(made.entity_id, int)
        moved = uow.programmes.set_status(
            made.entity_id, ContentStatus.WAITING, approved_by=None, approved_at=None, rejected_reason=None
        )
        assert (
            uow.programmes.set_status(
                9999, ContentStatus.WAITING, approved_by=None, approved_at=None, rejected_reason=None
            )
            is None
        )
    assert moved is not None and moved.before is not None and moved.after is not None
    assert "items" not in moved.after
    assert (moved.before["status"], moved.after["status"], moved.after["approved_by"]) == ("approved", "waiting", None)
    with container.store.transaction() as uow:
        gone = uow.programmes.remove(made.entity_id)
        assert uow.programmes.remove(made.entity_id) is None
    assert gone is not None and gone.after is None and gone.before is not None and len(gone.before["items"]) == 1
    with container.store.transaction() as uow:
        assert uow.programmes.get(made.entity_id) is None
        assert all(r.id != made.entity_id for r in uow.programmes.all())


def test_a_second_asset_with_the_same_bytes_is_refused_and_rolled_back(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        first = _store_asset(uow, "Bản tin", "b")
    with pytest.raises(DuplicateAssetError, match="đã có trong thư viện"), container.store.transaction() as uow:
        uow.programmes.add(ProgrammeRecord(title="Không được lưu"))
        uow.assets.add(replace(_asset("Bản sao", "b"), path="library/khac.wav"))
    with container.store.transaction() as uow:
        assert [a.id for a in uow.assets.all()] == [first]
        assert uow.programmes.all() == []
        found = uow.assets.by_sha("b" * 64)
        assert found is not None and (found.id, found.title, found.created_at) == (first, "Bản tin", MADE)
        assert uow.assets.by_path(found.path) == found
        assert uow.assets.many([first, 12345]) == {first: found}


def test_users_of_an_asset_name_programmes_fallbacks_and_announcements(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        used = _store_asset(uow, "Nhạc nền", "c")
        spare = _store_asset(uow, "Không ai dùng", "d")
        uow.programmes.add(ProgrammeRecord(title="Sáng"), [ItemRecord(kind=ItemKind.AUDIO, asset_id=used)])
        uow.programmes.add(ProgrammeRecord(title="Chiều", fallback_asset_id=used))
        uow.session.add(Announcement(title="Lịch tiêm", text="Bà con chú ý.", asset_id=used))
    with container.store.transaction() as uow:
        users = uow.assets.users(used)
        assert (users.programmes, users.fallbacks, users.announcements) == (("Sáng",), ("Chiều",), ("Lịch tiêm",))
        assert not uow.assets.users(spare)
        [notice] = uow.announcements.all()
        assert (notice.title, notice.status, notice.asset_id) == ("Lịch tiêm", ContentStatus.DRAFT, used)
        assert uow.announcements.get(notice.id) == notice
        assert uow.announcements.many([notice.id, 777]) == {notice.id: notice}
