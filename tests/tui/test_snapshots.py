"""A few screenshots compared with accepted ones (frozen clock, pinned Textual); update with --snapshot-update."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from tests.tui.conftest import add_programme
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.enums import ContentStatus
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend


async def steady(app: TruyenthanhApp, pilot: Any) -> None:
    """Workers done, then let the tables size their columns (done on idle) before the screenshot."""
    await settle(app, pilot)
    await pilot.pause(0.3)
    await settle(app, pilot)


def station(container: bootstrap.Container) -> TruyenthanhApp:
    """An app on a station with a morning and an afternoon programme (one not approved)."""
    add_programme(container, "Bản tin sáng", at=time(5, 30), seconds=900, session_name="Buổi sáng")
    add_programme(
        container,
        "Bản tin chiều",
        at=time(17, 0),
        seconds=1200,
        status=ContentStatus.WAITING,
        session_name="Buổi chiều",
    )
    return TruyenthanhApp(StationBackend(container), start_daemon=False)


def test_today(snap_compare: Any, container: bootstrap.Container) -> None:
    app = station(container)

    async def ready(pilot: Any) -> None:
        await steady(app, pilot)

    assert snap_compare(app, terminal_size=(120, 30), run_before=ready)


@pytest.mark.realtime  # the week view draws after the daemon's answer
def test_schedule_week(snap_compare: Any, container: bootstrap.Container) -> None:
    app = station(container)

    async def ready(pilot: Any) -> None:
        await steady(app, pilot)  # "Hôm nay" has asked the daemon first, as on a real start
        await pilot.press("f5")
        await steady(app, pilot)

    assert snap_compare(app, terminal_size=(140, 34), run_before=ready)


def test_help(snap_compare: Any, container: bootstrap.Container) -> None:
    app = station(container)

    async def ready(pilot: Any) -> None:
        await settle(app, pilot)
        await pilot.press("f1")
        await steady(app, pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=ready)
