"""The province's report at the hub (issue 19): what each commune broadcast over a half-year or a year, and how
the hub's emergencies reached it. Pure: the hub's report service reads the communes' log rows (as their stations
shipped them) and the hub's emergency commands with their answers; this module counts and lays the report out
as titled tables in the same administrative layout as a station's (:class:`~truyenthanh.domain.reports.Report`).

Every commune's figures come from the very functions a station's own period report uses
(:func:`~truyenthanh.domain.reports.category_tallies`, :func:`~truyenthanh.domain.reports.group_airings`,
:class:`~truyenthanh.domain.reports.AiringCounts`), over the same rows: the hub's figure for a commune equals
the commune's own figure by construction, and each total row is the sum of the commune rows above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from truyenthanh.domain.enums import Category
from truyenthanh.domain.reports import (
    NO_CATEGORY,
    AiringCounts,
    ColumnKind,
    Heading,
    LogRow,
    Period,
    Report,
    Table,
    category_label,
    category_tallies,
    group_airings,
    language_label,
    local_clock,
    plain_reason,
    spoken_duration,
)

TOTAL_LABEL = "Toàn tuyến"
"""The label of every table's total row: all the communes together."""
SIGNERS = ("NGƯỜI LẬP", "THỦ TRƯỞNG CƠ QUAN")
"""Who signs the province's report by default (left: who drew it up; right: the head of the office)."""
HUB_SOURCE_NOTE = (
    "Số liệu tổng hợp từ nhật ký phát thanh do từng đài xã gửi lên tuyến trên (mỗi dòng nhận một lần, đúng thứ "
    "tự, đã kiểm tra chuỗi băm khi nhận); số liệu của mỗi xã trùng với báo cáo của chính đài xã đó."
)


@dataclass(frozen=True)
class Commune:
    """A commune station subscribed to the hub (one of the hub's receivers)."""

    slug: str
    """Its name in topics and in the hub's log store."""
    name: str


@dataclass(frozen=True)
class EmergencyDelivery:
    """One emergency the hub sent, as far as one commune is concerned."""

    command_id: str
    commune: str
    """The commune's slug."""
    sent_at: datetime
    sent_by: str
    answered_at: datetime | None = None
    """When the station acknowledged it (``None``: no answer yet)."""
    ok: bool = False
    """The station's answer: it acted on it (``False`` with a reason: refused or failed)."""
    heard_at: datetime | None = None
    """When the first sample reached the station's speaker (``None``: not heard)."""
    reason: str = ""
    """Why it did not play, as the station said."""

    @property
    def delivered(self) -> bool:
        """The station acknowledged it (whatever it then did)."""
        return self.answered_at is not None

    @property
    def aired(self) -> bool:
        """It was heard at the station."""
        return self.heard_at is not None

    @property
    def delay_s(self) -> float | None:
        """Seconds from sending to hearing it (``None`` when not heard)."""
        return (self.heard_at - self.sent_at).total_seconds() if self.heard_at is not None else None


@dataclass(frozen=True)
class CommuneFigures:
    """One commune's figures over a period, counted as its station's own report counts them."""

    commune: Commune
    categories: dict[str, tuple[int, float]]
    """By category label (the regulation's order): rows aired and seconds on air."""
    airtime_s: float
    minority_s: float
    """Seconds on air in the ethnic-minority languages."""
    counts: AiringCounts

    @classmethod
    def of(cls, commune: Commune, rows: Sequence[LogRow]) -> CommuneFigures:
        """Count the commune's rows of the period (in its chain order)."""
        aired = [row for row in rows if row.aired]
        vietnamese = language_label("vi")
        return cls(
            commune=commune,
            categories={name: (count, seconds) for name, count, seconds in category_tallies(aired)},
            airtime_s=sum(row.airtime_s for row in aired),
            minority_s=sum(row.airtime_s for row in aired if language_label(row.language) != vietnamese),
            counts=AiringCounts.of(group_airings(rows)),
        )


def _hours(seconds: float) -> float:
    return seconds / 3600.0


def _category_order(figures: Sequence[CommuneFigures]) -> list[str]:
    """The labels of the categories any commune aired, in the regulation's order."""
    found = {name for f in figures for name in f.categories}
    return [label for label in [*(category_label(c) for c in Category), NO_CATEGORY] if label in found]


def category_tables(figures: Sequence[CommuneFigures]) -> tuple[Table, Table]:
    """Hours, then airings (rows aired), per commune (rows) and category (columns), each with a total row."""
    labels = _category_order(figures)
    hours_rows: list[tuple[Any, ...]] = []
    count_rows: list[tuple[Any, ...]] = []
    for f in figures:
        hours = [_hours(f.categories.get(label, (0, 0.0))[1]) for label in labels]
        counts = [f.categories.get(label, (0, 0.0))[0] for label in labels]
        hours_rows.append((f.commune.name, *hours, sum(hours)))
        count_rows.append((f.commune.name, *counts, sum(counts)))
    hour_kinds: list[ColumnKind] = ["hours"] * (len(labels) + 1)
    count_kinds: list[ColumnKind] = ["int"] * (len(labels) + 1)
    columns = ("Xã", *labels, "Cộng")
    return (
        Table(
            "the_loai_gio",
            "Số giờ phát theo thể loại thông tin của từng xã",
            columns,
            ("text", *hour_kinds),
            hours_rows,
            _column_sums(hours_rows, len(columns)),
            "Giờ theo thể loại",
        ),
        Table(
            "the_loai_luot",
            "Số lượt phát theo thể loại thông tin của từng xã",
            columns,
            ("text", *count_kinds),
            count_rows,
            _column_sums(count_rows, len(columns)),
            "Lượt theo thể loại",
        ),
    )


def _column_sums(rows: Sequence[tuple[Any, ...]], width: int) -> tuple[Any, ...]:
    """The total row: the label, then the sum of each of the ``width - 1`` numeric columns of ``rows``."""
    return (TOTAL_LABEL, *(sum(row[i] for row in rows) for i in range(1, width)))


def airings_table(figures: Sequence[CommuneFigures]) -> Table:
    """Hours on air and airings per commune: scheduled airings by how they went, play-now and emergencies."""
    rows: list[tuple[Any, ...]] = [
        (
            f.commune.name,
            _hours(f.airtime_s),
            _hours(f.minority_s),
            f.counts.scheduled,
            f.counts.on_time,
            f.counts.late,
            f.counts.partial,
            f.counts.missed,
            f.counts.play_now,
            f.counts.emergencies,
        )
        for f in figures
    ]
    return Table(
        key="phat_song",
        sheet="Phát sóng",
        title="Thời lượng phát sóng và thực hiện lịch phát của từng xã",
        columns=(
            "Xã",
            "Tổng số giờ phát",
            "Trong đó: tiếng dân tộc thiểu số (giờ)",
            "Phát theo lịch",
            "Đúng giờ",
            "Trễ",
            "Không trọn vẹn",
            "Không phát",
            "Phát ngay (ngoài lịch)",
            "Phát khẩn cấp",
        ),
        kinds=("text", "hours", "hours", "int", "int", "int", "int", "int", "int", "int"),
        rows=rows,
        total=_column_sums(rows, 10),
    )


def emergency_table(communes: Sequence[Commune], deliveries: Sequence[EmergencyDelivery]) -> Table:
    """Per commune: the hub's emergencies sent to it, delivered (acknowledged), aired (heard), and the longest
    time from sending to hearing."""
    rows: list[tuple[Any, ...]] = []
    for commune in communes:
        mine = [d for d in deliveries if d.commune == commune.slug]
        delays = [d.delay_s for d in mine if d.delay_s is not None]
        rows.append(
            (
                commune.name,
                len(mine),
                sum(1 for d in mine if d.delivered),
                sum(1 for d in mine if d.aired),
                sum(1 for d in mine if not d.aired),
                spoken_duration(max(delays)) if delays else "",
            )
        )
    total = _column_sums(rows, 5)
    all_delays = [d.delay_s for d in deliveries if d.delay_s is not None]
    return Table(
        key="khan_cap",
        sheet="Khẩn cấp",
        title="Bản tin khẩn cấp của tuyến trên: đã gửi, đã nhận, đã phát tại từng xã",
        columns=("Xã", "Đã gửi", "Đã nhận", "Đã phát", "Chưa phát", "Lâu nhất từ lúc gửi đến lúc phát"),
        kinds=("text", "int", "int", "int", "int", "text"),
        rows=rows,
        total=(*total, spoken_duration(max(all_delays)) if all_delays else ""),
    )


def emergency_detail_table(
    communes: Sequence[Commune], deliveries: Sequence[EmergencyDelivery], zone: ZoneInfo
) -> Table:
    """Every emergency sent to every commune, in sending order: when it was sent, answered and heard."""
    names = {c.slug: c.name for c in communes}
    ordered = sorted(deliveries, key=lambda d: (d.sent_at, d.command_id, names.get(d.commune, d.commune)))
    rows: list[tuple[Any, ...]] = []
    for number, d in enumerate(ordered, start=1):
        rows.append(
            (
                number,
                d.sent_at.astimezone(zone).strftime("%d/%m/%Y"),
                local_clock(d.sent_at, zone),
                d.command_id,
                names.get(d.commune, d.commune),
                local_clock(d.answered_at, zone) if d.answered_at else "Chưa nhận",
                local_clock(d.heard_at, zone) if d.heard_at else "Chưa phát",
                spoken_duration(d.delay_s) if d.delay_s is not None else "",
                _answer(d),
            )
        )
    return Table(
        key="khan_cap_chi_tiet",
        sheet="Khẩn cấp chi tiết",
        title="Chi tiết từng bản tin khẩn cấp gửi xuống các xã",
        columns=("STT", "Ngày", "Gửi lúc", "Mã lệnh", "Xã", "Đài nhận lúc", "Phát lúc", "Sau", "Ghi chú"),
        kinds=("int", "text", "text", "text", "text", "text", "text", "text", "text"),
        rows=rows,
    )


def _answer(delivery: EmergencyDelivery) -> str:
    if not delivery.delivered:
        return "Đài chưa trả lời"
    if delivery.ok:
        return "" if delivery.aired else "Đài đã nhận, chưa ghi giờ phát"
    return plain_reason(delivery.reason) if delivery.reason else "Đài không phát"


def province_report(
    figures: Sequence[CommuneFigures],
    deliveries: Sequence[EmergencyDelivery],
    period: Period,
    zone: ZoneInfo,
    heading: Heading,
) -> Report:
    """The hub's 6-monthly or annual report of its communes, from each commune's figures of ``period``
    (:meth:`CommuneFigures.of` its rows: a commune's rows need not stay in memory once counted) and the hub's
    emergencies sent in it, communes in the order given."""
    hours, counts = category_tables(figures)
    listed = [f.commune for f in figures]
    today = heading.issued
    return Report(
        heading=heading,
        title="BÁO CÁO",
        subtitle=f"Kết quả hoạt động truyền thanh cơ sở của các xã {period.title(today)}",
        period=period,
        tables=[
            airings_table(figures),
            hours,
            counts,
            emergency_table(listed, deliveries),
            emergency_detail_table(listed, deliveries, zone),
        ],
        notes=[
            HUB_SOURCE_NOTE,
            "Một lần phát là một chương trình được phát một lần. Lần phát theo lịch là đúng giờ, trễ (bắt đầu "
            "muộn hơn 1 phút), không trọn vẹn (có mục không phát được hoặc bị cắt) hoặc không phát; phát ngay "
            "và khẩn cấp được tính riêng. Số giờ phát là thời gian thực phát, tính theo thể loại của từng mục.",
            "Bản tin khẩn cấp: «đã nhận» là đài xã đã trả lời lệnh, «đã phát» là đài xã ghi nhận tiếng đã ra loa; "
            "giờ là giờ của từng máy.",
        ],
        signers=SIGNERS,
        unfinished=period.unfinished(today),
    )


__all__ = [
    "HUB_SOURCE_NOTE",
    "SIGNERS",
    "TOTAL_LABEL",
    "Commune",
    "CommuneFigures",
    "EmergencyDelivery",
    "airings_table",
    "category_tables",
    "emergency_detail_table",
    "emergency_table",
    "province_report",
]
