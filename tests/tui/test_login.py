"""Changes made from the TUI act for the person logged in (Ctrl+L), and are audited in their name."""

from __future__ import annotations

from textual.widgets import Input

from tests.people import PASSWORD
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.enums import Role
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.login import LoginScreen
from truyenthanh.tui.screens.programme_forms import NewProgrammeScreen
from truyenthanh.tui.screens.programmes import ProgrammesScreen


async def test_a_change_needs_a_login_and_is_audited_in_that_name(container: bootstrap.Container) -> None:
    container.accounts.add(None, username="bientap", full_name="Trần Thị Biên", role=Role.ADMIN, password=PASSWORD)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ProgrammesScreen)
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, NewProgrammeScreen)
        form.query_one("#programme-title", Input).focus()
        await pilot.press(*"Chương trình sáng", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is form, "nothing is saved for nobody"
        assert "hãy đăng nhập (Ctrl+L) trước" in str(form.query_one("#form-error").render())
        assert container.programmes.list() == []

        await pilot.press("ctrl+l")
        await settle(app, pilot)
        login = app.screen
        assert isinstance(login, LoginScreen)
        await pilot.press(*"bientap", "enter", *PASSWORD, "enter")
        await settle(app, pilot)
        assert app.screen is form
        assert app.actor is not None and app.actor.full_name == "Trần Thị Biên"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
    [made] = container.programmes.list()
    [entry] = container.audit.entries(entity="programme")
    assert (entry.action, entry.actor, entry.entity_id) == ("programme.add", "bientap", str(made.id))
