"""Emergencies in the daemon on a frozen clock: alert then bulletin, repeats, cancel, and carrying a running
emergency on after a restart (from the state file)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.audio import tone
from tests.daemon.conftest import Station
from tests.fakes import FakePlayout
from tests.people import ADMIN
from truyenthanh.daemon import Daemon
from truyenthanh.domain.enums import Outcome, Priority
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import DaemonError, PermissionDeniedError
from truyenthanh.protocol import EmergencyCancelled, EmergencyStarted


@pytest.fixture
def bulletin(tmp_path: Path) -> Path:
    """A recorded one-second bulletin."""
    return tone(tmp_path / "canh-bao-lu.wav", 660, 1.0)


def permit(station: Station, source: Path) -> str:
    """Authorise the bulletin as the emergency screen would."""
    return station.container.approvals.send_emergency(ADMIN, source=str(source)).token


def aired(station: Station) -> list[tuple[str, Outcome]]:
    """Item titles and outcomes of the emergency rows in the broadcast log."""
    return [(r.item_title, r.outcome) for r in station.log() if r.priority is Priority.EMERGENCY]


def test_the_alert_cuts_in_then_the_bulletin_and_it_repeats(station: Station, bulletin: Path) -> None:
    station.start()
    state = station.daemon.emergency(file=str(bulletin), repeat=2, every_min=120, permit=permit(station, bulletin))
    assert (state.count, state.remaining, state.next_at) == (1, 1, station.clock.now() + timedelta(hours=2))
    assert station.fake.commands[0] == ("preempt", ("emergency:1:1/alert", "emergency:1:1/pad"))
    station.tick(10.0)
    station.tick(5.0)
    assert ("preempt", ("emergency:1:1/bulletin",)) in station.fake.commands  # put in the pad's place
    assert aired(station) == [(TUNES["alert"].title, Outcome.PLAYED), ("canh-bao-lu", Outcome.PLAYED)]  # no pad row
    rows = [r for r in station.log() if r.priority is Priority.EMERGENCY]
    assert all(r.programme_title == "Phát khẩn cấp" and r.operator == "Lê Văn Quản" for r in rows)
    assert rows[-1].reason == "Khẩn cấp, lần 1/2."
    assert station.daemon.status().emergency is not None  # a repeat is due
    station.clock.set(state.next_at)  # type: ignore[arg-type]
    station.daemon.emergencies.repeat()
    station.tick(10.0)
    assert [e.count for e in station.events() if isinstance(e, EmergencyStarted)] == [1, 1, 2]
    assert len(aired(station)) == 4 and station.log()[-1].reason == "Khẩn cấp, lần 2/2."
    assert station.daemon.status().emergency is None  # done


def test_a_cancel_cuts_the_bulletin_and_stops_the_repeats(station: Station, bulletin: Path) -> None:
    station.start()
    station.daemon.emergency(file=str(bulletin), until_cancelled=True, permit=permit(station, bulletin))
    station.tick(0.5)
    cancelled = station.daemon.cancel_emergency()
    station.tick()
    assert cancelled.remaining is None and station.daemon.status().emergency is None
    last = station.log()[-1]
    assert last.outcome in (Outcome.SKIPPED, Outcome.PARTIAL) and last.reason == "Đã hủy phát khẩn cấp"
    assert [e.id for e in station.events() if isinstance(e, EmergencyCancelled)] == [1]
    assert station.fake.status().playing is None
    with pytest.raises(DaemonError, match="Không có phát khẩn cấp nào đang chạy"):
        station.daemon.cancel_emergency()


def test_a_permit_is_needed_and_used_once(station: Station, bulletin: Path) -> None:
    station.start()
    with pytest.raises(PermissionDeniedError, match="cần được cấp phép"):
        station.daemon.emergency(file=str(bulletin))
    granted = permit(station, bulletin)
    station.daemon.emergency(file=str(bulletin), permit=granted)
    with pytest.raises(PermissionDeniedError, match="đã được dùng"):
        station.daemon.emergency(file=str(bulletin), permit=granted)


def test_a_running_emergency_carries_on_after_a_restart(station: Station, bulletin: Path) -> None:
    station.start()
    state = station.daemon.emergency(file=str(bulletin), repeat=3, every_min=60, permit=permit(station, bulletin))
    station.tick(15.0)
    station.daemon.shutdown()
    saved = station.state()["emergency"]
    assert saved["count"] == 1 and saved["source"] == str(bulletin.resolve())
    fake = FakePlayout(station.clock)
    again = Station(station.container, station.clock, fake, Daemon(station.container, output="device", playout=fake))
    again.start()
    restored = again.daemon.status().emergency
    assert restored is not None and (restored.id, restored.count, restored.next_at) == (1, 1, state.next_at)
    again.clock.set(state.next_at)  # type: ignore[arg-type]
    again.daemon.emergencies.repeat()
    again.tick(10.0)
    assert [e.count for e in again.events() if isinstance(e, EmergencyStarted)] == [2]
    assert again.log()[-1].reason == "Khẩn cấp, lần 2/3."
    again.daemon.shutdown()
