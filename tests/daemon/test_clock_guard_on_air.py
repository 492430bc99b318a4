"""The daemon does not air by a clock it cannot trust (a board back from a power cut without its time), says why
in its status, and airs again once an operator confirms the time or the clock is right."""

from __future__ import annotations

from tests.daemon.conftest import Station, approved_programme, hn, schedule, session_for, write_state
from truyenthanh.domain.enums import Outcome, Role


def test_a_clock_behind_the_last_run_holds_scheduled_airings(station: Station) -> None:
    approved_programme(station.container, "Bản tin sáng", 20.0)
    schedule(station.container, "Bản tin sáng", hn(10, 10))
    # The last run was alive at 11:00; the clock now says 10:00: it went backwards across the restart.
    write_state(station.container, {"alive_at": hn(11).isoformat(), "clean": True, "playing": {}})
    station.clock.set(hn(10))
    station.start()
    warning = station.daemon.status().clock_warning
    assert warning is not None and "chậm hơn dòng nhật ký cuối" in warning
    assert station.daemon.status().to_json()["clock_warning"] == warning
    station.clock.set(hn(10, 10))
    station.tick()
    assert station.fake.commands == []  # nothing handed to the speaker
    rows = station.log()
    assert [(r.programme_title, r.outcome) for r in rows] == [("Bản tin sáng", Outcome.SKIPPED)]
    assert "Đồng hồ máy" in rows[0].reason


def test_once_the_time_is_set_right_and_confirmed_airings_go_out_again(station: Station) -> None:
    approved_programme(station.container, "Bản tin trưa", 20.0)
    schedule(station.container, "Bản tin trưa", hn(11, 30))
    write_state(station.container, {"alive_at": hn(11).isoformat(), "clean": True, "playing": {}})
    station.clock.set(hn(10))
    station.start()
    assert station.daemon.status().clock_warning is not None
    station.clock.set(hn(11, 29, 50))  # someone sets the time right: a jump of 90 minutes
    station.daemon.heartbeat()  # without NTP to vouch for it, the jump itself is doubted
    token = session_for(station.container, "vanhanh", "Phạm Thị Vận")
    assert station.daemon.commands("clock_ok", {"session": token}) is None  # the operator confirms the time
    assert station.daemon.status().clock_warning is None
    station.tick(8.0)
    assert [kind for kind, _keys in station.fake.commands] == ["enqueue"]


def test_clock_ok_needs_a_session_and_answers_what_still_holds(station: Station) -> None:
    write_state(station.container, {"alive_at": hn(11).isoformat(), "clean": True, "playing": {}})
    station.clock.set(hn(10))
    station.start()
    token = session_for(station.container, "vanhanh", "Phạm Thị Vận", Role.OPERATOR)
    # A clock behind the last record stays untrusted even when confirmed: it would log airings out of order.
    still = station.daemon.commands("clock_ok", {"session": token})
    assert isinstance(still, str) and "chậm hơn" in still
