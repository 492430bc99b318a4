"""Real accounts for the TUI tests that log in through the login screen, and the keys that do it."""

from __future__ import annotations

from typing import Any

from tests.people import PASSWORD
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.screens.login import LoginScreen

EDITOR = Actor(username="bientap", full_name="Trần Thị Biên", role=Role.EDITOR)
"""Writes announcements and programmes and sends them for approval."""
APPROVER = Actor(username="duyet", full_name="Nguyễn Văn Duyệt", role=Role.APPROVER)
"""Approves what others wrote."""
OPERATOR = Actor(username="vanhanh", full_name="Phạm Thị Vận", role=Role.OPERATOR)
"""Runs the day on air."""


def add_accounts(container: bootstrap.Container) -> None:
    """An admin first (the first account must be one), then the three people above, all with :data:`PASSWORD`."""
    container.accounts.add(None, username="quantri", full_name="Lê Văn Quản", role=Role.ADMIN, password=PASSWORD)
    admin = container.accounts.login("quantri", PASSWORD)
    for person in (EDITOR, APPROVER, OPERATOR):
        container.accounts.add(
            admin, username=person.username, full_name=person.full_name, role=person.role, password=PASSWORD
        )


async def log_in(app: TruyenthanhApp, pilot: Any, person: Actor) -> None:
    """The login screen is open (an action asked for it): type the person's name and password."""
    await settle(app, pilot)
    assert isinstance(app.screen, LoginScreen), f"expected the login, got {app.screen!r}"
    await pilot.press(*person.username, "enter", *PASSWORD, "enter")
    await settle(app, pilot)
    assert app.actor is not None and app.actor.username == person.username
