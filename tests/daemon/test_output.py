"""The sound output in the daemon on a frozen clock: a lost device (airings due meanwhile are logged as failed,
the device is reopened when back), standby after a quiet spell and wake before the next airing, and the
control commands."""

from __future__ import annotations

import pytest

from tests.daemon.conftest import Station, approved_programme, hn, schedule, session_for
from truyenthanh.daemon.keeper import OutputKeeper
from truyenthanh.domain.enums import Outcome
from truyenthanh.errors import DaemonError
from truyenthanh.protocol import DaemonStatus, DeviceChanged, Problem


def test_a_lost_device_fails_the_airings_due_and_is_reopened_when_back(station: Station) -> None:
    approved_programme(station.container, "Tin sáng", 30.0)
    approved_programme(station.container, "Tin trưa", 30.0)
    morning = schedule(station.container, "Tin sáng", hn(10, 10))
    schedule(station.container, "Tin trưa", hn(10, 20))
    station.start()
    station.fake.lose_device("Thiết bị âm thanh bị rút ra.")
    station.daemon.heartbeat()
    problems = [e.message for e in station.events() if isinstance(e, Problem)]
    assert problems == ["Mất loa giả (bộ nhớ): không phát ra được âm thanh.", "Thiết bị âm thanh bị rút ra."]
    device = station.daemon.status().device
    assert not device.ok and device.error == "Thiết bị âm thanh bị rút ra."
    station.clock.set(hn(10, 9, 57))
    station.tick()
    failed = station.log()[-1]
    assert (failed.schedule_id, failed.outcome, failed.scheduled_start) == (morning, Outcome.FAILED, hn(10, 10))
    assert failed.reason == "Không phát được: Thiết bị âm thanh bị rút ra."
    station.fake.restore_device()
    station.daemon.heartbeat()
    assert [e.message for e in station.events() if isinstance(e, DeviceChanged)] == ["Đã có lại loa giả (bộ nhớ)."]
    assert station.daemon.status().device.ok
    station.clock.set(hn(10, 19, 57))
    station.tick()
    station.tick(40.0)
    assert (station.log()[-1].programme_title, station.log()[-1].outcome) == ("Tin trưa", Outcome.PLAYED)


def test_an_item_sounding_when_the_device_is_lost_is_logged_with_the_loss(station: Station) -> None:
    approved_programme(station.container, "Tin sáng", 30.0, 30.0)
    schedule(station.container, "Tin sáng", hn(10, 0, 5))
    station.start()
    station.tick(5.0)
    station.tick(10.0)
    station.fake.lose_device()
    station.daemon.heartbeat()
    station.tick()
    rows = station.log()
    lost = "Mất loa giả (bộ nhớ): không phát ra được âm thanh."
    assert sorted((r.item_title, r.outcome, r.reason) for r in rows) == [
        ("Mục 1", Outcome.PARTIAL, f"{lost} (ở giây 10.0)."),
        ("Mục 2", Outcome.FAILED, lost),
    ]


def test_a_quiet_output_is_given_back_and_taken_again_before_the_next_airing(station: Station) -> None:
    approved_programme(station.container, "Tin", 30.0)
    schedule(station.container, "Tin", hn(10, 10))
    station.start()
    ticks = [0.0]
    daemon = station.daemon
    keeper = OutputKeeper(output="device", standby_s=60.0, clock=station.clock, ledger=daemon.ledger,
                          journal=daemon.journal, timer=daemon.timer, monotonic=lambda: ticks[0])  # fmt: skip
    keeper.playout = station.fake
    daemon.timer.rebuild()
    keeper.standby_or_wake()
    ticks[0] = 59.0
    keeper.standby_or_wake()
    assert not station.fake.standing_by
    ticks[0] = 61.0
    keeper.standby_or_wake()
    assert station.fake.standing_by and station.fake.alive
    station.clock.set(hn(10, 9, 41))  # 19 s ahead: not yet
    keeper.standby_or_wake()
    assert station.fake.standing_by
    station.clock.set(hn(10, 9, 42))  # lead (3 s) and wake margin (15 s) ahead
    keeper.standby_or_wake()
    assert not station.fake.standing_by and station.fake.commands[-1] == ("wake", ())


def test_a_file_output_is_never_given_back(station: Station) -> None:
    daemon = station.daemon
    keeper = OutputKeeper(output="file:/tmp/x.wav", standby_s=1.0, clock=station.clock, ledger=daemon.ledger,
                          journal=daemon.journal, timer=daemon.timer, monotonic=lambda: 1e9)  # fmt: skip
    keeper.playout = station.fake
    station.fake.open()
    keeper.standby_or_wake()
    assert not station.fake.standing_by


def test_commands_answer_from_the_table(station: Station) -> None:
    approved_programme(station.container, "Nhạc hiệu", 30.0, 30.0)
    station.start()
    session = session_for(station.container, "hanh", "Phạm Thị Hành")
    commands = station.daemon.commands
    assert commands("ping", {}) == "pong"
    status = DaemonStatus.from_json(commands("status", {}))
    assert status.device.ok and status.output == "device" and status.playing is None
    airing = commands("play_now", {"programme": "Nhạc hiệu", "session": session})["airing"]
    station.tick(1.0)
    playing = commands("now_playing", {})
    assert playing["airing"] == airing and playing["item"] == "Mục 1" and playing["position_s"] == 1.0
    commands("skip", {"session": session})
    station.tick(2.0)
    commands("stop", {"session": session})
    station.tick()
    assert [(r.item_title, r.outcome, r.reason) for r in station.log()] == [
        ("Mục 1", Outcome.PARTIAL, "Người vận hành Phạm Thị Hành bỏ qua."),
        ("Mục 2", Outcome.PARTIAL, "Người vận hành Phạm Thị Hành dừng phát (ở giây 2.0)."),
    ]
    assert station.log()[0].operator == "Phạm Thị Hành"
    assert commands("reload", {}) == {"upcoming": 0}
    with pytest.raises(DaemonError, match="Lệnh «bay» không có"):
        commands("bay", {})
