"""The daemon's messages survive the trip to the wire and back, and read old or unknown ones safely."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from truyenthanh import protocol
from truyenthanh.domain.enums import Outcome, Priority

AT = datetime(2026, 12, 7, 5, 30, 0, 123000, tzinfo=UTC)

EVENTS: list[protocol.DaemonEvent] = [
    protocol.Problem("Mất thiết bị âm thanh.", airing="3@2026-12-07T05:30:00+00:00"),
    protocol.Problem("Lệnh bật/tắt âm ly lỗi."),
    protocol.DeviceChanged(ok=True, message="Đã có lại loa."),
    protocol.AiringQueued(airing="a", programme="Bản tin sáng", start_at=AT, items=3),
    protocol.AiringQueued(airing="b", programme="Phát ngay", start_at=None, items=1),
    protocol.ItemStartedOnAir(
        airing="a", programme="Bản tin", item="Nhạc hiệu", priority=Priority.PRIORITY, scheduled_start=AT, at=AT
    ),
    protocol.ItemEndedOnAir(
        airing="a",
        programme="Bản tin",
        item="Nhạc hiệu",
        outcome=Outcome.PARTIAL,
        reason="Người vận hành dừng phát (ở giây 3.0).",
        at=AT,
    ),
    protocol.RelayOutageReported(item="VOV1", start=AT, end=AT + timedelta(seconds=4), cause="mất kết nối", airing="a"),
    protocol.EmergencyStarted(id=2, count=1, title="Bão số 9"),
    protocol.EmergencyCancelled(id=2),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: type(event).__name__)
def test_every_event_round_trips(event: protocol.DaemonEvent) -> None:
    wire = protocol.encode(event, sent_at=AT)
    assert wire["type"] == event.kind
    assert wire["sent_at"] == "2026-12-07T05:30:00.123+00:00"
    assert protocol.decode_event(wire) == event


def test_an_unknown_event_type_is_ignored_not_an_error() -> None:
    assert protocol.decode_event({"type": "cluster_online", "zone": 4}) is None
    assert protocol.decode_event({}) is None


def test_status_round_trips_and_keeps_its_wire_shape() -> None:
    status = protocol.DaemonStatus(
        pid=42,
        started_at=AT,
        output="device",
        device=protocol.DeviceState(ok=False, name="loa", error="Mất loa: không phát ra được âm thanh.", standby=False),
        now=AT,
        playing=protocol.NowPlaying(
            airing="a",
            programme="Bản tin",
            item="Mục 1",
            priority=Priority.NORMAL,
            started_at=AT,
            position_s=12.34567,
            duration_s=60.0,
        ),
        level_dbfs=-23.456,
        queued=2,
        emergency=protocol.EmergencyState(
            id=1,
            title="Lũ",
            source="/tmp/b.wav",
            gain_db=-1.5,
            every_s=7200.0,
            remaining=None,
            operator="Lê Văn Quản",
            engine="espeak",
            next_at=AT,
            count=1,
            keys=("emergency:1:1",),
        ),
        upcoming=(protocol.UpcomingAiring(schedule_id=3, programme="Buổi chiều", start=AT, priority=Priority.NORMAL),),
        amplifier_on=True,
        log_pending=3,
    )
    wire = status.to_json()
    assert set(wire) == {
        "running",
        "pid",
        "started_at",
        "output",
        "device",
        "now",
        "playing",
        "level_dbfs",
        "queued",
        "emergency",
        "upcoming",
        "amplifier_on",
        "log_pending",
        "clock_warning",
    }
    assert wire["playing"]["position_s"] == 12.346
    assert wire["level_dbfs"] == -23.5
    back = protocol.DaemonStatus.from_json(wire)
    assert back.log_pending == 3  # broadcast-log rows the daemon could not write yet
    assert back.emergency == status.emergency
    assert back.upcoming == status.upcoming
    assert back.device == status.device
    assert back.playing is not None and back.playing.position_s == 12.346


def test_a_sparse_status_reads_with_defaults() -> None:
    status = protocol.DaemonStatus.from_json({"pid": 7})
    assert status.device.ok is True
    assert status.playing is None and status.emergency is None and status.upcoming == ()
