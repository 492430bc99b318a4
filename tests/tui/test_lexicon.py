"""Từ điển đọc: the station's readings added and changed from the TUI into its own lexicon.toml (comments kept,
a login first), a sample sentence read rule by rule, and heard on the preview device (never on the speaker)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from tests.fakes import FrozenClock
from tests.pulse import PulseServer, Recorder
from tests.tui.conftest import said
from tests.tui.people import EDITOR, add_accounts, log_in
from tests.tui.screen_text import missing, visible_text
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.domain.vietnamese.lexicon_file import EntryKind, LexiconEntry
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.lexicon import LexiconEntryScreen, LexiconScreen

OWN = """\
# Từ điển của đài xã Tân Lập: đừng xóa dòng này
[abbreviations]
"KP" = "khu phố"   # khu phố cũ
"""


async def test_an_entry_is_added_logged_out_then_changed_into_a_context_form(container: bootstrap.Container) -> None:
    add_accounts(container)
    lexicon = container.locations.config_file.parent / "lexicon.toml"
    lexicon.write_text(OWN, encoding="utf-8")
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f12")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LexiconScreen)
        assert screen.entries == [LexiconEntry(EntryKind.ABBREVIATION, "KP", "khu phố", line=3)]
        assert "Ban Chỉ huy Quân sự" in screen.spoken and "tổ dân phố ba" in screen.spoken

        await pilot.press("n")
        await log_in(app, pilot, EDITOR)  # nobody was logged in: the login first, then the form
        form = app.screen
        assert isinstance(form, LexiconEntryScreen)
        await pilot.press(*"HTX", "ctrl+s")
        await settle(app, pilot)
        error = str(form.query_one("#form-error").render())
        assert error == "Hãy ghi «Cách đọc» cho «HTX»."
        await pilot.press("tab", *"hợp tác xã dịch vụ", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, LexiconScreen)  # the form closed
        assert "Đã lưu: «HTX» đọc là «hợp tác xã dịch vụ»." in said(app)
        text = lexicon.read_text(encoding="utf-8")
        assert text.startswith(OWN.rstrip("\n")) and 'HTX = "hợp tác xã dịch vụ"' in text
        assert [e.written for e in screen.entries] == ["KP", "HTX"]

        screen.query_one("#lexicon-sample", Input).value = "HTX Tân Tiến và BCĐ 389 xã"
        await settle(app, pilot)
        assert screen.spoken.startswith("hợp tác xã dịch vụ Tân Tiến")
        steps = str(screen.query_one("#lexicon-steps").render())
        assert "«HTX» → «hợp tác xã dịch vụ»" in steps

        # BCĐ before "389" reads "Ban Chỉ đạo 389": change HTX into a context form of BCĐ, keyed by Enter.
        screen.query_one("#lexicon-table").focus()
        await pilot.press("down", "enter")
        await settle(app, pilot)
        edit = app.screen
        assert isinstance(edit, LexiconEntryScreen)
        assert edit.query_one("#lex-written", Input).value == "HTX"
        edit.query_one("#lex-kind", Select).value = EntryKind.CONTEXT
        edit.query_one("#lex-written", Input).value = "BCĐ"
        edit.query_one("#lex-reading", Input).value = "Ban Chỉ đạo phòng, chống tội phạm"
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = str(edit.query_one("#form-error").render())
        assert "ít nhất một từ đứng ngay sau hoặc ngay trước" in error
        assert missing(error, visible_text(app)) == []
        edit.query_one("#lex-followed", Input).value = "<số>; PCTP"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, LexiconScreen)  # the form closed
        assert [(e.kind, e.written) for e in screen.entries] == [
            (EntryKind.ABBREVIATION, "KP"),
            (EntryKind.CONTEXT, "BCĐ"),
        ]
        text = lexicon.read_text(encoding="utf-8")
        assert "HTX" not in text and "# khu phố cũ" in text and 'followed_by = ["<số>", "PCTP"]' in text
        await pilot.press("r")
        await settle(app, pilot)
        assert "Ban Chỉ đạo phòng, chống tội phạm ba trăm tám mươi chín xã" in screen.spoken
        # The rest of the station reads the same file: an announcement's reading follows at once.
        assert container.speech.normalize("BCĐ 389") == "Ban Chỉ đạo phòng, chống tội phạm ba trăm tám mươi chín"


async def test_a_broken_file_is_named_with_its_line_and_left_as_it_was(container: bootstrap.Container) -> None:
    lexicon = container.locations.config_file.parent / "lexicon.toml"
    broken = '[words]\n"Ea H\'leo" = "Ê a Hơ-lê-ô"\n"Krông" = 3\n'
    lexicon.write_text(broken, encoding="utf-8")
    app = TruyenthanhApp(StationBackend(container, actor=EDITOR), start_daemon=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f12")
        await settle(app, pilot)
        assert f"Tệp từ điển {lexicon}, dòng 3, mục [words], từ «Krông»" in said(app)
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press(*"TDP", "tab", *"tổ dân phố", "ctrl+s")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, LexiconEntryScreen)  # refused: the form stays, with what was typed
        error = str(form.query_one("#form-error").render())
        assert "dòng 3" in error and "«Krông»" in error
        assert form.query_one("#lex-written", Input).value == "TDP"
        assert lexicon.read_text(encoding="utf-8") == broken


async def test_listening_without_a_preview_device_says_so_and_plays_nothing(container: bootstrap.Container) -> None:
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f12")
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert "Chưa đặt thiết bị nghe thử (mục «preview_device»" in said(app)
        assert not app.preview.is_playing()
        assert not (container.locations.cache_dir / "nghe-thu").exists()  # nothing was even read aloud


HEADPHONES = "tai-nghe"
"""A second null sink, standing for the operator's headphones (the station's speaker is ``speaker``)."""


@pytest.fixture
def headphones(pulse: PulseServer, pulse_env: dict[str, str]) -> Iterator[Recorder]:
    """A null sink ``tai-nghe`` on the test PulseAudio server, and a recorder of it; removed afterwards."""
    loaded = subprocess.run(
        ["pactl", "load-module", "module-null-sink", f"sink_name={HEADPHONES}"],
        env=pulse.env,
        capture_output=True,
        text=True,
        check=True,
    )
    try:
        yield Recorder(pulse, sink=HEADPHONES)
    finally:
        subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], env=pulse.env, check=False)


@pytest.mark.slow
async def test_the_sample_is_heard_on_the_preview_device_not_on_the_speaker(
    station_dir: Path, clock: FrozenClock, headphones: Recorder, recorder: Recorder
) -> None:
    (station_dir / "truyenthanh.toml").write_text(
        f'tts_engine = "espeak"\npreview_device = "pulse:{HEADPHONES}"\n', encoding="utf-8"
    )
    container = bootstrap.build(load_settings(station_dir), clock=clock)
    container.station.init()
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("f12")
            await settle(app, pilot)
            app.screen.query_one("#lexicon-sample", Input).value = "UBND xã thông báo."
            await settle(app, pilot)
            with recorder.record() as speaker, headphones.record() as heard:
                await pilot.press("ctrl+p")
                await settle(app, pilot)
                assert "Đang đọc thử trên thiết bị «pulse:tai-nghe»" in said(app)
                await pilot.pause(1.5)
            await pilot.press("ctrl+p")  # again: stops
            await settle(app, pilot)
            assert not app.preview.is_playing()
    finally:
        container.close()
    assert heard[0].first_sound() is not None, "the sample was not heard on the headphones"
    assert speaker[0].first_sound() is None, "the sample reached the station's speaker"
