"""Screenshots of the «Tuyến trên» mode compared with accepted ones (frozen clock, pinned Textual, nothing running:
the stations' health is stored as the hub's listener stores it); update with --snapshot-update."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import FrozenClock
from tests.tui.conftest import until
from tests.tui.hub_world import HubWorld, hub_world
from tests.tui.test_programmes import settle
from truyenthanh.domain.upstream import StationHealth
from truyenthanh.tui.hub_app import HubApp
from truyenthanh.tui.hub_backend import HubBackend
from truyenthanh.tui.screens.hub_emergency import HubEmergencyScreen

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[HubWorld]:
    """A hub at a frozen instant with four communes: two healthy (one missed airings), one offline, one refusing
    a forged message, and one added but never enrolled."""
    with hub_world(tmp_path, clock=FrozenClock(NOW), running=False) as built:
        figures: list[tuple[str, dict[str, Any], bool, timedelta]] = [
            ("Xã Tân Lập", {}, True, timedelta(seconds=20)),
            ("Xã Minh Đài", {"misses_24h": 2, "device_ok": False, "device_error": "Không mở được loa"}, True,
             timedelta(seconds=5)),
            ("Xã Đồng Tâm", {}, False, timedelta(minutes=42)),
            ("Xã Hợp Nhất", {"refused": "Đài từ chối tin của tuyến trên: chữ ký không khớp (tin giả mạo)."}, True,
             timedelta(seconds=40)),
        ]  # fmt: skip
        for name, extra, online, ago in figures:
            station = built.add_station(name)
            assert station is not None
            values: dict[str, Any] = {
                "next_airing": NOW + timedelta(hours=2, minutes=30),
                "next_title": "Bản tin chiều",
                "free_disk_bytes": 37 * 2**30,
                "version": "0.19",
                **extra,
            }
            health = StationHealth(station.slug, station.enrolment.zone, online, NOW - ago, **values)
            built.set_health(station.slug, health, NOW - ago)
        built.add_station("Xã Yên Bình", enrol=False)
        yield built


async def steady(app: HubApp, pilot: Any) -> None:
    """Workers done, then let the tables size their columns before the screenshot; no input keeps the focus (its
    cursor blinks, so two screenshots of one screen would differ)."""
    await settle(app, pilot)  # type: ignore[arg-type]
    await pilot.pause(0.3)
    app.set_focus(None)
    await settle(app, pilot)  # type: ignore[arg-type]


def test_stations(snap_compare: Any, world: HubWorld) -> None:
    app = HubApp(HubBackend(world.container))

    async def ready(pilot: Any) -> None:
        await steady(app, pilot)  # the first row's details: the station that refused a forged message

    assert snap_compare(app, terminal_size=(130, 30), run_before=ready)


def test_emergency_form(snap_compare: Any, world: HubWorld) -> None:
    app = HubApp(HubBackend(world.container))

    async def ready(pilot: Any) -> None:
        await steady(app, pilot)
        await pilot.press("f4")
        await until(app, pilot, lambda: isinstance(app.screen, HubEmergencyScreen), "the emergency screen")
        await steady(app, pilot)

    assert snap_compare(app, terminal_size=(120, 30), run_before=ready)


def test_reports(snap_compare: Any, world: HubWorld) -> None:
    app = HubApp(HubBackend(world.container))

    async def ready(pilot: Any) -> None:
        await steady(app, pilot)
        await pilot.press("f5")
        await until(app, pilot, lambda: getattr(app.screen, "report", None) is not None, "the report")
        await steady(app, pilot)

    assert snap_compare(app, terminal_size=(130, 40), run_before=ready)
