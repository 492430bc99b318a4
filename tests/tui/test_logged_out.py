"""One login path for every change: with nobody logged in, each changing action of Hôm nay, Chương trình, Chờ
duyệt and Thông báo opens the login, then carries on with what was typed and completes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

import pytest
from textual.widgets import Input, TextArea

from tests.fakes import FakeDaemonLink, FrozenClock
from tests.tui.conftest import add_asset, add_programme, said
from tests.tui.people import APPROVER, EDITOR, OPERATOR, add_accounts, log_in
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ContentStatus, ItemKind
from truyenthanh.services.programmes import ProgrammeSummary
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend


@dataclass(frozen=True)
class Case:
    """One changing action: the screen's key, who logs in, the keys after the login, and what must be true."""

    mode: str
    keys: tuple[str, ...]
    person: Actor
    after: tuple[str, ...]
    done: Callable[[bootstrap.Container, FakeDaemonLink], bool]


def programme(container: bootstrap.Container) -> ProgrammeSummary:
    """The one programme the cases act on (the newest, if a copy was made)."""
    return container.programmes.list()[-1]


def status(container: bootstrap.Container) -> ContentStatus:
    return programme(container).status


CASES = {
    "today-play-now": Case(
        "today", ("p",), OPERATOR, ("enter", "y"), lambda c, link: ("play_now", OPERATOR.full_name) in link.operators
    ),
    "today-stop": Case(
        "today", ("s",), OPERATOR, ("y",), lambda c, link: ("stop", OPERATOR.full_name) in link.operators
    ),
    "today-skip": Case(
        "today", ("k",), OPERATOR, ("y",), lambda c, link: ("skip", OPERATOR.full_name) in link.operators
    ),
    "programme-submit": Case("programmes", ("g",), EDITOR, (), lambda c, _l: status(c) is ContentStatus.WAITING),
    "programme-approve": Case(
        "programmes", ("d",), APPROVER, ("y",), lambda c, _l: status(c) is ContentStatus.APPROVED
    ),
    "programme-reject": Case(
        "programmes", ("t",), APPROVER, (*"Thiếu nhạc hiệu", "enter"), lambda c, _l: status(c) is ContentStatus.REJECTED
    ),
    "programme-rename": Case(
        "programmes", ("e",), EDITOR, ("end", *" mới", "enter"), lambda c, _l: programme(c).title == "Bản tin sáng mới"
    ),
    "programme-duplicate": Case(
        "programmes", ("c",), EDITOR, ("enter",), lambda c, _l: [p.items for p in c.programmes.list()] == [2, 2]
    ),
    "programme-delete": Case("programmes", ("x",), EDITOR, ("y",), lambda c, _l: c.programmes.list() == []),
    "programme-move-item": Case(
        "programmes",
        ("tab", "shift+down"),
        EDITOR,
        (),
        lambda c, _l: [i.title for i in c.programmes.get(programme(c).id).items] == ["Bản tin", "Nhạc hiệu"],
    ),
    "programme-remove-item": Case("programmes", ("tab", "delete"), EDITOR, (), lambda c, _l: programme(c).items == 1),
    "queue-approve": Case("approvals", ("d",), APPROVER, ("y",), lambda c, _l: status(c) is ContentStatus.APPROVED),
    "queue-reject": Case(
        "approvals", ("t",), APPROVER, (*"Sai giờ", "enter"), lambda c, _l: status(c) is ContentStatus.REJECTED
    ),
}


def prepare(container: bootstrap.Container, name: str) -> None:
    """A programme of two items, no schedule; waiting for approval where an approver acts on it."""
    add_accounts(container)
    made = container.programmes.create(EDITOR, "Bản tin sáng")
    for title, seconds in (("Nhạc hiệu", 15.0), ("Bản tin", 300.0)):
        asset = add_asset(container, title, seconds)
        container.programmes.add_item(EDITOR, made.id, ItemKind.AUDIO, asset_id=asset.id)
    if CASES[name].person is APPROVER:
        container.approvals.submit(EDITOR, ContentKind.PROGRAMME, made.id)


@pytest.mark.parametrize("name", list(CASES))
async def test_each_change_logged_out_asks_for_a_login_then_completes(
    name: str, container: bootstrap.Container, clock: FrozenClock
) -> None:
    case = CASES[name]
    prepare(container, name)
    if case.mode == "today":
        add_programme(container, "Tin trưa", at=time(11, 0))
    link = FakeDaemonLink(clock=clock, container=container)
    # Something is on air (another client's command), so stop and skip have a target.
    link.request("play_now", programme="Tin trưa", session=container.accounts.open_session(OPERATOR))
    link.requests.clear()
    link.operators.clear()
    app = TruyenthanhApp(StationBackend(container, daemon=link), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press({"today": "f2", "programmes": "f4", "approvals": "f8"}[case.mode])
        await settle(app, pilot)
        assert app.actor is None
        await pilot.press(*case.keys)
        await log_in(app, pilot, case.person)
        await pilot.press(*case.after)
        await settle(app, pilot)
        assert case.done(container, link), f"{name}: not done; the app said:\n{said(app)}"


async def test_an_announcement_typed_logged_out_is_saved_after_the_login(
    espeak_container: bootstrap.Container,
) -> None:
    add_accounts(espeak_container)
    app = TruyenthanhApp(StationBackend(espeak_container), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f6")
        await settle(app, pilot)
        screen = app.screen
        screen.query_one("#ann-title", Input).value = "Lịch tiêm chủng"
        screen.query_one("#ann-text", TextArea).insert("Mời bà con đưa trẻ đi tiêm lúc 7h30.")
        await pilot.press("ctrl+s")
        await log_in(app, pilot, EDITOR)
        await settle(app, pilot)
        assert app.screen is screen
        assert screen.query_one("#ann-text", TextArea).text == "Mời bà con đưa trẻ đi tiêm lúc 7h30."
    [saved] = espeak_container.approvals.list(ContentKind.ANNOUNCEMENT)
    assert (saved.title, saved.created_by) == ("Lịch tiêm chủng", EDITOR.username)
