"""Chương trình: create a programme, add items of several kinds, reorder with keys, see the total and limit."""

from __future__ import annotations

import asyncio
import time
from datetime import time as clock_time

from textual.pilot import Pilot
from textual.widgets import Input, Select
from textual.worker import WorkerState

from tests.people import ADMIN
from tests.tui.conftest import add_asset, add_programme
from truyenthanh import bootstrap
from truyenthanh.domain.enums import ItemKind
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.programme_forms import AddItemScreen, NewProgrammeScreen
from truyenthanh.tui.screens.programmes import ProgrammesScreen


async def settle(app: TruyenthanhApp, pilot: Pilot[None], timeout: float = 30.0) -> None:
    """Let workers finish (or be superseded) and their messages be handled."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3:
        await pilot.pause()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
        quiet = 0 if busy else quiet + 1
        if busy:
            await asyncio.sleep(0.01)
        assert time.monotonic() < deadline, "workers still running"


def top_screen(app: TruyenthanhApp) -> object:
    """The screen on top now, for ``is`` and ``isinstance`` checks.

    A call, because mypy narrows ``app.screen`` after ``assert app.screen is form`` and keeps that across awaits
    although a key press changes the screen: a later check against another screen would look impossible to it and
    the rest of the test would go unchecked. Typed ``object``, because ``top_screen(app) is screen`` with a
    ``Screen[object]`` on the left would widen ``screen`` back to ``Screen[object]`` (``Screen`` is invariant in
    its result type), losing the attributes of the screen class asserted earlier.
    """
    return app.screen


async def test_build_a_programme_with_keys(container: bootstrap.Container) -> None:
    add_asset(container, "Nhạc hiệu đài", 15.0)
    add_asset(container, "Bản tin xã", 600.0)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ProgrammesScreen)

        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(top_screen(app), NewProgrammeScreen)
        await pilot.press("ctrl+s")  # an empty title is refused and the form stays
        await settle(app, pilot)
        assert isinstance(top_screen(app), NewProgrammeScreen)
        assert "Tên chương trình không được để trống." in str(app.screen.query_one("#form-error").render())
        app.screen.query_one("#programme-title", Input).focus()
        await pilot.press(*"Chương trình sáng")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is screen
        assert screen.detail is not None and screen.detail.title == "Chương trình sáng"

        async def add(kind: ItemKind, **fields: object) -> None:
            await pilot.press("a")
            await settle(app, pilot)
            form = app.screen
            assert isinstance(form, AddItemScreen)
            form.query_one("#item-kind", Select).value = kind
            await pilot.pause()
            for field_id, value in fields.items():
                widget = form.query_one(f"#{field_id}")
                if isinstance(widget, Select):
                    widget.value = value
                else:
                    assert isinstance(widget, Input)
                    widget.focus()
                    await pilot.press(*str(value))
            await pilot.press("ctrl+s")
            await settle(app, pilot)

        choices = container.programmes.choices()
        ids = {c.title: c.id for c in choices.assets}
        await add(ItemKind.JINGLE, **{"item-asset": ids["Nhạc hiệu đài"]})
        await add(ItemKind.AUDIO, **{"item-asset": ids["Bản tin xã"]})
        await add(ItemKind.RELAY, **{"item-relay": "vov1", "item-duration": "15:00"})
        form = app.screen
        assert isinstance(form, AddItemScreen), "a bad relay address keeps the form open"
        assert "không hợp lệ" in str(form.query_one("#form-error").render())
        assert form.query_one("#item-duration", Input).value == "15:00"
        form.query_one("#item-relay", Input).value = "https://vov.example/vov1"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is screen
        assert [i.kind for i in screen.detail.items] == [ItemKind.JINGLE, ItemKind.AUDIO, ItemKind.RELAY]
        assert screen.detail.total_s == 1515.0

        # The relay is highlighted (just added): move it above the bulletin.
        screen.query_one("#item-list").focus()
        await pilot.press("shift+up")
        await settle(app, pilot)
        assert [i.title for i in screen.detail.items] == ["Nhạc hiệu đài", "Tiếp sóng", "Bản tin xã"]
        await pilot.press("delete")
        await settle(app, pilot)
        assert [i.title for i in screen.detail.items] == ["Nhạc hiệu đài", "Bản tin xã"]
        assert str(screen.query_one("#programme-total").render()) == (
            "Tổng thời lượng: 10:15 (chưa xếp vào buổi phát nào)"
        )


async def test_total_turns_red_over_the_session_limit(container: bootstrap.Container) -> None:
    add_programme(container, "Buổi sáng dài", at=clock_time(5, 30), seconds=3700)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f4")
        await settle(app, pilot)
        total = str(app.screen.query_one("#programme-total").render())
        assert total == "Tổng thời lượng: 1:01:40 / tối đa 1:00:00 của Buổi sáng — VƯỢT 1:40, hãy bớt mục"
