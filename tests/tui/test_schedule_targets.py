"""The schedule form's «Phát ở đâu» (issue 18): the station's own loudspeaker and/or zones, saved as the
schedule's targets, shown in the list, filled back when editing, and a refusal that marks the field."""

from __future__ import annotations

from datetime import time

from textual.widgets import Checkbox, DataTable, Input, Select, SelectionList

from tests.people import ADMIN
from tests.tui.conftest import add_programme
from tests.tui.test_programmes import settle, top_screen
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Zone
from truyenthanh.domain.fleet import Targets
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.schedule import ScheduleScreen
from truyenthanh.tui.screens.schedule_form import ScheduleFormScreen


def _zones(container: bootstrap.Container) -> None:
    with container.db.session() as session:
        session.add(Zone(name="Thôn Đông", slug="thon-dong"))
        session.add(Zone(name="Thôn Tây", slug="thon-tay"))


async def test_choose_where_a_schedule_airs(container: bootstrap.Container) -> None:
    _zones(container)
    programme_id, _ = add_programme(container, "Tin thôn", at=time(6, 0), rrule=None, seconds=120)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(140, 60)) as pilot:
        await pilot.press("f5")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ScheduleScreen)
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ScheduleFormScreen)
        assert form.query_one("#schedule-local", Checkbox).value is True
        assert form.query_one("#schedule-all-zones", Checkbox).value is True
        assert form.query_one("#schedule-zones", SelectionList).display is False
        form.query_one("#schedule-programme", Select).value = programme_id
        form.query_one("#schedule-time", Input).value = "17:00"
        form.query_one("#schedule-local", Checkbox).value = False
        form.query_one("#schedule-all-zones", Checkbox).value = False
        await pilot.pause()
        zones = form.query_one("#schedule-zones", SelectionList)
        assert zones.display is True
        await pilot.press("ctrl+s")  # no output at all: refused, the local checkbox marked
        await settle(app, pilot)
        assert top_screen(app) is form
        assert "(ô «Loa tại đài»): Lịch phát phải phát ở ít nhất một nơi" in str(form.query_one("#form-error").render())
        assert form.query_one("#schedule-local", Checkbox).has_class("-invalid")
        zones.select("thon-tay")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert top_screen(app) is screen
        saved = container.scheduling.schedules()[-1]
        assert saved.targets == Targets(local=False, zones=("thon-tay",))
        row = screen.query_one("#schedule-list", DataTable).get_row(str(saved.id))
        assert row[6] == "cụm loa Thôn Tây"

        table = screen.query_one("#schedule-list", DataTable)
        table.move_cursor(row=[v.id for v in screen.schedules].index(saved.id))
        await pilot.press("e")
        await settle(app, pilot)
        editing = app.screen
        assert isinstance(editing, ScheduleFormScreen)
        assert editing.query_one("#schedule-local", Checkbox).value is False
        assert editing.query_one("#schedule-all-zones", Checkbox).value is False
        assert editing.query_one("#schedule-zones", SelectionList).selected == ["thon-tay"]
