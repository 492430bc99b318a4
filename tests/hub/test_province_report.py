"""The province's report at the hub (issue 19): "the hub's half-year report equals the sum of the stations' own
reports, figure by figure".

Three commune stations (real SQLite files, built by ``bootstrap``) each log a varied stretch of days on both
edges of 2026 H1 through the real chain-writing path, plus a partial and a missed airing of their own. Their rows
travel to a hub container as they do on the wire: ``broadcast_log.after`` -> ``LogBatch`` encoded and decoded ->
``accept`` against ``hub_log.head`` -> ``hub_log.add``. Each station's own ``ReportService.build`` is then
compared with the hub's row for that commune, and the hub's total rows with the sums of the stations' figures.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from sqlmodel import select

from tests.fakes import FrozenClock
from tests.logbook_data import ZONE, fill
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Station
from truyenthanh.adapters.reports.excel import HEADER_ROW
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import Category, ItemKind, Outcome
from truyenthanh.domain.fleet import CommandAck
from truyenthanh.domain.fleet_records import ReceiverRecord, ZoneRecord
from truyenthanh.domain.reports import Report, Table, half_year, show
from truyenthanh.domain.upstream import LOG_BATCH_ROWS, LogBatch, accept
from truyenthanh.errors import ReportError
from truyenthanh.hub.reports import hub_reports
from truyenthanh.services.broadcast_log import LogEntry
from truyenthanh.services.hub_reports import HubReportService

pytestmark = pytest.mark.slow
H1 = half_year(2026, 1)
HUB_NAME = "Sở Văn hoá, Thể thao và Du lịch tỉnh Phú Thọ"


@dataclass
class Commune:
    """One station and how the hub knows it."""

    slug: str
    name: str
    container: bootstrap.Container


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def _own_airings(container: bootstrap.Container, clock: FrozenClock) -> None:
    """A partial airing (the second item fails) and a missed one, on days ``fill`` leaves alone."""
    day = date(2026, 3, 17)
    start = _local(day, 11, 0)
    base: dict[str, Any] = {
        "programme_title": "Chuyên mục nông nghiệp",
        "schedule_id": 7,
        "programme_id": 7,
        "scheduled_start": start,
        "approver": "Nguyễn Văn Duyệt",
    }
    clock.set(start + timedelta(minutes=5))
    container.broadcast_log.append(
        LogEntry(item_title="Kỹ thuật trồng lúa", item_kind=ItemKind.AUDIO, category=Category.LOCAL_DEVELOPMENT,
                 actual_start=start, end=start + timedelta(minutes=5), outcome=Outcome.PLAYED, **base)
    )  # fmt: skip
    container.broadcast_log.append(
        LogEntry(item_title="Lịch thời vụ", item_kind=ItemKind.ANNOUNCEMENT, category=Category.LOCAL_DEVELOPMENT,
                 outcome=Outcome.FAILED, reason="Tệp âm thanh hỏng", **base)
    )  # fmt: skip
    missed = _local(day, 16, 0)
    clock.set(missed + timedelta(hours=1))
    container.broadcast_log.append(
        LogEntry(programme_title="Chuyên mục an ninh", schedule_id=8, programme_id=8, scheduled_start=missed,
                 category=Category.SECURITY_DEFENCE, outcome=Outcome.MISSED, reason="Mất điện, máy tắt lúc phát")
    )  # fmt: skip


def _station(folder: Path, name: str, seed: int, first: date = date(2026, 6, 10)) -> bootstrap.Container:
    clock = FrozenClock()
    container = bootstrap.build(load_settings(folder, timezone="Asia/Ho_Chi_Minh"), clock=clock)
    container.station.init(name=name)
    # Both edges of the half: rows just outside it on either side, an emergency on 14 June, Wednesdays in H'Mông.
    fill(container, clock, date(2025, 12, 30), date(2026, 1, 3), seed=seed)
    fill(container, clock, first, date(2026, 7, 2), seed=seed + 1)
    _own_airings(container, clock)
    clock.set(datetime(2026, 7, 6, 2, tzinfo=UTC))
    return container


def _ship(station: Commune, hub: bootstrap.Container) -> int:
    """Move every row of ``station`` to ``hub`` as the upstream link does, batch by batch; rows moved."""
    moved, last = 0, 0
    while True:
        with station.container.store.transaction() as uow:
            rows = uow.broadcast_log.after(last, LOG_BATCH_ROWS)
        if not rows:
            return moved
        batch = LogBatch.decode(LogBatch(station.slug, tuple(rows)).encode())
        with hub.store.transaction() as uow:
            taken, problem = accept(*uow.hub_log.head(station.slug), batch.rows)
            assert problem is None
            moved += uow.hub_log.add(station.slug, taken, received_at=datetime(2026, 7, 5, tzinfo=UTC))
        last = rows[-1].row_id


def _hub(folder: Path, clock: FrozenClock, database_url: str | None = None) -> bootstrap.Container:
    settings = load_settings(
        folder, timezone="Asia/Ho_Chi_Minh", report_signer_name="Trần Văn Tỉnh", database_url=database_url
    )
    hub = bootstrap.build(settings, clock=clock)
    hub.station.init(name=HUB_NAME)
    with hub.db.session() as session:
        row = session.exec(select(Station)).one()
        row.province = "Phú Thọ"
        session.add(row)
    return hub


def _subscribe(hub: bootstrap.Container, slug: str, name: str) -> None:
    """The commune as ``hub station add`` and ``upstream enrol`` leave it: a zone of its own, one receiver."""
    with hub.store.transaction() as uow:
        uow.fleet.add_zone(ZoneRecord(name=name, slug=f"vung-{slug}"))
        uow.fleet.add_receiver(
            ReceiverRecord(slug=slug, name=name, zone_slug=f"vung-{slug}", password_hash="$7$x",
                           enrolled_at=datetime(2026, 1, 1, tzinfo=UTC))
        )  # fmt: skip


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[bootstrap.Container, list[Commune]]]:
    """The hub holding the three communes' rows, and the communes."""
    root = tmp_path_factory.mktemp("province")
    hub = _hub(root / "hub", FrozenClock(datetime(2026, 7, 6, 2, tzinfo=UTC)))
    communes = [
        Commune(slug, name, _station(root / slug, name, seed))
        for slug, name, seed in (
            ("xa-tan-lap", "Xã Tân Lập", 11),
            ("xa-an-binh", "Xã An Bình", 23),
            ("xa-muong-lat", "Xã Mường Lát", 37),
        )
    ]
    for commune in communes:
        _subscribe(hub, commune.slug, commune.name)
        assert _ship(commune, hub) > 0
    yield hub, communes
    for commune in communes:
        commune.container.close()
    hub.close()


def _row(table: Table, first: str) -> dict[str, Any]:
    found = next(row for row in table.all_rows if row[0] == first)
    return dict(zip(table.columns, found, strict=True))


def _figures(report: Report, key: str) -> dict[str, Any]:
    return {row[0]: row[1] for row in report.table(key).rows}


def test_each_commune_equals_its_own_report_and_the_totals_are_their_sums(
    province: tuple[bootstrap.Container, list[Commune]],
) -> None:
    hub, communes = province
    report = hub_reports(hub).build(H1)
    hours, counts, airings = report.table("the_loai_gio"), report.table("the_loai_luot"), report.table("phat_song")
    sums: dict[tuple[str, str], float] = {}
    for commune in communes:
        own = commune.container.reports.build(H1)
        by_category = {row[0]: (row[1], row[2]) for row in own.table("the_loai").rows}
        assert len(by_category) >= 5 and "Sự cố, tình huống khẩn cấp" in by_category
        hub_hours, hub_counts = _row(hours, commune.name), _row(counts, commune.name)
        for label in hours.columns[1:-1]:
            count, hour = by_category.get(label, (0, 0.0))
            assert (hub_counts[label], hub_hours[label]) == (count, hour), (commune.name, label)
            sums[("count", label)] = sums.get(("count", label), 0) + count
            sums[("hours", label)] = sums.get(("hours", label), 0.0) + hour
        assert set(by_category) <= set(hours.columns)
        own_total = own.table("the_loai").total
        assert own_total is not None
        assert hub_counts["Cộng"] == own_total[1]
        assert show(hub_hours["Cộng"], "hours") == show(own_total[2], "hours")

        overview, scheduled = _figures(own, "tong_hop"), _figures(own, "lan_phat")
        line = _row(airings, commune.name)
        expected = {
            "Tổng số giờ phát": overview["Tổng số giờ phát sóng"],
            "Trong đó: tiếng dân tộc thiểu số (giờ)": overview["Trong đó: tiếng dân tộc thiểu số"],
            "Phát theo lịch": overview["Số lần phát theo lịch"],
            "Đúng giờ": scheduled["Phát theo lịch: đúng giờ"],
            "Trễ": scheduled["Phát theo lịch: trễ"],
            "Không trọn vẹn": scheduled["Phát theo lịch: không trọn vẹn"],
            "Không phát": scheduled["Phát theo lịch: không phát"],
            "Phát ngay (ngoài lịch)": overview["Số lần phát ngay (ngoài lịch)"],
            "Phát khẩn cấp": overview["Số lần phát khẩn cấp"],
        }
        assert {k: line[k] for k in expected} == expected
        assert line["Trong đó: tiếng dân tộc thiểu số (giờ)"] > 0 and line["Phát khẩn cấp"] >= 1
        assert line["Không trọn vẹn"] >= 1 and line["Không phát"] >= 1
        for column, value in expected.items():
            sums[("airings", column)] = sums.get(("airings", column), 0) + value

    for label in hours.columns[1:-1]:
        assert hours.total is not None and counts.total is not None
        assert _row(counts, "Toàn tuyến")[label] == sums[("count", label)]
        assert show(_row(hours, "Toàn tuyến")[label], "hours") == show(sums[("hours", label)], "hours")
    total = _row(airings, "Toàn tuyến")
    for column, kind in zip(airings.columns[1:], airings.kinds[1:], strict=True):
        assert show(total[column], kind) == show(sums[("airings", column)], kind), column


def test_rows_outside_the_half_stay_out(province: tuple[bootstrap.Container, list[Commune]]) -> None:
    hub, communes = province
    with hub.store.transaction() as uow:
        held = uow.hub_log.counts()
        inside = len(uow.hub_log.rows("xa-tan-lap", *H1.bounds(ZONE)))
    with communes[0].container.store.transaction() as uow:
        shipped = len(uow.broadcast_log.after(0, 10_000))
    assert held["xa-tan-lap"] == shipped > inside == len(communes[0].container.reports.rows(H1))


def _emergency(hub: bootstrap.Container, command_id: str, at: datetime, zones: list[str], action: str) -> None:
    with hub.store.transaction() as uow:
        uow.fleet.add_command(command_id=command_id, action=action, zones=zones, receiver_slug=None,
                              seq=uow.fleet.next_seq(), issued_by="tinh", issued_at=at)  # fmt: skip


def test_emergencies_sent_delivered_and_heard_per_commune(
    province: tuple[bootstrap.Container, list[Commune]],
) -> None:
    hub, _communes = province
    sent = datetime(2026, 6, 20, 7, 0, tzinfo=UTC)  # 14:00 in Hà Nội
    _emergency(hub, "em-bao-so-3", sent, ["vung-xa-tan-lap", "vung-xa-an-binh", "vung-xa-muong-lat"], "emergency")
    _emergency(hub, "em-lu-quet", sent + timedelta(hours=3), ["vung-xa-muong-lat"], "emergency")
    _emergency(hub, "cancel-bao", sent + timedelta(hours=1), ["vung-xa-tan-lap"], "cancel")
    _emergency(hub, "em-nam-ngoai", datetime(2026, 7, 1, 1, tzinfo=UTC), ["vung-xa-tan-lap"], "emergency")
    acks = (
        CommandAck("em-bao-so-3", "xa-tan-lap", sent + timedelta(seconds=1), True, sent + timedelta(seconds=1.4)),
        CommandAck("em-bao-so-3", "xa-an-binh", sent + timedelta(seconds=2), False, None, "Đài không cho phép phát"),
        CommandAck("em-lu-quet", "xa-muong-lat", sent + timedelta(hours=3, seconds=1), True,
                   sent + timedelta(hours=3, seconds=1, milliseconds=800)),
    )  # fmt: skip
    for ack in acks:
        hub.fleet.record_ack(ack)
    report = hub_reports(hub).build(H1)
    table = report.table("khan_cap")
    assert {row[0]: row[1:5] for row in table.all_rows} == {
        "Xã An Bình": (1, 1, 0, 1),
        "Xã Mường Lát": (2, 1, 1, 1),
        "Xã Tân Lập": (1, 1, 1, 0),
        "Toàn tuyến": (4, 3, 2, 2),
    }
    assert _row(table, "Xã Mường Lát")["Lâu nhất từ lúc gửi đến lúc phát"] == "2 giây"
    detail = report.table("khan_cap_chi_tiet")
    lines = [dict(zip(detail.columns, row, strict=True)) for row in detail.rows]
    assert [(d["Mã lệnh"], d["Xã"]) for d in lines] == [
        ("em-bao-so-3", "Xã An Bình"),
        ("em-bao-so-3", "Xã Mường Lát"),
        ("em-bao-so-3", "Xã Tân Lập"),
        ("em-lu-quet", "Xã Mường Lát"),
    ]
    first = lines[2]
    assert (first["Ngày"], first["Gửi lúc"], first["Đài nhận lúc"], first["Phát lúc"]) == (
        "20/06/2026",
        "14:00:00",
        "14:00:01",
        "14:00:01",
    )
    assert lines[0]["Phát lúc"] == "Chưa phát" and lines[0]["Ghi chú"] == "Đài không cho phép phát"
    assert lines[1]["Đài nhận lúc"] == "Chưa nhận" and lines[1]["Ghi chú"] == "Đài chưa trả lời"
    heading = report.heading
    assert (heading.authority, heading.station, heading.place) == ("UBND tỉnh Phú Thọ", HUB_NAME, "Phú Thọ")
    assert report.dateline == "Phú Thọ, ngày 06 tháng 7 năm 2026"
    assert (report.signer_title, report.signer_name) == ("THỦ TRƯỞNG CƠ QUAN", "Trần Văn Tỉnh")


def _hub_cli(hub_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "hub", "--data-dir", str(hub_dir), "report", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_the_cli_writes_docx_xlsx_and_csv_with_the_same_figures(
    province: tuple[bootstrap.Container, list[Commune]], tmp_path: Path
) -> None:
    hub, communes = province
    expected = hub_reports(hub).build(H1).table("phat_song")
    out = tmp_path / "bao-cao"
    result = _hub_cli(hub.locations.data_dir, "--half", "2026-1", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    names = sorted(Path(p).name for p in json.loads(result.stdout))
    assert names == [f"bao-cao-tuyen-tren-2026-H1.{kind}" for kind in ("csv", "docx", "xlsx")]
    assert "Đang lập báo cáo tuyến trên 6 tháng đầu năm 2026" in result.stderr
    assert "đã ghi bao-cao-tuyen-tren-2026-H1.docx" in result.stderr

    printed = {row[0]: [show(v, k) for v, k in zip(row, expected.kinds, strict=True)] for row in expected.all_rows}
    document = docx.Document(str(out / "bao-cao-tuyen-tren-2026-H1.docx"))
    heading = [cell.text for cell in document.tables[0].rows[0].cells]
    assert heading[0].splitlines()[:2] == ["UBND TỈNH PHÚ THỌ", HUB_NAME.upper()]
    assert re.fullmatch(r"Phú Thọ, ngày \d\d tháng \d+ năm \d{4}", heading[1].splitlines()[-1])  # the CLI's clock
    assert "BÁO CÁO" in [p.text for p in document.paragraphs]
    signature = "\n".join(cell.text for t in document.tables for row in t.rows for cell in row.cells)
    assert "THỦ TRƯỞNG CƠ QUAN" in signature and "- Các đài truyền thanh xã;" in signature
    table = next(t for t in document.tables if [c.text for c in t.rows[0].cells] == list(expected.columns))
    in_docx = {cells[0]: cells for cells in ([c.text for c in row.cells] for row in table.rows[1:])}
    assert in_docx == printed

    book = openpyxl.load_workbook(out / "bao-cao-tuyen-tren-2026-H1.xlsx")
    sheet = [row for row in book["Phát sóng"].iter_rows(min_row=HEADER_ROW, values_only=True) if any(row)]
    assert list(sheet[0]) == list(expected.columns)
    in_xlsx = {row[0]: row for row in sheet[1:]}
    for commune in communes:
        assert in_xlsx[commune.name][3] == _row(expected, commune.name)["Phát theo lịch"]
        assert in_xlsx[commune.name][1] == pytest.approx(_row(expected, commune.name)["Tổng số giờ phát"], abs=0.005)

    with (out / "bao-cao-tuyen-tren-2026-H1.csv").open(encoding="utf-8-sig", newline="") as handle:
        cells = {(t, r, c): v for t, r, c, v in list(csv.reader(handle, delimiter=";"))[1:]}
    for row in expected.all_rows:
        assert cells[(expected.key, row[0], "Phát theo lịch")] == str(row[3])
        hours = float(cells[(expected.key, row[0], "Tổng số giờ phát")].replace(",", "."))
        assert hours == pytest.approx(row[1], abs=1e-6)

    year = _hub_cli(hub.locations.data_dir, "--year", "2026", "--format", "csv", "--csv-comma", "--out", str(out))
    assert year.returncode == 0, year.stderr
    assert year.stdout.strip() == f"Đã ghi {out / 'bao-cao-tuyen-tren-nam-2026.csv'}"
    with (out / "bao-cao-tuyen-tren-nam-2026.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == ["Bảng", "Dòng", "Cột", "Giá trị"]


def test_the_cli_refuses_a_bad_period_a_missing_hub_and_an_unwritable_folder(
    province: tuple[bootstrap.Container, list[Commune]], tmp_path: Path
) -> None:
    hub, _communes = province
    bad = _hub_cli(hub.locations.data_dir, "--half", "2026-3")
    assert bad.returncode != 0 and "Kỳ «2026-3» không đúng dạng NĂM-1" in bad.stderr and "--half" in bad.stderr
    missing = _hub_cli(tmp_path / "khong-co", "--half", "2026-1", "--out", str(tmp_path / "out"))
    assert missing.returncode != 0 and "Chưa có dữ liệu tuyến trên" in missing.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "khong-co").exists()

    blocker = tmp_path / "tep"
    blocker.write_text("không phải thư mục", encoding="utf-8")
    unwritable = _hub_cli(hub.locations.data_dir, "--half", "2026-1", "--out", str(blocker / "con"))
    assert unwritable.returncode != 0 and "Không tạo được thư mục báo cáo" in unwritable.stderr

    # The spreadsheet cannot be written (a folder holds its name): the document written before it is removed.
    out = tmp_path / "nua-chung"
    (out / "bao-cao-tuyen-tren-2026-H1.xlsx").mkdir(parents=True)
    (out / "bao-cao-tuyen-tren-2026-H1.xlsx" / "giu").write_text("x", encoding="utf-8")
    half = _hub_cli(hub.locations.data_dir, "--half", "2026-1", "--out", str(out))
    assert half.returncode != 0 and "Không ghi được tệp báo cáo" in half.stderr
    assert sorted(p.name for p in out.iterdir()) == ["bao-cao-tuyen-tren-2026-H1.xlsx"]


def test_periods_are_read_as_the_hub_operator_writes_them() -> None:
    assert HubReportService.period("2026-2", None) == half_year(2026, 2)
    assert HubReportService.period("1", 2026) == half_year(2026, 1)
    assert HubReportService.period("2026-1", 2026) == half_year(2026, 1)
    assert HubReportService.period(None, 2026).slug == "2026"
    for half, year, field in (
        ("2026-1", 2025, "year"),
        ("2", None, "half"),
        (None, None, "half"),
        ("H1", 2026, "half"),
    ):
        with pytest.raises(ReportError) as caught:
            HubReportService.period(half, year)
        assert caught.value.field == field


def test_the_hub_on_postgresql_counts_as_the_station_does(pg_url: str, tmp_path: Path) -> None:
    """The hub's store is PostgreSQL in production: the same rows and commands read back there give the same
    figures as the commune's own SQLite report."""
    commune = Commune("xa-tan-lap", "Xã Tân Lập", _station(tmp_path / "station", "Xã Tân Lập", 5, date(2026, 6, 12)))
    hub = _hub(tmp_path / "hub", FrozenClock(datetime(2026, 7, 6, 2, tzinfo=UTC)), pg_url)
    try:
        _subscribe(hub, commune.slug, commune.name)
        assert _ship(commune, hub) > 0
        sent = datetime(2026, 6, 20, 7, 0, tzinfo=UTC)
        _emergency(hub, "em-bao", sent, ["vung-xa-tan-lap"], "emergency")
        hub.fleet.record_ack(CommandAck("em-bao", "xa-tan-lap", sent, True, sent + timedelta(seconds=1)))
        report = hub_reports(hub).build(H1)
        own = commune.container.reports.build(H1)
        hours = _row(report.table("the_loai_gio"), commune.name)
        assert {row[0]: row[2] for row in own.table("the_loai").rows} == {
            label: hours[label] for label in report.table("the_loai_gio").columns[1:-1]
        }
        line = _row(report.table("phat_song"), commune.name)
        overview = _figures(own, "tong_hop")
        assert (line["Tổng số giờ phát"], line["Phát theo lịch"]) == (
            overview["Tổng số giờ phát sóng"],
            overview["Số lần phát theo lịch"],
        )
        assert _row(report.table("khan_cap"), commune.name)["Đã phát"] == 1
    finally:
        commune.container.close()
        hub.close()
