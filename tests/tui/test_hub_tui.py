"""The «Tuyến trên» mode of the TUI (issue 19) driven through Pilot against a real hub: its services on a real
SQLite file, its real mosquitto and listener (:class:`~truyenthanh.hub.Hub`) in this process, and communes'
stations simulated as MQTT clients with the accounts their one-time codes gave them."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, SelectionList

from tests.audio import tone
from tests.fakes import FrozenClock
from tests.logbook_data import fill
from tests.people import PASSWORD
from tests.tui.conftest import said, until
from tests.tui.hub_world import HUB_NAME, HubWorld, SimStation, hub_world
from tests.tui.people import EDITOR, OPERATOR, add_accounts
from tests.tui.screen_text import visible_text
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.domain.reports import half_year, show
from truyenthanh.domain.upstream import LOG_BATCH_ROWS, LogBatch, StationHealth, accept
from truyenthanh.hub import hub_settings
from truyenthanh.tui.hub_app import HubApp
from truyenthanh.tui.hub_backend import HubBackend, open_hub
from truyenthanh.tui.screens.dialogs import ConfirmScreen
from truyenthanh.tui.screens.hub_emergency import HubEmergencyScreen
from truyenthanh.tui.screens.hub_package import HubPackageScreen
from truyenthanh.tui.screens.hub_reports import HubReportsScreen
from truyenthanh.tui.screens.hub_stations import HubStationsScreen
from truyenthanh.tui.screens.login import LoginScreen


@pytest.fixture
def world(tmp_path: Path) -> Iterator[HubWorld]:
    """A running hub with three enrolled communes (one waits for approval, one pre-approves, one refuses the hub's
    emergencies) and one added but never enrolled."""
    with hub_world(tmp_path) as built:
        built.add_station("Xã Tân Lập")
        built.add_station("Xã Minh Đài", package="applied")
        built.add_station("Xã Đồng Tâm", emergency=False)
        built.add_station("Xã Hợp Nhất", enrol=False)
        yield built


def _sims(world: HubWorld) -> list[SimStation]:
    return list(world.stations.values())


def _cells(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


def _signed_package(world: HubWorld, folder: Path) -> Path:
    """A package of one programme, built and signed with the hub's own key, as the province's editor does."""
    at = (datetime.now(UTC) + timedelta(hours=3)).astimezone(world.container.settings.zone).replace(microsecond=0)
    source = folder / "tin-tinh.toml"
    source.write_text(
        f"""format_version = 1

[package]
id = "tinh-thu/tin-tinh"
version = 1
title = "Tin của tỉnh"
author = "Phòng Thông tin cơ sở"
upstream = "{HUB_NAME}"
created = {(at - timedelta(hours=3)).isoformat()}
valid_from = {at.date().isoformat()}
valid_to = {(at.date() + timedelta(days=2)).isoformat()}

[[programme]]
key = "tin-tinh"
title = "Tin của tỉnh"
category = "local_affairs"

[[programme.item]]
jingle = "alert"

[[programme.schedule]]
at = {at.replace(tzinfo=None).isoformat()}
""",
        encoding="utf-8",
    )
    package = folder / "tin-tinh.ttpkg"
    world.container.packages.build(source, package)
    world.container.packages.sign(package)
    return package


async def _shows(app: HubApp, pilot: Any, widget: Any, text: str) -> None:
    await until(app, pilot, lambda: text in str(widget.render()), text)


async def test_stations_screen_shows_each_station_light_health_and_refusal(world: HubWorld) -> None:
    waiting, preapproved, refusing = _sims(world)
    refusing.report(refused="Đài từ chối tin của tuyến trên: chữ ký không khớp (tin giả mạo).")
    preapproved.report(device_ok=False, device_error="Không mở được loa", misses_24h=2)
    app = HubApp(HubBackend(world.container))
    async with app.run_test(size=(150, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, HubStationsScreen)
        table = screen.query_one("#hub-stations-table", DataTable)

        def shown() -> bool:
            rows = {row[1]: row for row in _cells(table)}
            return (
                len(rows) == 4
                and "Tốt" in rows.get("Xã Tân Lập", [""] * 8)[4]
                and "Không mở được loa" in rows.get("Xã Minh Đài", [""] * 8)[4]
                and "Từ chối tin" in rows.get("Xã Đồng Tâm", [""])[0]
            )

        await until(app, pilot, shown, "every station with its health", timeout=15)
        rows = {row[1]: row for row in _cells(table)}
        assert rows["Xã Tân Lập"][0] == "● Trực tuyến"
        assert rows["Xã Tân Lập"][2] == "vừa xong"
        assert rows["Xã Tân Lập"][3] == "Tốt"
        assert "«Bản tin sáng»" in rows["Xã Tân Lập"][5]
        assert rows["Xã Tân Lập"][6] == "0"
        assert rows["Xã Tân Lập"][7] == "40.0 GB"
        assert rows["Xã Minh Đài"][6] == "2"
        assert rows["Xã Hợp Nhất"][0] == "○ Chưa đăng ký"
        names = [row[1] for row in _cells(table)]
        await pilot.press(*["down"] * names.index("Xã Đồng Tâm"))
        await until(
            app, pilot, lambda: "tin giả mạo" in str(screen.query_one("#hub-stations-details").render()), "details"
        )

        # A station that goes away: its last will (offline) reaches the hub, the light turns red by itself.
        gone = StationHealth(waiting.slug, waiting.enrolment.zone, False, datetime.now(UTC))
        assert waiting.link is not None
        waiting.link.publish(
            f"tt/{waiting.enrolment.station}/receiver/{waiting.slug}/status", gone.encode(), retain=True, timeout=5
        )

        def offline() -> bool:
            return {row[1]: row for row in _cells(table)}["Xã Tân Lập"][0] == "● Mất kết nối"

        await until(app, pilot, offline, "the offline light", timeout=15)
        assert {row[1]: row for row in _cells(table)}["Xã Tân Lập"][7] == "40.0 GB"  # its last figures kept


async def test_package_screen_checks_the_path_sends_to_the_ticked_stations_and_follows_their_answers(
    world: HubWorld, tmp_path: Path
) -> None:
    waiting, preapproved, refusing = _sims(world)
    unsigned = tmp_path / "chua-ky.ttpkg"
    package = _signed_package(world, tmp_path)
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(unsigned, "w") as copy:
        for item in source.infolist():
            if item.filename != "signature.json":
                copy.writestr(item, source.read(item))
    app = HubApp(HubBackend(world.container))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, HubPackageScreen)
        path = screen.query_one("#pkg-path", Input)
        info = screen.query_one("#pkg-info")
        choice = screen.query_one("#hub-choice", SelectionList)
        await until(app, pilot, lambda: choice.option_count == 4, "the stations to choose from")
        assert len(choice.selected) == 3  # the enrolled ones

        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "Hãy gõ đường dẫn" in said(app), "no path refused")
        for typed, expected in (
            (str(tmp_path / "khong-co.ttpkg"), "Không có tệp"),
            (str(tmp_path / "tin-tinh.toml"), "không phải gói .ttpkg"),
            (str(unsigned), "chưa được ký"),
        ):
            path.value = typed
            await _shows(app, pilot, info, expected)
        await pilot.press("ctrl+s")
        await until(
            app, pilot, lambda: "Chưa gửi được: Gói chua-ky.ttpkg chưa được ký" in said(app), "unsigned refused"
        )
        assert not any(s.received for s in _sims(world))  # nothing went

        path.value = str(package)
        await until(app, pilot, lambda: "khoá của tuyến trên" in str(info.render()), "the package described")
        assert "«tinh-thu/tin-tinh» phiên bản 1" in str(info.render())
        choice.deselect(refusing.slug)
        await pilot.press("ctrl+s")
        table = screen.query_one("#hub-answers", DataTable)

        def answered() -> bool:
            rows = {row[0]: row[1] for row in _cells(table)}
            return rows == {"Xã Tân Lập": "Chờ xã duyệt", "Xã Minh Đài": "Đã nhập (duyệt trước)"}

        await until(app, pilot, answered, "both answers", timeout=15)
        assert screen.sending is not None and set(screen.sending.stations) == {
            waiting.enrolment.zone,
            preapproved.enrolment.zone,
        }
        assert not refusing.received
        assert "Đã gửi «tin-tinh.ttpkg» tới 2 đài." in said(app)


async def test_a_refused_package_says_why_per_station(world: HubWorld, tmp_path: Path) -> None:
    broken = world.add_station("Xã Kiểm Thử", package="refused")
    assert broken is not None
    package = _signed_package(world, tmp_path)
    app = HubApp(HubBackend(world.container))
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, HubPackageScreen)
        choice = screen.query_one("#hub-choice", SelectionList)
        await until(app, pilot, lambda: choice.option_count == 5, "the stations")
        choice.deselect_all()
        choice.select(broken.enrolment.zone)
        screen.query_one("#pkg-path", Input).value = str(package)
        await until(app, pilot, lambda: screen.check is not None, "the package checked")
        await pilot.press("ctrl+s")
        table = screen.query_one("#hub-answers", DataTable)
        await until(app, pilot, lambda: table.row_count == 1 and "Từ chối" in _cells(table)[0][1], "the refusal", 15)
        assert "mã sha256 không khớp" in _cells(table)[0][3]


async def test_emergency_screen_confirms_sends_shows_when_heard_or_refused_and_cancels(world: HubWorld) -> None:
    heard_one, heard_two, refusing = _sims(world)
    app = HubApp(HubBackend(world.container))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("f4")
        screen = app.screen
        assert isinstance(screen, HubEmergencyScreen)
        choice = screen.query_one("#hub-choice", SelectionList)
        await until(app, pilot, lambda: choice.option_count == 4, "the communes")
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "cần nội dung hoặc một tệp" in said(app), "empty bulletin refused")

        screen.query_one("#em-text", Input).value = "Bão số 9 sắp đổ bộ, mọi người vào nơi an toàn."
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert "tại 3 xã" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("n")
        await pilot.pause()
        assert not any(s.received for s in _sims(world))  # "no" sends nothing

        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation again")
        await pilot.press("y")
        table = screen.query_one("#hub-answers", DataTable)

        def answered() -> bool:
            rows = {row[0]: row for row in _cells(table)}
            return len(rows) == 3 and rows["Xã Tân Lập"][1] == "Đã phát" and rows["Xã Đồng Tâm"][1] == "Từ chối"

        await until(app, pilot, answered, "the communes' answers", timeout=15)
        rows = {row[0]: row for row in _cells(table)}
        assert rows["Xã Minh Đài"][1] == "Đã phát"
        assert rows["Xã Tân Lập"][3] != "—"  # heard at
        assert "upstream_emergency_allowed" in rows["Xã Đồng Tâm"][5]
        assert "Xã Hợp Nhất" not in rows  # never enrolled: not ticked by default

        await pilot.press("f8")
        await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the cancel confirmation")
        await pilot.press("y")

        def stopped() -> bool:
            rows = {row[0]: row for row in _cells(table)}
            return rows["Xã Tân Lập"][4] not in {"—", "Đã gửi, chờ trả lời"} and rows["Xã Minh Đài"][4] != "—"

        await until(app, pilot, stopped, "the cancellation's answers", timeout=15)
        for station in (heard_one, heard_two, refusing):  # the bulletin once, then its cancellation
            assert [e.body.get("action") for e in station.received] == ["emergency", "cancel"]
        assert "Đã gửi lệnh dừng khẩn cấp tới 3 xã." in said(app)


def test_hub_tui_on_a_folder_never_initialised_says_to_run_hub_init(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "truyenthanh", "hub", "--data-dir", str(tmp_path / "trong"), "tui"],
        capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode != 0
    assert "«truyenthanh hub init --name TÊN»" in done.stderr
    assert not (tmp_path / "trong" / "truyenthanh.db").exists()


def _ship(station: bootstrap.Container, slug: str, hub: bootstrap.Container) -> None:
    """Move every log row of ``station`` to ``hub`` as the upstream link does (encoded, accepted, stored)."""
    last = 0
    while True:
        with station.store.transaction() as uow:
            rows = uow.broadcast_log.after(last, LOG_BATCH_ROWS)
        if not rows:
            return
        batch = LogBatch.decode(LogBatch(slug, tuple(rows)).encode())
        with hub.store.transaction() as uow:
            taken, problem = accept(*uow.hub_log.head(slug), batch.rows)
            assert problem is None
            uow.hub_log.add(slug, taken, received_at=hub.clock.now())
        last = rows[-1].row_id


async def test_reports_screen_shows_the_province_half_year_and_writes_its_files(tmp_path: Path) -> None:
    with hub_world(tmp_path, clock=FrozenClock(datetime(2026, 7, 6, 2, tzinfo=UTC)), running=False) as world:
        enrolled = world.add_station("Xã Tân Lập")
        assert enrolled is not None
        clock = FrozenClock()
        commune = bootstrap.build(load_settings(tmp_path / "xa", timezone="Asia/Ho_Chi_Minh"), clock=clock)
        try:
            commune.station.init(name="Xã Tân Lập")
            fill(commune, clock, date(2026, 6, 1), date(2026, 6, 12), seed=7)
            _ship(commune, enrolled.slug, world.container)
            own = commune.reports.build(half_year(2026, 1)).table("the_loai").total
        finally:
            commune.close()
        assert own is not None
        app = HubApp(HubBackend(world.container))
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.press("f5")
            screen = app.screen
            assert isinstance(screen, HubReportsScreen)
            field = screen.query_one("#rep-half", Input)
            await until(app, pilot, lambda: screen.report is not None, "the current half's report")
            assert field.value == "2026-2"

            field.value = "2026-3"
            await pilot.press("enter")
            await until(app, pilot, lambda: "không đúng dạng" in said(app), "a bad period refused")

            field.value = "2026-1"
            await pilot.press("enter")
            await until(app, pilot, lambda: screen.period is not None and screen.period.slug == "2026-H1", "H1")
            await until(app, pilot, lambda: len(screen.query(DataTable)) >= 3, "the report's tables")
            hours = next(t for t in screen.query(DataTable) if "giờ" in str(t.border_title).lower())
            rows = _cells(hours)
            line = next(row for row in rows if row[0] == "Xã Tân Lập")
            assert line[-1] == show(own[2], "hours")  # the commune's hours equal its station's own report
            assert rows[-1][0] == "Toàn tuyến"  # the total row

            await pilot.press("ctrl+s")
            await until(app, pilot, lambda: len(screen.written) == 3, "the three files", timeout=30)
            assert {p.suffix for p in screen.written} == {".docx", ".xlsx", ".csv"}
            assert all(
                p.stat().st_size > 0 and p.parent == world.container.locations.data_dir / "reports"
                for p in screen.written
            )
            assert "Đã ghi bao-cao-tuyen-tren-2026-H1.docx" in said(app)


async def test_sending_asks_for_a_login_and_refuses_a_role_that_may_not_send_emergencies(tmp_path: Path) -> None:
    with hub_world(tmp_path, single_operator=False) as world:
        station = world.add_station("Xã Tân Lập")
        assert station is not None
        add_accounts(world.container)
        app = HubApp(HubBackend(world.container))
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.press("f4")
            screen = app.screen
            assert isinstance(screen, HubEmergencyScreen)
            choice = screen.query_one("#hub-choice", SelectionList)
            await until(app, pilot, lambda: choice.option_count == 1, "the commune")
            screen.query_one("#em-text", Input).value = "Lũ quét ở thượng nguồn, không qua ngầm tràn."
            for person in (EDITOR, OPERATOR):
                await pilot.press("ctrl+s")
                await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
                await pilot.press("y")
                await until(app, pilot, lambda: isinstance(app.screen, LoginScreen), "the login")
                await pilot.press(*person.username, "enter", *PASSWORD, "enter")
                await until(app, pilot, lambda: app.screen is screen, "back on the screen")
                if person is EDITOR:
                    await until(app, pilot, lambda: "Biên tập" in said(app) and "khẩn cấp" in said(app), "refused")
                    assert not station.received
                    app.backend.actor = None  # log out: the next sending asks again
            await until(app, pilot, lambda: len(station.received) == 1, "the bulletin at the station")
            assert screen.sending is not None
            assert world.container.fleet.command_acks(screen.sending.command_id).keys() <= {station.slug}


async def test_a_recorded_bulletin_goes_as_a_file_the_stations_fetch_from_the_hub(
    world: HubWorld, tmp_path: Path
) -> None:
    first, *_ = _sims(world)
    bulletin = tone(tmp_path / "ban-tin-bao.wav", 660, 1.0)
    app = HubApp(HubBackend(world.container))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("f4")
        screen = app.screen
        assert isinstance(screen, HubEmergencyScreen)
        choice = screen.query_one("#hub-choice", SelectionList)
        await until(app, pilot, lambda: choice.option_count == 4, "the communes")
        choice.deselect_all()
        choice.select(first.enrolment.zone)
        audio = screen.query_one("#em-file", Input)
        audio.value = str(tmp_path / "khong-co.wav")
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: "Không có tệp âm thanh" in said(app), "a missing file refused")
        assert app.focused is audio and not first.received
        assert not isinstance(app.screen, ConfirmScreen)  # refused before asking

        audio.value = str(bulletin)
        await pilot.press("ctrl+s")
        await until(app, pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert "tệp " in app.screen.question and "tại 1 xã" in app.screen.question  # type: ignore[attr-defined]
        await pilot.press("y")
        await until(app, pilot, lambda: len(first.received) == 1, "the bulletin at the station")
        (item,) = first.received[0].body["items"]
        assert world.hub is not None
        served = world.hub.server  # the station fetches the file from the hub's file server, by its sha256
        with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/files/{item['sha256']}", timeout=5) as got:
            assert got.read() == bulletin.read_bytes()


async def test_the_app_on_a_hub_folder_never_initialised_says_to_run_hub_init(tmp_path: Path) -> None:
    folder = tmp_path / "chua-co"
    containers: list[bootstrap.Container] = []

    def build() -> bootstrap.Container:
        containers.append(bootstrap.build(hub_settings(load_settings(folder))))
        return containers[-1]

    app = HubApp(lambda: open_hub(build))
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await until(app, pilot, lambda: "truyenthanh hub init --name TÊN" in said(app), "the hint")
            assert app.backend_failed
            await until(app, pilot, lambda: "Không mở được dữ liệu" in visible_text(app), "the header")
    finally:
        for container in containers:
            container.close()
