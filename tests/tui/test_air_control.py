"""Hôm nay: play now, stop and skip, each after a login (when nobody is logged in) and a confirmation, with the
daemon's answer shown; warnings for today's and tomorrow's airings of content that is not approved."""

from __future__ import annotations

from datetime import time

from tests.fakes import FakeDaemonLink, FrozenClock
from tests.tui.conftest import add_programme, said, until
from tests.tui.people import EDITOR, OPERATOR, add_accounts, log_in
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import ProgrammeItem
from truyenthanh.domain.enums import ContentStatus, ItemKind
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.dialogs import ChooseProgrammeScreen, ConfirmScreen
from truyenthanh.tui.screens.today import TodayScreen


async def test_play_now_skip_and_stop_ask_who_and_confirm_then_show_the_answer(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    add_accounts(container)
    programme_id, _ = add_programme(container, "Bản tin sáng", at=time(5, 30))
    link = FakeDaemonLink(clock=clock, container=container)
    app = TruyenthanhApp(StationBackend(container, daemon=link), start_daemon=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        today: TodayScreen = screen  # named for the closures below, where narrowing does not reach

        await pilot.press("p")  # nobody is logged in: the login opens, then the choice follows
        await log_in(app, pilot, OPERATOR)
        chooser = app.screen
        assert isinstance(chooser, ChooseProgrammeScreen)
        await pilot.press("escape")  # giving up sends nothing
        await settle(app, pilot)
        assert app.screen is today and "play_now" not in link.commands()

        await pilot.press("p")  # logged in now: straight to the choice
        await settle(app, pilot)
        assert isinstance(app.screen, ChooseProgrammeScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.question == "Phát ngay «Bản tin sáng» (2:00) ra loa?"
        await pilot.press("y")
        await until(app, pilot, lambda: today.view is not None and today.view.on_air is not None, "on air")
        assert ("play_now", OPERATOR.full_name) in link.operators  # the session token names who gave it
        assert link.requests[link.commands().index("play_now")][1]["programme"] == str(programme_id)
        assert "Dịch vụ phát: Dịch vụ phát đã nhận lệnh phát ngay «Bản tin sáng» (lượt phát now:" in said(app)

        await pilot.press("k", "n")  # "no" sends nothing
        await settle(app, pilot)
        assert "skip" not in link.commands()
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.startswith("Bỏ qua mục đang phát «")
        await pilot.press("y")
        await settle(app, pilot)
        assert ("skip", OPERATOR.full_name) in link.operators
        assert "Dịch vụ phát đã bỏ qua mục đang phát." in said(app)

        link.request("play_now", programme="Bản tin sáng", session=container.accounts.open_session(OPERATOR))
        await pilot.press("r")
        await until(app, pilot, lambda: today.view is not None and today.view.on_air is not None, "on air again")
        await pilot.press("s", "y")
        await until(app, pilot, lambda: today.view is not None and today.view.on_air is None, "stopped")
        assert ("stop", OPERATOR.full_name) in link.operators
        assert "Dịch vụ phát đã dừng phát và xóa hàng đợi." in said(app)
        await pilot.press("s")  # nothing on air: said, nothing sent
        await settle(app, pilot)
        assert link.commands().count("stop") == 1
        assert "Không có gì đang phát." in said(app)


async def test_a_refusal_of_the_daemon_is_shown(container: bootstrap.Container, clock: FrozenClock) -> None:
    add_accounts(container)
    add_programme(container, "Bản tin sáng", at=time(5, 30))
    link = FakeDaemonLink(clock=clock, running=False)
    app = TruyenthanhApp(StationBackend(container, daemon=link, actor=OPERATOR), start_daemon=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("p", "enter", "y")
        await settle(app, pilot)
        assert "Dịch vụ phát của đài này không chạy (giả lập)." in said(app)
        assert isinstance(app.screen, TodayScreen)


async def test_warnings_for_today_and_tomorrow_of_content_not_approved(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    add_accounts(container)
    # 10:00 now. Waiting daily at 08:00: today's airing has passed, tomorrow's will be refused.
    add_programme(container, "Tin sáng sớm", at=time(8, 0), status=ContentStatus.WAITING)
    # Approved daily at 17:00, but it holds an announcement changed back to draft: skipped on air.
    evening, _ = add_programme(container, "Bản tin chiều", at=time(17, 0))
    draft = container.approvals.add_announcement(EDITOR, title="Lịch tiêm chủng", text="Mời bà con đi tiêm.")
    with container.db.session() as session:
        session.add(
            ProgrammeItem(programme_id=evening, position=1, kind=ItemKind.ANNOUNCEMENT, announcement_id=draft.id)
        )
    app = TruyenthanhApp(StationBackend(container, daemon=FakeDaemonLink(clock=clock)), start_daemon=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        today = app.screen
        assert isinstance(today, TodayScreen) and today.view is not None
        warnings = [w.text for w in today.view.warnings]
        assert warnings == [
            "Có thông báo chưa duyệt, sẽ bị bỏ qua khi phát hôm nay: Bản tin chiều (thông báo «Lịch tiêm chủng»).",
            "Chưa được duyệt nhưng phát ngày mai: Tin sáng sớm.",
            "Có thông báo chưa duyệt, sẽ bị bỏ qua khi phát ngày mai: Bản tin chiều (thông báo «Lịch tiêm chủng»).",
        ]
        assert "sẽ bị bỏ qua khi phát hôm nay" in str(today.query_one("#warnings").render())
