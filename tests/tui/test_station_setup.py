"""Thiết lập đài through the keys: on a new station's first start the setup opens by itself; later Ctrl+T opens
it after a login; what is saved is audited, in force, and printed on the next logbook; refusals name the form's
field; "Phát thử" plays the test tone on the chosen output and asks whether it was heard."""

from __future__ import annotations

import tomllib
from pathlib import Path

import docx
from textual.widgets import Button, Input, Label, Select

from tests.fakes import FakeDaemonLink, FrozenClock
from tests.pulse import Recorder
from tests.tui.conftest import said
from tests.tui.people import add_accounts, log_in
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.dialogs import ConfirmScreen
from truyenthanh.tui.screens.setup import StationSetupScreen

ADMIN = Actor(username="quantri", full_name="Lê Văn Quản", role=Role.ADMIN)


def app_for(container: bootstrap.Container, clock: FrozenClock, *, first_start: bool = False) -> TruyenthanhApp:
    backend = StationBackend(container, daemon=FakeDaemonLink(clock=clock))
    return TruyenthanhApp(backend, start_daemon=False, setup_on_first_start=first_start)


async def test_first_start_opens_the_setup_and_the_logbook_carries_what_was_typed(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    app = app_for(container, clock, first_start=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, StationSetupScreen), f"the setup did not open: {form!r}"
        form.query_one("#name", Input).value = "Đài truyền thanh xã Tân Lập"
        form.query_one("#province", Select).value = "Phú Thọ"
        form.query_one("#commune", Input).focus()
        await pilot.press(*"Tân Lập")
        await settle(app, pilot)
        assert form.query_one("#report_authority", Input).value == "UBND xã Tân Lập, tỉnh Phú Thọ"
        form.query_one("#report_number_suffix", Input).value = "ĐTT"
        form.query_one("#report_signer_name", Input).value = "Nguyễn Thị Hoa"
        form.query_one("#reading_variant", Select).value = "south"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, StationSetupScreen), form.query_one("#form-error", Label).content
        assert "Thiết lập đài: Đã lưu: Tên đài; Xã (phường, đặc khu); Tỉnh, thành phố; Cơ quan chủ quản" in said(app)
    profile = container.station.setup().profile
    assert (profile.name, profile.commune, profile.province) == ("Đài truyền thanh xã Tân Lập", "Tân Lập", "Phú Thọ")
    written = tomllib.loads(container.locations.config_file.read_text(encoding="utf-8"))
    assert written == {
        "reading_variant": "south",
        "report_authority": "UBND xã Tân Lập, tỉnh Phú Thọ",
        "report_number_suffix": "ĐTT",
        "report_signer_name": "Nguyễn Thị Hoa",
    }
    assert {line.actor for line in container.audit.entries(limit=5)} == {"init"}  # no account yet
    logbook = container.reports.weekly("2026-W48", output=container.locations.data_dir / "so.docx")
    document = docx.Document(str(logbook))
    header = "\n".join(cell.text for cell in document.tables[0]._cells)
    assert "UBND XÃ TÂN LẬP, TỈNH PHÚ THỌ" in header and "Tân Lập, ngày 23 tháng 11 năm 2026" in header
    assert "Nguyễn Thị Hoa" in "\n".join(p.text for p in document.paragraphs + list(document.tables[-1]._cells))


async def test_set_up_station_does_not_open_the_setup_by_itself(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    container.station.first_identity(commune="Tân Lập", province="Phú Thọ")
    app = app_for(container, clock, first_start=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert not isinstance(app.screen, StationSetupScreen)


async def test_ctrl_t_logged_out_asks_for_a_login_and_a_refusal_names_the_field(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    add_accounts(container)
    app = app_for(container, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+g")
        await log_in(app, pilot, ADMIN)
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, StationSetupScreen)
        form.query_one("#name", Input).value = "  "
        form.query_one("#commune", Input).value = "Tân Lập"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        error = str(form.query_one("#form-error", Label).content)
        assert error == "Tên đài: Tên đài không được để trống."
        assert form.query_one("#commune", Input).value == "Tân Lập"  # what was typed stays
        form.query_one("#name", Input).value = "Đài truyền thanh xã Tân Lập"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, StationSetupScreen)
    assert container.station.setup().profile.commune == "Tân Lập"
    assert container.settings.report_authority == "UBND xã Tân Lập"  # suggested from the commune typed
    done = {(line.action, line.actor) for line in container.audit.entries(limit=2)}
    assert done == {("station.profile", "quantri"), ("station.config", "quantri")}


async def test_test_tone_is_heard_on_the_chosen_output_and_the_operator_is_asked(
    container: bootstrap.Container, clock: FrozenClock, pulse_env: dict[str, str], recorder: Recorder, tmp_path: Path
) -> None:
    app = app_for(container, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+g")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, StationSetupScreen)
        outputs = form.query_one("#output_device", Select)
        assert "pulse:speaker" in [device.name for device in form.devices]
        outputs.value = "pulse:speaker"
        with recorder.record() as heard:
            form.query_one("#test-output_device", Button).press()
            await settle(app, pilot)
            assert isinstance(app.screen, ConfirmScreen)
            assert "Đang phát âm chuẩn trên «pulse:speaker». Có nghe thấy không?" in app.screen.question
        assert heard[0].first_sound() is not None
        await pilot.press("y")
        await settle(app, pilot)
        assert str(form.query_one("#sound-result", Label).content) == "Đã nghe thấy âm chuẩn trên «pulse:speaker»."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert container.settings.output_device == "pulse:speaker"
