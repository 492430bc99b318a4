"""Airings in the daemon on a frozen clock: on time to the sample, misfire verdicts (skip, late, join), and
carrying on after a crash from the state file a killed run left."""

from __future__ import annotations

from datetime import timedelta

from tests.daemon.conftest import Station, approved_programme, hn, schedule, write_state
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ContentStatus, Outcome, Priority
from truyenthanh.protocol import AiringQueued, ItemEndedOnAir, ItemStartedOnAir


def test_an_airing_is_handed_over_ahead_and_starts_at_its_minute(station: Station) -> None:
    programme_id = approved_programme(station.container, "Bản tin sáng", 20.0, 10.0)
    schedule(station.container, "Bản tin sáng", hn(10, 10))
    station.start()
    station.clock.set(hn(10, 9, 56))
    station.tick()
    assert station.fake.commands == []  # four seconds ahead: not yet
    station.tick(1.0)  # three seconds ahead: handed to the engine with its start instant
    assert [kind for kind, _keys in station.fake.commands] == ["enqueue"]
    queued = [e for e in station.events() if isinstance(e, AiringQueued)]
    assert queued[0].programme == "Bản tin sáng" and queued[0].start_at == hn(10, 10) and queued[0].items == 2
    station.tick(3.0)
    started = [e for e in station.events() if isinstance(e, ItemStartedOnAir)]
    assert [(e.item, e.at) for e in started] == [("Mục 1", hn(10, 10))]
    station.tick(40.0)
    rows = station.log()
    assert [(r.item_title, r.outcome) for r in rows] == [("Mục 1", Outcome.PLAYED), ("Mục 2", Outcome.PLAYED)]
    assert rows[1].end == hn(10, 10, 30) and rows[0].approver == "Nguyễn Văn Duyệt"
    ended = [e for e in station.events() if isinstance(e, ItemEndedOnAir)]
    assert [e.outcome for e in ended] == [Outcome.PLAYED, Outcome.PLAYED]
    assert station.container.approvals.get(ContentKind.PROGRAMME, programme_id).status is ContentStatus.AIRED
    station.tick(600.0)
    assert len(station.log()) == 2  # dispatched once


def test_downtime_misfires_are_logged_missed_or_played_late(station: Station) -> None:
    for title in ("A", "B", "C"):
        approved_programme(station.container, title, 60.0)
    schedule(station.container, "A", hn(10, 10), "skip")
    schedule(station.container, "B", hn(10, 20), "late:30")
    schedule(station.container, "C", hn(10, 40), "late:30")
    write_state(station.container, {"alive_at": hn(10, 5).isoformat(), "clean": False, "playing": {}})
    station.clock.set(hn(10, 45))
    station.start()
    station.tick()
    rows = station.log()
    assert [(r.programme_title, r.outcome) for r in rows] == [("A", Outcome.MISSED), ("B", Outcome.MISSED)]
    assert "dịch vụ phát không chạy từ 10:05 Thứ Hai 23/11/2026" in rows[0].reason
    assert [kind for kind, _keys in station.fake.commands] == ["enqueue"]  # only C, the latest, plays late
    assert [e.programme for e in station.events() if isinstance(e, AiringQueued)] == ["C"]
    station.tick(61.0)
    late = station.log()[-1]
    assert (late.programme_title, late.outcome, late.actual_start) == ("C", Outcome.LATE, hn(10, 45))
    assert late.reason.startswith("Trễ 5 phút")


def test_a_join_starts_at_the_position_the_clock_says(station: Station) -> None:
    approved_programme(station.container, "Tiếp sóng", 60.0, 60.0)
    schedule(station.container, "Tiếp sóng", hn(10, 9), "join:30")
    station.start()
    station.clock.set(hn(10, 10, 30))
    station.tick()
    rows = station.log()
    assert [(r.item_title, r.outcome) for r in rows] == [("Mục 1", Outcome.MISSED)]
    assert rows[0].reason.startswith("Vào muộn, bỏ qua mục này.")
    station.tick(1.5)
    status = station.fake.status()
    assert status.playing is not None and status.position_s == 31.5  # 91.5 s after 10:09, less the first item
    station.tick(30.0)
    joined = station.log()[-1]
    assert (joined.item_title, joined.outcome) == ("Mục 2", Outcome.LATE)
    assert joined.actual_start == hn(10, 10, 30) + timedelta(seconds=1.5)
    assert "Bắt đầu từ giây 31.5 của mục." in joined.reason


def test_after_a_crash_the_cut_item_is_logged_and_the_airing_rejoined(station: Station) -> None:
    programme_id = approved_programme(station.container, "Bản tin trưa", 600.0)
    schedule_id = schedule(station.container, "Bản tin trưa", hn(10, 0))
    airing = f"{schedule_id}@{hn(10, 0).isoformat(timespec='seconds')}"
    record = {  # as a killed run wrote it
        "airing": airing, "programme_title": "Bản tin trưa", "item_title": "Mục 1", "item_kind": "silence",
        "priority": Priority.NORMAL.value, "schedule_id": schedule_id, "programme_id": programme_id,
        "category": "local_affairs", "language": "vi", "scheduled_start": hn(10, 0).isoformat(),
        "outcome": "played", "reason": "", "engine": None, "operator": None, "approver": "Nguyễn Văn Duyệt",
        "misfire": "late:5", "planned_end": hn(10, 10).isoformat(), "last": True,
        "actual_start": hn(10, 0).isoformat(), "offset_s": 0.0, "resumed": False, "announcement_id": None,
    }  # fmt: skip
    write_state(station.container, {"alive_at": hn(10, 2).isoformat(), "clean": False,
                                    "handled": {airing: hn(10, 0).isoformat()},
                                    "playing": {f"{airing}|programme:{programme_id}/item:0": record}})  # fmt: skip
    station.clock.set(hn(10, 3))
    station.start()
    station.tick()
    cut = station.log()[0]
    assert (cut.outcome, cut.end) == (Outcome.PARTIAL, hn(10, 2))
    assert "Dịch vụ phát bị dừng đột ngột" in cut.reason and "sau khoảng 120 giây" in cut.reason
    station.tick(1.5)
    status = station.fake.status()
    assert status.playing is not None and status.position_s == 181.5  # on the schedule's timeline
    assert station.state()["playing"]  # the rejoined item is in the new state file
    station.tick(600.0)
    rejoined = station.log()[-1]
    assert rejoined.outcome is Outcome.PARTIAL
    assert "Phát tiếp từ vị trí đúng giờ sau khi dịch vụ phát khởi động lại." in rejoined.reason
    assert len(station.log()) == 2  # the 10:00 airing is not played again from the top
