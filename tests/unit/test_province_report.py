"""The province's report (issue 19), pure: a commune's figures are counted as its station counts them, the
total rows are the sums of the commune rows, and the hub's emergencies are counted per commune."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.domain.fleet_records import CommandRecord, ReceiverRecord
from truyenthanh.domain.province_report import Commune, CommuneFigures, EmergencyDelivery, province_report
from truyenthanh.domain.reports import Heading, LogRow, category_tallies, half_year
from truyenthanh.services.hub_reports import deliveries

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # 05:30 in Hà Nội
HEADING = Heading(authority="UBND tỉnh Phú Thọ", station="Sở Văn hoá", place="Phú Thọ", issued=date(2026, 7, 6))


def _row(n: int, seconds: float, category: Category, *, outcome: Outcome = Outcome.PLAYED, **extra: object) -> LogRow:
    start = AT + timedelta(days=n)
    values: dict[str, object] = {
        "id": n,
        "programme_title": f"Chương trình {n}",
        "item_title": "Bản tin",
        "item_kind": ItemKind.ANNOUNCEMENT,
        "category": category,
        "language": "vi",
        "priority": Priority.NORMAL,
        "scheduled_start": start,
        "actual_start": start if outcome is not Outcome.MISSED else None,
        "end": start + timedelta(seconds=seconds) if outcome is not Outcome.MISSED else None,
        "outcome": outcome,
        "reason": "",
        "outages": (),
        "operator": None,
        "approver": None,
        "recorded_at": start,
        "schedule_id": n,
        "programme_id": n,
        **extra,
    }
    return LogRow(**values)  # type: ignore[arg-type]


def test_commune_rows_and_total_rows_add_up() -> None:
    a = [_row(1, 1800, Category.POLICY_LAW), _row(2, 900, Category.LOCAL_AFFAIRS, language="hmn")]
    b = [_row(3, 3600, Category.POLICY_LAW), _row(4, 0, Category.POLICY_LAW, outcome=Outcome.MISSED)]
    communes = [
        CommuneFigures.of(Commune("xa-a", "Xã A"), a),
        CommuneFigures.of(Commune("xa-b", "Xã B"), b),
        CommuneFigures.of(Commune("xa-c", "Xã C"), []),
    ]
    report = province_report(communes, [], half_year(2026, 1), ZONE, HEADING)

    hours = report.table("the_loai_gio")
    policy, local = Category.POLICY_LAW.label, Category.LOCAL_AFFAIRS.label
    assert hours.columns == ("Xã", policy, local, "Cộng")
    assert hours.rows == [("Xã A", 0.5, 0.25, 0.75), ("Xã B", 1.0, 0.0, 1.0), ("Xã C", 0.0, 0.0, 0.0)]
    assert hours.total == ("Toàn tuyến", 1.5, 0.25, 1.75)
    assert report.table("the_loai_luot").total == ("Toàn tuyến", 2, 1, 3)
    assert [(name, count) for name, count, _ in category_tallies(a)] == [(policy, 1), (local, 1)]

    airings = report.table("phat_song")
    assert airings.rows[0][:8] == ("Xã A", 0.75, 0.25, 2, 2, 0, 0, 0)
    assert airings.rows[1][:8] == ("Xã B", 1.0, 0.0, 2, 1, 0, 0, 1)
    assert airings.total == ("Toàn tuyến", 1.75, 0.25, 4, 3, 0, 0, 1, 0, 0)
    assert report.signer_title == "THỦ TRƯỞNG CƠ QUAN" and not report.unfinished


def test_no_commune_still_gives_whole_total_rows() -> None:
    report = province_report([], [], half_year(2026, 2), ZONE, HEADING)
    for table in report.tables:
        if table.total is not None:
            assert len(table.total) == len(table.columns) and table.total[0] == "Toàn tuyến"
    assert report.unfinished and report.subtitle.endswith("6 tháng cuối năm 2026 (tính đến ngày 06/07/2026)")


def test_emergencies_reach_communes_through_their_zone_and_answers_are_read() -> None:
    sent = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
    receivers = [
        ReceiverRecord("xa-a", "Xã A", "vung-a", "$7$", sent),
        ReceiverRecord("xa-b", "Xã B", "vung-b", "$7$", sent),
    ]
    commands = [
        CommandRecord("em-1", "emergency", ("vung-a", "vung-b"), None, "tinh", sent, {
            "xa-a": {"ok": True, "at": (sent + timedelta(seconds=1)).isoformat(),
                     "heard_at": (sent + timedelta(seconds=1.5)).isoformat(), "reason": ""},
            "xa-b": {"ok": False, "at": (sent + timedelta(seconds=2)).isoformat(), "heard_at": None,
                     "reason": "đài tắt phát khẩn cấp"},
        }),
        CommandRecord("em-2", "emergency", (), "xa-b", "tinh", sent + timedelta(hours=1), {}),
    ]  # fmt: skip
    found = deliveries(commands, receivers)
    assert [(d.command_id, d.commune, d.delivered, d.aired) for d in found] == [
        ("em-1", "xa-a", True, True),
        ("em-1", "xa-b", True, False),
        ("em-2", "xa-b", False, False),
    ]
    assert found[0].delay_s == 1.5 and found[1].reason == "đài tắt phát khẩn cấp"
    communes = [CommuneFigures.of(Commune("xa-a", "Xã A"), []), CommuneFigures.of(Commune("xa-b", "Xã B"), [])]
    report = province_report(communes, found, half_year(2026, 1), ZONE, HEADING)
    assert report.table("khan_cap").rows == [("Xã A", 1, 1, 1, 0, "2 giây"), ("Xã B", 2, 1, 0, 2, "")]
    detail = report.table("khan_cap_chi_tiet").rows
    assert detail[0][1:7] == ("01/05/2026", "08:00:00", "em-1", "Xã A", "08:00:01", "08:00:02")
    assert [line[-1] for line in detail[1:]] == ["Đài tắt phát khẩn cấp", "Đài chưa trả lời"]
    assert EmergencyDelivery("x", "xa-a", sent, "tinh").delay_s is None
