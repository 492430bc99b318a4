"""Quy định (F11): sessions with their seasons, quiet hours and the weekend rule, changed logged out first (the
login opens, then the change is saved), checked as ``rules import`` checks a file, with errors naming the form
field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select

from tests.tui.conftest import said
from tests.tui.people import OPERATOR, add_accounts, log_in
from tests.tui.test_accounts import ADMIN
from tests.tui.test_programmes import settle
from truyenthanh import bootstrap
from truyenthanh.domain import rules_file
from truyenthanh.domain.enums import WeekendRule
from truyenthanh.domain.station import DEFAULT_RULES, DayOff, QuietHours, Season, SessionRule, StationRules
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.rules import RulesScreen
from truyenthanh.tui.screens.rules_forms import RulesForm, SessionScreen

WINTER = Season("Mùa đông", (11, 1), (3, 31), time(6, 0), time(7, 30))


async def open_rules(app: TruyenthanhApp, pilot: Any) -> RulesScreen:
    """F11."""
    await settle(app, pilot)
    await pilot.press("f11")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, RulesScreen) and screen.rules is not None
    return screen


def put(form: RulesForm, values: dict[str, str]) -> None:
    """Replace what the form's fields hold (``{"#session-start": "05:00"}``)."""
    for selector, value in values.items():
        form.query_one(selector, Input).value = value


async def add_session(app: TruyenthanhApp, pilot: Any) -> None:
    put(
        app.screen,  # type: ignore[arg-type]
        {
            "#session-name": "Buổi trưa",
            "#session-start": "11:00",
            "#session-end": "12:00",
            "#session-max-minutes": "30",
            "#season-0-name": "Mùa hè",
            "#season-0-from": "01/05",
            "#season-0-to": "31/08",
            "#season-0-start": "11:30",
            "#season-0-end": "12:30",
        },
    )
    await pilot.press("ctrl+s")


async def edit_session(app: TruyenthanhApp, pilot: Any) -> None:
    blank_spring = {f"#season-1-{key}": "" for key in ("name", "from", "to", "start", "end")}
    put(app.screen, {"#session-start": "05:00", **blank_spring})  # type: ignore[arg-type]
    await pilot.press("ctrl+s")


async def add_quiet(app: TruyenthanhApp, pilot: Any) -> None:
    put(app.screen, {"#quiet-start": "12:00", "#quiet-end": "13:30"})  # type: ignore[arg-type]
    await pilot.press("ctrl+s")


async def choose_weekend(app: TruyenthanhApp, pilot: Any) -> None:
    app.screen.query_one("#weekend-rule", Select).value = WeekendRule.NO_SUNDAY
    await pilot.press("ctrl+s")


async def press_yes(_app: TruyenthanhApp, pilot: Any) -> None:
    await pilot.press("y")


@dataclass(frozen=True)
class Case:
    """One change: keys on the screen, whether a form comes before the login, the typing, the rules after."""

    keys: tuple[str, ...]
    form_first: bool
    fill: Callable[[TruyenthanhApp, Any], Any]
    done: Callable[[StationRules], bool]


CASES = {
    "add-session": Case(
        ("a",),
        True,
        add_session,
        lambda r: (
            r.sessions[1]
            == SessionRule(
                "Buổi trưa", time(11), time(12), 30, (Season("Mùa hè", (5, 1), (8, 31), time(11, 30), time(12, 30)),)
            )
        ),
    ),
    "edit-session": Case(
        ("e",),
        True,
        edit_session,
        lambda r: r.sessions[0] == SessionRule("Buổi sáng", time(5), time(7), 60, (WINTER,)),
    ),
    "remove-session": Case(("delete",), False, press_yes, lambda r: [s.name for s in r.sessions] == ["Buổi chiều"]),
    "add-quiet": Case(("g",), True, add_quiet, lambda r: QuietHours(time(12), time(13, 30)) in r.quiet_hours),
    "edit-quiet": Case(
        ("tab", "enter"), True, add_quiet, lambda r: r.quiet_hours == (QuietHours(time(12), time(13, 30)),)
    ),
    "remove-quiet": Case(("tab", "delete"), False, press_yes, lambda r: r.quiet_hours == ()),
    "weekend": Case(("w",), True, choose_weekend, lambda r: r.weekend_rule is WeekendRule.NO_SUNDAY),
}


def station_rules(container: bootstrap.Container) -> StationRules:
    """The default rules with a winter season on the morning session (and a second one to remove), a day off."""
    morning, afternoon = DEFAULT_RULES.sessions
    spring = Season("Mùa xuân", (2, 1), (2, 28), time(5, 45), time(7, 0))
    rules = StationRules(
        sessions=(
            SessionRule(morning.name, morning.start, morning.end, morning.max_minutes, (WINTER, spring)),
            afternoon,
        ),
        quiet_hours=DEFAULT_RULES.quiet_hours,
        days_off=(DayOff(container.clock.now().date().replace(year=2027, month=2, day=5), "Nghỉ Tết Nguyên Đán"),),
    )
    container.scheduling.set_rules(ADMIN, rules)
    return rules


@pytest.mark.parametrize("name", list(CASES))
async def test_each_rules_change_logged_out_asks_for_a_login_then_saves(
    name: str, container: bootstrap.Container
) -> None:
    case = CASES[name]
    add_accounts(container)
    before = station_rules(container)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rules(app, pilot)
        assert app.actor is None
        await pilot.press(*case.keys)
        await settle(app, pilot)
        if case.form_first:
            await case.fill(app, pilot)
            await log_in(app, pilot, ADMIN)
        else:
            await log_in(app, pilot, ADMIN)
            await case.fill(app, pilot)
        await settle(app, pilot)
        assert app.screen is screen, f"{name}: still on {app.screen!r}; the app said:\n{said(app)}"
        after = container.scheduling.rules()
        assert case.done(after), f"{name}: {after}; the app said:\n{said(app)}"
        assert screen.rules == after, "the screen shows what was saved"
        assert after.days_off == before.days_off, "what the screen does not edit is kept"
    [entry] = container.audit.entries(entity="station", limit=1)
    assert (entry.action, entry.actor) == ("station.rules", ADMIN.username)


async def test_the_screen_shows_sessions_seasons_quiet_hours_and_days_off(container: bootstrap.Container) -> None:
    station_rules(container)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_rules(app, pilot)
        sessions = screen.query_one("#rules-sessions", DataTable)
        assert [str(c) for c in sessions.get_row_at(0)] == [
            "Buổi sáng",
            "05:30",
            "07:00",
            "60 phút",
            "Mùa đông 01/11–31/03 06:00–07:30; Mùa xuân 01/02–28/02 05:45–07:00",
        ]
        assert [str(c) for c in screen.query_one("#rules-quiet", DataTable).get_row_at(0)] == ["21:30", "05:00"]
        assert "05/02/2027 Nghỉ Tết Nguyên Đán" in str(screen.query_one("#rules-days-off").render())
        assert str(screen.query_one("#rules-weekend").render()).startswith("Cuối tuần: Phát cả cuối tuần")


async def test_errors_name_the_form_field_as_rules_import_would_and_nothing_is_saved(
    container: bootstrap.Container,
) -> None:
    before = station_rules(container)
    app = TruyenthanhApp(StationBackend(container, actor=ADMIN), start_daemon=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_rules(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, SessionScreen)
        put(form, {"#session-end": "25:00"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert (
            str(form.query_one("#form-error").render()) == 'Chưa lưu: «Kết thúc»: cần giờ dạng "HH:MM" (ví dụ "05:30").'
        )
        assert form.focused is form.query_one("#session-end", Input)
        put(form, {"#session-end": "17:30", "#season-1-from": "31/02"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert str(form.query_one("#form-error").render()) == (
            'Chưa lưu: «Mùa dòng 2: từ ngày»: cần ngày dạng "NN/TT" (ví dụ "01/11").'
        )
        assert form.focused is form.query_one("#season-1-from", Input)
        put(form, {"#season-1-from": "01/02"})  # now it runs into the afternoon
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert str(form.query_one("#form-error").render()) == (
            "Chưa lưu: «Bắt đầu»: buổi «Buổi sáng» trùng giờ với «Buổi chiều» (17:00–18:30)."
        )
        put(form, {"#session-end": "07:00", "#session-max-minutes": "120"})
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "«Tối đa (phút)»: 120 phút dài hơn cả buổi (90 phút)" in str(form.query_one("#form-error").render())
        assert form.focused is form.query_one("#session-max-minutes", Input)
        assert app.screen is form
    assert container.scheduling.rules() == before


def test_the_form_refuses_what_rules_import_refuses() -> None:
    """The same message for a clock time typed in the form and written in a file."""
    text = '[[session]]\nname = "Sáng"\nstart = "5h30"\nend = "07:00"\nmax_minutes = 60\n'
    with pytest.raises(rules_file.RulesFileError) as from_file:
        rules_file.parse(text, "quy-dinh.toml")
    with pytest.raises(rules_file.RulesFileError) as from_form:
        rules_file.check({"session": [{"name": "Sáng", "start": "5h30", "end": "07:00", "max_minutes": 60}]}, "x")
    assert [(p.field, p.message) for p in from_file.value.problems] == [
        (p.field, p.message) for p in from_form.value.problems
    ]


async def test_a_person_who_may_not_change_rules_is_refused(container: bootstrap.Container) -> None:
    add_accounts(container)
    before = station_rules(container)
    app = TruyenthanhApp(StationBackend(container), start_daemon=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_rules(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        await choose_weekend(app, pilot)
        await log_in(app, pilot, OPERATOR)
        await settle(app, pilot)
        assert "không được thay đổi quy định và cài đặt của đài" in str(app.screen.query_one("#form-error").render())
    assert container.scheduling.rules() == before
