"""Every change is audited (who, when, what, before and after) in a valid hash chain, and an edited programme goes
back for approval: real services on a real SQLite station with the frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fakes import FrozenClock
from tests.media import make_tone
from truyenthanh import bootstrap
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import Category, ContentStatus, ItemKind
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import LibraryError, NotFoundError, PermissionDeniedError, ProgrammeError, WorkflowError
from truyenthanh.services.audit import AuditLine
from truyenthanh.services.library import AssetInfo

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PROGRAMME = ContentKind.PROGRAMME


def _history(container: bootstrap.Container, entity: str, entity_id: int) -> list[AuditLine]:
    """The audit entries about one record, oldest first."""
    return list(reversed(container.audit.entries(entity=entity, entity_id=str(entity_id))))


def _assert_chain_valid(container: bootstrap.Container) -> None:
    reports = container.audit.verify()
    assert all(report.ok for report in reports), [report.to_json() for report in reports]


def _asset(container: bootstrap.Container, actor: Actor, folder: Path, name: str = "Thông báo họp dân") -> AssetInfo:
    [asset] = container.library.add(actor, [make_tone(folder / f"{name}.wav", seconds=1.0)]).imported
    return asset


def test_library_import_edit_and_delete_are_audited(
    container: bootstrap.Container, people: dict[str, Actor], clock: FrozenClock, tmp_path: Path
) -> None:
    editor = people["bientap"]
    tone = make_tone(tmp_path / "Thông báo họp dân.wav", seconds=1.0)
    with pytest.raises(PermissionDeniedError) as refused:
        container.library.add(people["duyet"], [tone])
    assert refused.value.message == (
        "Tài khoản «duyet» (vai trò Duyệt) không được soạn, sửa và gửi duyệt nội dung. "
        "Việc này cần vai trò: Quản trị, Biên tập, Vận hành."
    )
    assert container.library.list() == [] and container.audit.entries(entity="audio_asset") == []

    [asset] = container.library.add(editor, [tone], category=Category.ADMINISTRATION).imported
    clock.advance(minutes=1)
    container.library.update(editor, asset.id, title="Họp dân thôn Đông")
    container.library.update(editor, asset.id, title="Họp dân thôn Đông")  # nothing changes: nothing recorded
    clock.advance(minutes=1)
    removed = container.library.delete(people["quantri"], asset.id)

    imported, edited, deleted = _history(container, "audio_asset", asset.id)
    start = clock.now() - timedelta(minutes=2)
    assert [(e.action, e.actor, e.at) for e in (imported, edited, deleted)] == [
        ("asset.import", "bientap", start),
        ("asset.edit", "bientap", start + timedelta(minutes=1)),
        ("asset.delete", "quantri", start + timedelta(minutes=2)),
    ]
    assert imported.before is None and imported.after is not None
    assert (imported.after["sha256"], imported.after["category"]) == (asset.sha256, "administration")
    assert edited.before is not None and edited.after is not None
    assert (edited.before["title"], edited.after["title"]) == ("Thông báo họp dân", "Họp dân thôn Đông")
    assert (imported.changed, edited.changed, deleted.changed) == ([], ["title"], [])
    assert deleted.before == edited.after and deleted.after is None
    assert (edited.label, deleted.label) == ("Sửa thông tin tệp âm thanh", "Xóa tệp âm thanh")
    assert removed.title == "Họp dân thôn Đông"
    assert container.library.list() == []
    assert not (container.locations.media_dir / asset.path).exists()
    _assert_chain_valid(container)


def test_an_asset_in_use_is_not_deleted(
    container: bootstrap.Container, people: dict[str, Actor], tmp_path: Path
) -> None:
    editor = people["bientap"]
    asset = _asset(container, editor, tmp_path)
    made = container.programmes.create(editor, "Bản tin sáng")
    container.programmes.add_item(editor, made.id, ItemKind.AUDIO, asset_id=asset.id)
    before = container.audit.entries(limit=1000)
    with pytest.raises(LibraryError) as refused:
        container.library.delete(editor, asset.id)
    assert refused.value.message == (
        f"Không xóa được tệp số {asset.id} «Thông báo họp dân» vì đang được dùng trong: chương trình «Bản tin sáng». "
        "Hãy bỏ tệp khỏi những nơi đó trước."
    )
    assert container.library.get(asset.id) == asset
    assert (container.locations.media_dir / asset.path).is_file()
    assert container.audit.entries(limit=1000) == before


def test_editing_an_approved_programme_sends_it_back_for_approval(
    container: bootstrap.Container, people: dict[str, Actor], clock: FrozenClock, tmp_path: Path
) -> None:
    editor, approver, admin = people["bientap"], people["duyet"], people["quantri"]
    approvals, programmes = container.approvals, container.programmes
    asset = _asset(container, editor, tmp_path)
    made = programmes.create(editor, "Bản tin sáng")
    programmes.add_item(editor, made.id, ItemKind.AUDIO, asset_id=asset.id)
    programmes.add_item(editor, made.id, ItemKind.SILENCE, duration_s=2)
    approvals.submit(editor, PROGRAMME, made.id)
    approvals.approve(approver, PROGRAMME, made.id)
    assert approvals.check_air(made.id).airable

    clock.advance(minutes=10)
    programmes.move_item(admin, made.id, 1, -1)
    view = approvals.get(PROGRAMME, made.id)
    assert (view.status, view.approved_by, view.approved_at) == (ContentStatus.WAITING, None, None)
    refused = approvals.check_air(made.id)
    assert not refused.airable
    assert refused.reason == "Chương trình «Bản tin sáng» chưa được duyệt (trạng thái: Chờ duyệt) nên không được phát."
    # Whoever changed approved content cannot approve their own change.
    with pytest.raises(WorkflowError, match="Không được tự duyệt chương trình số"):
        approvals.approve(admin, PROGRAMME, made.id)
    approvals.approve(approver, PROGRAMME, made.id)
    approvals.mark_aired(PROGRAMME, made.id)
    assert approvals.check_air(made.id).airable

    # Content that has aired is changed too: it needs approval again before it airs again.
    programmes.update(editor, made.id, title="Bản tin sáng thứ Hai")
    assert approvals.get(PROGRAMME, made.id).status is ContentStatus.WAITING
    assert not approvals.check_air(made.id).airable

    history = _history(container, "programme", made.id)
    assert [(e.action, e.actor) for e in history] == [
        ("programme.add", "bientap"),
        ("programme.edit", "bientap"),
        ("programme.edit", "bientap"),
        ("programme.submit", "bientap"),
        ("programme.approve", "duyet"),
        ("programme.edit", "quantri"),
        ("programme.reset", "quantri"),
        ("programme.approve", "duyet"),
        ("programme.aired", "daemon"),
        ("programme.edit", "bientap"),
        ("programme.reset", "bientap"),
    ]
    moved, reset = history[5], history[6]
    assert moved.at == clock.now()
    assert moved.before is not None and moved.after is not None
    assert [i["kind"] for i in moved.before["items"]] == ["audio", "silence"]
    assert [i["kind"] for i in moved.after["items"]] == ["silence", "audio"]
    assert (moved.changed, reset.changed) == (["items"], ["approved_at", "approved_by", "status"])
    assert reset.before is not None and reset.after is not None
    assert (reset.before["status"], reset.before["approved_by"]) == ("approved", "Nguyễn Văn Duyệt")
    assert (reset.after["status"], reset.after["approved_by"]) == ("waiting", None)
    renamed = history[9]
    assert renamed.before is not None and renamed.after is not None
    assert (renamed.before["title"], renamed.after["title"]) == ("Bản tin sáng", "Bản tin sáng thứ Hai")
    _assert_chain_valid(container)


def test_a_draft_edited_stays_a_draft_and_a_scheduled_programme_is_not_deleted(
    container: bootstrap.Container, people: dict[str, Actor]
) -> None:
    editor, operator, approver = people["bientap"], people["vanhanh"], people["duyet"]
    programmes = container.programmes
    made = programmes.create(editor, "Thông báo tiêm phòng")
    programmes.add_item(editor, made.id, ItemKind.SILENCE, duration_s=30)
    assert container.approvals.get(PROGRAMME, made.id).status is ContentStatus.DRAFT
    with pytest.raises(PermissionDeniedError, match=r"«duyet» .* không được soạn, sửa và gửi duyệt nội dung"):
        programmes.remove_item(approver, made.id, 0)
    saved = container.scheduling.add(
        operator, made.id, at=datetime(2026, 11, 24, 5, 30, tzinfo=HANOI)
    ).schedule  # operators may schedule
    with pytest.raises(ProgrammeError) as refused:
        programmes.delete(editor, made.id)
    assert refused.value.message == (
        f"Không xóa được chương trình số {made.id} «Thông báo tiêm phòng» vì còn lịch phát số {saved.id}: "
        "hãy xóa các lịch đó trước."
    )
    container.scheduling.remove(operator, saved.id)
    gone = programmes.delete(editor, made.id)
    assert (gone.title, gone.items, gone.total_s) == ("Thông báo tiêm phòng", 1, 30.0)
    assert programmes.list() == []
    deleted = _history(container, "programme", made.id)[-1]
    assert (deleted.action, deleted.actor, deleted.after) == ("programme.delete", "bientap", None)
    assert deleted.before is not None and deleted.before["items"][0]["duration_s"] == 30.0
    _assert_chain_valid(container)


def test_schedule_and_station_rule_changes_are_audited(
    container: bootstrap.Container, people: dict[str, Actor]
) -> None:
    editor, approver, admin = people["bientap"], people["duyet"], people["quantri"]
    scheduling = container.scheduling
    made = container.programmes.create(editor, "Bản tin sáng")
    container.programmes.add_item(editor, made.id, ItemKind.SILENCE, duration_s=60)
    at = datetime(2026, 11, 24, 5, 30, tzinfo=HANOI)
    with pytest.raises(PermissionDeniedError) as refused:
        scheduling.add(approver, made.id, at=at)
    assert refused.value.message == (
        "Tài khoản «duyet» (vai trò Duyệt) không được sửa lịch phát. "
        "Việc này cần vai trò: Quản trị, Biên tập, Vận hành."
    )
    saved = scheduling.add(editor, made.id, at=at).schedule
    scheduling.remove(editor, saved.id)
    added, removed = _history(container, "schedule", saved.id)
    assert (added.action, added.actor, added.before) == ("schedule.add", "bientap", None)
    assert added.after is not None
    assert (added.after["programme_id"], added.after["created_by"]) == (made.id, "bientap")
    assert (removed.action, removed.before, removed.after) == ("schedule.remove", added.after, None)

    old_rules = scheduling.rules()
    with pytest.raises(PermissionDeniedError, match="không được thay đổi quy định và cài đặt của đài"):
        scheduling.set_rules(editor, StationRules())
    assert scheduling.rules() == old_rules
    scheduling.set_rules(admin, StationRules())
    [changed] = container.audit.entries(entity="station")
    assert (changed.action, changed.actor, changed.label) == ("station.rules", "quantri", "Sửa quy định phát của đài")
    assert changed.before is not None and changed.after is not None
    assert changed.before["rules"] == old_rules.to_json()
    assert changed.after["rules"] == StationRules().to_json()
    _assert_chain_valid(container)


def test_a_refused_edit_changes_nothing_and_records_nothing(
    container: bootstrap.Container, people: dict[str, Actor]
) -> None:
    editor, approver = people["bientap"], people["duyet"]
    made = container.programmes.create(editor, "Bản tin chiều")
    container.programmes.add_item(editor, made.id, ItemKind.SILENCE, duration_s=5)
    container.approvals.submit(editor, PROGRAMME, made.id)
    container.approvals.approve(approver, PROGRAMME, made.id)
    before = container.audit.entries(limit=1000)
    with pytest.raises(NotFoundError, match="Không có tệp âm thanh số 999"):
        container.programmes.add_item(editor, made.id, ItemKind.AUDIO, asset_id=999)
    with pytest.raises(NotFoundError, match="không có mục thứ 5"):
        container.programmes.remove_item(editor, made.id, 4)
    # The change, its audit entry and the return to waiting are one transaction: none of them happened.
    assert container.audit.entries(limit=1000) == before
    assert container.approvals.get(PROGRAMME, made.id).status is ContentStatus.APPROVED
    assert container.programmes.move_item(editor, made.id, 0, 1).status is ContentStatus.APPROVED  # moved nowhere
    assert container.audit.entries(limit=1000) == before


def test_an_account_change_and_its_audit_entry_roll_back_together(
    container: bootstrap.Container, people: dict[str, Actor]
) -> None:
    import dataclasses

    before = container.audit.entries(limit=1000)
    with pytest.raises(RuntimeError), container.store.transaction() as uow:
        account = uow.accounts.get("bientap")
        assert account is not None
        change = uow.accounts.put(dataclasses.replace(account, disabled=True))
        assert change is not None and change.before is not None and change.after is not None
        assert "password_hash" not in change.before and "password_hash" not in change.after
        uow.audited(people["quantri"].username, "user.disable", change)
        raise RuntimeError("rolled back")
    assert container.audit.entries(limit=1000) == before
    assert not next(info for info in container.accounts.list() if info.username == "bientap").disabled


def test_repositories_return_domain_values_not_rows(
    container: bootstrap.Container, people: dict[str, Actor], clock: FrozenClock
) -> None:
    from truyenthanh.domain.accounts import Account
    from truyenthanh.domain.broadcast_log import LogEntry, LoggedBroadcast
    from truyenthanh.domain.enums import Outcome, Role
    from truyenthanh.domain.hashchain import GENESIS

    with container.store.transaction() as uow:
        account = uow.accounts.get("duyet")
        assert isinstance(account, Account) and account.role is Role.APPROVER
        assert account.actor() == Actor("duyet", "Nguyễn Văn Duyệt", Role.APPROVER)
        assert uow.accounts.active_admins() == 1 and uow.accounts.count() == 4
        logged = uow.broadcast_log.append(LogEntry(Outcome.PLAYED, "Bản tin"), recorded_at=clock.now())
    assert isinstance(logged, LoggedBroadcast) and logged.prev_hash == GENESIS and logged.id == 1
    assert container.broadcast_log.rows() == [logged]
    [newest] = container.audit.entries(limit=1)
    assert (newest.action, newest.label) == ("user.add", "Thêm tài khoản")
    _assert_chain_valid(container)


def test_asking_for_the_schema_revision_of_a_missing_station_creates_nothing(tmp_path: Path) -> None:
    from truyenthanh.config import load_settings

    empty = bootstrap.build(load_settings(tmp_path / "trong"))
    try:
        assert empty.store.schema_revision() is None
        assert not empty.locations.db_path.exists()
    finally:
        empty.close()
