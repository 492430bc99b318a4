"""Tài khoản (F10): an admin lists, adds, changes roles, disables and enables, unlocks and resets passwords, each
change started logged out (the login opens, then the change carries on); everyone changes their own password
(Ctrl+T); the header names who is logged in; the top bar fits 80 columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, Select, Static

from tests.fakes import FrozenClock
from tests.people import PASSWORD
from tests.tui.conftest import said
from tests.tui.people import EDITOR, OPERATOR, add_accounts, log_in
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role
from truyenthanh.errors import LoginError
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.account_forms import AddAccountScreen, PasswordScreen
from truyenthanh.tui.screens.accounts import AccountsScreen
from truyenthanh.tui.widgets.statusbar import SCREENS, StatusBar

ADMIN = Actor(username="quantri", full_name="Lê Văn Quản", role=Role.ADMIN)
"""The admin :func:`add_accounts` makes first."""
NEW_PASSWORD = "mật-khẩu-mới-dài"


def lock_out(container: bootstrap.Container, username: str) -> None:
    """Five wrong passwords in a row: the account refuses logins for five minutes."""
    for _ in range(5):
        with pytest.raises(LoginError):
            container.accounts.login(username, "sai-mat-khau")


async def open_accounts(app: TruyenthanhApp, pilot: Any, username: str) -> AccountsScreen:
    """F10, then the cursor on ``username``'s row."""
    await settle(app, pilot)
    await pilot.press("f10")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, AccountsScreen)
    row = [a.username for a in screen.accounts].index(username)
    screen.query_one("#account-list", DataTable).move_cursor(row=row)
    await pilot.pause()
    return screen


async def type_into(pilot: Any, field: Input, text: str) -> None:
    """Focus a field and type."""
    field.focus()
    await pilot.press(*text)


async def fill_add(app: TruyenthanhApp, pilot: Any) -> None:
    form = app.screen
    assert isinstance(form, AddAccountScreen)
    await type_into(pilot, form.query_one("#account-username", Input), "thuquy")
    await type_into(pilot, form.query_one("#account-full-name", Input), "Đỗ Thị Thu")
    form.query_one("#account-role", Select).value = Role.APPROVER
    await type_into(pilot, form.query_one("#password-new", Input), PASSWORD)
    await type_into(pilot, form.query_one("#password-again", Input), PASSWORD)
    await pilot.press("ctrl+s")


async def fill_role(app: TruyenthanhApp, pilot: Any) -> None:
    app.screen.query_one("#account-role", Select).value = Role.APPROVER
    await pilot.press("ctrl+s")


async def fill_password(app: TruyenthanhApp, pilot: Any) -> None:
    form = app.screen
    assert isinstance(form, PasswordScreen)
    await type_into(pilot, form.query_one("#password-new", Input), NEW_PASSWORD)
    await type_into(pilot, form.query_one("#password-again", Input), NEW_PASSWORD)
    await pilot.press("ctrl+s")


async def press_yes(_app: TruyenthanhApp, pilot: Any) -> None:
    await pilot.press("y")


def logs_in(container: bootstrap.Container, username: str, password: str) -> bool:
    try:
        container.accounts.login(username, password)
    except LoginError:
        return False
    return True


@dataclass(frozen=True)
class Case:
    """One account change: the key, whether the form comes before the login, the typing, and what must hold."""

    key: str
    form_first: bool
    fill: Callable[[TruyenthanhApp, Any], Any]
    done: Callable[[bootstrap.Container], bool]
    action: str
    """What the audit trail records."""


def role_of(container: bootstrap.Container, username: str) -> Role:
    return container.accounts.user(username).role


CASES = {
    "add": Case("n", True, fill_add, lambda c: role_of(c, "thuquy") is Role.APPROVER, "user.add"),
    "role": Case("v", True, fill_role, lambda c: role_of(c, OPERATOR.username) is Role.APPROVER, "user.role"),
    "disable": Case("k", False, press_yes, lambda c: c.accounts.user(OPERATOR.username).disabled, "user.disable"),
    "enable": Case("k", False, press_yes, lambda c: not c.accounts.user(OPERATOR.username).disabled, "user.enable"),
    "unlock": Case("u", False, press_yes, lambda c: logs_in(c, OPERATOR.username, PASSWORD), "user.unlock"),
    "reset-password": Case(
        "m", True, fill_password, lambda c: logs_in(c, OPERATOR.username, NEW_PASSWORD), "user.passwd"
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_each_account_change_logged_out_asks_for_a_login_then_completes(
    name: str, container: bootstrap.Container
) -> None:
    case = CASES[name]
    add_accounts(container)
    if name == "enable":
        container.accounts.set_disabled(ADMIN, OPERATOR.username)
    if name == "unlock":
        lock_out(container, OPERATOR.username)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_accounts(app, pilot, OPERATOR.username)
        assert app.actor is None
        await pilot.press(case.key)
        await settle(app, pilot)
        if case.form_first:
            await case.fill(app, pilot)
            await log_in(app, pilot, ADMIN)
        else:
            await log_in(app, pilot, ADMIN)
            await case.fill(app, pilot)
        await settle(app, pilot)
        assert app.screen is screen, f"{name}: still on {app.screen!r}; the app said:\n{said(app)}"
        assert case.done(container), f"{name}: not done; the app said:\n{said(app)}"
    [last] = container.audit.entries(entity="user", limit=1)
    assert (last.action, last.actor) == (case.action, ADMIN.username)


async def test_the_list_shows_role_state_and_lockout(container: bootstrap.Container, clock: FrozenClock) -> None:
    add_accounts(container)
    container.accounts.set_disabled(ADMIN, EDITOR.username)
    lock_out(container, OPERATOR.username)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_accounts(app, pilot, OPERATOR.username)
        table = screen.query_one("#account-list", DataTable)
        rows = {str(table.get_row_at(i)[0]): tuple(map(str, table.get_row_at(i))) for i in range(table.row_count)}
        assert rows == {
            "bientap": ("bientap", "Trần Thị Biên", "Biên tập", "Đã khóa", ""),
            "duyet": ("duyet", "Nguyễn Văn Duyệt", "Duyệt", "Hoạt động", ""),
            "quantri": ("quantri", "Lê Văn Quản", "Quản trị", "Hoạt động", ""),
            "vanhanh": ("vanhanh", "Phạm Thị Vận", "Vận hành", "Hoạt động", "10:05 23/11"),
        }
        clock.advance(minutes=6)
        await pilot.press("r")
        await settle(app, pilot)
        assert str(table.get_row_at([a.username for a in screen.accounts].index("vanhanh"))[4]) == ""


async def test_a_person_who_may_not_manage_accounts_is_refused_with_the_service_message(
    container: bootstrap.Container,
) -> None:
    add_accounts(container)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_accounts(app, pilot, OPERATOR.username)
        await pilot.press("k")
        await log_in(app, pilot, EDITOR)
        await pilot.press("y")
        await settle(app, pilot)
        assert (
            "Tài khoản «bientap» (vai trò Biên tập) không được quản lý tài khoản. Việc này cần vai trò: Quản trị."
            in said(app)
        )
    assert not container.accounts.user(OPERATOR.username).disabled


async def test_form_errors_name_the_field_and_keep_what_was_typed(container: bootstrap.Container) -> None:
    add_accounts(container)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_accounts(app, pilot, ADMIN.username)
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AddAccountScreen)
        await type_into(pilot, form.query_one("#account-username", Input), "thuquy")
        await type_into(pilot, form.query_one("#password-new", Input), PASSWORD)
        await type_into(pilot, form.query_one("#password-again", Input), "khác hẳn")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = str(form.query_one("#form-error").render())
        assert error == "Hai lần gõ mật khẩu không giống nhau (ô «Gõ lại mật khẩu»)."
        assert form.focused is form.query_one("#password-again", Input)
        form.query_one("#password-again", Input).value = PASSWORD
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert "Cần họ tên đầy đủ của người dùng." in str(form.query_one("#form-error").render())
        assert form.focused is form.query_one("#account-full-name", Input)
        assert form.query_one("#account-username", Input).value == "thuquy"
        assert form.query_one("#form-error").region.right <= 80


async def test_the_last_admin_keeps_the_role(container: bootstrap.Container) -> None:
    add_accounts(container)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_accounts(app, pilot, ADMIN.username)
        await pilot.press("v")
        await settle(app, pilot)
        await fill_role(app, pilot)
        await settle(app, pilot)
        assert "tài khoản quản trị cuối cùng còn hoạt động" in str(app.screen.query_one("#form-error").render())
    assert role_of(container, ADMIN.username) is Role.ADMIN


async def test_everyone_changes_their_own_password_from_any_screen(container: bootstrap.Container) -> None:
    add_accounts(container)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("f7", "ctrl+t")
        await log_in(app, pilot, OPERATOR)
        form = app.screen
        assert isinstance(form, PasswordScreen) and form.own
        await type_into(pilot, form.query_one("#password-current", Input), "không-phải-mật-khẩu")
        await fill_password(app, pilot)
        await settle(app, pilot)
        assert "«Mật khẩu hiện tại»" not in said(app)
        assert str(form.query_one("#form-error").render()).startswith("Đăng nhập không thành công: Mật khẩu hiện tại:")
        assert form.focused is form.query_one("#password-current", Input)
        form.query_one("#password-current", Input).value = PASSWORD
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is not form
        assert "Đã đổi mật khẩu của «vanhanh»." in said(app)
    assert logs_in(container, OPERATOR.username, NEW_PASSWORD)
    assert not logs_in(container, OPERATOR.username, PASSWORD)


def visible(widget: Static) -> str:
    """The widget's text as drawn (markup removed)."""
    rendered = widget.render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_header_names_who_is_logged_in_and_fits(
    size: tuple[int, int], container: bootstrap.Container
) -> None:
    add_accounts(container)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        app.screen.query_one(StatusBar).tick()
        state = app.screen.query_one("#station-state", Static)
        assert visible(state).endswith("Chưa đăng nhập")
        await pilot.press("ctrl+l")
        await log_in(app, pilot, EDITOR)
        for key, mode, _title in SCREENS:
            await pilot.press(key)
            await settle(app, pilot)
            assert app.current_mode == mode
            bar = app.screen.query_one("#nav", Static)
            nav = visible(bar)
            assert "F9 KHẨN CẤP" in nav and Text(nav).cell_len <= size[0] - 2, nav
            assert all(k.upper() in nav for k, _m, _t in SCREENS)
            state = app.screen.query_one("#station-state", Static)
            app.screen.query_one(StatusBar).tick()
            assert visible(state).endswith("Trần Thị Biên (Biên tập)")
            assert state.region.right <= size[0] and state.region.width >= Text(visible(state)).cell_len


async def test_the_first_account_is_an_admin_made_without_a_login(container: bootstrap.Container) -> None:
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f10")
        await settle(app, pilot)
        assert "nhấn N để tạo tài khoản quản trị đầu tiên" in said(app)
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AddAccountScreen) and form.first
        assert form.query_one("#account-role", Select).value is Role.ADMIN
        await type_into(pilot, form.query_one("#account-username", Input), ADMIN.username)
        await type_into(pilot, form.query_one("#account-full-name", Input), ADMIN.full_name)
        await type_into(pilot, form.query_one("#password-new", Input), PASSWORD)
        await type_into(pilot, form.query_one("#password-again", Input), PASSWORD)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert [a.username for a in app.screen.accounts] == [ADMIN.username]
    assert container.accounts.login(ADMIN.username, PASSWORD).role is Role.ADMIN
