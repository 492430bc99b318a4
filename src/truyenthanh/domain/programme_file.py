"""Programme files: the TOML an upstream editor writes for many communes (format described in
``docs/programme-file.md``).

:func:`read_programme_file` turns the text into a :class:`ProgrammeFile` or raises
:class:`ProgrammeFileError` listing *every* problem found, each with its line and field. Pure: reading the
audio files the programme names, and placing session schedules at a station's own session times, is left to
the services.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from truyenthanh.domain.enums import Category, ItemKind, LabelledEnum, Priority
from truyenthanh.domain.schedule import HolidayPolicy, LeapPolicy, LunarRule, Misfire, normalise_rrule
from truyenthanh.domain.station import DayOff
from truyenthanh.domain.toml_lines import Path as KeyPath
from truyenthanh.domain.toml_lines import dotted, line_of, locate
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import PackageError, ScheduleError

FORMAT_VERSION = 2
"""The programme-file format this program writes and the newest it reads (version 1 files are still read)."""

CALENDAR_VERSION = 2
"""The first format version with the Vietnamese calendar: lunar days, holidays and announced days off."""

MAX_TEXT_BYTES = 2 * 1024 * 1024
"""Largest programme file accepted, in bytes (a week of many programmes is a few tens of kilobytes)."""

PACKAGE_ID = re.compile(r"^[a-z0-9](?:[a-z0-9._-]|/(?!/)){0,118}[a-z0-9]$")
"""Package identity: lower-case letters, digits, ``.``, ``_``, ``-`` and single ``/`` (``tan-son/tuan-48``)."""

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
"""Programme key within a file."""

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$")
MAX_ITEM_SECONDS = 6 * 3600
"""Longest silence or relay item, in seconds."""
MAX_PROGRAMMES = 500
MAX_ITEMS = 500
MAX_SCHEDULES = 500
MAX_DAYS_OFF = 366


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a programme file."""

    line: int | None
    field: str
    """Where, as a dotted path (``programme[2].item[1].audio``)."""
    message: str
    """What is wrong, in Vietnamese."""

    def format(self, filename: str) -> str:
        """``tuan-48.toml:12: programme[1].item[3].audio: ...``."""
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ProgrammeFileError(PackageError):
    """A programme file has problems; :attr:`problems` lists them all, in line order."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        ordered = sorted(problems, key=lambda p: (p.line or 0, p.field, p.message))
        count = len(ordered)
        lines = "\n".join(f"  {p.format(filename)}" for p in ordered)
        super().__init__(f"Tệp chương trình {filename} có {count} lỗi:\n{lines}")
        self.filename = filename
        self.problems = ordered


class ScheduleKind(StrEnum):
    """How a schedule entry says when to play."""

    ONCE = "once"
    """One airing at ``at``."""
    RRULE = "rrule"
    """Recurring from ``start`` by an RFC 5545 rule."""
    SESSION = "session"
    """At the start of the station's named session (its own start time, as its season has it that day), on the
    days of the rule or the lunar days."""
    LUNAR = "lunar"
    """On lunar days (âm lịch), from the day of ``start`` at its time of day."""


@dataclass(frozen=True)
class ItemSpec:
    """One item of a programme, as written in the file."""

    kind: ItemKind
    title: str
    audio: str | None = None
    """Audio path relative to the programme file (audio items, pre-rendered announcements)."""
    text: str | None = None
    """Announcement text (NFC)."""
    jingle: str | None = None
    """Tune name from :data:`truyenthanh.domain.tunes.TUNES`."""
    relay_url: str | None = None
    duration_s: float | None = None
    """Length of silence and relay items."""
    gain_db: float = 0.0
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    crossfade_s: float = 0.0
    path: KeyPath = ()
    """Where it is in the file (for messages)."""

    def canonical(self) -> dict[str, Any]:
        """Plain data that changes exactly when the item would play differently."""
        return {
            "kind": self.kind.value,
            "title": self.title,
            "audio": self.audio,
            "text": self.text,
            "jingle": self.jingle,
            "relay_url": self.relay_url,
            "duration_s": self.duration_s,
            "gain_db": self.gain_db,
            "fade_in_s": self.fade_in_s,
            "fade_out_s": self.fade_out_s,
            "crossfade_s": self.crossfade_s,
        }


@dataclass(frozen=True)
class ScheduleEntry:
    """When a programme plays, as written in the file; instants are aware UTC."""

    kind: ScheduleKind
    start: datetime | None = None
    """The one-off start or the rule's DTSTART (ONCE, RRULE, LUNAR)."""
    start_date: date | None = None
    """First day of a session schedule (SESSION); its time comes from the station's session."""
    rrule: str | None = None
    """The RFC 5545 rule (RRULE, and SESSION without lunar days)."""
    lunar: LunarRule | None = None
    """The lunar days it airs on (LUNAR, and SESSION with lunar days)."""
    holidays: HolidayPolicy = HolidayPolicy.ALWAYS
    """What it does on public holidays and the station's days off."""
    holiday_programme: str | None = None
    """Key of the programme (in the same file) played instead on holidays (:attr:`HolidayPolicy.SWAP`)."""
    session: str | None = None
    """Session name (SESSION), also a placement hint for the others."""
    exclude: tuple[datetime, ...] = ()
    """Airings not to play (ONCE, RRULE: instants; SESSION: local midnight of the days)."""
    misfire: str = "late:5"
    priority: Priority | None = None
    """Overrides the programme's priority."""
    path: KeyPath = ()

    def canonical(self) -> dict[str, Any]:
        """Plain data for comparing versions (the calendar parts only when set, so that a version-1 entry reads
        as it did before them)."""
        data: dict[str, Any] = {
            "kind": self.kind.value,
            "start": self.start.isoformat() if self.start else None,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "rrule": self.rrule,
            "session": self.session,
            "exclude": [moment.isoformat() for moment in self.exclude],
            "misfire": self.misfire,
            "priority": self.priority.value if self.priority else None,
        }
        if self.lunar is not None:
            data["lunar"] = self.lunar.to_json()
        if self.holidays is not HolidayPolicy.ALWAYS:
            data["holidays"] = self.holidays.value
        if self.holiday_programme is not None:
            data["holiday_programme"] = self.holiday_programme
        return data


@dataclass(frozen=True)
class ProgrammeSpec:
    """One programme of the file."""

    key: str
    """Identity within the package: the same key in a newer version is the same programme, changed."""
    title: str
    category: Category
    priority: Priority
    language: str
    items: tuple[ItemSpec, ...]
    schedules: tuple[ScheduleEntry, ...]
    fallback: ItemSpec | None = None
    zones: tuple[str, ...] = ()
    valid_from: datetime | None = None
    """Start of validity (UTC), inclusive."""
    valid_to: datetime | None = None
    """End of validity (UTC), exclusive: the day after the last valid day, at local midnight."""
    path: KeyPath = ()

    def canonical(self) -> dict[str, Any]:
        """Plain data that changes exactly when the programme or its airings change."""
        return {
            "key": self.key,
            "title": self.title,
            "category": self.category.value,
            "priority": self.priority.value,
            "language": self.language,
            "items": [item.canonical() for item in self.items],
            "schedules": [entry.canonical() for entry in self.schedules],
            "fallback": self.fallback.canonical() if self.fallback else None,
            "zones": list(self.zones),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


@dataclass(frozen=True)
class PackageInfo:
    """The ``[package]`` table: identity, version, authorship."""

    id: str
    version: int
    title: str
    author: str
    upstream: str
    """Name of the body that sends it (province, former district, culture office)."""
    upstream_id: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    created: datetime | None = None
    description: str = ""
    communes: tuple[str, ...] = ()
    """Communes it is meant for (empty: any)."""
    zones: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgrammeFile:
    """A whole programme file."""

    format_version: int
    package: PackageInfo
    programmes: tuple[ProgrammeSpec, ...]
    days_off: tuple[DayOff, ...] = ()
    """Days off the government announced (Tết, bridge days) that the package brings to the station's list."""
    lines: dict[KeyPath, int] = field(default_factory=dict, compare=False, repr=False)

    def audio_paths(self) -> list[str]:
        """Every audio path the file names (items, pre-rendered announcements, fallbacks), once each, in order."""
        seen: dict[str, None] = {}
        for programme in self.programmes:
            for item in (*programme.items, *((programme.fallback,) if programme.fallback else ())):
                if item.audio:
                    seen.setdefault(item.audio, None)
        return list(seen)

    def line(self, path: KeyPath) -> int | None:
        """Line of a key path (or its nearest ancestor)."""
        return line_of(self.lines, path)


def nfc(text: str) -> str:
    """Unicode NFC, as every text of the program is kept (text from old documents often arrives decomposed)."""
    return unicodedata.normalize("NFC", text)


def safe_relative_path(raw: str) -> str | None:
    """``raw`` as a clean relative POSIX path inside the package, or ``None`` if it could escape or is odd.

    Refused: empty, absolute (``/x``, ``\\x``), drive letters (``C:``), ``..`` or ``.`` parts, backslashes,
    control characters, empty parts, and over-long names.
    """
    if not raw or len(raw) > 240 or "\\" in raw or ":" in raw:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        return None
    if raw.startswith("/"):
        return None
    parts = raw.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return nfc(raw)


def parse_seconds(raw: object) -> float | None:
    """A length: a number of seconds, ``"15m"``, ``"1h30m"``, ``"90s"``, ``"mm:ss"`` or ``"h:mm:ss"``."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower().replace(" ", "")
    if not text:
        return None
    match = _DURATION.fullmatch(text)
    if match and any(match.groups()):
        hours, minutes, seconds = match.groups()
        return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    clock = _CLOCK.fullmatch(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return None


def check_rrule(raw: str) -> tuple[str | None, str | None]:
    """Canonical RRULE body, or the Vietnamese reason it is refused (rules as the scheduler accepts them)."""
    try:
        return normalise_rrule(raw), None
    except ScheduleError as exc:
        return None, exc.message


class _Reader:
    """Collects problems while turning parsed TOML into specs."""

    def __init__(self, lines: dict[KeyPath, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []
        self.zone = ZoneInfo("Asia/Ho_Chi_Minh")
        self.package_validity: tuple[datetime | None, datetime | None] = (None, None)
        """Validity of ``[package]``, for programmes that set none of their own."""
        self.package_zones: tuple[str, ...] = ()
        self.version = FORMAT_VERSION
        """The file's format version, once read: keys newer than it are refused."""

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(line_of(self.lines, path), dotted(path), message))

    def unknown_keys(self, table: dict[str, Any], allowed: set[str], path: KeyPath) -> None:
        for key in table:
            if key not in allowed:
                choices = ", ".join(sorted(allowed))
                self.problem((*path, key), f"khóa không được dùng ở đây (dùng được: {choices})")

    def text(self, table: dict[str, Any], key: str, path: KeyPath, *, required: bool, limit: int = 300) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(path, f"thiếu «{key}»")
            return None
        if not isinstance(value, str):
            self.problem((*path, key), f"cần một chuỗi chữ, nhận được {_kind(value)}")
            return None
        cleaned = nfc(value).strip()
        if required and not cleaned:
            self.problem((*path, key), "không được để trống")
            return None
        if len(cleaned) > limit:
            self.problem((*path, key), f"dài quá ({len(cleaned)} ký tự, tối đa {limit})")
            return None
        return cleaned

    def number(self, table: dict[str, Any], key: str, path: KeyPath, low: float, high: float) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem((*path, key), f"cần một số, nhận được {_kind(value)}")
            return None
        if not low <= value <= high:
            self.problem((*path, key), f"phải trong khoảng {low:g} đến {high:g}, nhận được {value:g}")
            return None
        return float(value)

    def enum(self, table: dict[str, Any], key: str, path: KeyPath, kind: type[LabelledEnum], default: Any) -> Any:
        value = table.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            self.problem((*path, key), f"cần một chuỗi chữ, nhận được {_kind(value)}")
            return default
        try:
            return kind(kind.parse(nfc(value)))
        except ValueError as exc:
            self.problem((*path, key), str(exc))
            return default

    def names(self, table: dict[str, Any], key: str, path: KeyPath) -> tuple[str, ...]:
        value = table.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem((*path, key), 'cần một danh sách tên, ví dụ ["Thôn 1", "Thôn 2"]')
            return ()
        if len(value) > 500:
            self.problem((*path, key), f"quá nhiều tên ({len(value)}, tối đa 500)")
            return ()
        return tuple(dict.fromkeys(nfc(v).strip() for v in value))

    def moment(self, value: Any, path: KeyPath) -> datetime | None:
        """A TOML datetime: with an offset as written, without one in the file's time zone."""
        if isinstance(value, datetime):
            aware = value if value.tzinfo is not None else value.replace(tzinfo=self.zone)
            return aware.astimezone(UTC)
        self.problem(path, f"cần ngày giờ dạng 2026-11-24T05:30:00, nhận được {_kind(value)}")
        return None

    def day(self, value: Any, path: KeyPath) -> date | None:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        self.problem(path, f"cần một ngày dạng 2026-11-24, nhận được {_kind(value)}")
        return None

    def day_start(self, value: date) -> datetime:
        return datetime.combine(value, time(0), tzinfo=self.zone).astimezone(UTC)

    def validity(self, table: dict[str, Any], path: KeyPath) -> tuple[datetime | None, datetime | None]:
        low = self.day(table["valid_from"], (*path, "valid_from")) if "valid_from" in table else None
        high = self.day(table["valid_to"], (*path, "valid_to")) if "valid_to" in table else None
        if low and high and high < low:
            self.problem((*path, "valid_to"), f"ngày hết hiệu lực {high:%d/%m/%Y} trước ngày bắt đầu {low:%d/%m/%Y}")
        return (
            self.day_start(low) if low else None,
            self.day_start(high + timedelta(days=1)) if high else None,
        )


def _kind(value: object) -> str:
    names = {
        bool: "giá trị đúng/sai",
        int: "một số",
        float: "một số",
        str: "một chuỗi chữ",
        list: "một danh sách",
        dict: "một bảng",
        datetime: "ngày giờ",
        date: "một ngày",
        time: "một giờ",
    }
    return names.get(type(value), type(value).__name__)


def read_programme_file(text: str, filename: str = "chương trình.toml") -> ProgrammeFile:
    """Parse and check a programme file.

    Args:
        text: the file's content (already decoded from UTF-8).
        filename: how messages name the file.

    Raises:
        ProgrammeFileError: every problem found, with line and field.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise ProgrammeFileError(filename, [Problem(None, "", f"tệp quá lớn (tối đa {MAX_TEXT_BYTES} byte)")])
    if "\x00" in text:
        raise ProgrammeFileError(filename, [Problem(None, "", "tệp chứa ký tự NUL: không phải tệp văn bản TOML")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        line = int(where.group(1)) if where else None
        column = f", cột {where.group(2)}" if where else ""
        reason = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(exc))
        raise ProgrammeFileError(
            filename, [Problem(line, "", f"sai cú pháp TOML{column}: {reason}. Hãy sửa chỗ đó rồi kiểm tra lại.")]
        ) from exc
    except RecursionError as exc:
        raise ProgrammeFileError(filename, [Problem(None, "", "cấu trúc lồng nhau quá sâu")]) from exc
    reader = _Reader(locate(text))
    parsed = _read(reader, data)
    if reader.problems or parsed is None:
        raise ProgrammeFileError(filename, reader.problems or [Problem(None, "", "tệp không hợp lệ")])
    return ProgrammeFile(parsed[0], parsed[1], parsed[2], parsed[3], lines=reader.lines)


def audio_references(text: str) -> list[tuple[str, KeyPath, int | None]]:
    """Every audio path a programme file names (safe ones only), with its key path and line, even when the file
    has other problems: lets a checker report missing audio together with everything else."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return []
    lines = locate(text)
    found: list[tuple[str, KeyPath, int | None]] = []
    programmes = data.get("programme")
    if not isinstance(programmes, list):
        return []
    for index, programme in enumerate(programmes):
        if not isinstance(programme, dict):
            continue
        tables: list[tuple[KeyPath, Any]] = [(("programme", index, "fallback"), programme.get("fallback"))]
        items = programme.get("item")
        if isinstance(items, list):
            tables += [(("programme", index, "item", number), item) for number, item in enumerate(items)]
        for path, table in tables:
            raw = table.get("audio") if isinstance(table, dict) else None
            safe = safe_relative_path(raw) if isinstance(raw, str) else None
            if safe is not None and not any(ref[0] == safe for ref in found):
                found.append((safe, (*path, "audio"), line_of(lines, (*path, "audio"))))
    return found


def _read(
    reader: _Reader, data: dict[str, Any]
) -> tuple[int, PackageInfo, tuple[ProgrammeSpec, ...], tuple[DayOff, ...]] | None:
    reader.unknown_keys(data, {"format_version", "package", "programme", "day_off"}, ())
    version = data.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool):
        reader.version = version
    if version is None:
        reader.problem((), f"thiếu «format_version» (dòng đầu tệp: format_version = {FORMAT_VERSION})")
    elif isinstance(version, bool) or not isinstance(version, int):
        reader.problem(("format_version",), f"cần một số nguyên, nhận được {_kind(version)}")
    elif version > FORMAT_VERSION or version < 1:
        reader.problem(
            ("format_version",),
            f"phiên bản định dạng {version} không đọc được; chương trình này đọc đến phiên bản {FORMAT_VERSION}. "
            "Hãy cập nhật truyenthanh.",
        )
        return None
    raw_package = data.get("package")
    if not isinstance(raw_package, dict):
        reader.problem(("package",) if raw_package is not None else (), "thiếu bảng [package] (định danh, phiên bản)")
        return None
    package = _read_package(reader, raw_package)
    raw_programmes = data.get("programme")
    if raw_programmes is None:
        reader.problem((), "chưa có chương trình nào ([[programme]])")
        return None
    if not isinstance(raw_programmes, list) or not all(isinstance(p, dict) for p in raw_programmes):
        reader.problem(("programme",), "cần các bảng [[programme]]")
        return None
    if len(raw_programmes) > MAX_PROGRAMMES:
        reader.problem(("programme",), f"quá nhiều chương trình ({len(raw_programmes)}, tối đa {MAX_PROGRAMMES})")
        return None
    programmes = []
    keys: dict[str, int] = {}
    for index, raw in enumerate(raw_programmes):
        path: KeyPath = ("programme", index)
        programme = _read_programme(reader, raw, path)
        raw_key = raw.get("key")
        if isinstance(raw_key, str) and raw_key in keys:
            reader.problem((*path, "key"), f"khóa «{raw_key}» trùng với chương trình thứ {keys[raw_key]}")
        elif isinstance(raw_key, str):
            keys[raw_key] = index + 1
        if programme is not None:
            programmes.append(programme)
    _check_holiday_programmes(reader, programmes)
    days_off = _read_days_off(reader, data)
    if package is None or not isinstance(version, int):
        return None
    return version, package, tuple(programmes), days_off


def _check_holiday_programmes(reader: _Reader, programmes: list[ProgrammeSpec]) -> None:
    """Every ``holiday_programme`` names a programme of the file."""
    keys = {p.key for p in programmes}
    for programme in programmes:
        for entry in programme.schedules:
            if entry.holiday_programme is not None and entry.holiday_programme not in keys:
                reader.problem(
                    (*entry.path, "holiday_programme"),
                    f"không có chương trình khóa «{entry.holiday_programme}» trong tệp (các khóa: "
                    f"{', '.join(sorted(keys)) or 'chưa có'})",
                )


def _read_days_off(reader: _Reader, data: dict[str, Any]) -> tuple[DayOff, ...]:
    """The ``[[day_off]]`` tables (``date``, ``name``): days off announced for the year, by date."""
    raw = data.get("day_off")
    if raw is None:
        return ()
    if reader.version < CALENDAR_VERSION:
        reader.problem(("day_off",), f"[[day_off]] cần format_version = {CALENDAR_VERSION} ở đầu tệp")
        return ()
    if not isinstance(raw, list) or not all(isinstance(table, dict) for table in raw):
        reader.problem(("day_off",), "cần các bảng [[day_off]] (date, name)")
        return ()
    if len(raw) > MAX_DAYS_OFF:
        reader.problem(("day_off",), f"quá nhiều ngày nghỉ ({len(raw)}, tối đa {MAX_DAYS_OFF})")
        return ()
    found: dict[date, DayOff] = {}
    for index, table in enumerate(raw):
        path: KeyPath = ("day_off", index)
        reader.unknown_keys(table, {"date", "name"}, path)
        name = reader.text(table, "name", path, required=True, limit=120)
        value = table.get("date")
        if value is None:
            reader.problem(path, "thiếu «date» (ngày nghỉ, ví dụ 2027-02-05)")
            continue
        day = reader.day(value, (*path, "date"))
        if day is None or name is None:
            continue
        if day in found:
            reader.problem((*path, "date"), f"ngày {day:%d/%m/%Y} đã có ở một [[day_off]] khác")
            continue
        found[day] = DayOff(day, " ".join(name.split()))
    return tuple(sorted(found.values(), key=lambda d: d.day))


def _read_package(reader: _Reader, raw: dict[str, Any]) -> PackageInfo | None:
    path: KeyPath = ("package",)
    reader.unknown_keys(
        raw,
        {
            "id",
            "version",
            "title",
            "author",
            "upstream",
            "upstream_id",
            "timezone",
            "created",
            "description",
            "communes",
            "zones",
            "valid_from",
            "valid_to",
        },
        path,
    )
    timezone = reader.text(raw, "timezone", path, required=False) or "Asia/Ho_Chi_Minh"
    try:
        reader.zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        reader.problem((*path, "timezone"), f"múi giờ «{timezone}» không tồn tại (ví dụ đúng: Asia/Ho_Chi_Minh)")
    package_id = reader.text(raw, "id", path, required=True, limit=120)
    if package_id is not None and not PACKAGE_ID.match(package_id):
        reader.problem(
            (*path, "id"),
            f"định danh «{package_id}» chỉ được gồm chữ thường không dấu, số, «.», «_», «-» và «/» "
            "(ví dụ: tan-son/tuan-48-2026)",
        )
        package_id = None
    version = raw.get("version")
    if version is None:
        reader.problem(path, "thiếu «version» (số nguyên, tăng mỗi lần gửi bản mới)")
    elif isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 1_000_000_000:
        reader.problem((*path, "version"), "cần một số nguyên từ 1 trở lên")
        version = None
    title = reader.text(raw, "title", path, required=True)
    author = reader.text(raw, "author", path, required=True)
    upstream = reader.text(raw, "upstream", path, required=True)
    upstream_id = reader.text(raw, "upstream_id", path, required=False, limit=120) or ""
    description = reader.text(raw, "description", path, required=False, limit=5000) or ""
    created = reader.moment(raw["created"], (*path, "created")) if "created" in raw else None
    communes = reader.names(raw, "communes", path)
    zones = reader.names(raw, "zones", path)
    reader.package_validity = reader.validity(raw, path)
    reader.package_zones = zones
    if package_id is None or not isinstance(version, int) or not title or not author or not upstream:
        return None
    return PackageInfo(
        id=package_id,
        version=version,
        title=title,
        author=author,
        upstream=upstream,
        upstream_id=upstream_id,
        timezone=timezone,
        created=created,
        description=description,
        communes=communes,
        zones=zones,
    )


_PROGRAMME_KEYS = {
    "key",
    "title",
    "category",
    "priority",
    "language",
    "zones",
    "valid_from",
    "valid_to",
    "fallback",
    "item",
    "schedule",
}


def _read_programme(reader: _Reader, raw: dict[str, Any], path: KeyPath) -> ProgrammeSpec | None:
    reader.unknown_keys(raw, _PROGRAMME_KEYS, path)
    key = reader.text(raw, "key", path, required=True, limit=63)
    if key is not None and not KEY.match(key):
        reader.problem((*path, "key"), f"khóa «{key}» chỉ được gồm chữ thường không dấu, số, «_» và «-»")
        key = None
    title = reader.text(raw, "title", path, required=True)
    category = reader.enum(raw, "category", path, Category, Category.LOCAL_AFFAIRS)
    priority = reader.enum(raw, "priority", path, Priority, Priority.NORMAL)
    language = reader.text(raw, "language", path, required=False, limit=35) or "vi"
    if not _LANGUAGE.match(language):
        reader.problem((*path, "language"), f"mã ngôn ngữ «{language}» không hợp lệ (ví dụ: vi, hmn, tay)")
    zones = reader.names(raw, "zones", path) or reader.package_zones
    valid_from, valid_to = reader.validity(raw, path)
    if "valid_from" not in raw and "valid_to" not in raw:
        valid_from, valid_to = reader.package_validity
    raw_items = raw.get("item")
    items: list[ItemSpec] = []
    if raw_items is None:
        reader.problem(path, "chương trình chưa có mục nào ([[programme.item]])")
    elif not isinstance(raw_items, list) or not all(isinstance(i, dict) for i in raw_items):
        reader.problem((*path, "item"), "cần các bảng [[programme.item]]")
    elif len(raw_items) > MAX_ITEMS:
        reader.problem((*path, "item"), f"quá nhiều mục ({len(raw_items)}, tối đa {MAX_ITEMS})")
    else:
        for index, raw_item in enumerate(raw_items):
            item = _read_item(reader, raw_item, (*path, "item", index), first=index == 0)
            if item is not None:
                items.append(item)
    fallback = None
    if "fallback" in raw:
        raw_fallback = raw["fallback"]
        if isinstance(raw_fallback, str):
            raw_fallback = {"jingle": raw_fallback}
        if not isinstance(raw_fallback, dict):
            reader.problem((*path, "fallback"), 'cần tên nhạc hiệu hoặc bảng { audio = "..." }')
        else:
            fallback = _read_item(reader, raw_fallback, (*path, "fallback"), first=True)
            if fallback is not None and fallback.kind not in (ItemKind.AUDIO, ItemKind.JINGLE):
                reader.problem((*path, "fallback"), "mục dự phòng phải là tệp âm thanh hoặc nhạc hiệu")
                fallback = None
    raw_schedules = raw.get("schedule", [])
    schedules: list[ScheduleEntry] = []
    if not isinstance(raw_schedules, list) or not all(isinstance(s, dict) for s in raw_schedules):
        reader.problem((*path, "schedule"), "cần các bảng [[programme.schedule]]")
    elif len(raw_schedules) > MAX_SCHEDULES:
        reader.problem((*path, "schedule"), f"quá nhiều lịch ({len(raw_schedules)}, tối đa {MAX_SCHEDULES})")
    else:
        for index, raw_schedule in enumerate(raw_schedules):
            entry = _read_schedule(reader, raw_schedule, (*path, "schedule", index), valid_from)
            if entry is not None:
                schedules.append(entry)
    if key is None or title is None or not items:
        return None
    return ProgrammeSpec(
        key=key,
        title=title,
        category=category,
        priority=priority,
        language=language,
        items=tuple(items),
        schedules=tuple(schedules),
        fallback=fallback,
        zones=zones,
        valid_from=valid_from,
        valid_to=valid_to,
        path=path,
    )


_ITEM_KINDS = {
    "audio": ItemKind.AUDIO,
    "announcement": ItemKind.ANNOUNCEMENT,
    "jingle": ItemKind.JINGLE,
    "silence": ItemKind.SILENCE,
    "relay": ItemKind.RELAY,
}


def _read_item(reader: _Reader, raw: dict[str, Any], path: KeyPath, *, first: bool) -> ItemSpec | None:
    reader.unknown_keys(
        raw,
        {*_ITEM_KINDS, "title", "duration", "gain_db", "fade_in", "fade_out", "crossfade"},
        path,
    )
    kinds: list[str] = [key for key in ("announcement", "jingle", "silence", "relay") if key in raw]
    if not kinds and "audio" in raw:
        kinds = ["audio"]
    if len(kinds) != 1:
        reader.problem(
            path,
            "mỗi mục cần đúng một trong: audio, announcement, jingle, silence, relay"
            + (f" (đang có: {', '.join(kinds)})" if kinds else ""),
        )
        return None
    kind = _ITEM_KINDS[kinds[0]]
    title = reader.text(raw, "title", path, required=False) or ""
    gain = reader.number(raw, "gain_db", path, -30.0, 20.0) or 0.0
    fade_in = reader.number(raw, "fade_in", path, 0.0, 60.0) or 0.0
    fade_out = reader.number(raw, "fade_out", path, 0.0, 60.0) or 0.0
    crossfade = reader.number(raw, "crossfade", path, 0.0, 30.0) or 0.0
    if crossfade and first:
        reader.problem((*path, "crossfade"), "mục đầu tiên không chồng lên mục nào trước nó")
    audio = None
    if "audio" in raw:
        raw_audio = raw["audio"]
        audio = safe_relative_path(raw_audio) if isinstance(raw_audio, str) else None
        if audio is None:
            reader.problem(
                (*path, "audio"),
                f"đường dẫn «{raw_audio}» không hợp lệ: cần đường dẫn tương đối nằm trong thư mục của tệp "
                "chương trình, dùng «/» (ví dụ audio/ban-tin.mp3), không có «..», không bắt đầu bằng «/» hay ổ đĩa",
            )
            return None
    spec = _kind_fields(reader, raw, path, kind=kind, title=title, audio=audio)
    if spec is None:
        return None
    if "duration" in raw and kind is not ItemKind.RELAY:
        reader.problem((*path, "duration"), "chỉ mục tiếp sóng (relay) có «duration»; khoảng lặng ghi silence = GIÂY")
    if audio is not None and kind not in (ItemKind.AUDIO, ItemKind.ANNOUNCEMENT):
        reader.problem((*path, "audio"), "chỉ mục âm thanh và thông báo (đã đọc sẵn) có «audio»")
    return ItemSpec(
        kind=kind,
        audio=audio if kind in (ItemKind.AUDIO, ItemKind.ANNOUNCEMENT) else None,
        gain_db=gain,
        fade_in_s=fade_in,
        fade_out_s=fade_out,
        crossfade_s=crossfade,
        path=path,
        **spec,
    )


def _kind_fields(
    reader: _Reader, raw: dict[str, Any], path: KeyPath, *, kind: ItemKind, title: str, audio: str | None
) -> dict[str, Any] | None:
    """The fields particular to an item's kind (its text, tune, length or stream, and a default title), or
    ``None`` after reporting why they are unusable."""
    spec: dict[str, Any] = {}
    if kind is ItemKind.AUDIO:
        spec["title"] = title or (audio.rsplit("/", 1)[-1].rsplit(".", 1)[0] if audio else "")
    elif kind is ItemKind.ANNOUNCEMENT:
        text = reader.text(raw, "announcement", path, required=True, limit=20000)
        if text is None:
            return None
        spec["text"] = text
        spec["title"] = title or _first_words(text)
    elif kind is ItemKind.JINGLE:
        name = raw["jingle"]
        if not isinstance(name, str) or name not in TUNES:
            reader.problem(
                (*path, "jingle"), f"không có nhạc hiệu «{name}»; dùng một trong: {', '.join(sorted(TUNES))}"
            )
            return None
        spec["jingle"] = name
        spec["title"] = title or TUNES[name].title
    elif kind is ItemKind.SILENCE:
        seconds = parse_seconds(raw["silence"])
        if seconds is None or not 0 < seconds <= MAX_ITEM_SECONDS:
            reader.problem((*path, "silence"), f'cần độ dài từ 0 đến {MAX_ITEM_SECONDS} giây (ví dụ 2 hoặc "1.5s")')
            return None
        spec["duration_s"] = seconds
        spec["title"] = title or "Khoảng lặng"
    else:
        url = raw["relay"]
        if not isinstance(url, str) or not re.match(r"^https?://[^\s/$.?#][^\s]*$", url.strip(), re.I):
            reader.problem((*path, "relay"), "cần địa chỉ luồng phát http:// hoặc https://")
            return None
        seconds = parse_seconds(raw.get("duration"))
        if seconds is None or not 0 < seconds <= MAX_ITEM_SECONDS:
            reader.problem(
                (*path, "duration") if "duration" in raw else path,
                'mục tiếp sóng cần «duration» (ví dụ 900 hoặc "15m"), tối đa 6 giờ',
            )
            return None
        spec["relay_url"] = url.strip()
        spec["duration_s"] = seconds
        spec["title"] = title or "Tiếp sóng"
    return spec


def _first_words(text: str, limit: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + "…"


_SCHEDULE_KEYS = {"at", "rrule", "start", "session", "exclude", "misfire", "priority"}
_CALENDAR_KEYS = ("lunar", "lunar_leap", "holidays", "holiday_programme")
"""Schedule keys of format version 2 (the Vietnamese calendar)."""


def _read_schedule(
    reader: _Reader, raw: dict[str, Any], path: KeyPath, default_start: datetime | None
) -> ScheduleEntry | None:
    reader.unknown_keys(raw, {*_SCHEDULE_KEYS, *_CALENDAR_KEYS}, path)
    priority = reader.enum(raw, "priority", path, Priority, None) if "priority" in raw else None
    misfire = _read_misfire(reader, raw, path)
    session = reader.text(raw, "session", path, required=False, limit=100)
    calendar = _read_calendar(reader, raw, path)
    if calendar is None:
        return None
    rrule = None
    if "rrule" in raw:
        if not isinstance(raw["rrule"], str):
            reader.problem((*path, "rrule"), f"cần một chuỗi chữ, nhận được {_kind(raw['rrule'])}")
            return None
        rrule, reason = check_rrule(raw["rrule"])
        if reason:
            reader.problem((*path, "rrule"), reason)
            return None
    raw_exclude = raw.get("exclude", [])
    if not isinstance(raw_exclude, list):
        reader.problem((*path, "exclude"), "cần một danh sách ngày giờ (hoặc ngày, với lịch theo buổi)")
        raw_exclude = []
    if "at" in raw:
        return _one_off(reader, raw, path, session=session, misfire=misfire, priority=priority)
    if "lunar" in raw and "rrule" in raw:
        reader.problem((*path, "lunar"), "«lunar» (ngày âm lịch) thay cho «rrule»: chỉ ghi một trong hai")
        return None
    if session is not None and not isinstance(raw.get("start"), datetime):
        start_day = _session_start(reader, raw, path, default_start)
        exclude = [
            reader.day_start(day)
            for index, value in enumerate(raw_exclude)
            if (day := reader.day(value, (*path, "exclude", index))) is not None
        ]
        if start_day is None:
            return None
        return ScheduleEntry(
            ScheduleKind.SESSION,
            start_date=start_day,
            rrule=None if calendar.get("lunar") else rrule or "FREQ=DAILY",
            session=session,
            exclude=tuple(exclude),
            misfire=misfire,
            priority=priority,
            path=path,
            **calendar,
        )
    return _recurring_entry(
        reader,
        raw,
        path,
        rrule=rrule,
        raw_exclude=raw_exclude,
        session=session,
        misfire=misfire,
        priority=priority,
        calendar=calendar,
    )


def _one_off(
    reader: _Reader, raw: dict[str, Any], path: KeyPath, *, session: str | None, misfire: str, priority: Priority | None
) -> ScheduleEntry | None:
    """A one-off entry (``at``), or ``None`` after reporting what is wrong with it."""
    if "rrule" in raw or "start" in raw or "lunar" in raw:
        reader.problem(path, "lịch một lần («at») không đi cùng «rrule», «lunar» hay «start»")
        return None
    if "holidays" in raw:
        reader.problem((*path, "holidays"), "chỉ dùng cho lịch lặp (rrule, lunar hoặc theo buổi)")
        return None
    start = reader.moment(raw["at"], (*path, "at"))
    if start is None:
        return None
    return ScheduleEntry(ScheduleKind.ONCE, start=start, session=session, misfire=misfire, priority=priority, path=path)


def _read_calendar(reader: _Reader, raw: dict[str, Any], path: KeyPath) -> dict[str, Any] | None:
    """The entry's calendar parts (``lunar``, ``holidays``, ``holiday_programme``) as :class:`ScheduleEntry`
    fields, or ``None`` after reporting what is wrong with them."""
    present = [key for key in _CALENDAR_KEYS if key in raw]
    if present and reader.version < CALENDAR_VERSION:
        for key in present:
            reader.problem((*path, key), f"«{key}» cần format_version = {CALENDAR_VERSION} ở đầu tệp")
        return None
    before = len(reader.problems)
    leap = LeapPolicy.BOTH
    if "lunar_leap" in raw:
        if raw["lunar_leap"] not in {p.value for p in LeapPolicy}:
            reader.problem((*path, "lunar_leap"), 'cần "both" (cả tháng nhuận) hoặc "regular" (không tính tháng nhuận)')
        else:
            leap = LeapPolicy(raw["lunar_leap"])
        if "lunar" not in raw:
            reader.problem((*path, "lunar_leap"), "chỉ dùng cùng «lunar»")
    lunar = None
    if "lunar" in raw:
        try:
            if not isinstance(raw["lunar"], str):
                raise ScheduleError(f'cần một chuỗi chữ như "1,15" hoặc "23/12", nhận được {_kind(raw["lunar"])}')
            lunar = LunarRule.parse(nfc(raw["lunar"]), leap=leap)
        except ScheduleError as exc:
            reader.problem((*path, "lunar"), exc.message)
    holidays = HolidayPolicy.ALWAYS
    if "holidays" in raw:
        if raw["holidays"] not in {p.value for p in HolidayPolicy}:
            reader.problem(
                (*path, "holidays"),
                'cần "always" (như mọi ngày), "skip" (trừ ngày lễ), "only" (chỉ ngày lễ) hoặc "swap" (ngày lễ phát '
                "chương trình khác, ghi ở «holiday_programme»)",
            )
        else:
            holidays = HolidayPolicy(raw["holidays"])
    swap = reader.text(raw, "holiday_programme", path, required=False, limit=63)
    if holidays is HolidayPolicy.SWAP and swap is None:
        reader.problem((*path, "holidays"), "cần «holiday_programme»: khóa chương trình phát thay vào ngày lễ")
    if swap is not None and holidays is not HolidayPolicy.SWAP:
        reader.problem((*path, "holiday_programme"), 'chỉ dùng với holidays = "swap"')
    if len(reader.problems) > before:
        return None
    return {"lunar": lunar, "holidays": holidays, "holiday_programme": swap}


def _read_misfire(reader: _Reader, raw: dict[str, Any], path: KeyPath) -> str:
    """The entry's misfire rule in its canonical form (``late:5`` when absent or unreadable)."""
    misfire = "late:5"
    if "misfire" in raw:
        value = raw["misfire"]
        try:
            if not isinstance(value, str):
                raise ScheduleError(f"cần một chuỗi chữ, nhận được {_kind(value)}")
            misfire = str(Misfire.parse(value))
        except ScheduleError as exc:
            reader.problem((*path, "misfire"), exc.message)
    return misfire


def _session_start(reader: _Reader, raw: dict[str, Any], path: KeyPath, default_start: datetime | None) -> date | None:
    """The first day of a session entry: its ``start``, else the day the programme becomes valid."""
    if "start" in raw:
        return reader.day(raw["start"], (*path, "start"))
    if default_start is not None:
        return default_start.astimezone(reader.zone).date()
    reader.problem(path, "lịch theo buổi cần «start» (ngày bắt đầu) hoặc «valid_from» của chương trình")
    return None


def _recurring_entry(
    reader: _Reader,
    raw: dict[str, Any],
    path: KeyPath,
    *,
    rrule: str | None,
    raw_exclude: list[Any],
    session: str | None,
    misfire: str,
    priority: Priority | None,
    calendar: dict[str, Any],
) -> ScheduleEntry | None:
    """A recurring entry (``rrule`` or ``lunar`` with ``start``), or ``None`` after reporting what it lacks."""
    lunar = calendar.get("lunar")
    if rrule is None and lunar is None:
        reader.problem(
            path,
            "lịch cần «at» (một lần), «rrule» hoặc «lunar» với «start» (lặp lại) hoặc «session» (theo buổi)",
        )
        return None
    if "start" not in raw:
        reader.problem(path, "lịch lặp cần «start» (ngày giờ phát đầu tiên, ví dụ 2026-11-23T05:30:00)")
        return None
    start = reader.moment(raw["start"], (*path, "start"))
    exclude = [
        moment
        for index, value in enumerate(raw_exclude)
        if (moment := reader.moment(value, (*path, "exclude", index))) is not None
    ]
    if start is None:
        return None
    return ScheduleEntry(
        ScheduleKind.LUNAR if lunar is not None else ScheduleKind.RRULE,
        start=start,
        rrule=rrule,
        session=session,
        exclude=tuple(exclude),
        misfire=misfire,
        priority=priority,
        path=path,
        **calendar,
    )


# --- Moving an example to another week (helper F4: ``truyenthanh package example``) ---------------------------

_DATES = re.compile(
    r"(?P<iso>(?<![\w/.-])\d{4}-\d{2}-\d{2}(?!\d))"
    r"|(?P<range>\b\d{1,2}[–-]\d{1,2}/\d{1,2}/\d{4}\b)"
    r"|(?P<full>\b\d{1,2}/\d{1,2}/\d{4}\b)"
    r"|(?P<short>(?<=ngày )\d{1,2}/\d{1,2}\b(?!/))"
    r"|(?P<week>(?<=tuần )\d{1,2}\b|(?<=tuan-)\d{1,2}\b)"
)
"""What :func:`move_to_week` shifts, found in one pass so that nothing is shifted twice."""


def move_to_week(text: str, monday: date) -> str:
    """An example programme file moved to the ISO week starting ``monday``: every date (TOML dates and
    date-times, "28/11/2026", "23–29/11/2026", "ngày 30/11"), week number ("tuần 48", ``tuan-48``) and
    year in the package's id shifted by whole weeks, so weekdays, times and recurrences stay as written.

    The week moved from is the one holding the package's ``valid_from``; the text is returned unchanged when
    the file has no ``[package]`` with ``valid_from``.
    """
    start = tomllib.loads(text).get("package", {}).get("valid_from")
    if not isinstance(start, date):
        return text
    start = start.date() if isinstance(start, datetime) else start
    shift = monday - (start - timedelta(days=start.weekday()))
    old_week, new_week = start.isocalendar(), (start + shift).isocalendar()

    def moved(year: str | int, month: str | int, day: str | int) -> date:
        return date(int(year), int(month), int(day)) + shift

    def dated(day: date, like: str, *, year: bool) -> str:
        """``day`` as ``d/m[/yyyy]``, zero-padded where ``like`` (the original ``d/m``) was."""
        first, second = like.split("/")[:2]
        text = f"{day.day:0{len(first)}d}/{day.month:0{len(second)}d}"
        return f"{text}/{day.year}" if year else text

    def replaced(match: re.Match[str]) -> str:
        found = match[0]
        if match["iso"]:
            return moved(*found.split("-")).isoformat()
        if match["range"]:
            days, month, year = found.split("/")
            low, high = re.split("[–-]", days)
            first, last = moved(year, month, low), moved(year, month, high)
            if first.year != last.year:
                return f"{first.day}/{first.month}/{first.year}–{last.day}/{last.month}/{last.year}"
            if first.month != last.month:
                return f"{first.day}/{first.month}–{last.day}/{last.month}/{last.year}"
            return f"{first.day}–{last.day}/{last.month}/{last.year}"
        if match["full"]:
            day, month, year = found.split("/")
            return dated(moved(year, month, day), found, year=True)
        if match["short"]:
            day, month = found.split("/")
            return dated(moved(start.year, month, day), found, year=False)
        return str(new_week.week) if int(found) == old_week.week else found

    text = _DATES.sub(replaced, text)
    return text.replace(f'-{old_week.year}"', f'-{new_week.year}"')


__all__ = [
    "CALENDAR_VERSION",
    "FORMAT_VERSION",
    "ItemSpec",
    "PackageInfo",
    "Problem",
    "ProgrammeFile",
    "ProgrammeFileError",
    "ProgrammeSpec",
    "ScheduleEntry",
    "ScheduleKind",
    "audio_references",
    "check_rrule",
    "move_to_week",
    "nfc",
    "parse_seconds",
    "read_programme_file",
    "safe_relative_path",
]
