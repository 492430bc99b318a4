"""Forms of the "Quy định" screen: a session (with its seasons), a quiet-hours window, the weekend rule.

Each form puts what was typed into the station's rules in the shape of the rules file and reads them back with
the checks of ``truyenthanh rules import`` (:func:`truyenthanh.domain.rules_file.check`), so the screen and the
file refuse the same things; a problem is said with the form field's name and the cursor goes there.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select

from truyenthanh.domain import rules_file
from truyenthanh.domain.enums import WeekendRule
from truyenthanh.domain.station import Season, SessionRule, StationRules
from truyenthanh.errors import ConfigError
from truyenthanh.tui.widgets.acting_form import ActingForm

SOURCE = "biểu mẫu"
"""Where the checked data comes from, as the checks name it."""

SESSION_FIELDS = {"name": "Tên buổi", "start": "Bắt đầu", "end": "Kết thúc", "max_minutes": "Tối đa (phút)"}
"""Labels of a session's fields, by the rules file's key."""
SEASON_FIELDS = {"name": "tên mùa", "from": "từ ngày", "to": "đến ngày", "start": "bắt đầu", "end": "kết thúc"}
"""Labels of a season's fields, by the rules file's key."""
QUIET_FIELDS = {"start": "Từ giờ", "end": "Đến giờ"}
"""Labels of a quiet-hours window's fields."""


def file_data(rules: StationRules) -> dict[str, Any]:
    """The rules in the shape :func:`rules_file.check` reads (times ``HH:MM``, seasons' days ``NN/TT``)."""
    return {
        "weekend": rules.weekend_rule.value,
        "session": [_session_data(session) for session in rules.sessions],
        "quiet": [{"start": f"{q.start:%H:%M}", "end": f"{q.end:%H:%M}"} for q in rules.quiet_hours],
        "day_off": [{"date": d.day.isoformat(), "name": d.name} for d in rules.days_off],
    }


def _session_data(session: SessionRule) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": session.name,
        "start": f"{session.start:%H:%M}",
        "end": f"{session.end:%H:%M}",
        "max_minutes": session.max_minutes,
    }
    if session.seasons:
        data["season"] = [_season_data(season) for season in session.seasons]
    return data


def _season_data(season: Season) -> dict[str, str]:
    return {
        "name": season.name,
        "from": f"{season.first[1]:02d}/{season.first[0]:02d}",
        "to": f"{season.last[1]:02d}/{season.last[0]:02d}",
        "start": f"{season.start:%H:%M}",
        "end": f"{season.end:%H:%M}",
    }


def _minutes(text: str) -> int | str:
    """A whole number of minutes as typed, else the text (which the checks then refuse by name)."""
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else stripped


_PATH = re.compile(r"^(session|quiet)\[(\d+)\](?:\.season\[(\d+)\])?(?:\.(\w+))?$")


class RulesForm(ActingForm[StationRules]):
    """A form that changes one part of the station's rules and saves them all."""

    REASON = "Sửa quy định của đài cần tài khoản quản trị: đăng nhập để tiếp tục."

    def __init__(self, rules: StationRules, index: int | None = None) -> None:
        """``rules`` as stored; ``index`` of the session or window edited (``None``: a new one)."""
        super().__init__()
        self.rules = rules
        self.index = index

    def changed(self, values: dict[str, Any]) -> dict[str, Any]:
        """The whole rules in file shape with what was typed put in."""
        raise NotImplementedError

    def where(self, kind: str, index: int, season: int | None, key: str | None) -> tuple[str, str] | None:
        """The form field (its key in :attr:`FIELDS` and its label) a problem at this place concerns."""
        return None

    def save(self, values: dict[str, Any]) -> StationRules:
        """Check the rules as ``rules import`` would, then save them as the logged-in person.

        Raises:
            ConfigError: what is wrong, each problem with its form field (``field``: the first one's key).
            TruyenthanhError: the person may not change the station's rules.
        """
        assert self.actor is not None
        try:
            rules = rules_file.check(self.changed(values), SOURCE)
        except rules_file.RulesFileError as exc:
            said, first = [], None
            for problem in exc.problems:
                match = _PATH.match(problem.field)
                place = None
                if match is not None:
                    kind, index, season, key = match.groups()
                    place = self.where(kind, int(index) - 1, int(season) - 1 if season else None, key)
                said.append(f"«{place[1]}»: {problem.message}" if place else problem.format(SOURCE))
                first = first or (place[0] if place else None)
            raise ConfigError("; ".join(said) + ".", title="Chưa lưu", field=first) from exc
        return self.backend.save_rules(self.actor, rules)


class SessionScreen(RulesForm):
    """A session: name, start, end, longest airtime, and its seasons (one blank row to add one)."""

    def __init__(self, rules: StationRules, index: int | None = None) -> None:
        """``index`` of the session edited in ``rules.sessions`` (``None``: a new one)."""
        super().__init__(rules, index)
        session = rules.sessions[index] if index is not None else None
        self.session = _session_data(session) if session else {"name": "", "start": "", "end": "", "max_minutes": ""}
        self.seasons = [_season_data(season) for season in session.seasons] if session else []
        self.season_rows = max(2, len(self.seasons) + 1)
        self.HEADING = f"Sửa buổi «{session.name}»" if session else "Thêm buổi phát"
        self._rows: list[int] = []
        """The form rows of the seasons saved last, in order (to say which row a problem is on)."""

    def selector(self, field: str) -> str | None:
        """A session's field (``max_minutes``) or a season row's (``season-1-from``)."""
        if field in SESSION_FIELDS:
            return f"#session-{field.replace('_', '-')}"
        return f"#{field}" if field.startswith("season-") else None

    def fields(self) -> ComposeResult:
        """Name; start, end and longest airtime on one line; then one line per season."""
        yield Label("Tên buổi (ví dụ: Buổi sáng)")
        yield Input(str(self.session["name"]), id="session-name")
        with Horizontal(classes="rules-row"):
            yield Label("Bắt đầu")
            yield Input(str(self.session["start"]), placeholder="05:30", id="session-start")
            yield Label("Kết thúc")
            yield Input(str(self.session["end"]), placeholder="07:00", id="session-end")
            yield Label("Tối đa (phút)")
            yield Input(str(self.session["max_minutes"]), placeholder="60", id="session-max-minutes")
        yield Label("Giờ theo mùa (để trống dòng không dùng): tên mùa, từ ngày, đến ngày (NN/TT), giờ bắt đầu–kết thúc")
        for row in range(self.season_rows):
            season = self.seasons[row] if row < len(self.seasons) else {}
            with Horizontal(classes="rules-row season-row"):
                yield Input(season.get("name", ""), placeholder="Mùa đông", id=f"season-{row}-name")
                yield Label("từ")
                yield Input(season.get("from", ""), placeholder="01/11", id=f"season-{row}-from")
                yield Label("đến")
                yield Input(season.get("to", ""), placeholder="31/03", id=f"season-{row}-to")
                yield Label("giờ")
                yield Input(season.get("start", ""), placeholder="06:00", id=f"season-{row}-start")
                yield Label("–")
                yield Input(season.get("end", ""), placeholder="07:30", id=f"season-{row}-end")

    def collect(self) -> dict[str, Any]:
        """Read the session and the season lines that are not blank."""
        session: dict[str, Any] = {
            key: self.query_one(f"#session-{key.replace('_', '-')}", Input).value.strip() for key in SESSION_FIELDS
        }
        session["max_minutes"] = _minutes(session["max_minutes"])
        seasons, rows = [], []
        for row in range(self.season_rows):
            season = {key: self.query_one(f"#season-{row}-{key}", Input).value.strip() for key in SEASON_FIELDS}
            if any(season.values()):
                seasons.append(season)
                rows.append(row)
        if seasons:
            session["season"] = seasons
        return {"session": session, "rows": rows}

    def changed(self, values: dict[str, Any]) -> dict[str, Any]:
        """The other sessions, then this one last (so a clash of times is said on this form)."""
        data = file_data(self.rules)
        others = [s for i, s in enumerate(data["session"]) if i != self.index]
        data["session"] = [*others, values["session"]]
        self._rows = values["rows"]
        return data

    def where(self, kind: str, index: int, season: int | None, key: str | None) -> tuple[str, str] | None:
        """This session is the last; its season lines are the non-blank rows, in order."""
        last = len(self.rules.sessions) - (1 if self.index is not None else 0)
        if kind != "session" or index != last:
            return None
        if season is None:
            key = key or "name"
            return key, SESSION_FIELDS.get(key, key)
        row = self._rows[season] if season < len(self._rows) else 0
        key = key or "name"
        return f"season-{row}-{key}", f"Mùa dòng {row + 1}: {SEASON_FIELDS.get(key, key)}"


class QuietScreen(RulesForm):
    """A quiet-hours window (only emergencies are broadcast in it; it may wrap past midnight)."""

    FIELDS: ClassVar[dict[str, str]] = {"start": "#quiet-start", "end": "#quiet-end"}

    def __init__(self, rules: StationRules, index: int | None = None) -> None:
        """``index`` of the window edited in ``rules.quiet_hours`` (``None``: a new one)."""
        super().__init__(rules, index)
        quiet = rules.quiet_hours[index] if index is not None else None
        self.start = f"{quiet.start:%H:%M}" if quiet else ""
        self.end = f"{quiet.end:%H:%M}" if quiet else ""
        self.HEADING = "Sửa giờ yên lặng" if quiet else "Thêm giờ yên lặng"

    def fields(self) -> ComposeResult:
        """From and to."""
        yield Label("Chỉ phát khẩn cấp trong khoảng này; có thể qua nửa đêm (ví dụ 21:30 đến 05:00).")
        with Horizontal(classes="rules-row"):
            yield Label("Từ giờ")
            yield Input(self.start, placeholder="21:30", id="quiet-start")
            yield Label("Đến giờ")
            yield Input(self.end, placeholder="05:00", id="quiet-end")

    def collect(self) -> dict[str, Any]:
        """Read the two times."""
        return {key: self.query_one(f"#quiet-{key}", Input).value.strip() for key in QUIET_FIELDS}

    def changed(self, values: dict[str, Any]) -> dict[str, Any]:
        """The windows with this one replaced (or added last)."""
        data = file_data(self.rules)
        if self.index is None:
            data["quiet"].append(values)
        else:
            data["quiet"][self.index] = values
        return data

    def where(self, kind: str, index: int, season: int | None, key: str | None) -> tuple[str, str] | None:
        """The edited window's two fields."""
        mine = self.index if self.index is not None else len(self.rules.quiet_hours)
        if kind != "quiet" or index != mine or key not in QUIET_FIELDS:
            return None
        return key, QUIET_FIELDS[key]


class WeekendScreen(RulesForm):
    """Whether the station broadcasts at weekends."""

    HEADING = "Phát cuối tuần"

    def fields(self) -> ComposeResult:
        """The choice."""
        yield Label("Cuối tuần (khẩn cấp vẫn luôn được phát)")
        yield Select(
            [(rule.label, rule) for rule in WeekendRule],
            value=self.rules.weekend_rule,
            allow_blank=False,
            id="weekend-rule",
        )

    def collect(self) -> dict[str, Any]:
        """Read the choice."""
        value = self.query_one("#weekend-rule", Select).value
        assert isinstance(value, WeekendRule)
        return {"weekend": value}

    def changed(self, values: dict[str, Any]) -> dict[str, Any]:
        """The rules with this weekend rule."""
        return file_data(self.rules) | {"weekend": values["weekend"].value}


def without(rules: StationRules, *, session: int | None = None, quiet: int | None = None) -> StationRules:
    """The rules without one session or one quiet-hours window, read back with the checks of ``rules import``.

    Raises:
        RulesFileError: what is left is not valid (it always is when ``rules`` was).
    """
    data = file_data(rules)
    if session is not None:
        del data["session"][session]
    if quiet is not None:
        del data["quiet"][quiet]
    return rules_file.check(data, SOURCE)
