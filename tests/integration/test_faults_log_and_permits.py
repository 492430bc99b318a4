"""Issue 14, points 1 to 4, reproduced: the broadcast log survives a database locked by another process and a
full disk; a used emergency permit stays used after a restart; nothing goes on air or off it through the
control socket without a permit or a session token; the environment cannot change who may do what.

The daemon runs in this process on a frozen clock (as in ``tests/daemon``) against a real SQLite file; the
lock is held by another process, the full disk is a real tmpfs filled to the last byte, and the commands go
through the real control socket.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.audio import tone
from tests.daemon.conftest import Station, approved_programme, hn, schedule, session_for
from tests.daemon.conftest import station as station  # noqa: PLC0414 (the fixture, used by name below)
from tests.fakes import FakeDaemonLink, FakePlayout, FrozenClock
from tests.integration.test_cli import run as run_cli
from tests.people import ADMIN, PASSWORD
from truyenthanh import bootstrap
from truyenthanh.adapters.control import ControlClient
from truyenthanh.adapters.log_journal import LOG_JOURNAL_FILE, FileLogJournal
from truyenthanh.config import load_settings
from truyenthanh.daemon import Daemon
from truyenthanh.domain.enums import Outcome, Role
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import DaemonError, PermissionDeniedError
from truyenthanh.services.accounts import ROLE_SETTINGS_ACTION, ROLE_SETTINGS_ACTOR
from truyenthanh.tui.backend import StationBackend

LOCKER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


@contextmanager
def write_lock(database: Path) -> Iterator[None]:
    """Another process holds the database's write lock until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(database)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)


def journal_lines(container: bootstrap.Container) -> list[dict[str, object]]:
    """The log journal as the daemon left it in the station folder."""
    path = container.locations.data_dir / LOG_JOURNAL_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def schedule_at_ten_past(station: Station, title: str, *seconds: float) -> None:
    """An approved programme of silences this long, scheduled at 10:10."""
    approved_programme(station.container, title, *seconds)
    schedule(station.container, title, hn(10, 10))


def play_through(station: Station, *seconds: float) -> None:
    """Let the airing at 10:10 play to its end."""
    station.clock.set(hn(10, 9, 56))
    station.tick()
    station.tick(1.0)
    station.tick(3.0)
    for _ in seconds:
        station.tick(max(seconds) + 1.0)


# ------------------------------------------------------------------------------------ 1. a log never lost


@pytest.mark.slow
def test_a_write_lock_held_by_another_process_across_an_airing_loses_no_row(station: Station) -> None:
    schedule_at_ten_past(station, "Bản tin trưa", 2.0, 3.0)
    station.start()
    database = station.container.locations.db_path
    with write_lock(database):
        play_through(station, 2.0, 3.0)  # the first row waits out SQLite's busy timeout, then gives up
        assert station.daemon.status().log_pending == 2  # status says so; the airing played all the same
        assert station.fake.commands[0][0] == "enqueue"
        lines = journal_lines(station.container)
        assert [line["entry"]["item_title"] for line in lines] == ["Mục 1", "Mục 2"]  # type: ignore[index]
        assert station.log() == []  # readers still read: nothing reached the database
    assert station.daemon.journal.retry() == 0  # the lock is gone: written, in order
    rows = station.log()
    assert [(r.item_title, r.outcome) for r in rows] == [("Mục 1", Outcome.PLAYED), ("Mục 2", Outcome.PLAYED)]
    assert rows[0].actual_start == hn(10, 10) and rows[0].recorded_at is not None
    assert journal_lines(station.container) == []  # trimmed after the commit
    assert station.daemon.status().log_pending == 0


def test_rows_journalled_by_a_run_that_died_are_written_once_at_the_next_start(station: Station) -> None:
    schedule_at_ten_past(station, "Bản tin sáng", 2.0)
    station.start()
    play_through(station, 2.0)
    written = station.log()
    log = station.container.broadcast_log
    # A run killed between its commit and the journal's trim leaves a committed line; another never reached
    # the database. Both are in the journal file.
    journal = FileLogJournal(station.container.locations.data_dir / LOG_JOURNAL_FILE)
    mark_id = "a" * 32
    with station.container.store.transaction() as uow:
        uow.journal_marks.add(mark_id, written[0].id, station.clock.now())
    entry = {"outcome": "played", "programme_title": "Bản tin sáng", "item_title": "Mục 1", "priority": "normal"}
    journal.append({"id": mark_id, "kind": "log", "recorded_at": hn(10, 11).isoformat(), "entry": entry})
    lost = {**entry, "item_title": "Mục chưa ghi", "actual_start": hn(10, 12).isoformat()}
    journal.append({"id": "b" * 32, "kind": "log", "recorded_at": hn(10, 12).isoformat(), "entry": lost})
    assert log.unwritten() == 1  # what `audit verify` counts as a problem
    broadcast = station.container.audit.verify()[1]
    assert not broadcast.ok and "1 dòng nhật ký phát thanh còn chờ" in broadcast.problems[-1].reason
    station.daemon.shutdown()
    fake = FakePlayout(station.clock)
    again = Station(station.container, station.clock, fake, Daemon(station.container, output="device", playout=fake))
    again.start()
    titles = [r.item_title for r in again.log()]
    assert titles == ["Mục 1", "Mục chưa ghi"]  # the committed line is not written twice
    assert log.unwritten() == 0 and journal_lines(station.container) == []
    assert all(report.ok for report in station.container.audit.verify())
    again.daemon.shutdown()


@contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    """A real tmpfs of this size mounted on ``folder`` (skips where mounting is not allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if os.geteuid() != 0 or mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the filesystem holding ``folder`` to its last byte; returns the file to delete to free it."""
    filler = folder / "filler.bin"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 65536, 4096, 512, 1):
            block = b"\0" * size
            try:
                while True:
                    os.write(descriptor, block)
            except OSError:
                continue
    finally:
        os.close(descriptor)
    return filler


@pytest.mark.slow
def test_a_full_disk_across_an_airing_loses_no_row_once_space_is_back(tmp_path: Path, clock: FrozenClock) -> None:
    with small_disk(tmp_path / "disk", 24) as disk:
        for key in [k for k in os.environ if k.startswith("TRUYENTHANH_")]:
            os.environ.pop(key)
        container = bootstrap.build(load_settings(disk / "station"), clock=clock)
        try:
            container.station.init()
            container.scheduling.set_rules(ADMIN, StationRules())
            fake = FakePlayout(clock)
            full = Station(container, clock, fake, Daemon(container, output="device", playout=fake))
            schedule_at_ten_past(full, "Bản tin chiều", 2.0, 3.0)
            full.start()
            filler = fill(disk)
            play_through(full, 2.0, 3.0)
            assert full.daemon.status().log_pending == 2  # neither the database nor the journal file took them
            assert full.log() == []
            filler.unlink()
            assert full.daemon.journal.retry() == 0
            assert [(r.item_title, r.outcome) for r in full.log()] == [
                ("Mục 1", Outcome.PLAYED),
                ("Mục 2", Outcome.PLAYED),
            ]
            assert journal_lines(container) == []
            full.daemon.shutdown()
        finally:
            container.close()


# -------------------------------------------------------------------------------- 2. a permit works once


def test_a_permit_used_before_a_restart_is_refused_after_it(station: Station, tmp_path: Path) -> None:
    bulletin = tone(tmp_path / "canh-bao.wav", 660, 1.0)
    station.start()
    token = station.container.approvals.send_emergency(ADMIN, source=str(bulletin)).token
    station.daemon.emergency(file=str(bulletin), permit=token)
    station.tick(10.0)
    station.daemon.shutdown()  # or killed: the use was written before the emergency played
    fake = FakePlayout(station.clock)
    again = Station(station.container, station.clock, fake, Daemon(station.container, output="device", playout=fake))
    again.start()
    with pytest.raises(PermissionDeniedError, match="đã được dùng"):
        again.daemon.emergency(file=str(bulletin), permit=token)
    again.daemon.shutdown()


# --------------------------------------------------------------------- 3. no way on air without a pass


def test_the_control_socket_refuses_on_air_commands_without_a_pass(station: Station) -> None:
    programme_id = approved_programme(station.container, "Bản tin khẩn", 5.0)
    station.start()
    client = ControlClient(station.container.locations.runtime_dir)
    assert client.request("ping") == "pong" and client.request("status")["running"]  # open to the station's users
    for command, arguments in (
        ("play_now", {"programme": str(programme_id), "priority": "emergency"}),  # the trial's break-in
        ("play_now", {"programme": str(programme_id)}),
        ("stop", {}),
        ("skip", {}),
        ("cancel", {}),
        ("emergency", {"text": "Giả mạo"}),
        ("play_now", {"programme": str(programme_id), "session": "đoán-bừa"}),
        ("play_now", {"programme": str(programme_id), "priority": "emergency", "permit": "đoán-bừa"}),
    ):
        with pytest.raises(DaemonError, match=r"cấp phép|cần đăng nhập|không hợp lệ"):
            client.request(command, **arguments)
    assert station.fake.commands == []  # nothing reached the speaker
    approver = session_for(station.container, "duyet", "Trần Văn Duyệt", Role.APPROVER)
    with pytest.raises(DaemonError, match="không được điều khiển phát sóng"):  # a role that may not run the air
        client.request("play_now", programme=str(programme_id), session=approver)
    operator = session_for(station.container, "vanhanh", "Phạm Thị Hành")
    client.request("play_now", programme=str(programme_id), session=operator)
    assert station.fake.commands[-1][0] == "enqueue"
    # At emergency priority only a permit for that programme cuts in, once.
    granted = station.container.approvals.send_emergency(
        station.container.accounts.login("vanhanh", PASSWORD), title="Bản tin khẩn", programme_id=programme_id
    )
    client.request("play_now", programme=str(programme_id), priority="emergency", permit=granted.token)
    assert station.fake.commands[-1][0] == "preempt"
    with pytest.raises(DaemonError, match="đã được dùng"):
        client.request("play_now", programme=str(programme_id), priority="emergency", permit=granted.token)
    station.tick(1.0)
    assert station.daemon.status().playing is not None
    assert station.daemon.status().playing.priority.value == "emergency"  # type: ignore[union-attr]


def test_an_expired_or_disabled_session_is_refused(station: Station) -> None:
    station.start()
    token = session_for(station.container, "vanhanh", "Phạm Thị Hành")
    station.daemon.commands("stop", {"session": token})
    station.container.accounts.set_disabled(ADMIN, "vanhanh")
    with pytest.raises(PermissionDeniedError, match="đã bị khóa"):
        station.daemon.commands("stop", {"session": token})
    station.container.accounts.set_disabled(ADMIN, "vanhanh", disabled=False)
    station.clock.set(station.clock.now() + timedelta(hours=13))
    with pytest.raises(PermissionDeniedError, match="hết hạn"):
        station.daemon.commands("stop", {"session": token})


# ----------------------------------------------------------------- 4. roles from the config file only


def test_the_environment_cannot_make_anyone_a_single_operator(
    station_dir: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = bootstrap.build(load_settings(station_dir), clock=clock)
    built.station.init()
    built.accounts.add(None, username="quantri", full_name="Lê Văn Quản", role=Role.ADMIN, password=PASSWORD)
    admin = built.accounts.login("quantri", PASSWORD)
    ident = str(built.approvals.add_announcement(admin, title="Họp thôn", text="Mời bà con họp.", submit=True).id)
    built.close()
    login = {"TRUYENTHANH_USER": "quantri", "TRUYENTHANH_PASSWORD": PASSWORD}
    refused = run_cli("announcement", "approve", ident, data_dir=station_dir, env=login)
    assert refused.returncode != 0 and "Không được tự duyệt" in refused.stderr
    bypass = {"TRUYENTHANH_SINGLE_OPERATOR": "true", "TRUYENTHANH_SINGLE_OPERATOR_NAME": "Ai Đó"}
    monkeypatch.setattr("tests.integration.test_cli._ROLE_VARIABLES", {})  # pass them as the trial did
    tried = run_cli("announcement", "approve", ident, data_dir=station_dir, env=bypass)
    assert tried.returncode != 0 and "cần đăng nhập" in tried.stderr
    for key, value in bypass.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TRUYENTHANH_EMERGENCY_ROLES", '["editor"]')
    settings = load_settings(station_dir)
    assert not settings.single_operator and settings.single_operator_name == ""
    assert Role.EDITOR not in settings.emergency_roles


def test_a_change_of_the_role_settings_in_the_file_is_audited_once(station_dir: Path, clock: FrozenClock) -> None:
    built = bootstrap.build(load_settings(station_dir), clock=clock)
    built.station.init()
    built.accounts.add(None, username="quantri", full_name="Lê Văn Quản", role=Role.ADMIN, password=PASSWORD)
    built.accounts.login("quantri", PASSWORD)
    built.close()
    (station_dir / "truyenthanh.toml").write_text('emergency_roles = ["admin"]\n', encoding="utf-8")
    for _ in range(2):  # two commands see the change: one entry
        again = bootstrap.build(load_settings(station_dir), clock=clock)
        again.accounts.login("quantri", PASSWORD)
        again.close()
    check = bootstrap.build(load_settings(station_dir), clock=clock)
    entries = [e for e in check.audit.entries(limit=100) if e.action == ROLE_SETTINGS_ACTION]
    check.close()
    assert len(entries) == 1
    (entry,) = entries
    assert entry.actor == ROLE_SETTINGS_ACTOR
    assert entry.before is not None and entry.before["emergency_roles"] == ["admin", "approver", "operator"]
    assert entry.after is not None and entry.after["emergency_roles"] == ["admin"]


def test_hom_nay_warns_of_rows_waiting_to_be_written(container: bootstrap.Container, clock: FrozenClock) -> None:
    link = FakeDaemonLink(clock=clock, container=container)
    link.status = replace(link.status, log_pending=4)
    warnings = [(alert.text, alert.severity) for alert in StationBackend(container, daemon=link).today().warnings]
    assert (
        "Nhật ký đang chờ ghi: 4 dòng (cơ sở dữ liệu đang bị khóa hoặc đĩa đầy); dịch vụ phát vẫn phát và sẽ ghi "
        "ngay khi ghi được.",
        "error",
    ) in warnings
