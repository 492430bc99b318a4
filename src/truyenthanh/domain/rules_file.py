"""The station's broadcasting rules as a TOML file people edit: sessions (with seasonal times), quiet hours,
weekend rule, days off announced for the year.

``truyenthanh rules export`` writes it (with Vietnamese comments), the commune edits it, ``rules import`` reads
it back. Every problem is reported with the file, the line and the field, and nothing is saved unless the
whole file is valid.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, time
from typing import Any

from truyenthanh.domain.enums import WeekendRule
from truyenthanh.domain.programme_file import Problem
from truyenthanh.domain.station import DayOff, QuietHours, Season, SessionRule, StationRules
from truyenthanh.domain.toml_lines import Path as KeyPath
from truyenthanh.domain.toml_lines import dotted, line_of, locate
from truyenthanh.errors import ConfigError

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_KNOWN = {"weekend", "session", "quiet", "day_off"}
_DAY_MONTH = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_SESSION_KEYS = {"name", "start", "end", "max_minutes", "season"}
_SEASON_KEYS = {"name", "from", "to", "start", "end"}


class RulesFileError(ConfigError):
    """A rules file has problems; :attr:`problems` lists them all, in line order."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        ordered = sorted(problems, key=lambda p: (p.line or 0, p.field, p.message))
        lines = "\n".join(f"  {p.format(filename)}" for p in ordered)
        super().__init__(f"Tệp quy định {filename} có {len(ordered)} lỗi, chưa lưu gì:\n{lines}")
        self.problems = ordered


def render(rules: StationRules) -> str:
    """The rules as a commented TOML document that :func:`parse` reads back unchanged."""
    choices = ", ".join(f"«{rule.value}» ({rule.label})" for rule in WeekendRule)
    out = [
        "# Quy định phát thanh của đài (UBND xã quyết định). Sửa rồi chạy «truyenthanh rules import TỆP».",
        "# Giờ viết theo giờ của đài, dạng HH:MM.",
        "",
        f"# Cuối tuần: {choices}.",
        f'weekend = "{rules.weekend_rule.value}"',
        "",
        "# Các buổi phát: tên, giờ bắt đầu sớm nhất, giờ kết thúc muộn nhất, tổng thời lượng tối đa (phút).",
    ]
    for session in rules.sessions:
        out += [
            "[[session]]",
            f"name = {_quote(session.name)}",
            f'start = "{session.start:%H:%M}"',
            f'end = "{session.end:%H:%M}"',
            f"max_minutes = {session.max_minutes}",
            "",
        ]
        for season in session.seasons:
            out += [
                "[[session.season]]  # giờ của buổi theo mùa (từ ngày/tháng đến ngày/tháng, tính cả hai ngày)",
                f"name = {_quote(season.name)}",
                f'from = "{season.first[1]:02d}/{season.first[0]:02d}"',
                f'to = "{season.last[1]:02d}/{season.last[0]:02d}"',
                f'start = "{season.start:%H:%M}"',
                f'end = "{season.end:%H:%M}"',
                "",
            ]
    out.append("# Giờ yên lặng: chỉ phát khẩn cấp (có thể qua nửa đêm, ví dụ 21:30 đến 05:00).")
    for quiet in rules.quiet_hours:
        out += ["[[quiet]]", f'start = "{quiet.start:%H:%M}"', f'end = "{quiet.end:%H:%M}"', ""]
    out.append("# Ngày nghỉ Chính phủ công bố trong năm (nghỉ Tết, nghỉ bù), ngoài các ngày lễ: tính như ngày lễ.")
    for day_off in rules.days_off:
        out += ["[[day_off]]", f'date = "{day_off.day.isoformat()}"', f"name = {_quote(day_off.name)}", ""]
    return "\n".join(out).rstrip() + "\n"


def parse(text: str, filename: str) -> StationRules:
    """Read a rules file.

    Raises:
        RulesFileError: every problem found, each with its line and field.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(exc))
        column = f", cột {where.group(2)}" if where else ""
        line = int(where.group(1)) if where else None
        raise RulesFileError(filename, [Problem(line, "", f"sai cú pháp TOML{column}: {reason}")]) from exc
    reader = _Reader(locate(text))
    rules = reader.read(data)
    if reader.problems or rules is None:
        raise RulesFileError(filename, reader.problems or [Problem(None, "", "tệp không hợp lệ")])
    return rules


class _Reader:
    def __init__(self, lines: dict[KeyPath, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def fail(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(line_of(self.lines, path), dotted(path), message))

    def read(self, data: dict[str, Any]) -> StationRules | None:
        for key in sorted(set(data) - _KNOWN):
            self.fail((key,), f"không có mục này (chỉ có: {', '.join(sorted(_KNOWN))})")
        weekend = WeekendRule.ALLOWED
        raw = data.get("weekend", WeekendRule.ALLOWED.value)
        try:
            weekend = WeekendRule(raw)
        except ValueError:
            self.fail(("weekend",), f"phải là một trong: {', '.join(rule.value for rule in WeekendRule)}")
        sessions = [self.session(index, item) for index, item in enumerate(self.tables(data, "session"))]
        quiet = [self.quiet(index, item) for index, item in enumerate(self.tables(data, "quiet"))]
        days_off = [self.day_off(index, item) for index, item in enumerate(self.tables(data, "day_off"))]
        kept = [s for s in sessions if s is not None]
        if not self.problems:
            self.check_overlaps(kept)
        if self.problems:
            return None
        return StationRules(
            sessions=tuple(sorted(kept, key=lambda s: s.start)),
            quiet_hours=tuple(q for q in quiet if q is not None),
            weekend_rule=weekend,
            days_off=tuple(sorted((d for d in days_off if d is not None), key=lambda d: d.day)),
        )

    def tables(self, data: dict[str, Any], key: str, parent: KeyPath = ()) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            header = ".".join([*(str(p) for p in parent if isinstance(p, str)), key])
            self.fail((*parent, key), f"phải viết thành các bảng [[{header}]]")
            return []
        return value

    def clock(self, path: KeyPath, value: Any) -> time | None:
        match = _CLOCK.match(value) if isinstance(value, str) else None
        if match is None:
            self.fail(path, 'cần giờ dạng "HH:MM" (ví dụ "05:30")')
            return None
        return time(int(match.group(1)), int(match.group(2)))

    def session(self, index: int, item: dict[str, Any]) -> SessionRule | None:
        path: KeyPath = ("session", index)
        for key in sorted(set(item) - _SESSION_KEYS):
            self.fail((*path, key), f"không có trường này (chỉ có: {', '.join(sorted(_SESSION_KEYS))})")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail((*path, "name"), "cần tên buổi (ví dụ «Buổi sáng»)")
        start, end = self.clock((*path, "start"), item.get("start")), self.clock((*path, "end"), item.get("end"))
        limit = item.get("max_minutes")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            self.fail((*path, "max_minutes"), "cần số phút, từ 1 trở lên")
            return None
        if start is None or end is None or not isinstance(name, str) or not name.strip():
            return None
        if end <= start:
            self.fail((*path, "end"), f"phải sau giờ bắt đầu {start:%H:%M} (một buổi không kéo qua nửa đêm)")
            return None
        length = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        if limit > length:
            self.fail((*path, "max_minutes"), f"{limit} phút dài hơn cả buổi ({length} phút)")
            return None
        seasons = [self.season((*path, "season", i), x) for i, x in enumerate(self.tables(item, "season", path))]
        if any(season is None for season in seasons):
            return None
        kept = tuple(season for season in seasons if season is not None)
        return SessionRule(name=" ".join(name.split()), start=start, end=end, max_minutes=limit, seasons=kept)

    def day_month(self, path: KeyPath, value: Any) -> tuple[int, int] | None:
        match = _DAY_MONTH.match(value) if isinstance(value, str) else None
        try:
            if match is not None:
                date(2024, int(match.group(2)), int(match.group(1)))  # a leap year: 29/02 is a day
                return int(match.group(2)), int(match.group(1))
        except ValueError:
            pass
        self.fail(path, 'cần ngày dạng "NN/TT" (ví dụ "01/11")')
        return None

    def season(self, path: KeyPath, item: dict[str, Any]) -> Season | None:
        for key in sorted(set(item) - _SEASON_KEYS):
            self.fail((*path, key), f"không có trường này (chỉ có: {', '.join(sorted(_SEASON_KEYS))})")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail((*path, "name"), "cần tên mùa (ví dụ «Mùa đông»)")
        first, last = self.day_month((*path, "from"), item.get("from")), self.day_month((*path, "to"), item.get("to"))
        start, end = self.clock((*path, "start"), item.get("start")), self.clock((*path, "end"), item.get("end"))
        if None in (first, last, start, end) or not isinstance(name, str) or not name.strip():
            return None
        assert first is not None and last is not None and start is not None and end is not None
        if end <= start:
            self.fail((*path, "end"), f"phải sau giờ bắt đầu {start:%H:%M}")
            return None
        return Season(" ".join(name.split()), first, last, start, end)

    def day_off(self, index: int, item: dict[str, Any]) -> DayOff | None:
        path: KeyPath = ("day_off", index)
        for key in sorted(set(item) - {"date", "name"}):
            self.fail((*path, key), "không có trường này (chỉ có: date, name)")
        raw, name = item.get("date"), item.get("name")
        day = raw if isinstance(raw, date) else None
        if isinstance(raw, str):
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                day = None
        if day is None:
            self.fail((*path, "date"), 'cần ngày dạng "YYYY-MM-DD" (ví dụ "2027-02-05")')
        if not isinstance(name, str) or not name.strip():
            self.fail((*path, "name"), "cần tên ngày nghỉ (ví dụ «Nghỉ Tết Nguyên Đán»)")
            return None
        return DayOff(day, " ".join(name.split())) if day is not None else None

    def quiet(self, index: int, item: dict[str, Any]) -> QuietHours | None:
        path: KeyPath = ("quiet", index)
        for key in sorted(set(item) - {"start", "end"}):
            self.fail((*path, key), "không có trường này (chỉ có: start, end)")
        start, end = self.clock((*path, "start"), item.get("start")), self.clock((*path, "end"), item.get("end"))
        if start is None or end is None:
            return None
        if start == end:
            self.fail((*path, "end"), "giờ kết thúc trùng giờ bắt đầu")
            return None
        return QuietHours(start=start, end=end)

    def check_overlaps(self, sessions: list[SessionRule]) -> None:
        names: set[str] = set()
        for index, session in enumerate(sessions):
            if session.name.casefold() in names:
                self.fail(("session", index, "name"), f"tên «{session.name}» đã dùng cho buổi khác")
            names.add(session.name.casefold())
            for other in sessions[:index]:
                if session.start < other.end and other.start < session.end:
                    self.fail(
                        ("session", index, "start"),
                        f"buổi «{session.name}» trùng giờ với «{other.name}» ({other.start:%H:%M}–{other.end:%H:%M})",
                    )


def check(data: dict[str, Any], source: str) -> StationRules:
    """Rules from data shaped as the file is read (``{"weekend": ..., "session": [{"name": ..., "start": "05:30",
    ...}], "quiet": [...], "day_off": [...]}``), with exactly the checks of :func:`parse`: a form that edits the
    rules builds this from what was typed. Problems carry no line; ``field`` is the dotted path
    (``session[2].season[1].from``, indexes from 1).

    Raises:
        RulesFileError: every problem found (``source`` names where the data came from).
    """
    reader = _Reader({})
    rules = reader.read(data)
    if reader.problems or rules is None:
        raise RulesFileError(source, reader.problems or [Problem(None, "", "dữ liệu không hợp lệ")])
    return rules


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
