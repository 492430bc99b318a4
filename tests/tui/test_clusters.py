"""Cụm loa (Ctrl+K): the station's IP loudspeaker clusters on a real station database, their statuses recorded
through the fleet service as the daemon records what receivers publish; the daemon is the in-process fake, which
answers ``zone_command`` as the real one would and records what it was asked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, Label, Static

from tests.fakes import FakeDaemonLink, FrozenClock
from tests.people import PASSWORD
from tests.tui.conftest import daemon_running, said, until
from tests.tui.people import OPERATOR, add_accounts, log_in
from tests.tui.test_programmes import settle
from tests.tui.test_snapshots import steady
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.fleet import ReceiverStatus
from truyenthanh.errors import FleetError
from truyenthanh.protocol import AiringQueued
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.clusters import (
    DAEMON_DOWN,
    FLEET_OFF,
    NO_RECEIVER,
    ClustersScreen,
    EnrolmentCodeScreen,
    NewZoneScreen,
    VolumeScreen,
    ago,
    offset,
)


class ClusterDaemon(FakeDaemonLink):
    """The fake daemon, also answering ``zone_command`` as the real one does: the session checked, the command
    recorded (in :attr:`requests`), an acknowledgement of what it will send."""

    def request(self, command: str, **arguments: Any) -> Any:
        """``zone_command`` here; every other command as :class:`FakeDaemonLink` answers it."""
        if command != "zone_command":
            return super().request(command, **arguments)
        with self._lock:
            self.requests.append((command, dict(arguments)))
        self._session(command, arguments, Permission.OPERATE)
        return {"command_id": f"c{len(self.requests)}", "receivers": [arguments.get("target")]}


def enrol(container: bootstrap.Container, admin: Actor, zone: str, name: str) -> str:
    """A box enrolled in ``zone`` (its slug) through a one-time code, as ``receiver enrol`` does; its slug."""
    issued = container.fleet.issue_code(admin.username, zone)
    return container.fleet.enrol(issued.code, name).receiver


def status(container: bootstrap.Container, receiver: str, zone: str, **fields: Any) -> None:
    """Record a status as the daemon does when the receiver publishes one (``at`` = the station's now)."""
    now = container.clock.now()
    values: dict[str, Any] = {
        "online": True,
        "last_sync": now - timedelta(minutes=10),
        "schedule_valid_until": now + timedelta(days=7),
        "volume": 80,
        "clock_offset_ms": 12.4,
        "version": "1.18.0",
        "free_disk_bytes": 3 * 2**30,
    }
    values.update(fields)
    container.fleet.record_status(ReceiverStatus(receiver=receiver, zone=zone, at=now, **values))


@pytest.fixture
def admin(container: bootstrap.Container) -> Actor:
    """The station's admin, logged in (its accounts made), with its signing key and a broker configuration."""
    add_accounts(container)
    container.keys.generate("Đài truyền thanh xã thử nghiệm")
    container.fleet.configure_broker(port=18883, bind="127.0.0.1", hostnames=["localhost"])
    return container.accounts.login("quantri", PASSWORD)


@pytest.fixture
def fleet(container: bootstrap.Container, admin: Actor, clock: FrozenClock) -> dict[str, str]:
    """Four zones; four boxes in three of them, one of each light; the last zone without a box. Two minutes
    pass after the statuses arrive. Returns the receivers' slugs by light."""
    for name, hamlet in (("Thôn Đông", "Đông"), ("Thôn Tây", "Tây"), ("Thôn Bắc", ""), ("Xóm Chợ", "Chợ")):
        container.fleet.add_zone(admin.username, name, hamlet)
    slugs = {
        "ok": enrol(container, admin, "thon-dong", "Loa Đông"),
        "refusing": enrol(container, admin, "thon-dong", "Loa cổng chợ"),
        "stale": enrol(container, admin, "thon-tay", "Loa Tây"),
        "offline": enrol(container, admin, "thon-bac", "Loa Bắc"),
    }
    status(container, slugs["ok"], "thon-dong", playing="Bản tin sáng")
    status(container, slugs["refusing"], "thon-dong", refused="10:00 chữ ký không đúng khoá của đài (tin giả mạo)")
    status(container, slugs["stale"], "thon-tay", last_sync=clock.now() - timedelta(hours=30), missing_files=3)
    status(container, slugs["offline"], "thon-bac")
    status(container, slugs["offline"], "thon-bac", online=False)
    clock.advance(minutes=2)
    return slugs


async def open_clusters(app: TruyenthanhApp, pilot: Any) -> ClustersScreen:
    """Ctrl+K, and the list read."""
    await settle(app, pilot)
    await pilot.press("ctrl+k")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ClustersScreen)
    await until(app, pilot, lambda: screen.view is not None, "the clusters read")
    return screen


def cells(screen: ClustersScreen) -> list[list[str]]:
    """The table's rows as plain text."""
    table = screen.query_one("#clusters-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


def select(screen: ClustersScreen, name: str) -> None:
    """Put the cursor on the row whose name (or zone, for a zone without a box) is ``name``."""
    rows = cells(screen)
    row = next(i for i, r in enumerate(rows) if name in (r[1], r[2]) and (r[1] == name or r[1] == NO_RECEIVER))
    screen.query_one("#clusters-table", DataTable).move_cursor(row=row)


async def test_every_cluster_shows_its_light_and_state(
    container: bootstrap.Container, admin: Actor, fleet: dict[str, str]
) -> None:
    link = ClusterDaemon(container=container)
    app = TruyenthanhApp(StationBackend(container, daemon=link, actor=admin), start_daemon=False)
    async with app.run_test(size=(140, 34)) as pilot:
        screen = await open_clusters(app, pilot)
        rows = {row[1]: row for row in cells(screen)}
        assert rows["Loa Đông"] == [
            "● Tốt",
            "Loa Đông",
            "Thôn Đông",
            "2 phút trước",
            "09:50 → 30/11",
            "Bản tin sáng",
            "80%",
            "lệch +12 ms",
            "đủ",
        ]
        assert rows["Loa cổng chợ"][0] == "● Từ chối lệnh"
        assert rows["Loa Tây"][0] == "● Lịch cũ"
        assert rows["Loa Tây"][4] == "04:00 22/11 → 30/11"
        assert rows["Loa Tây"][8] == "thiếu 3"
        assert rows["Loa Bắc"][0] == "● Mất kết nối"
        assert rows["Loa Bắc"][5] == "—"  # nothing plays on a box that is offline, whatever it said last
        assert rows[NO_RECEIVER][2] == "Xóm Chợ"
        table = screen.query_one("#clusters-table", DataTable)
        colours = {str(table.get_row_at(r)[0]): table.get_row_at(r)[0] for r in range(table.row_count)}
        assert isinstance(colours["● Tốt"], Text) and "green" in str(colours["● Tốt"].style)
        assert "yellow" in str(colours["● Lịch cũ"].style)
        assert "red" in str(colours["● Mất kết nối"].style)

        select(screen, "Loa cổng chợ")
        await pilot.pause()
        pane = str(screen.query_one("#clusters-details", Static).render())
        assert "Từ chối lệnh: 10:00 chữ ký không đúng khoá của đài (tin giả mạo)." in pane
        # The fleet is off in this station's settings: the screen says so and how to switch it on.
        assert str(screen.query_one("#clusters-problem", Static).render()) == FLEET_OFF

        # A refresh (here: a daemon event) keeps the cursor on the same box, though a status changed.
        status(container, fleet["ok"], "thon-dong", volume=35)
        assert link.wait_for_subscriber()
        link.push(AiringQueued(airing="a1", programme="Bản tin", start_at=None, items=1))
        await until(app, pilot, lambda: {r[1]: r for r in cells(screen)}["Loa Đông"][6] == "35%", "the refresh")
        assert cells(screen)[table.cursor_row][1] == "Loa cổng chợ"


async def test_enrol_shows_a_code_the_service_accepts_once(
    container: bootstrap.Container, admin: Actor, fleet: dict[str, str]
) -> None:
    app = TruyenthanhApp(StationBackend(container, daemon=ClusterDaemon(), actor=admin), start_daemon=False)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_clusters(app, pilot)
        select(screen, "Xóm Chợ")
        await pilot.press("e")
        await until(app, pilot, lambda: isinstance(app.screen, EnrolmentCodeScreen), "the code")
        shown = app.screen
        assert isinstance(shown, EnrolmentCodeScreen)
        offer = shown.offer
        assert offer.zone == "Xóm Chợ"
        assert str(shown.query_one("#enrol-code", Static).render()) == " ".join(offer.code)
        expiry = str(shown.query_one("#enrol-expiry", Label).render())
        assert expiry == "Mã dùng được một lần, hết hạn lúc 11:02 ngày 23/11/2026."
        command = str(shown.query_one("#enrol-command", Static).render())
        assert command == f"truyenthanh receiver enrol http://127.0.0.1:8730 {offer.code} --name TÊN"

        enrolment = container.fleet.enrol(offer.code, "Loa chợ")
        assert enrolment.zone == "xom-cho"
        with pytest.raises(FleetError):
            container.fleet.enrol(offer.code, "Loa chợ hai")
        await pilot.press("escape")
        screen.action_reload()
        await settle(app, pilot)
        rows = {row[1]: row for row in cells(screen)}
        assert rows["Loa chợ"][2] == "Xóm Chợ" and NO_RECEIVER not in rows


async def test_a_new_zone_appears_and_an_empty_name_is_refused(container: bootstrap.Container, admin: Actor) -> None:
    app = TruyenthanhApp(StationBackend(container, daemon=ClusterDaemon(), actor=admin), start_daemon=False)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_clusters(app, pilot)
        assert "Đài chưa có khu vực nào" in str(screen.query_one("#clusters-problem", Static).render())
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, NewZoneScreen)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert str(form.query_one("#form-error", Label).render()) == "Hãy gõ tên khu vực (ô «Tên khu vực»)."
        await pilot.press(*"Thôn Đoài", "tab", *"Đoài")
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the form closed")
        await settle(app, pilot)
        assert [(z.name, z.slug, z.hamlet) for z in container.fleet.zones()] == [("Thôn Đoài", "thon-doai", "Đoài")]
        assert cells(screen)[0][1:3] == [NO_RECEIVER, "Thôn Đoài"]
        assert "Đã thêm khu vực «Thôn Đoài»" in said(app)


async def test_volume_refuses_150_then_sends_40(
    fleet_on: bootstrap.Container, admin: Actor, fleet: dict[str, str]
) -> None:
    link = ClusterDaemon(container=fleet_on)
    app = TruyenthanhApp(StationBackend(fleet_on, daemon=link, actor=admin), start_daemon=False)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_clusters(app, pilot)
        select(screen, "Loa Đông")
        await pilot.press("v")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, VolumeScreen)
        field = form.query_one("#cluster-volume", Input)
        assert field.value == "80"
        field.value = "150"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert str(form.query_one("#form-error", Label).render()) == (
            "Âm lượng phải là số nguyên từ 0 đến 100 (ô «Âm lượng»); «150» không dùng được."
        )
        assert "zone_command" not in link.commands()
        field.value = "40"
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: app.screen is screen, "the dialog closed")
        sent = [args for command, args in link.requests if command == "zone_command"]
        assert len(sent) == 1
        assert {k: v for k, v in sent[0].items() if k != "session"} == {
            "action": "volume",
            "target": fleet["ok"],
            "volume": 40,
        }
        assert "Đã gửi lệnh đặt âm lượng 40% tới cụm loa «Loa Đông»." in said(app)


async def test_test_tone_asks_for_a_login_then_calls_the_daemon(
    fleet_on: bootstrap.Container, fleet: dict[str, str]
) -> None:
    link = ClusterDaemon(container=fleet_on)
    app = TruyenthanhApp(StationBackend(fleet_on, daemon=link), start_daemon=False)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_clusters(app, pilot)
        select(screen, "Loa Tây")
        await pilot.press("t")
        await log_in(app, pilot, OPERATOR)
        await until(app, pilot, lambda: "zone_command" in link.commands(), "the command")
        args = next(args for command, args in link.requests if command == "zone_command")
        assert args["action"] == "test_tone" and args["target"] == fleet["stale"]
        assert link.operators == [("zone_command", OPERATOR.full_name)]
        await settle(app, pilot)
        assert "Đã gửi lệnh phát tiếng thử tới cụm loa «Loa Tây»." in said(app)

        select(screen, "Xóm Chợ")  # a zone without a box: nothing to send to, and the screen says why
        await pilot.press("t")
        await settle(app, pilot)
        assert "Khu vực «Xóm Chợ» chưa có cụm loa: nhấn E để ghép một cụm loa trước." in said(app)
        assert link.commands().count("zone_command") == 1


@pytest.fixture
def fleet_on(station_dir: Path, clock: FrozenClock, container: bootstrap.Container) -> Iterator[bootstrap.Container]:
    """The same station with ``fleet_enabled = true`` in its settings file."""
    (station_dir / "truyenthanh.toml").write_text("fleet_enabled = true\n", encoding="utf-8")
    built = bootstrap.build(load_settings(station_dir), clock=clock)
    yield built
    built.close()


async def test_fleet_on_without_a_daemon_says_what_to_do(fleet_on: bootstrap.Container) -> None:
    """With the fleet switched on but no daemon, the screen says the boxes get nothing new and what to run."""
    link = ClusterDaemon(running=False)
    app = TruyenthanhApp(StationBackend(fleet_on, daemon=link), start_daemon=False)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_clusters(app, pilot)
        banner = str(screen.query_one("#clusters-problem", Static).render())
        assert banner.startswith(DAEMON_DOWN)


def test_snapshot(snap_compare: Any, container: bootstrap.Container, admin: Actor, fleet: dict[str, str]) -> None:
    """The screen at 100×30: four boxes with their lights, a zone without one, the fleet switched off."""
    app = TruyenthanhApp(StationBackend(container, daemon=ClusterDaemon(), actor=admin), start_daemon=False)

    async def ready(pilot: Any) -> None:
        screen = await open_clusters(app, pilot)
        select(screen, "Loa cổng chợ")
        await steady(app, pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=ready)


@pytest.mark.slow
async def test_the_real_daemon_takes_the_command_and_says_why_it_cannot_send_it(
    station_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The TUI's settings have the fleet on, the daemon's (a real subprocess) have it off: the session the TUI
    sends passes the daemon's check, and the daemon's refusal reaches the operator in Vietnamese."""
    monkeypatch.setenv("TRUYENTHANH_FLEET_ENABLED", "true")  # read by the TUI's container; the child gets none
    with daemon_running(station_dir, tmp_path, TRUYENTHANH_OUTPUT=f"file:{tmp_path / 'on-air.wav'}") as built:
        add_accounts(built)
        built.keys.generate("Đài truyền thanh xã thử nghiệm")
        built.fleet.configure_broker(port=18883, bind="127.0.0.1", hostnames=["localhost"])
        admin = built.accounts.login("quantri", PASSWORD)
        built.fleet.add_zone(admin.username, "Thôn Đông")
        enrol(built, admin, "thon-dong", "Loa Đông")
        app = TruyenthanhApp(StationBackend(built, actor=admin), start_daemon=False)
        async with app.run_test(size=(120, 34)) as pilot:
            screen = await open_clusters(app, pilot)
            assert not screen.query_one("#clusters-problem", Static).display  # fleet on, daemon up
            select(screen, "Loa Đông")
            await pilot.press("t")
            await until(app, pilot, lambda: "chưa điều khiển cụm loa" in said(app), "the daemon's refusal")


def test_times_and_offsets_read_as_the_operator_says_them(clock: FrozenClock) -> None:
    """Last seen and clock offsets in Vietnamese, rounded the way people say them."""
    now = clock.now()
    assert ago(None, now) == "chưa bao giờ"
    assert ago(now - timedelta(seconds=59), now) == "vừa xong"
    assert ago(now - timedelta(minutes=2, seconds=59), now) == "2 phút trước"
    assert ago(now - timedelta(hours=3, minutes=5), now) == "3 giờ trước"
    assert ago(now - timedelta(days=5, hours=1), now) == "5 ngày trước"
    assert offset(None) == "—"
    assert offset(12.4) == "lệch +12 ms"
    assert offset(-3.6) == "lệch -4 ms"
    assert offset(0.2) == "lệch +0 ms"
