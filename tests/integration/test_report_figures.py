"""Every figure of every report checked against a log built by hand (issue 16, point 4).

Seven airings in ISO week 10 of 2026 and one in April, written through the real append path, each chosen for
one rule: on time with two relay outages, late, partial, missed, skipped (unapproved), play-now, emergency.
The expected figures below are worked out by hand from those rows, not computed by the code under test.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest
from sqlmodel import select

from tests.fakes import FrozenClock
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Station
from truyenthanh.adapters.reports.excel import HEADER_ROW
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.services.broadcast_log import LogEntry

pytestmark = pytest.mark.slow
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
APPROVER = "Nguyễn Văn Duyệt"


def _at(day: int, hour: int, minute: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def _items(container: bootstrap.Container, clock: FrozenClock, base: dict[str, Any], start: datetime,
           items: list[tuple[str, ItemKind, Category, str, int, Outcome]]) -> None:  # fmt: skip
    """Items back to back from ``start`` (a failed one takes no time)."""
    common = {k: v for k, v in base.items() if k not in ("category", "item_reason")}
    reason = base.get("item_reason", "")
    for title, kind, category, language, seconds, outcome in items:
        aired = outcome is not Outcome.FAILED
        end = start + timedelta(seconds=seconds if aired else 0)
        outages: tuple[dict[str, str], ...] = ()
        if kind is ItemKind.RELAY:
            outages = tuple(
                {"start": (start + timedelta(seconds=a)).isoformat(), "end": (start + timedelta(seconds=b)).isoformat(),
                 "cause": "Mất tín hiệu VOV"}
                for a, b in ((100, 120), (300, 345))
            )  # fmt: skip
        clock.set(end)
        container.broadcast_log.append(
            LogEntry(item_title=title, item_kind=kind, category=category, language=language, outcome=outcome,
                     actual_start=start if aired else None, end=end if aired else None, outages=outages,
                     reason=reason if outcome is not Outcome.PLAYED else "", **common)
        )  # fmt: skip
        start = end


def _build_log(container: bootstrap.Container, clock: FrozenClock) -> None:
    def scheduled(sid: int, at: datetime, **extra: Any) -> dict[str, Any]:
        return {"programme_title": f"Chương trình {sid}", "schedule_id": sid, "programme_id": sid,
                "scheduled_start": at, "approver": APPROVER, "category": Category.LOCAL_AFFAIRS, **extra}  # fmt: skip

    played, late = Outcome.PLAYED, Outcome.LATE
    # A1, Monday morning, on time; the jingle logged under its programme's category, as the daemon does.
    _items(container, clock, scheduled(1, _at(2, 5, 30)), _at(2, 5, 30), [
        ("Nhạc hiệu", ItemKind.JINGLE, Category.LOCAL_AFFAIRS, "vi", 30, played),
        ("Bản tin xã", ItemKind.ANNOUNCEMENT, Category.LOCAL_AFFAIRS, "vi", 300, played),
        ("Tiếp sóng VOV", ItemKind.RELAY, Category.POLICY_LAW, "vi", 600, played),
    ])  # fmt: skip
    # A2, Monday afternoon, three minutes late.
    _items(container, clock, scheduled(2, _at(2, 17, 0), item_reason="Máy khởi động lại, phát trễ"),
           _at(2, 17, 3), [
        ("Thông báo UBND", ItemKind.ANNOUNCEMENT, Category.ADMINISTRATION, "vi", 120, late),
    ])  # fmt: skip
    _items(container, clock, scheduled(2, _at(2, 17, 0), item_reason="Máy khởi động lại, phát trễ"),
           _at(2, 17, 5), [
        ("Bản tin tiếng H'Mông", ItemKind.AUDIO, Category.LOCAL_AFFAIRS, "hmn", 240, late),
    ])  # fmt: skip
    # A3, Tuesday morning: the first item plays, the second fails.
    _items(container, clock, scheduled(3, _at(3, 5, 30)), _at(3, 5, 30), [
        ("Thông báo thuế", ItemKind.ANNOUNCEMENT, Category.ADMINISTRATION, "vi", 100, played),
    ])  # fmt: skip
    _items(container, clock, scheduled(3, _at(3, 5, 30), item_reason="Tệp âm thanh hỏng"), _at(3, 5, 31), [
        ("Thông báo hỏng", ItemKind.ANNOUNCEMENT, Category.ADMINISTRATION, "vi", 0, Outcome.FAILED),
    ])  # fmt: skip
    # A4 missed (power cut), A5 skipped (not approved): whole-programme rows.
    for sid, at, outcome, reason in (
        (4, _at(3, 17, 0), Outcome.MISSED, "Mất điện, máy tắt lúc phát"),
        (5, _at(4, 5, 30), Outcome.SKIPPED, "Chương trình chưa được duyệt nên không được phát."),
    ):
        clock.set(at + timedelta(minutes=5))
        container.broadcast_log.append(LogEntry(outcome=outcome, reason=reason, **scheduled(sid, at)))
    # P1, Wednesday 09:00, play-now by an operator.
    _items(container, clock, {"programme_title": "Phiên chợ", "programme_id": 9, "scheduled_start": _at(4, 9, 0),
                              "operator": "Lò Văn Sáng", "approver": APPROVER}, _at(4, 9, 0), [
        ("Thông báo phiên chợ", ItemKind.ANNOUNCEMENT, Category.PRODUCTS_SERVICES, "vi", 90, played),
    ])  # fmt: skip
    # E1, Thursday 14:00, an emergency: alert tone and bulletin (the daemon stamps both with the cut-in time).
    _items(container, clock, {"programme_title": "Phát khẩn cấp", "priority": Priority.EMERGENCY,
                              "scheduled_start": _at(5, 14, 0), "operator": "Phạm Thị Hành",
                              "approver": "Phạm Thị Hành"}, _at(5, 14, 0), [
        ("Tín hiệu báo động", ItemKind.JINGLE, Category.EMERGENCY, "vi", 8, played),
        ("Khẩn cấp: Bão số 3 đổ bộ", ItemKind.ANNOUNCEMENT, Category.EMERGENCY, "vi", 150, played),
    ])  # fmt: skip
    # A6, 10 April, on time.
    _items(container, clock, scheduled(6, _at(10, 5, 30, month=4)), _at(10, 5, 30, month=4), [
        ("Bản tin xã", ItemKind.ANNOUNCEMENT, Category.LOCAL_AFFAIRS, "vi", 200, played),
    ])  # fmt: skip


# Worked out by hand from the rows above.
HOURS_BY_CATEGORY = {  # seconds on air by the item's own category
    "Nhạc hiệu, âm nhạc": 30,
    "Thông tin chính trị, kinh tế, văn hóa, xã hội địa phương": 300 + 240 + 200,
    "Chủ trương, chính sách, pháp luật": 600,
    "Chỉ đạo, điều hành của chính quyền": 120 + 100,
    "Sản phẩm, dịch vụ phục vụ đời sống": 90,
    "Sự cố, tình huống khẩn cấp": 8 + 150,
}
TOTAL_S = 1838
OVERVIEW = {
    "Tổng số giờ phát sóng": TOTAL_S / 3600,
    "Trong đó: tiếng dân tộc thiểu số": 240 / 3600,
    "Số buổi phát": 4,
    "Số lần phát theo lịch": 6,
    "Số lần phát theo lịch đã thực hiện": 4,
    "Tỉ lệ thực hiện theo lịch": 100 * 4 / 6,
    "Số lần phát ngay (ngoài lịch)": 1,
    "Số lần phát khẩn cấp": 1,
    "Số bản tin khẩn cấp đã phát": 1,
    "Số lượt tiếp sóng": 1,
    "Số giờ tiếp sóng": 600 / 3600,
    "Số lần mất tín hiệu tiếp sóng": 2,
    "Tổng thời gian mất tín hiệu": 65 / 3600,
}
AIRINGS = {
    "Phát theo lịch: đúng giờ": 2,
    "Phát theo lịch: trễ": 1,
    "Phát theo lịch: không trọn vẹn": 1,
    "Phát theo lịch: không phát": 2,
    "Cộng phát theo lịch": 6,
    "Phát ngay (ngoài lịch)": 1,
    "Phát khẩn cấp": 1,
}
MISSED = {"Mất điện, máy tắt lúc phát": 1, "Chương trình chưa được duyệt nên không được phát.": 1}
LANGUAGES = {"Tiếng Việt": TOTAL_S - 240, "Tiếng H'Mông": 240, "Trong đó: tiếng dân tộc thiểu số": 240}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[bootstrap.Container, Path]]:
    """The station, and every report written in every format in ``out``."""
    folder = tmp_path_factory.mktemp("figures") / "station"
    clock = FrozenClock()
    settings = load_settings(folder, report_signer_name="Hà Thị Lan", report_number_suffix="ĐTT")
    container = bootstrap.build(settings, clock=clock)
    container.station.init(name="Đài truyền thanh xã Tân Lập")
    with container.db.session() as session:
        row = session.exec(select(Station)).one()
        row.commune, row.province = "Tân Lập", "Phú Thọ"
        session.add(row)
    _build_log(container, clock)
    clock.set(datetime(2027, 1, 5, 2, tzinfo=UTC))
    out = folder / "out"
    container.reports.weekly("2026-W10", output=out / "tuan.docx", formats=("docx", "xlsx", "csv"))
    container.reports.semiannual(2026, 1, folder=out)
    container.reports.annual(2026, folder=out)
    container.reports.annual(2026, folder=out / "comma", formats=("csv",), csv_comma=True)
    yield container, out
    container.close()


def _vn(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").rstrip("%"))


def _docx(path: Path, first: str) -> dict[str, list[str]]:
    """The table whose header starts with ``first``, as {first cell: the other cells}."""
    for table in docx.Document(str(path)).tables:
        cells = [[cell.text for cell in row.cells] for row in table.rows]
        if cells[0][0] == first:
            return {row[0]: row[1:] for row in cells[1:]}
    raise AssertionError(f"no table starting with {first}")


def _xlsx(path: Path, sheet: str) -> dict[str, list[Any]]:
    rows = openpyxl.load_workbook(path)[sheet].iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    return {str(row[0]): list(row[1:]) for row in rows if row[0] is not None}


def _csv(path: Path, table: str, comma: bool = False) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="," if comma else ";")
        next(reader)
        return {(r, c): v for t, r, c, v in reader if t == table}


def _csv_number(text: str) -> float:
    return float(text.replace(",", ".")) if re.fullmatch(r"-?[\d.,]+", text) else float("nan")


@pytest.mark.parametrize("name", ["bao-cao-2026-H1", "bao-cao-nam-2026"])
def test_overview_and_airings_in_docx_xlsx_csv(written: tuple[bootstrap.Container, Path], name: str) -> None:
    _container, out = written
    in_docx = {k: _vn(v[0]) for k, v in _docx(out / f"{name}.docx", "Chỉ tiêu").items()}
    in_xlsx = {k: v[0] for k, v in _xlsx(out / f"{name}.xlsx", "Tổng hợp").items()}
    flat = _csv(out / f"{name}.csv", "tong_hop")
    in_csv = {k: _csv_number(flat[(k, "Số liệu")]) for k in OVERVIEW}
    assert in_xlsx == pytest.approx(OVERVIEW)
    assert in_csv == pytest.approx(OVERVIEW, abs=1e-6)  # six decimals in the file
    assert in_docx == pytest.approx(OVERVIEW, abs=0.006)
    airings = _docx(out / f"{name}.docx", "Loại")
    assert {k: int(v[0]) for k, v in airings.items()} == AIRINGS
    assert {k: v[0] for k, v in _xlsx(out / f"{name}.xlsx", "Lần phát").items()} == AIRINGS
    missed = _docx(out / f"{name}.docx", "Lý do")
    assert {k: int(v[0]) for k, v in missed.items() if k != "Tổng cộng"} == MISSED
    assert {k: int(v[0]) for k, v in _xlsx(out / f"{name}.xlsx", "Không phát").items()} == {**MISSED, "Tổng cộng": 2}


@pytest.mark.parametrize("name", ["bao-cao-2026-H1", "bao-cao-nam-2026"])
def test_hours_by_category_language_and_month(written: tuple[bootstrap.Container, Path], name: str) -> None:
    _container, out = written
    hours = HOURS_BY_CATEGORY  # seconds
    categories = _xlsx(out / f"{name}.xlsx", "Thể loại")
    assert {k: round(v[1] * 3600) for k, v in categories.items() if k != "Tổng cộng"} == hours
    assert round(categories["Tổng cộng"][1] * 3600) == TOTAL_S
    in_docx = _docx(out / f"{name}.docx", "Thể loại")
    assert {k: _vn(v[1]) for k, v in in_docx.items() if k != "Tổng cộng"} == {
        k: round(v / 3600, 2) for k, v in HOURS_BY_CATEGORY.items()
    }
    flat = _csv(out / f"{name}.csv", "the_loai")
    assert {k: round(_csv_number(flat[(k, "Số giờ phát")]) * 3600) for k in hours} == hours
    languages = _xlsx(out / f"{name}.xlsx", "Ngôn ngữ")
    assert {k: round(v[1] * 3600) for k, v in languages.items() if k != "Tổng cộng"} == LANGUAGES
    months = _xlsx(out / f"{name}.xlsx", "Theo tháng")
    assert round(months["T3/2026"][-1] * 3600) == TOTAL_S - 200 and round(months["T4/2026"][-1] * 3600) == 200
    assert round(months["Cả kỳ"][-1] * 3600) == TOTAL_S
    assert sum(round(v[-1] * 3600) for k, v in months.items() if k != "Cả kỳ") == TOTAL_S


def test_comma_csv_uses_decimal_points(written: tuple[bootstrap.Container, Path]) -> None:
    _container, out = written
    raw = (out / "comma" / "bao-cao-nam-2026.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.splitlines()[0].decode("utf-8-sig") == "Bảng,Dòng,Cột,Giá trị"
    flat = _csv(out / "comma" / "bao-cao-nam-2026.csv", "tong_hop", comma=True)
    assert float(flat[("Tổng số giờ phát sóng", "Số liệu")]) == pytest.approx(TOTAL_S / 3600)


def test_weekly_logbook_figures_in_every_format(written: tuple[bootstrap.Container, Path]) -> None:
    _container, out = written
    lines = _docx(out / "tuan.docx", "STT")
    assert [k for k in lines if k != ""] == [str(n) for n in range(1, 8)]  # A1-A5, P1, E1 in time order
    a1, a2, a3, a4, a5, p1, e1 = (lines[str(n)] for n in range(1, 8))
    assert a1[0] == "02/03/2026\nLịch: 05:30:00\nPhát: 05:30:00" and a1[2] == "0:15:30"
    assert a1[3] == f"Tự động\nDuyệt: {APPROVER}"
    assert "Nhạc hiệu" not in a1[1] and "05:30:30 Bản tin xã" in a1[1]
    assert "Mất tín hiệu tiếp sóng 05:37:10–05:37:30 (20 giây): Mất tín hiệu VOV" in a1[4]
    assert a2[4].startswith("Phát trễ 3 phút") and "17:05:00 Bản tin tiếng H'Mông" in a2[1]
    assert "(lệch" not in a2[1].split("\n")[2]  # the second item started where the first ended
    assert a3[4].startswith("Phát không trọn vẹn") and "Tệp âm thanh hỏng" in a3[4]
    assert a4[4] == "Không phát\nMất điện, máy tắt lúc phát" and a5[4].startswith("Không phát")
    assert p1[0].split("\n")[1] == "Phát ngay" and p1[3] == f"Lò Văn Sáng\nDuyệt: {APPROVER}"
    assert e1[0].split("\n")[1] == "KHẨN CẤP" and "Khẩn cấp: Bão số 3 đổ bộ" in e1[1]
    summary = _docx(out / "tuan.docx", "Chỉ tiêu")
    expected = {
        "Số lần phát theo lịch": "5",
        "— đúng giờ / trễ / không trọn vẹn / không phát": "1 / 1 / 1 / 2",
        "Số lần phát ngay (ngoài lịch)": "1",
        "Số lần phát khẩn cấp": "1",
        "Số lần mất tín hiệu tiếp sóng": "2",
        "Tổng thời gian phát (giờ:phút:giây)": "0:27:18",
    }
    assert {k: v[0] for k, v in summary.items() if k in expected} == expected
    in_xlsx = {k: str(v[0]) for k, v in _xlsx(out / "tuan.xlsx", "Tóm tắt").items()}
    flat = _csv(out / "tuan.csv", "tom_tat")
    assert {k: in_xlsx[k] for k in expected} == expected == {k: flat[(k, "Số liệu")] for k in expected}
    assert _xlsx(out / "tuan.xlsx", "Nhật ký")["1"][2] == timedelta(seconds=930)  # read back from [h]:mm:ss
