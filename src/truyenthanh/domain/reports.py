"""The weekly logbook and the 6-monthly and annual reports, computed from broadcast log rows.

Pure: the report service reads the rows, this module groups them into airings, counts, and lays the report
out as titled tables; the document adapters (DOCX, XLSX, CSV) render it. Every figure a document shows comes
from here.

Conventions (stated in the reports themselves where a reader needs them):

* A row belongs to the period of its *moment*: its scheduled start, else its actual start, else when it
  was recorded, taken in the station's time zone.
* An *airing* is one programme put on air once: the rows sharing (schedule, programme, scheduled start);
  an emergency's alert tone and bulletin make one airing. It is *scheduled* (it has a schedule), *play-now*
  (the operator's command, no schedule) or an *emergency*.
* A scheduled airing is *on time*, *late* (its first item started more than :data:`LATE_AFTER_S` late, or
  the log says late), *partial* (something aired, some item did not or was cut) or *missed* (nothing aired);
  the four add up to the airings scheduled.
* A row *aired* when its outcome is played, late, partial or preempted; its airtime is ``end - actual_start``.
  Hours count under the item's own category: a jingle is a signature tune (music) whatever its programme is.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.domain.station import StationRules

AIRED = frozenset({Outcome.PLAYED, Outcome.LATE, Outcome.PARTIAL, Outcome.PREEMPTED})
"""Outcomes in which the item actually sounded."""
LATE_AFTER_S = 60.0
"""A scheduled airing whose first item starts later than this (seconds) is late."""
EMERGENCY_JOIN_S = 600.0
"""Emergency rows without a scheduled start join the previous emergency airing if they start within this."""

LANGUAGE_LABELS = {
    "vi": "Tiếng Việt",
    "hmn": "Tiếng H'Mông",
    "hnj": "Tiếng H'Mông",
    "tay": "Tiếng Tày",
    "nut": "Tiếng Nùng",
    "blt": "Tiếng Thái",
    "tyj": "Tiếng Thái",
    "mtq": "Tiếng Mường",
    "ium": "Tiếng Dao",
    "km": "Tiếng Khmer",
    "khm": "Tiếng Khmer",
    "cjm": "Tiếng Chăm",
    "rad": "Tiếng Ê Đê",
    "jra": "Tiếng Gia Rai",
    "bdq": "Tiếng Ba Na",
    "sed": "Tiếng Xơ Đăng",
    "kpm": "Tiếng Cơ Ho",
}
"""Vietnamese names of the languages stations broadcast in (BCP 47 / ISO 639 codes)."""

NO_CATEGORY = "Chưa phân loại"
"""Category label of rows without one."""
OUTSIDE_SESSIONS = "Ngoài buổi"
"""Session label of a time outside the station's named sessions."""
PLACEHOLDER = "…………"
"""What the decree's templates print where a detail is still to be filled in by hand."""
AUTOMATIC = "Tự động"
"""The operator of an airing the daemon made on schedule, with nobody at the keyboard."""

ColumnKind = Literal["text", "int", "hours", "percent", "duration", "number"]
"""How a column's values are shown: text, a count, hours (float), a percentage (float), seconds as h:mm:ss,
or a number (an int as a count, a float as hours with two decimals)."""


def language_label(code: str) -> str:
    """The Vietnamese name of a language code (the code itself if unknown)."""
    return LANGUAGE_LABELS.get(code.strip().lower(), code or "Không rõ")


def category_label(category: Category | None) -> str:
    """The Vietnamese name of a category (rows without one are "unclassified")."""
    return category.label if category is not None else NO_CATEGORY


def vn_number(value: float, decimals: int = 2) -> str:
    """A number the Vietnamese way: ``.`` groups thousands, ``,`` marks decimals (``1.234,50``)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def clock_duration(seconds: float) -> str:
    """Seconds as ``h:mm:ss`` (rounded to the second)."""
    total = round(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def spoken_duration(seconds: float) -> str:
    """Seconds in words an inspector reads at a glance: "45 giây", "3 phút 12 giây", "1 giờ 5 phút"."""
    total = round(abs(seconds))
    hours, minutes, secs = total // 3600, total % 3600 // 60, total % 60
    if hours:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    if minutes:
        return f"{minutes} phút {secs} giây" if secs else f"{minutes} phút"
    return f"{secs} giây"


def local_clock(instant: datetime, zone: ZoneInfo) -> str:
    """``HH:MM:SS`` in ``zone``, rounded to the nearest second (01:49:59.999 is 01:50:00)."""
    rounded = (instant + timedelta(microseconds=500_000)).replace(microsecond=0)
    return rounded.astimezone(zone).strftime("%H:%M:%S")


def show(value: Any, kind: ColumnKind) -> str:
    """A cell as printed in a document."""
    if kind == "int":
        return vn_number(value, 0)
    if kind == "hours":
        return vn_number(value, 2)
    if kind == "percent":
        return f"{vn_number(value, 1)}%"
    if kind == "duration":
        return clock_duration(value)
    if kind == "number" and isinstance(value, int | float):
        return vn_number(value, 0 if isinstance(value, int) else 2)
    return str(value)


_PLAIN = (
    (re.compile(r"dịch vụ phát dừng theo tín hiệu SIG\w+", re.IGNORECASE), "dịch vụ phát được tắt"),
    (re.compile(r"dịch vụ phát dừng theo yêu cầu", re.IGNORECASE), "dịch vụ phát được tắt theo yêu cầu"),
    (re.compile(r"\(ở giây (\d+(?:\.\d+)?)\)"), "__after__"),
    (re.compile(r"ở giây (\d+(?:\.\d+)?)"), "__at__"),
    (re.compile(r"từ giây (\d+(?:\.\d+)?)"), "__from__"),
    (re.compile(r"sau khoảng (\d+) giây"), "__about__"),
)


def plain_reason(text: str) -> str:
    """A logged reason in plain Vietnamese: no signal names, seconds rounded, a capital first letter."""
    for pattern, replacement in _PLAIN:
        if replacement.startswith("__"):
            word = {"__after__": "(sau {} phát)", "__at__": "sau {} phát", "__from__": "từ giây thứ {}"}
            template = word.get(replacement, "sau khoảng {}")

            def spell(match: re.Match[str], template: str = template, replacement: str = replacement) -> str:
                seconds = float(match.group(1))
                if replacement == "__from__":
                    return template.format(round(seconds))
                return template.format(spoken_duration(seconds))

            text = pattern.sub(spell, text)
        else:
            text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class LogRow:
    """The parts of a broadcast log row the reports read. Instants are aware (UTC)."""

    id: int
    programme_title: str
    item_title: str
    item_kind: ItemKind | None
    category: Category | None
    language: str
    priority: Priority
    scheduled_start: datetime | None
    actual_start: datetime | None
    end: datetime | None
    outcome: Outcome
    reason: str
    outages: tuple[dict[str, Any], ...]
    operator: str | None
    approver: str | None
    recorded_at: datetime
    schedule_id: int | None = None
    programme_id: int | None = None

    @property
    def moment(self) -> datetime:
        """When the row counts: scheduled start, else actual start, else when it was recorded."""
        return self.scheduled_start or self.actual_start or self.recorded_at

    @property
    def aired(self) -> bool:
        """Whether the item sounded."""
        return self.outcome in AIRED

    @property
    def airtime_s(self) -> float:
        """Seconds on air (0 when it did not air or its times are incomplete)."""
        if not self.aired or self.actual_start is None or self.end is None:
            return 0.0
        return max(0.0, (self.end - self.actual_start).total_seconds())

    @property
    def is_emergency(self) -> bool:
        """Part of an emergency airing."""
        return self.priority is Priority.EMERGENCY

    @property
    def is_emergency_bulletin(self) -> bool:
        """An aired emergency item other than the alert tone."""
        return self.aired and self.is_emergency and self.item_kind is not ItemKind.JINGLE

    @property
    def own_category(self) -> Category | None:
        """The item's own category: a jingle is a signature tune (music), except an emergency's alert tone."""
        if self.item_kind is ItemKind.JINGLE and not self.is_emergency:
            return Category.MUSIC
        return self.category


AiringKind = Literal["scheduled", "play_now", "emergency"]
"""Why an airing went on air: its schedule, the operator's play-now command, or an emergency."""
AiringStatus = Literal["on_time", "late", "partial", "missed"]
"""How an airing went (see the module's conventions)."""

STATUS_LABELS: dict[AiringStatus, str] = {
    "on_time": "Đúng giờ",
    "late": "Phát trễ",
    "partial": "Phát không trọn vẹn",
    "missed": "Không phát",
}
"""Vietnamese names of the airing statuses."""

_SHORTFALL = frozenset({Outcome.PARTIAL, Outcome.FAILED, Outcome.MISSED, Outcome.SKIPPED})


@dataclass(frozen=True)
class Airing:
    """One programme put on air once (or meant to be), with the log rows of its items in time order."""

    kind: AiringKind
    programme_title: str
    scheduled_start: datetime | None
    """When the schedule meant it to start (``None`` for a play-now or an emergency)."""
    rows: tuple[LogRow, ...]

    @property
    def moment(self) -> datetime:
        """When it counts (its first row's moment)."""
        return min(row.moment for row in self.rows)

    @property
    def started(self) -> datetime | None:
        """When its first item reached the speaker, if any did."""
        starts = [row.actual_start for row in self.rows if row.aired and row.actual_start is not None]
        return min(starts) if starts else None

    @property
    def aired(self) -> bool:
        """Something of it sounded."""
        return any(row.aired for row in self.rows)

    @property
    def airtime_s(self) -> float:
        """Seconds on air, all items together."""
        return sum(row.airtime_s for row in self.rows)

    @property
    def lateness_s(self) -> float:
        """Seconds between the scheduled and the actual start (0 when either is unknown)."""
        started = self.started
        if self.scheduled_start is None or started is None:
            return 0.0
        return (started - self.scheduled_start).total_seconds()

    @property
    def status(self) -> AiringStatus:
        """On time, late, partial or missed."""
        if not self.aired:
            return "missed"
        if any(row.outcome in _SHORTFALL for row in self.rows):
            return "partial"
        if self.lateness_s > LATE_AFTER_S or any(row.outcome is Outcome.LATE for row in self.rows):
            return "late"
        return "on_time"

    @property
    def miss_reason(self) -> str:
        """Why nothing aired, in plain Vietnamese (empty when something did)."""
        if self.aired:
            return ""
        reason = next((row.reason for row in self.rows if row.reason), "")
        return plain_reason(reason) if reason else "Không ghi lý do"

    @property
    def operator(self) -> str:
        """Who was on duty: the operators named in the log, else "Tự động" for a scheduled airing."""
        names = list(dict.fromkeys(row.operator for row in self.rows if row.operator))
        if names:
            return ", ".join(names)
        return AUTOMATIC if self.kind == "scheduled" else ""

    @property
    def approver(self) -> str:
        """Who approved what went on air (the log's approver names)."""
        return ", ".join(dict.fromkeys(row.approver for row in self.rows if row.approver))

    def outages(self) -> list[tuple[LogRow, dict[str, Any]]]:
        """Every relay outage during this airing, with its row."""
        return [(row, outage) for row in self.rows for outage in row.outages]


def _kind(row: LogRow) -> AiringKind:
    if row.is_emergency:
        return "emergency"
    return "scheduled" if row.schedule_id is not None else "play_now"


def group_airings(rows: Iterable[LogRow]) -> list[Airing]:
    """The log rows grouped into airings, in time order (rows in each in time order)."""
    groups: dict[tuple[Any, ...], list[LogRow]] = {}
    last_emergency: tuple[tuple[Any, ...], datetime] | None = None
    for row in sorted(rows, key=lambda r: (r.moment, r.id)):
        kind = _kind(row)
        if row.scheduled_start is not None:
            key: tuple[Any, ...] = (kind, row.schedule_id, row.programme_id, row.scheduled_start)
        elif kind == "emergency" and last_emergency is not None and _joins(row, last_emergency[1]):
            key = last_emergency[0]
        else:
            key = (kind, row.schedule_id, row.programme_id, row.moment, row.id)
        groups.setdefault(key, []).append(row)
        if kind == "emergency":
            last_emergency = (key, row.end or row.moment)
    airings = [
        Airing(
            kind=key[0],
            programme_title=members[0].programme_title,
            scheduled_start=members[0].scheduled_start if key[0] == "scheduled" else None,
            rows=tuple(members),
        )
        for key, members in groups.items()
    ]
    return sorted(airings, key=lambda a: (a.moment, a.rows[0].id))


def _joins(row: LogRow, previous_end: datetime) -> bool:
    return abs((row.moment - previous_end).total_seconds()) <= EMERGENCY_JOIN_S


# -------------------------------------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A reporting period of local dates, ``[first, last]`` inclusive."""

    kind: Literal["week", "half", "year"]
    first: date
    last: date
    name: str
    """Vietnamese name: "tuần 48 năm 2026", "6 tháng đầu năm 2026", "năm 2026"."""
    slug: str
    """For file names: ``2026-W48``, ``2026-H1``, ``2026``."""

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as aware instants ``[start, end)`` in ``zone``."""
        start = datetime.combine(self.first, time(0), tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=zone)
        return start, end

    @property
    def span(self) -> str:
        """ "từ ngày 23/11/2026 đến ngày 29/11/2026"."""
        return f"từ ngày {self.first:%d/%m/%Y} đến ngày {self.last:%d/%m/%Y}"

    def months(self) -> list[tuple[int, int]]:
        """``(year, month)`` of every month the period touches, in order."""
        found, day = [], self.first.replace(day=1)
        while day <= self.last:
            found.append((day.year, day.month))
            day = (day + timedelta(days=32)).replace(day=1)
        return found

    def unfinished(self, today: date) -> bool:
        """Whether the period is not over on ``today`` (its last day still to come, or today)."""
        return today <= self.last

    def title(self, today: date) -> str:
        """The period's name, "tính đến ngày 05/05/2026" added while it is not over."""
        if self.unfinished(today):
            return f"{self.name} (tính đến ngày {today:%d/%m/%Y})"
        return self.name


_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


def iso_week(text: str) -> Period:
    """The ISO week written ``2026-W48`` (Monday to Sunday).

    Raises:
        ValueError: with a Vietnamese message when the text is not such a week.
    """
    match = _WEEK.match(text)
    if not match:
        raise ValueError(f"Tuần «{text}» không đúng dạng NĂM-WSỐ, ví dụ 2026-W48.")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"Năm {year} không có tuần {week}.") from exc
    return Period("week", monday, monday + timedelta(days=6), f"tuần {week} năm {year}", f"{year}-W{week:02d}")


def half_year(year: int, half: int) -> Period:
    """The first (January to June) or second (July to December) half of ``year``.

    Raises:
        ValueError: ``half`` is not 1 or 2.
    """
    if half == 1:
        return Period("half", date(year, 1, 1), date(year, 6, 30), f"6 tháng đầu năm {year}", f"{year}-H1")
    if half == 2:
        return Period("half", date(year, 7, 1), date(year, 12, 31), f"6 tháng cuối năm {year}", f"{year}-H2")
    raise ValueError(f"Nửa năm phải là 1 hoặc 2, nhận được {half}.")


def whole_year(year: int) -> Period:
    """The calendar year."""
    return Period("year", date(year, 1, 1), date(year, 12, 31), f"năm {year}", f"{year}")


# -------------------------------------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Table:
    """A titled table of a report; the same table becomes a DOCX table, an XLSX sheet and CSV rows.

    A text cell may hold several lines (``\\n``): an airing's items beneath it, one per line.
    """

    key: str
    """Short identifier (sheet name, CSV section)."""
    title: str
    columns: tuple[str, ...]
    kinds: tuple[ColumnKind, ...]
    rows: list[tuple[Any, ...]]
    total: tuple[Any, ...] | None = None
    """A closing "Tổng cộng" row, if any."""
    sheet: str = ""
    """Short name for a spreadsheet tab (at most 31 characters); the title when empty."""

    @property
    def sheet_name(self) -> str:
        """The spreadsheet tab name."""
        return (self.sheet or self.title)[:31]

    @property
    def all_rows(self) -> list[tuple[Any, ...]]:
        """The rows, then the total row if any."""
        return [*self.rows, self.total] if self.total is not None else list(self.rows)


@dataclass(frozen=True)
class MonthlyChart:
    """Hours per category per month: what the report's chart draws."""

    title: str
    months: list[str]
    """Labels, e.g. "T1/2026"."""
    series: list[tuple[str, list[float]]]
    """``(category label, hours per month)`` for each category that aired."""


@dataclass(frozen=True)
class Heading:
    """Who issues the document, its number, where and when it is signed, and who signs it (Decree 30/2020)."""

    authority: str
    """The governing body (cơ quan chủ quản), e.g. "UBND xã Tân Lập"; printed in capitals."""
    station: str
    """The issuing body (cơ quan ban hành): the station's name; printed in capitals, bold."""
    place: str
    """Where it is signed (the commune's name)."""
    issued: date
    number_suffix: str = ""
    """What follows "BC-" in "Số: …/BC-ĐTT" (the placeholder when empty)."""
    signer_title: str = ""
    """The signer's title, e.g. "TRƯỞNG ĐÀI" (the report's default when empty)."""
    signer_name: str = ""
    """The signer's full name (the placeholder when empty: written by hand)."""
    recipients: tuple[str, ...] = ()
    """"Nơi nhận" lines (the usual recipients when empty)."""

    @property
    def number(self) -> str:
        """ "Số: …/BC-ĐTT": the number itself is filled in by the clerk who registers the document."""
        return f"Số: {PLACEHOLDER}/BC-{self.number_suffix.strip() or PLACEHOLDER}"


@dataclass(frozen=True)
class StationFacts:
    """What the reports need of the station record."""

    name: str
    commune: str
    province: str
    rules: StationRules


DEFAULT_RECIPIENTS = ("UBND xã (để báo cáo);", "Cơ quan quản lý cấp trên;", "Lưu: VT.")
""""Nơi nhận" when the station has not set its own."""


@dataclass(frozen=True)
class Report:
    """A whole document, independent of its file format."""

    heading: Heading
    title: str
    subtitle: str
    period: Period
    tables: list[Table]
    chart: MonthlyChart | None = None
    notes: list[str] = field(default_factory=list)
    signers: tuple[str, str] = ("NGƯỜI LẬP", "TRƯỞNG ĐÀI")
    fingerprint: str = ""
    """The audit chain head's signed fingerprint, printed in the weekly logbook's footer (empty: nothing)."""
    unfinished: bool = False
    """The period is not over: the figures run to the date of issue."""

    @property
    def dateline(self) -> str:
        """ "Tân Lập, ngày 05 tháng 02 năm 2026" (leading zeros for days below 10 and months below 3)."""
        day = self.heading.issued
        month = f"{day.month:02d}" if day.month < 3 else str(day.month)
        return f"{self.heading.place or PLACEHOLDER}, ngày {day.day:02d} tháng {month} năm {day.year}"

    @property
    def signer_title(self) -> str:
        """Title above the signature."""
        return (self.heading.signer_title or self.signers[1]).upper()

    @property
    def signer_name(self) -> str:
        """Name under the signature (the placeholder when not set)."""
        return self.heading.signer_name or PLACEHOLDER

    def table(self, key: str) -> Table:
        """The table with this key.

        Raises:
            StopIteration: no such table.
        """
        return next(t for t in self.tables if t.key == key)


NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
"""Quốc hiệu."""
MOTTO = "Độc lập - Tự do - Hạnh phúc"
"""Tiêu ngữ."""
SOURCE_NOTE = (
    "Số liệu lấy từ nhật ký phát thanh của đài; nhật ký được ghi tự động và bảo vệ chống sửa đổi bằng chuỗi băm."
)


# ------------------------------------------------------------------------------------------------------- logbook


def session_name(rules: StationRules, local: datetime, priority: Priority) -> str:
    """The named session a local time falls in; emergencies outside sessions are labelled as such."""
    found = rules.session_at(local)
    if found is not None:
        return found.name
    return "Khẩn cấp" if priority is Priority.EMERGENCY else OUTSIDE_SESSIONS


def _when(airing: Airing, zone: ZoneInfo) -> str:
    """Date, kind and times of an airing, one fact per line."""
    moment = airing.moment.astimezone(zone)
    started = airing.started
    lines = [moment.strftime("%d/%m/%Y")]
    if airing.kind == "scheduled":
        assert airing.scheduled_start is not None
        lines.append(f"Lịch: {local_clock(airing.scheduled_start, zone)}")
    else:
        lines.append("Phát ngay" if airing.kind == "play_now" else "KHẨN CẤP")
    if started is not None:
        lines.append(f"Phát: {local_clock(started, zone)}")
    return "\n".join(lines)


def _item_line(row: LogRow, planned: datetime | None, zone: ZoneInfo, texts: dict[str, str]) -> str:
    """One item beneath its airing: start, title, and how far it was from its own planned start."""
    title = texts.get(row.item_title, row.item_title) or "(cả chương trình)"
    start = row.actual_start
    line = f"{local_clock(start, zone)} {title}" if start is not None else f"– {title}"
    if start is not None and planned is not None:
        offset = (start - planned).total_seconds()
        if abs(offset) >= 0.5:
            line += f" (lệch {'+' if offset > 0 else '−'}{spoken_duration(offset)})"
    return line


def _listed(row: LogRow) -> bool:
    """Whether an item gets its own line: all but a signature tune that played as planned."""
    return row.item_kind is not ItemKind.JINGLE or row.outcome not in (Outcome.PLAYED, Outcome.LATE) or row.is_emergency


def _contents(airing: Airing, zone: ZoneInfo, texts: dict[str, str]) -> str:
    """The programme's title, then each item on its own line; an item's planned start is where the one
    before it ended (items follow each other without a gap), the first one's the scheduled start."""
    lines = [airing.programme_title]
    planned = airing.scheduled_start
    for row in airing.rows:
        if (row.item_title or len(airing.rows) > 1) and _listed(row):
            lines.append(_item_line(row, planned, zone, texts))
        if row.end is not None:
            planned = row.end
    return "\n".join(lines)


def _result(airing: Airing, zone: ZoneInfo) -> str:
    """How the airing went, every problem with its reason in plain Vietnamese, every relay outage."""
    status = airing.status
    lines = [STATUS_LABELS[status]]
    if status == "late":
        lines[0] += f" {spoken_duration(airing.lateness_s)}"
    reasons = dict.fromkeys(
        plain_reason(row.reason)
        for row in airing.rows
        if row.reason and (row.outcome is not Outcome.PLAYED or airing.kind != "scheduled")
    )
    if airing.kind != "scheduled":
        reasons = dict.fromkeys(r for r in reasons if not r.startswith(("Phát ngay", "Khẩn cấp, lần")))
    for row in airing.rows:
        if row.outcome not in (Outcome.PLAYED, Outcome.LATE) and row.item_title and len(airing.rows) > 1:
            lines.append(f"{row.item_title}: {row.outcome.label.lower()}")
    lines.extend(reasons)
    for _row, outage in airing.outages():
        seconds = _outage_seconds(outage)
        lines.append(
            f"Mất tín hiệu tiếp sóng {_local_clock(outage.get('start'), zone)}–{_local_clock(outage.get('end'), zone)}"
            f" ({spoken_duration(seconds)}): {plain_reason(str(outage.get('cause', ''))) or 'không rõ nguyên nhân'}"
        )
    return "\n".join(dict.fromkeys(lines))


def _operator(airing: Airing) -> str:
    approver = airing.approver
    if airing.operator == AUTOMATIC:
        return f"{AUTOMATIC}\nDuyệt: {approver}" if approver else AUTOMATIC
    if approver and approver != airing.operator:
        return f"{airing.operator}\nDuyệt: {approver}"
    return airing.operator


def weekly_logbook(
    rows: Iterable[LogRow],
    period: Period,
    rules: StationRules,
    zone: ZoneInfo,
    heading: Heading,
    *,
    texts: dict[str, str] | None = None,
    fingerprint: str = "",
) -> Report:
    """The weekly broadcast logbook (sổ nhật ký chương trình phát thanh): one row per airing with its items
    beneath it, in time order, then the week's summary.

    ``texts`` maps an emergency item's logged title to its whole text (the log keeps a shortened title);
    ``fingerprint`` is printed in the footer (the audit chain head's signature), nothing when empty.
    """
    airings = group_airings(rows)
    lines: list[tuple[Any, ...]] = []
    for number, airing in enumerate(airings, start=1):
        lines.append(
            (
                number,
                _when(airing, zone),
                _contents(airing, zone, texts or {}),
                airing.airtime_s,
                _operator(airing),
                _result(airing, zone),
            )
        )
    table = Table(
        key="nhat_ky",
        sheet="Nhật ký",
        title="Nhật ký phát thanh",
        columns=("STT", "Ngày, giờ", "Chương trình và các mục đã phát", "Thời lượng", "Người vận hành", "Kết quả"),
        kinds=("int", "text", "text", "duration", "text", "text"),
        rows=lines,
        total=("", "Tổng cộng", f"{len(airings)} lần phát", sum(a.airtime_s for a in airings), "", ""),
    )
    today = heading.issued
    return Report(
        heading=heading,
        title="SỔ NHẬT KÝ CHƯƠNG TRÌNH PHÁT THANH",
        subtitle=period.title(today)[:1].upper() + period.title(today)[1:],
        period=period,
        tables=[table, _week_summary(airings, rules, zone)],
        notes=[
            "Giờ làm tròn đến giây. «Lệch» là chênh lệch giữa giờ bắt đầu thực tế của một mục và giờ dự kiến "
            "của chính mục đó (giờ theo lịch với mục đầu, giờ kết thúc của mục trước với các mục sau). Nhạc hiệu "
            "phát bình thường không ghi thành dòng riêng.",
            SOURCE_NOTE,
        ],
        signers=("NGƯỜI VẬN HÀNH", "TRƯỞNG ĐÀI"),
        fingerprint=fingerprint,
        unfinished=period.unfinished(today),
    )


def _week_summary(airings: Sequence[Airing], rules: StationRules, zone: ZoneInfo) -> Table:
    """The week at a glance: the airings counted as in the period reports, and hours by category."""
    counts = AiringCounts.of(airings)
    rows: list[tuple[Any, ...]] = [
        ("Số lần phát theo lịch", counts.scheduled),
        ("— đúng giờ / trễ / không trọn vẹn / không phát", counts.breakdown),
        ("Số lần phát ngay (ngoài lịch)", counts.play_now),
        ("Số lần phát khẩn cấp", counts.emergencies),
        ("Số lần mất tín hiệu tiếp sóng", sum(len(a.outages()) for a in airings)),
        ("Tổng thời gian phát (giờ:phút:giây)", clock_duration(sum(a.airtime_s for a in airings))),
    ]
    by_category = _tallies(row for a in airings for row in a.rows if row.aired)
    rows += [(f"Thể loại: {name}", clock_duration(t.seconds)) for name, t in by_category]
    return Table("tom_tat", "Tóm tắt tuần", ("Chỉ tiêu", "Số liệu"), ("text", "text"), rows, None, "Tóm tắt")


# --------------------------------------------------------------------------------------------------- period report


@dataclass
class _Tally:
    count: int = 0
    seconds: float = 0.0

    def add(self, row: LogRow) -> None:
        self.count += 1
        self.seconds += row.airtime_s


def _hours(seconds: float) -> float:
    return seconds / 3600.0


def _tallies(rows: Iterable[LogRow]) -> list[tuple[str, _Tally]]:
    """Aired rows tallied by their own category, in the regulation's order."""
    found: dict[Category | None, _Tally] = defaultdict(_Tally)
    for row in rows:
        found[row.own_category].add(row)
    order = [*Category, None]
    return [(category_label(c), found[c]) for c in order if c in found]


def category_tallies(rows: Iterable[LogRow]) -> list[tuple[str, int, float]]:
    """``(category label, rows aired, seconds on air)`` of the aired ``rows`` by their own category, in the
    regulation's order: the period report's table of hours by category, and the province's report (issue 19)
    counts each commune with this same function, so the two agree figure by figure."""
    return [(name, t.count, t.seconds) for name, t in _tallies(row for row in rows if row.aired)]


@dataclass(frozen=True)
class AiringCounts:
    """The airings of a period counted: scheduled (by status), play-now and emergencies apart."""

    scheduled: int
    on_time: int
    late: int
    partial: int
    missed: int
    missed_by_reason: list[tuple[str, int]]
    play_now: int
    play_now_s: float
    emergencies: int
    emergency_bulletins: int
    emergency_s: float

    @property
    def breakdown(self) -> str:
        """ "12 / 1 / 0 / 1"."""
        return f"{self.on_time} / {self.late} / {self.partial} / {self.missed}"

    @classmethod
    def of(cls, airings: Iterable[Airing]) -> AiringCounts:
        """Count ``airings``."""
        status: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        play_now, emergencies = [], []
        for airing in airings:
            if airing.kind == "scheduled":
                status[airing.status] += 1
                if airing.status == "missed":
                    reasons[airing.miss_reason] += 1
            elif airing.kind == "play_now":
                play_now.append(airing)
            else:
                emergencies.append(airing)
        return cls(
            scheduled=sum(status.values()),
            on_time=status["on_time"],
            late=status["late"],
            partial=status["partial"],
            missed=status["missed"],
            missed_by_reason=sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])),
            play_now=sum(1 for a in play_now if a.aired),
            play_now_s=sum(a.airtime_s for a in play_now),
            emergencies=sum(1 for a in emergencies if a.aired),
            emergency_bulletins=sum(1 for a in emergencies for row in a.rows if row.is_emergency_bulletin),
            emergency_s=sum(a.airtime_s for a in emergencies),
        )


def period_report(
    rows: Sequence[LogRow], period: Period, rules: StationRules, zone: ZoneInfo, heading: Heading
) -> Report:
    """The 6-monthly or annual report of a station: what was broadcast, how long, what failed."""
    airings = group_airings(rows)
    aired = [row for row in rows if row.aired]
    by_language: dict[str, _Tally] = defaultdict(_Tally)
    for row in aired:
        by_language[language_label(row.language)].add(row)
    monthly, chart = _monthly_hours(aired, period, zone)
    counts = AiringCounts.of(airings)
    today = heading.issued
    return Report(
        heading=heading,
        title="BÁO CÁO",
        subtitle=f"Kết quả hoạt động truyền thanh {period.title(today)}",
        period=period,
        tables=[
            _overview_table(airings, aired, rules, zone),
            _airings_table(counts),
            _missed_table(counts),
            _tally_table("the_loai", "Số giờ phát theo thể loại thông tin", "Thể loại", dict(_tallies(aired))),
            _language_table(by_language),
            monthly,
            _relay_table(aired),
            _outage_table(airings, zone),
        ],
        chart=chart,
        notes=[
            SOURCE_NOTE,
            "Một lần phát là một chương trình được phát một lần. Lần phát theo lịch là đúng giờ, trễ (bắt đầu "
            "muộn hơn 1 phút), không trọn vẹn (có mục không phát được hoặc bị cắt) hoặc không phát; phát ngay "
            "và khẩn cấp được tính riêng. Số giờ phát là thời gian thực phát, tính theo thể loại của từng mục.",
        ],
        unfinished=period.unfinished(today),
    )


def _tally_table(key: str, title: str, first: str, tallies: dict[str, _Tally]) -> Table:
    rows = [(name, t.count, _hours(t.seconds)) for name, t in tallies.items()]
    total = ("Tổng cộng", sum(t.count for t in tallies.values()), _hours(sum(t.seconds for t in tallies.values())))
    return Table(key, title, (first, "Số lượt phát", "Số giờ phát"), ("text", "int", "hours"), rows, total, first)


def _language_table(by_language: dict[str, _Tally]) -> Table:
    """Hours by language, Vietnamese first, then the ethnic-minority languages and their sum."""
    vietnamese = language_label("vi")
    ordered = sorted(by_language.items(), key=lambda kv: (kv[0] != vietnamese, -kv[1].seconds, kv[0]))
    table = _tally_table("ngon_ngu", "Số giờ phát theo ngôn ngữ", "Ngôn ngữ", dict(ordered))
    minority = [t for name, t in by_language.items() if name != vietnamese]
    extra = (
        "Trong đó: tiếng dân tộc thiểu số",
        sum(t.count for t in minority),
        _hours(sum(t.seconds for t in minority)),
    )
    return Table(table.key, table.title, table.columns, table.kinds, [*table.rows, extra], table.total, table.sheet)


def _relay_outages(rows: Sequence[LogRow]) -> list[tuple[LogRow, dict[str, Any]]]:
    """Every outage of every relay item, with its row."""
    return [(row, outage) for row in rows if row.item_kind is ItemKind.RELAY for outage in row.outages]


def _sessions_held(aired: Sequence[LogRow], rules: StationRules, zone: ZoneInfo) -> int:
    sessions = set()
    for row in aired:
        local = row.moment.astimezone(zone)
        found = rules.session_at(local)
        if found is not None:
            sessions.add((local.date(), found.name))
    return len(sessions)


def _overview_table(airings: Sequence[Airing], aired: list[LogRow], rules: StationRules, zone: ZoneInfo) -> Table:
    """The key figures: hours on air, sessions, airings, ethnic-minority hours, relays, outages."""
    rows = [row for airing in airings for row in airing.rows]
    relays = [row for row in aired if row.item_kind is ItemKind.RELAY]
    outages = _relay_outages(rows)
    minority_s = sum(row.airtime_s for row in aired if language_label(row.language) != language_label("vi"))
    counts = AiringCounts.of(airings)
    done = counts.on_time + counts.late + counts.partial
    return Table(
        key="tong_hop",
        sheet="Tổng hợp",
        title="Các chỉ tiêu chính",
        columns=("Chỉ tiêu", "Số liệu", "Đơn vị"),
        kinds=("text", "number", "text"),
        rows=[
            ("Tổng số giờ phát sóng", _hours(sum(row.airtime_s for row in aired)), "giờ"),
            ("Trong đó: tiếng dân tộc thiểu số", _hours(minority_s), "giờ"),
            ("Số buổi phát", _sessions_held(aired, rules, zone), "buổi"),
            ("Số lần phát theo lịch", counts.scheduled, "lần"),
            ("Số lần phát theo lịch đã thực hiện", done, "lần"),
            ("Tỉ lệ thực hiện theo lịch", 100.0 * done / counts.scheduled if counts.scheduled else 0.0, "%"),
            ("Số lần phát ngay (ngoài lịch)", counts.play_now, "lần"),
            ("Số lần phát khẩn cấp", counts.emergencies, "lần"),
            ("Số bản tin khẩn cấp đã phát", counts.emergency_bulletins, "bản tin"),
            ("Số lượt tiếp sóng", len(relays), "lượt"),
            ("Số giờ tiếp sóng", _hours(sum(r.airtime_s for r in relays)), "giờ"),
            ("Số lần mất tín hiệu tiếp sóng", len(outages), "lần"),
            ("Tổng thời gian mất tín hiệu", _hours(sum(_outage_seconds(o) for _, o in outages)), "giờ"),
        ],
    )


def _airings_table(counts: AiringCounts) -> Table:
    """Scheduled airings by how they went; play-now and emergencies apart."""
    return Table(
        key="lan_phat",
        sheet="Lần phát",
        title="Thực hiện lịch phát",
        columns=("Loại", "Số lần", "Số giờ phát"),
        kinds=("text", "int", "text"),
        rows=[
            ("Phát theo lịch: đúng giờ", counts.on_time, ""),
            ("Phát theo lịch: trễ", counts.late, ""),
            ("Phát theo lịch: không trọn vẹn", counts.partial, ""),
            ("Phát theo lịch: không phát", counts.missed, ""),
            ("Cộng phát theo lịch", counts.scheduled, ""),
            ("Phát ngay (ngoài lịch)", counts.play_now, vn_number(_hours(counts.play_now_s))),
            ("Phát khẩn cấp", counts.emergencies, vn_number(_hours(counts.emergency_s))),
        ],
    )


def _missed_table(counts: AiringCounts) -> Table:
    """Scheduled airings that did not go on air, by reason."""
    return Table(
        key="khong_phat",
        sheet="Không phát",
        title="Các lần phát theo lịch không thực hiện được, theo lý do",
        columns=("Lý do", "Số lần"),
        kinds=("text", "int"),
        rows=list(counts.missed_by_reason),
        total=("Tổng cộng", counts.missed),
    )


def _relay_table(aired: list[LogRow]) -> Table:
    """Relays aired, by source."""
    relay_tallies: dict[str, _Tally] = defaultdict(_Tally)
    for row in aired:
        if row.item_kind is ItemKind.RELAY:
            relay_tallies[row.item_title or row.programme_title].add(row)
    ordered = dict(sorted(relay_tallies.items(), key=lambda kv: (-kv[1].seconds, kv[0])))
    return _tally_table("tiep_song", "Tiếp sóng", "Nguồn tiếp sóng", ordered)


def _outage_table(airings: Sequence[Airing], zone: ZoneInfo) -> Table:
    """Every relay outage: when, how long, why."""
    outages = [(row, outage) for airing in airings for row, outage in airing.outages()]
    return Table(
        key="mat_tin_hieu",
        sheet="Mất tín hiệu",
        title="Các lần mất tín hiệu khi tiếp sóng",
        columns=("Ngày", "Nguồn tiếp sóng", "Từ", "Đến", "Thời gian", "Nguyên nhân"),
        kinds=("text", "text", "text", "text", "duration", "text"),
        rows=[
            (
                row.moment.astimezone(zone).strftime("%d/%m/%Y"),
                row.item_title,
                _local_clock(outage.get("start"), zone),
                _local_clock(outage.get("end"), zone),
                _outage_seconds(outage),
                plain_reason(str(outage.get("cause", ""))),
            )
            for row, outage in outages
        ],
        total=("Tổng cộng", f"{len(outages)} lần", "", "", sum(_outage_seconds(o) for _, o in outages), ""),
    )


def _monthly_hours(aired: list[LogRow], period: Period, zone: ZoneInfo) -> tuple[Table, MonthlyChart]:
    """Hours on air per month (rows) and category (columns), and the same as a chart."""
    months = period.months()
    month_labels = [f"T{m}/{y}" for y, m in months]
    per_month: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(months))
    index = {ym: i for i, ym in enumerate(months)}
    for row in aired:
        local = row.moment.astimezone(zone)
        per_month[category_label(row.own_category)][index[(local.year, local.month)]] += _hours(row.airtime_s)
    category_order = [category_label(c) for c in Category] + [NO_CATEGORY]
    series = [(name, per_month[name]) for name in category_order if name in per_month]
    hours_columns: list[ColumnKind] = ["hours"] * len(series)
    monthly = Table(
        key="theo_thang",
        sheet="Theo tháng",
        title="Số giờ phát theo tháng và thể loại",
        columns=("Tháng", *[name for name, _ in series], "Cộng"),
        kinds=("text", *hours_columns, "hours"),
        rows=[
            (label, *[values[i] for _, values in series], sum(values[i] for _, values in series))
            for i, label in enumerate(month_labels)
        ],
        total=("Cả kỳ", *[sum(values) for _, values in series], sum(_hours(row.airtime_s) for row in aired)),
    )
    chart = MonthlyChart(title="Số giờ phát theo thể loại trong từng tháng", months=month_labels, series=series)
    return monthly, chart


def _outage_seconds(outage: dict[str, Any]) -> float:
    try:
        start = datetime.fromisoformat(str(outage["start"]))
        end = datetime.fromisoformat(str(outage["end"]))
    except (KeyError, ValueError):
        return 0.0
    return max(0.0, (end - start).total_seconds())


def _local_clock(value: Any, zone: ZoneInfo) -> str:
    try:
        return local_clock(datetime.fromisoformat(str(value)), zone)
    except ValueError:
        return ""
