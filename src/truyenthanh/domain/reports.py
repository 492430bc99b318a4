"""The weekly logbook and the 6-monthly and annual reports, computed from broadcast log rows.

Pure: the report service reads the rows, this module counts and lays out the report as titled tables,
and the document adapters (DOCX, XLSX, CSV) render it. Every figure a document shows comes from here.

Conventions (stated in the reports themselves where a reader needs them):

* A row belongs to the period of its *moment*: its scheduled start, else its actual start, else when it
  was recorded, taken in the station's time zone.
* A row *aired* when its outcome is played, late, partial or preempted; its airtime is ``end - actual_start``.
* A *scheduled airing* is one (schedule, programme, scheduled start); it was *held* when any of its rows aired.
* A *session held* is a (local date, named session of the station's rules) in which something aired.
* An *emergency bulletin* is an aired row of emergency priority that is not a jingle (the alert tone).
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
OUTSIDE_SESSIONS = "Ngoài buổi"

ColumnKind = Literal["text", "int", "hours", "percent", "duration", "number"]
"""How a column's values are shown: text, a count, hours (float), a percentage (float), seconds as h:mm:ss,
or a number (an int as a count, a float with two decimals)."""


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
    def is_emergency_bulletin(self) -> bool:
        """An aired emergency item other than the alert tone."""
        return self.aired and self.priority is Priority.EMERGENCY and self.item_kind is not ItemKind.JINGLE


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
    """A titled table of a report; the same table becomes a DOCX table, an XLSX sheet and CSV rows."""

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
    """Who issues the document and where (Vietnamese administrative layout)."""

    authority: str
    """The governing body, e.g. "UBND XÃ TÂN LẬP"."""
    station: str
    """The station's name, upper case."""
    place: str
    """Where it is signed (the commune)."""
    issued: date


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
    landscape: bool = False

    @property
    def dateline(self) -> str:
        """ "Tân Lập, ngày 23 tháng 11 năm 2026"."""
        day = self.heading.issued
        return f"{self.heading.place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"

    def table(self, key: str) -> Table:
        """The table with this key.

        Raises:
            KeyError: no such table.
        """
        return next(t for t in self.tables if t.key == key)


NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
"""Quốc hiệu."""
MOTTO = "Độc lập - Tự do - Hạnh phúc"
"""Tiêu ngữ."""


# ------------------------------------------------------------------------------------------------------- logbook


_TEXT8: tuple[ColumnKind, ...] = ("text",) * 8


def session_name(rules: StationRules, local: datetime, priority: Priority) -> str:
    """The named session a local time falls in; emergencies outside sessions are labelled as such."""
    found = rules.session_at(local)
    if found is not None:
        return found.name
    return "Khẩn cấp" if priority is Priority.EMERGENCY else OUTSIDE_SESSIONS


def _outcome_text(row: LogRow) -> str:
    return f"{row.outcome.label}: {row.reason}" if row.reason else row.outcome.label


def weekly_logbook(
    rows: Iterable[LogRow], period: Period, rules: StationRules, zone: ZoneInfo, heading: Heading
) -> Report:
    """The weekly broadcast logbook (sổ nhật ký chương trình phát thanh), one line per log row, in time order."""
    lines: list[tuple[Any, ...]] = []
    total_s = 0.0
    for number, row in enumerate(sorted(rows, key=lambda r: (r.moment, r.id)), start=1):
        local = row.moment.astimezone(zone)
        started = row.actual_start.astimezone(zone).strftime("%H:%M:%S") if row.actual_start else ""
        total_s += row.airtime_s
        lines.append(
            (
                number,
                local.strftime("%d/%m/%Y"),
                session_name(rules, local, row.priority),
                local.strftime("%H:%M"),
                started,
                row.programme_title,
                row.item_title or "(cả chương trình)",
                category_label(row.category),
                language_label(row.language),
                row.airtime_s,
                row.operator or "",
                row.approver or "",
                _outcome_text(row),
            )
        )
    table = Table(
        key="nhat_ky",
        sheet="Nhật ký",
        title="Nhật ký phát thanh",
        columns=(
            "STT",
            "Ngày",
            "Buổi",
            "Giờ theo lịch",
            "Giờ phát thực tế",
            "Chương trình",
            "Nội dung",
            "Thể loại",
            "Ngôn ngữ",
            "Thời lượng",
            "Người vận hành",
            "Người duyệt",
            "Kết quả",
        ),
        kinds=("int", *_TEXT8, "duration", "text", "text", "text"),
        rows=lines,
        total=("", "Tổng cộng", "", "", "", "", f"{len(lines)} dòng", "", "", total_s, "", "", ""),
    )
    return Report(
        heading=heading,
        title="SỔ NHẬT KÝ CHƯƠNG TRÌNH PHÁT THANH",
        subtitle=period.name.capitalize(),
        period=period,
        tables=[table],
        notes=["Thời lượng là thời gian thực phát (giờ:phút:giây); dòng không phát có thời lượng 0."],
        signers=("NGƯỜI VẬN HÀNH", "LÃNH ĐẠO ĐÀI XÁC NHẬN"),
        landscape=True,
    )


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


def _tally_table(key: str, title: str, first: str, tallies: dict[str, _Tally], sheet: str) -> Table:
    ordered = sorted(tallies.items(), key=lambda kv: (-kv[1].seconds, kv[0]))
    rows = [(name, t.count, _hours(t.seconds)) for name, t in ordered]
    total = ("Tổng cộng", sum(t.count for t in tallies.values()), _hours(sum(t.seconds for t in tallies.values())))
    return Table(key, title, (first, "Số lượt phát", "Số giờ phát"), ("text", "int", "hours"), rows, total, sheet)


def period_report(
    rows: Sequence[LogRow], period: Period, rules: StationRules, zone: ZoneInfo, heading: Heading
) -> Report:
    """The 6-monthly or annual report of a station: what was broadcast, how long, what failed."""
    aired = [row for row in rows if row.aired]
    by_category: dict[str, _Tally] = defaultdict(_Tally)
    by_language: dict[str, _Tally] = defaultdict(_Tally)
    for row in aired:
        by_category[category_label(row.category)].add(row)
        by_language[language_label(row.language)].add(row)
    monthly, chart = _monthly_hours(aired, period, zone)
    return Report(
        heading=heading,
        title="BÁO CÁO",
        subtitle=f"Kết quả hoạt động truyền thanh {period.name}",
        period=period,
        tables=[
            _overview_table(rows, aired, rules, zone),
            _tally_table("the_loai", "Theo thể loại thông tin", "Thể loại", by_category, "Thể loại"),
            _tally_table("ngon_ngu", "Theo ngôn ngữ", "Ngôn ngữ", by_language, "Ngôn ngữ"),
            monthly,
            _outcomes_table(rows),
            _problems_table(rows),
            _relay_table(aired),
            _outage_table(rows, zone),
        ],
        chart=chart,
        notes=[
            "Số liệu lấy từ nhật ký phát thanh của đài (được bảo vệ bằng chuỗi băm, kiểm tra bằng lệnh "
            "«truyenthanh audit verify»).",
            "Một mục tính là đã phát khi kết quả là đã phát, phát trễ, phát một phần hoặc bị ngắt; số giờ phát "
            "là thời gian thực phát. Số buổi phát là số buổi (sáng, chiều...) có phát ít nhất một mục.",
        ],
    )


def _relay_outages(rows: Sequence[LogRow]) -> list[tuple[LogRow, dict[str, Any]]]:
    """Every outage of every relay item, with its row."""
    return [(row, outage) for row in rows if row.item_kind is ItemKind.RELAY for outage in row.outages]


def _overview_table(rows: Sequence[LogRow], aired: list[LogRow], rules: StationRules, zone: ZoneInfo) -> Table:
    """The key figures: hours on air, sessions held, airings scheduled and held, lateness, relays, outages."""
    sessions = set()
    for row in aired:
        local = row.moment.astimezone(zone)
        found = rules.session_at(local)
        if found is not None:
            sessions.add((local.date(), found.name))

    airings: dict[tuple[Any, ...], bool] = {}
    for row in rows:
        if row.scheduled_start is not None:
            key = (row.schedule_id, row.programme_id, row.scheduled_start)
            airings[key] = airings.get(key, False) or row.aired
    held = sum(airings.values())
    scheduled = len(airings)

    relays = [row for row in aired if row.item_kind is ItemKind.RELAY]
    outages = _relay_outages(rows)
    outage_s = sum(_outage_seconds(outage) for _, outage in outages)
    emergencies = sum(1 for row in aired if row.is_emergency_bulletin)
    total_s = sum(row.airtime_s for row in aired)
    return Table(
        key="tong_hop",
        sheet="Tổng hợp",
        title="Các chỉ tiêu chính",
        columns=("Chỉ tiêu", "Giá trị", "Đơn vị"),
        kinds=("text", "number", "text"),
        rows=[
            ("Tổng số giờ phát sóng", _hours(total_s), "giờ"),
            ("Số buổi phát", len(sessions), "buổi"),
            ("Số lượt phát (mục đã phát)", len(aired), "lượt"),
            ("Số bản tin khẩn cấp đã phát", emergencies, "bản tin"),
            ("Số lần phát theo lịch", scheduled, "lần"),
            ("Số lần phát theo lịch đã thực hiện", held, "lần"),
            ("Tỉ lệ thực hiện theo lịch", 100.0 * held / scheduled if scheduled else 0.0, "%"),
            ("Số mục phát trễ", sum(1 for r in rows if r.outcome is Outcome.LATE), "mục"),
            ("Số mục bỏ lỡ", sum(1 for r in rows if r.outcome is Outcome.MISSED), "mục"),
            ("Số lượt tiếp sóng", len(relays), "lượt"),
            ("Số giờ tiếp sóng", _hours(sum(r.airtime_s for r in relays)), "giờ"),
            ("Số lần mất tín hiệu tiếp sóng", len(outages), "lần"),
            ("Tổng thời gian mất tín hiệu", _hours(outage_s), "giờ"),
        ],
    )


def _outcomes_table(rows: Sequence[LogRow]) -> Table:
    """How many items had each outcome."""
    outcome_counts = Counter(row.outcome for row in rows)
    return Table(
        key="ket_qua",
        sheet="Kết quả",
        title="Kết quả phát so với lịch",
        columns=("Kết quả", "Số mục"),
        kinds=("text", "int"),
        rows=[(outcome.label, outcome_counts[outcome]) for outcome in Outcome],
        total=("Tổng cộng", len(rows)),
    )


def _problems_table(rows: Sequence[LogRow]) -> Table:
    """Items not played as scheduled, counted by outcome and reason."""
    reasons = Counter(
        (row.outcome, row.reason or "(không ghi lý do)") for row in rows if row.outcome is not Outcome.PLAYED
    )
    return Table(
        key="tre_bo_lo",
        sheet="Trễ - bỏ lỡ - lỗi",
        title="Phát trễ, bỏ lỡ, bị ngắt, lỗi và lý do",
        columns=("Kết quả", "Lý do", "Số mục"),
        kinds=("text", "text", "int"),
        rows=[
            (outcome.label, reason, n)
            for (outcome, reason), n in sorted(
                reasons.items(), key=lambda kv: (list(Outcome).index(kv[0][0]), -kv[1], kv[0][1])
            )
        ],
        total=("Tổng cộng", "", sum(reasons.values())),
    )


def _relay_table(aired: list[LogRow]) -> Table:
    """Relays aired, by source."""
    relay_tallies: dict[str, _Tally] = defaultdict(_Tally)
    for row in aired:
        if row.item_kind is ItemKind.RELAY:
            relay_tallies[row.item_title or row.programme_title].add(row)
    return _tally_table("tiep_song", "Tiếp sóng", "Nguồn tiếp sóng", relay_tallies, "Tiếp sóng")


def _outage_table(rows: Sequence[LogRow], zone: ZoneInfo) -> Table:
    """Every relay outage: when, how long, why."""
    outages = _relay_outages(rows)
    return Table(
        key="mat_tin_hieu",
        sheet="Mất tín hiệu",
        title="Các lần mất tín hiệu khi tiếp sóng",
        columns=("Ngày", "Chương trình", "Nguồn tiếp sóng", "Từ", "Đến", "Thời gian", "Nguyên nhân"),
        kinds=("text", "text", "text", "text", "text", "duration", "text"),
        rows=[
            (
                row.moment.astimezone(zone).strftime("%d/%m/%Y"),
                row.programme_title,
                row.item_title,
                _local_clock(outage.get("start"), zone),
                _local_clock(outage.get("end"), zone),
                _outage_seconds(outage),
                str(outage.get("cause", "")),
            )
            for row, outage in outages
        ],
        total=("Tổng cộng", f"{len(outages)} lần", "", "", "", sum(_outage_seconds(o) for _, o in outages), ""),
    )


def _monthly_hours(aired: list[LogRow], period: Period, zone: ZoneInfo) -> tuple[Table, MonthlyChart]:
    """Hours on air per month and category, as a table and as a chart."""
    months = period.months()
    month_labels = [f"T{m}/{y}" for y, m in months]
    per_month: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(months))
    index = {ym: i for i, ym in enumerate(months)}
    for row in aired:
        local = row.moment.astimezone(zone)
        per_month[category_label(row.category)][index[(local.year, local.month)]] += _hours(row.airtime_s)
    category_order = [category_label(c) for c in Category] + [NO_CATEGORY]
    series = [(name, per_month[name]) for name in category_order if name in per_month]
    hours_columns: list[ColumnKind] = ["hours"] * len(months)
    total_s = sum(row.airtime_s for row in aired)
    monthly = Table(
        key="theo_thang",
        sheet="Theo tháng",
        title="Số giờ phát theo tháng và thể loại",
        columns=("Thể loại", *month_labels, "Cả kỳ"),
        kinds=("text", *hours_columns, "hours"),
        rows=[(name, *values, sum(values)) for name, values in series],
        total=("Tổng cộng", *[sum(v[i] for _, v in series) for i in range(len(months))], _hours(total_s)),
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
        return datetime.fromisoformat(str(value)).astimezone(zone).strftime("%H:%M:%S")
    except ValueError:
        return ""
