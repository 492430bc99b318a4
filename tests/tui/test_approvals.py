"""Chờ duyệt (F8): what waits, the longest waiting first, who sent it and what changed since it was last
approved; approve (confirmed) or reject with a reason, as a person other than the author."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.fakes import FrozenClock
from tests.people import PASSWORD
from tests.tui.conftest import add_asset, said, until
from tests.tui.people import APPROVER, EDITOR, add_accounts, log_in
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ContentStatus, ItemKind
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.approvals import ApprovalsScreen
from truyenthanh.tui.screens.dialogs import ConfirmScreen, TextPromptScreen


def fill_queue(container: bootstrap.Container, clock: FrozenClock) -> tuple[int, int, int]:
    """10:00 an announcement is sent; 10:01 another, approved 10:02, its text changed 10:03 and sent again at
    10:04; 10:05 a programme is sent. Returns their ids in that order."""
    approvals = container.approvals
    first = approvals.add_announcement(EDITOR, title="Lịch tiêm chủng", text="Mời bà con đi tiêm.", submit=True)
    clock.advance(minutes=1)
    second = approvals.add_announcement(EDITOR, title="Thu thuế", text="Hạn nộp thuế là 30/11.", submit=True)
    clock.advance(minutes=1)
    approvals.approve(APPROVER, ContentKind.ANNOUNCEMENT, second.id)
    clock.advance(minutes=1)
    approvals.edit_announcement(EDITOR, second.id, text="Hạn nộp thuế là 15/12.")
    clock.advance(minutes=1)
    approvals.submit(EDITOR, ContentKind.ANNOUNCEMENT, second.id)
    clock.advance(minutes=1)
    made = container.programmes.create(EDITOR, "Bản tin sáng")
    asset = add_asset(container, "Nhạc hiệu", 15.0)
    container.programmes.add_item(EDITOR, made.id, ItemKind.JINGLE, asset_id=asset.id)
    approvals.submit(EDITOR, ContentKind.PROGRAMME, made.id)
    return first.id, second.id, made.id


# Several workers and screens in a row: on a loaded CI machine a step has missed its moment (twice); a real fault
# fails all three runs.
@pytest.mark.realtime
async def test_queue_oldest_first_with_sender_and_changes_then_approve_and_reject(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    add_accounts(container)
    first, second, programme = fill_queue(container, clock)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f8")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        assert [p.key for p in screen.queue] == [
            f"announcement:{first}",
            f"announcement:{second}",
            f"programme:{programme}",
        ]
        assert {p.submitted_by for p in screen.queue} == {EDITOR.username}
        assert [f"{p.submitted_at:%H:%M}" for p in screen.queue] == ["10:00", "10:04", "10:05"]
        assert screen.queue[0].changes == "Chưa duyệt lần nào."
        assert screen.queue[1].changes == (
            f"Sau lần duyệt lúc 10:02 23/11/2026 ({APPROVER.username}): {EDITOR.username} sửa nội dung lúc 10:03 23/11."
        )
        detail = str(screen.query_one("#approval-detail").render())
        assert "Thông báo số 1: Lịch tiêm chủng" in detail and "Mời bà con đi tiêm." in detail

        await pilot.press("d")  # nobody logged in: the login, then the confirmation
        await log_in(app, pilot, APPROVER)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Duyệt thông báo «Lịch tiêm chủng» để được phát?"
        await pilot.press("y")
        await settle(app, pilot)
        assert container.approvals.get(ContentKind.ANNOUNCEMENT, first).status is ContentStatus.APPROVED
        assert "Đã duyệt thông báo «Lịch tiêm chủng» (người duyệt: Nguyễn Văn Duyệt)." in said(app)
        await until(app, pilot, lambda: len(screen.queue) == 2, "the queue read again")  # a loaded machine lags
        assert [p.view.id for p in screen.queue] == [second, programme]
        assert "15/12" in str(screen.query_one("#approval-detail").render())

        await pilot.press("t")
        await settle(app, pilot)
        prompt = app.screen
        assert isinstance(prompt, TextPromptScreen)
        await pilot.press("enter")  # no reason: said, the prompt stays
        await settle(app, pilot)
        assert app.screen is prompt
        assert "Cần ghi lý do từ chối." in str(prompt.query_one("#prompt-error").render())
        prompt.query_one("#prompt-text", Input).value = "Sai hạn nộp"
        await pilot.press("enter")
        await settle(app, pilot)
        rejected = container.approvals.get(ContentKind.ANNOUNCEMENT, second)
        assert (rejected.status, rejected.rejected_reason) == (ContentStatus.REJECTED, "Sai hạn nộp")
        await until(app, pilot, lambda: len(screen.queue) == 1, "the queue read again")
        assert [p.view.id for p in screen.queue] == [programme]
        assert "1. Nhạc hiệu: Nhạc hiệu (0:15)" in str(screen.query_one("#approval-detail").render())

        await pilot.press("d", "n")  # "no" changes nothing
        await settle(app, pilot)
        assert container.approvals.get(ContentKind.PROGRAMME, programme).status is ContentStatus.WAITING


async def test_the_author_cannot_approve_their_own_content(container: bootstrap.Container, clock: FrozenClock) -> None:
    add_accounts(container)
    fill_queue(container, clock)
    admin = container.accounts.login("quantri", PASSWORD)
    own = container.approvals.add_announcement(admin, title="Của quản trị", text="Nội dung.", submit=True)
    app = TruyenthanhApp(StationBackend(container, actor=admin), start_daemon=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f8")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        screen.query_one("#approval-queue").move_cursor(row=3)  # type: ignore[attr-defined]
        await settle(app, pilot)
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert len(screen.queue) == 4, "nothing was approved"
        assert screen.queue[3].view.id == own.id
        assert f"Không được tự duyệt thông báo số {own.id} do chính mình soạn hoặc gửi duyệt" in said(app)
        assert container.approvals.get(ContentKind.ANNOUNCEMENT, own.id).status is ContentStatus.WAITING
