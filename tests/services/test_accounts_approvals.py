"""Accounts, roles and the approval workflow on a real SQLite station, with the frozen clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import FrozenClock
from tests.people import PASSWORD
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Announcement, Programme, ProgrammeItem
from truyenthanh.config import load_settings
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.content import ProgrammeRecord
from truyenthanh.domain.enums import Category, ContentStatus, ItemKind, Priority, Role
from truyenthanh.errors import LoginError, PermissionDeniedError, WorkflowError


def _announcement(container: bootstrap.Container, editor: Actor, *, submit: bool = True) -> int:
    view = container.approvals.add_announcement(
        editor, title="Tiêm phòng dại cho chó, mèo", text="UBND xã thông báo lịch tiêm phòng.", submit=submit
    )
    return view.id


def test_operator_cannot_approve(container: bootstrap.Container, people: dict[str, Actor]) -> None:
    ident = _announcement(container, people["bientap"])
    with pytest.raises(PermissionDeniedError) as refused:
        container.approvals.approve(people["vanhanh"], ContentKind.ANNOUNCEMENT, ident)
    assert refused.value.message == (
        "Tài khoản «vanhanh» (vai trò Vận hành) không được duyệt hoặc từ chối nội dung. "
        "Việc này cần vai trò: Quản trị, Duyệt."
    )
    assert container.approvals.get(ContentKind.ANNOUNCEMENT, ident).status is ContentStatus.WAITING


def test_editor_cannot_send_an_emergency_unless_the_station_allows_it(
    container: bootstrap.Container, people: dict[str, Actor], station_dir: Path, clock: FrozenClock
) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        container.approvals.send_emergency(people["bientap"], title="Bão số 9", text="Bão số 9 sắp đổ bộ.")
    assert refused.value.message == (
        "Tài khoản «bientap» (vai trò Biên tập) không được phát bản tin khẩn cấp ngay không qua duyệt. "
        "Việc này cần vai trò: Quản trị, Duyệt, Vận hành."
    )
    assert container.approvals.list(ContentKind.ANNOUNCEMENT) == []
    allowing = bootstrap.build(load_settings(station_dir, emergency_roles=["admin", "editor"]), clock=clock)
    try:
        permit = allowing.approvals.send_emergency(people["bientap"], title="Bão số 9", text="Bão số 9 sắp đổ bộ.")
        assert permit.sender == "Trần Thị Biên"
        sent = allowing.approvals.get(ContentKind.ANNOUNCEMENT, permit.announcement_id or 0)
        assert (sent.status, sent.priority, sent.approved_by) == (
            ContentStatus.APPROVED,
            Priority.EMERGENCY,
            "Trần Thị Biên",
        )
        logged = allowing.audit.entries(entity="announcement", entity_id=str(sent.id))
        assert [line.action for line in logged] == ["emergency.send"]
        assert logged[0].actor == "bientap"
        with pytest.raises(PermissionDeniedError, match="vai trò Vận hành"):
            allowing.approvals.send_emergency(people["vanhanh"], title="Cháy", source="canh-bao.wav")
    finally:
        allowing.close()


def test_an_emergency_permit_names_the_audit_entry_that_records_it(
    container: bootstrap.Container, people: dict[str, Actor]
) -> None:
    spoken = container.approvals.send_emergency(people["quantri"], text="Bão số 9   sắp đổ bộ.")
    recorded = container.approvals.send_emergency(people["duyet"], source="/tmp/canh-bao-lu.wav")
    entries = {entry.id: entry for entry in container.audit.entries(limit=100) if entry.action == "emergency.send"}
    text_entry, file_entry = entries[spoken.audit_id], entries[recorded.audit_id]
    assert (text_entry.entity, text_entry.entity_id) == ("announcement", str(spoken.announcement_id))
    assert text_entry.after is not None
    assert (text_entry.after["title"], text_entry.after["status"], text_entry.after["sender"]) == (
        "Bão số 9 sắp đổ bộ.",
        "approved",
        "Lê Văn Quản",
    )
    assert (file_entry.entity, file_entry.entity_id, recorded.announcement_id) == ("emergency", "", None)
    assert file_entry.after == {
        "title": "canh-bao-lu",
        "source": "/tmp/canh-bao-lu.wav",
        "role": "approver",
        "sender": "Nguyễn Văn Duyệt",
    }
    checked = container.approvals.emergency_permit(recorded.token)
    assert (checked.audit_id, checked.sender, checked.token) == (recorded.audit_id, "Nguyễn Văn Duyệt", "")


def test_approver_cannot_write_and_editor_cannot_manage_accounts(
    container: bootstrap.Container, people: dict[str, Actor]
) -> None:
    with pytest.raises(PermissionDeniedError, match="không được soạn, sửa và gửi duyệt nội dung"):
        _announcement(container, people["duyet"])
    with pytest.raises(PermissionDeniedError, match="không được quản lý tài khoản"):
        container.accounts.add(
            people["bientap"], username="moi", full_name="Người Mới", role=Role.ADMIN, password=PASSWORD
        )
    assert container.accounts.allows(people["vanhanh"], Permission.SEND_EMERGENCY)


def test_content_goes_draft_waiting_rejected_waiting_approved_aired(
    container: bootstrap.Container, people: dict[str, Actor], clock: FrozenClock
) -> None:
    approvals, editor, approver = container.approvals, people["bientap"], people["duyet"]
    ident = _announcement(container, editor, submit=False)
    kind = ContentKind.ANNOUNCEMENT
    with pytest.raises(WorkflowError, match="đang ở trạng thái «Bản nháp»: chỉ duyệt được nội dung đang chờ duyệt"):
        approvals.approve(approver, kind, ident)
    assert approvals.submit(editor, kind, ident).status is ContentStatus.WAITING
    with pytest.raises(WorkflowError, match="Từ chối phải ghi rõ lý do"):
        approvals.reject(approver, kind, ident, "  ")
    rejected = approvals.reject(approver, kind, ident, "Sai ngày tiêm")
    assert (rejected.status, rejected.rejected_reason) == (ContentStatus.REJECTED, "Sai ngày tiêm")
    approvals.edit_announcement(editor, ident, text="Lịch tiêm phòng dại: ngày 25/11/2026.")
    approvals.submit(editor, kind, ident)
    clock.advance(minutes=5)
    approved = approvals.approve(approver, kind, ident)
    assert (approved.status, approved.approved_by, approved.approved_at, approved.rejected_reason) == (
        ContentStatus.APPROVED,
        "Nguyễn Văn Duyệt",
        clock.now(),
        None,
    )
    assert approvals.mark_aired(kind, ident).status is ContentStatus.AIRED
    history = [line.action for line in reversed(container.audit.entries(entity="announcement"))]
    assert history == [
        "announcement.add",
        "announcement.submit",
        "announcement.reject",
        "announcement.edit",
        "announcement.submit",
        "announcement.approve",
        "announcement.aired",
    ]
    edit = container.audit.entries(entity="announcement")[3]
    assert edit.actor == "bientap"
    assert edit.before is not None and edit.before["status"] == "rejected"
    assert edit.after is not None and edit.after["text"] == "Lịch tiêm phòng dại: ngày 25/11/2026."
    assert all(report.ok for report in container.audit.verify())


def test_editing_approved_content_needs_approval_again(
    container: bootstrap.Container, people: dict[str, Actor]
) -> None:
    ident = _announcement(container, people["bientap"])
    container.approvals.approve(people["duyet"], ContentKind.ANNOUNCEMENT, ident)
    edited = container.approvals.edit_announcement(people["bientap"], ident, title="Tiêm phòng (sửa)")
    assert (edited.status, edited.approved_by) == (ContentStatus.DRAFT, None)


def test_nobody_approves_their_own_content_except_in_single_operator_mode(
    container: bootstrap.Container, people: dict[str, Actor], station_dir: Path, clock: FrozenClock
) -> None:
    admin = people["quantri"]
    ident = _announcement(container, admin)
    with pytest.raises(WorkflowError, match="Không được tự duyệt thông báo số 1 do chính mình soạn hoặc gửi duyệt"):
        container.approvals.approve(admin, ContentKind.ANNOUNCEMENT, ident)
    single = bootstrap.build(
        load_settings(station_dir, single_operator=True, single_operator_name="Hoàng Văn Một"), clock=clock
    )
    try:
        alone = single.accounts.single_operator_actor()
        draft = _announcement(single, alone, submit=False)
        approved = single.approvals.approve(alone, ContentKind.ANNOUNCEMENT, draft)
        assert (approved.status, approved.approved_by) == (ContentStatus.APPROVED, "Hoàng Văn Một")
    finally:
        single.close()


def test_single_operator_mode_needs_a_name(station_dir: Path, clock: FrozenClock) -> None:
    built = bootstrap.build(load_settings(station_dir, single_operator=True), clock=clock)
    try:
        with pytest.raises(Exception, match="cần họ tên người chịu trách nhiệm"):
            built.accounts.single_operator_actor()
    finally:
        built.close()


def _programme(container: bootstrap.Container, announcement_ids: list[int]) -> int:
    with container.db.session() as session:
        programme = Programme(title="Bản tin sáng", category=Category.LOCAL_AFFAIRS, created_by="bientap")
        session.add(programme)
        session.flush()
        assert programme.id is not None
        for position, ident in enumerate(announcement_ids):
            announcement = session.get(Announcement, ident)
            assert announcement is not None
            session.add(
                ProgrammeItem(
                    programme_id=programme.id,
                    position=position,
                    kind=ItemKind.ANNOUNCEMENT,
                    title=announcement.title,
                    announcement_id=ident,
                )
            )
        return programme.id


def test_daemon_airs_only_approved_content(container: bootstrap.Container, people: dict[str, Actor]) -> None:
    approvals = container.approvals
    ready = _announcement(container, people["bientap"])
    approvals.approve(people["duyet"], ContentKind.ANNOUNCEMENT, ready)
    waiting = _announcement(container, people["bientap"])
    programme_id = _programme(container, [ready, waiting])
    unapproved = approvals.check_air(programme_id)
    assert not unapproved.airable
    assert unapproved.reason == (
        "Chương trình «Bản tin sáng» chưa được duyệt (trạng thái: Bản nháp) nên không được phát."
    )
    with pytest.raises(WorkflowError, match="chưa được duyệt thì không được phát"):
        approvals.mark_aired(ContentKind.PROGRAMME, programme_id)
    approvals.submit(people["quantri"], ContentKind.PROGRAMME, programme_id)
    with pytest.raises(WorkflowError, match="Không được tự duyệt chương trình số 1 do chính mình soạn hoặc gửi duyệt"):
        approvals.approve(people["quantri"], ContentKind.PROGRAMME, programme_id)
    approvals.approve(people["duyet"], ContentKind.PROGRAMME, programme_id)
    check = approvals.check_air(programme_id)
    assert (check.airable, check.approver) == (True, "Nguyễn Văn Duyệt")
    assert [(b.position, b.reason) for b in check.blocked_items] == [
        (
            1,
            f"Thông báo «Tiêm phòng dại cho chó, mèo» (số {waiting}) chưa được duyệt "
            "(trạng thái: Chờ duyệt) nên bị bỏ qua.",
        )
    ]
    approvals.approve(people["duyet"], ContentKind.ANNOUNCEMENT, waiting)
    assert approvals.check_air(programme_id).blocked_items == ()
    approvals.mark_aired(ContentKind.PROGRAMME, programme_id)
    assert approvals.check_air(programme_id).airable


def test_signed_packages_preapproved_only_when_the_station_says_so(
    container: bootstrap.Container, station_dir: Path, clock: FrozenClock
) -> None:
    with container.store.transaction() as uow:
        made = uow.programmes.add(ProgrammeRecord(title="Chuyên mục chính sách", package_id="tinh-2026-48")).entity_id
        assert isinstance(made, int)
        assert not container.approvals.preapprove_package(uow, ContentKind.PROGRAMME, made, upstream="Đài PT-TH tỉnh")
    assert container.approvals.get(ContentKind.PROGRAMME, made).status is ContentStatus.DRAFT
    trusting = bootstrap.build(load_settings(station_dir, signed_packages_preapproved=True), clock=clock)
    try:
        with trusting.store.transaction() as uow:
            made = uow.programmes.add(
                ProgrammeRecord(title="Chuyên mục chính sách", package_id="tinh-2026-49")
            ).entity_id
            assert isinstance(made, int)
            assert trusting.approvals.preapprove_package(uow, ContentKind.PROGRAMME, made, upstream="Đài PT-TH tỉnh")
        view = trusting.approvals.get(ContentKind.PROGRAMME, made)
        assert (view.status, view.approved_by) == (ContentStatus.APPROVED, "Đài PT-TH tỉnh (gói có chữ ký tin cậy)")
        assert trusting.audit.entries(entity="programme")[0].actor == "upstream:Đài PT-TH tỉnh"
    finally:
        trusting.close()


def test_login_refusals_and_the_last_admin(container: bootstrap.Container, people: dict[str, Actor]) -> None:
    accounts = container.accounts
    with pytest.raises(LoginError, match="Sai tên đăng nhập hoặc mật khẩu"):
        accounts.login("duyet", "sai-mat-khau")
    with pytest.raises(LoginError, match="Sai tên đăng nhập hoặc mật khẩu"):
        accounts.login("khongco", PASSWORD)
    accounts.set_disabled(people["quantri"], "duyet")
    with pytest.raises(LoginError, match="Tài khoản «duyet» đã bị khóa"):
        accounts.login("duyet", PASSWORD)
    with pytest.raises(WorkflowError, match="tài khoản quản trị cuối cùng"):
        accounts.set_disabled(people["quantri"], "quantri")
    accounts.set_password(people["vanhanh"], "vanhanh", "mật-khẩu-mới-123")
    assert accounts.login("vanhanh", "mật-khẩu-mới-123").role is Role.OPERATOR
    with pytest.raises(PermissionDeniedError):
        accounts.set_password(people["vanhanh"], "bientap", "mật-khẩu-mới-123")
    stored = [u.to_json() for u in accounts.list()]
    assert [(u["username"], u["disabled"]) for u in stored] == [
        ("bientap", False),
        ("duyet", True),
        ("quantri", False),
        ("vanhanh", False),
    ]
    assert all("password" not in key for entry in container.audit.entries(entity="user") for key in (entry.after or {}))


def test_first_account_must_be_an_admin(container: bootstrap.Container) -> None:
    with pytest.raises(WorkflowError, match="Tài khoản đầu tiên phải có vai trò quản trị"):
        container.accounts.add(None, username="bientap", full_name="Biên", role=Role.EDITOR, password=PASSWORD)
    with pytest.raises(WorkflowError, match="Mật khẩu phải có ít nhất 8 ký tự"):
        container.accounts.add(None, username="quantri", full_name="Quản", role=Role.ADMIN, password="ngan")
    assert not container.accounts.has_users()


def test_five_wrong_passwords_in_a_row_lock_the_account_for_five_minutes(
    container: bootstrap.Container, people: dict[str, Actor], station_dir: Path, clock: FrozenClock
) -> None:
    accounts = container.accounts
    for _ in range(4):
        with pytest.raises(LoginError, match=r": Sai tên đăng nhập hoặc mật khẩu\.$"):
            accounts.login("duyet", "sai-mat-khau")
    accounts.login("duyet", PASSWORD)  # a right password starts the count again
    for _ in range(4):
        with pytest.raises(LoginError, match=r": Sai tên đăng nhập hoặc mật khẩu\.$"):
            accounts.login("duyet", "sai-mat-khau")
    locked = (
        "Tài khoản «duyet» đang tạm khóa vì nhập sai mật khẩu 5 lần liên tiếp; mở lại lúc 10:05:00 ngày 23/11/2026."
    )
    with pytest.raises(LoginError) as fifth:
        accounts.login("duyet", "sai-mat-khau")
    assert (fifth.value.title, fifth.value.message) == ("Đăng nhập không thành công", locked)
    with pytest.raises(LoginError) as right_but_locked:
        accounts.login("duyet", PASSWORD)
    assert right_but_locked.value.message == locked
    assert accounts.login("bientap", PASSWORD).username == "bientap"  # other accounts are not affected

    # Another process (a new container on the same database file) finds the lock: it is stored, not in memory.
    restarted = bootstrap.build(load_settings(station_dir), clock=clock)
    try:
        clock.advance(minutes=4, seconds=59)
        with pytest.raises(LoginError, match="mở lại lúc 10:05:00 ngày 23/11/2026"):
            restarted.accounts.login("duyet", PASSWORD)
        clock.advance(seconds=1)
        assert restarted.accounts.login("duyet", PASSWORD).full_name == "Nguyễn Văn Duyệt"
    finally:
        restarted.close()
    # Unlocked and counted from zero again: four wrong passwords do not lock it.
    for _ in range(4):
        with pytest.raises(LoginError, match=r": Sai tên đăng nhập hoặc mật khẩu\.$"):
            accounts.login("duyet", "sai-mat-khau")
    assert accounts.login("duyet", PASSWORD).username == "duyet"

    trail = [(line.action, line.actor) for line in reversed(container.audit.entries(entity="user", entity_id="duyet"))]
    assert trail == [
        ("user.add", "quantri"),
        *[("user.login_failed", "duyet")] * 4,
        ("user.login", "duyet"),
        *[("user.login_failed", "duyet")] * 4,
        ("user.lock", "duyet"),
        ("user.login_refused", "duyet"),
        ("user.login_refused", "duyet"),
        ("user.login", "duyet"),
        *[("user.login_failed", "duyet")] * 4,
        ("user.login", "duyet"),
    ]
    lock = container.audit.entries(entity="user", entity_id="duyet", limit=100)[-11]
    assert lock.action == "user.lock" and lock.before is not None and lock.after is not None
    assert (lock.before["failed_logins"], lock.before["locked_until"]) == (4, None)
    assert lock.after["locked_until"] == "2026-11-23T03:05:00.000000+00:00"
    assert "password_hash" not in lock.after
    assert all(report.ok for report in container.audit.verify())


def test_the_lockout_follows_the_station_settings(
    container: bootstrap.Container, people: dict[str, Actor], station_dir: Path, clock: FrozenClock
) -> None:
    strict = bootstrap.build(load_settings(station_dir, login_max_failures=2, login_lockout_minutes=30), clock=clock)
    try:
        with pytest.raises(LoginError, match=r": Sai tên đăng nhập hoặc mật khẩu\.$"):
            strict.accounts.login("vanhanh", "sai")
        with pytest.raises(LoginError, match="sai mật khẩu 2 lần liên tiếp; mở lại lúc 10:30:00 ngày 23/11/2026"):
            strict.accounts.login("vanhanh", "sai")
        clock.advance(minutes=30)
        assert strict.accounts.login("vanhanh", PASSWORD).username == "vanhanh"
    finally:
        strict.close()


def test_account_errors_name_the_field_and_only_the_cli_names_the_flag(container: bootstrap.Container) -> None:
    from truyenthanh.cli.users import with_flag

    with pytest.raises(WorkflowError) as no_name:
        container.accounts.add(None, username="quantri", full_name="  ", role=Role.ADMIN, password=PASSWORD)
    with pytest.raises(WorkflowError) as not_admin:
        container.accounts.add(None, username="bientap", full_name="Biên", role=Role.EDITOR, password=PASSWORD)
    assert (no_name.value.field, not_admin.value.field) == ("full_name", "role")
    assert "--" not in no_name.value.message and "--" not in not_admin.value.message
    named = with_flag(no_name.value)
    assert isinstance(named, WorkflowError) and named.title == no_name.value.title
    assert named.message == "Cần họ tên đầy đủ của người dùng. (tùy chọn --name)"
    assert with_flag(not_admin.value).message.endswith("(tùy chọn --role)")
