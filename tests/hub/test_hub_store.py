"""A hub with no local state (issue 19): its offered files in the database and served by range from it, its chain
key placed by bootstrap on PostgreSQL and checked across machines, and the fleet records two hub processes share
(message numbers, one-time codes, answers) written safely when both write at once. On SQLite and a real
PostgreSQL."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.fakes import FrozenClock
from truyenthanh import bootstrap
from truyenthanh.adapters.db import chainkey
from truyenthanh.adapters.fleet_http import FleetFileServer
from truyenthanh.config import load_settings
from truyenthanh.domain.broadcast_log import LogEntry
from truyenthanh.domain.enums import Outcome
from truyenthanh.domain.fleet_records import CodeRecord, ZoneRecord
from truyenthanh.errors import StorageError
from truyenthanh.hub import StoredFile, files_dir, import_files, stored_file
from truyenthanh.services.unit_of_work import UnitOfWork

NAME = "Sở Văn hoá, Thể thao và Du lịch tỉnh Thử"


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, station_dir: Path, clock: FrozenClock) -> Iterator[bootstrap.Container]:
    """An initialised hub store, in an SQLite file or on a fresh PostgreSQL database."""
    flags = {"database_url": request.getfixturevalue("pg_url")} if request.param == "postgresql" else {}
    built = bootstrap.build(load_settings(station_dir, **flags), clock=clock)
    built.station.init(name=NAME)
    yield built
    built.close()


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
        return response.status, response.read(), dict(response.headers)


def test_files_are_kept_once_and_served_by_range_from_the_database(hub: bootstrap.Container) -> None:
    content = bytes(range(256)) * 9000 + b"tail"  # 2.3 MB: several read blocks
    digest = hashlib.sha256(content).hexdigest()
    with hub.store.transaction() as uow:
        assert uow.hub_files.put(digest, "tin-tinh.ttpkg", content, at=hub.clock.now()) is True
    with hub.store.transaction() as uow:
        assert uow.hub_files.put(digest, "lan-hai.ttpkg", content, at=hub.clock.now()) is False
        assert uow.hub_files.size(digest) == len(content)
        assert uow.hub_files.read(digest, 256 * 9000, 100) == b"tail"
        assert uow.hub_files.read(digest, len(content), 10) == b""
        assert uow.hub_files.read("0" * 64, 0, 10) == b""
        assert uow.hub_files.digests() == {digest}

    def lookup(sha256: str) -> StoredFile | None:
        return stored_file(hub.store, sha256)

    server = FleetFileServer("127.0.0.1", 0, lookup=lookup, enrol=lambda c, n: {}, now=hub.clock.now)
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}/files/"
        status, body, headers = _get(base + digest)
        assert (status, hashlib.sha256(body).hexdigest(), headers["ETag"]) == (200, digest, f'"{digest}"')
        status, body, headers = _get(base + digest, {"Range": "bytes=1048570-1048585"})
        assert (status, body) == (206, content[1048570:1048586])
        assert headers["Content-Range"] == f"bytes 1048570-1048585/{len(content)}"
        status, body, _ = _get(base + digest, {"Range": "bytes=-4"})
        assert (status, body) == (206, b"tail")
        with pytest.raises(urllib.error.HTTPError) as missing:
            _get(base + "1" * 64)
        assert missing.value.code == 404
    finally:
        server.close()


def test_files_an_earlier_hub_kept_in_its_folder_are_imported(hub: bootstrap.Container) -> None:
    folder = files_dir(hub)
    folder.mkdir(parents=True)
    good = b"goi chuong trinh cu"
    (folder / hashlib.sha256(good).hexdigest()).write_bytes(good)
    (folder / ("a" * 64)).write_bytes(b"not what the name says")
    (folder / "README").write_text("not a digest")
    assert import_files(hub) == 1
    assert import_files(hub) == 0  # once
    found = stored_file(hub.store, hashlib.sha256(good).hexdigest())
    assert found is not None and found.read(0, 100) == good
    assert stored_file(hub.store, "a" * 64) is None
    assert (folder / hashlib.sha256(good).hexdigest()).exists()  # the folder is left as it was


def _waiting_on_a_lock(hub: bootstrap.Container) -> bool:
    with hub.db.engine.connect() as connection:
        query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        return bool(connection.execute(text(query)).scalar())


def _overlapping(hub: bootstrap.Container, step: Callable[[UnitOfWork], object]) -> tuple[object, object]:
    """``step(uow)`` in one transaction held open while the same step runs on another connection (another hub
    process), committed only once PostgreSQL shows the other waiting on a lock: the two really overlap."""
    other: list[object] = []

    def run_other() -> None:
        with hub.store.transaction() as uow:
            other.append(step(uow))

    with hub.store.transaction() as uow:
        mine = step(uow)
        worker = threading.Thread(target=run_other)
        worker.start()
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock(hub):
            assert time.monotonic() < deadline, "the other writer never waited for the lock"
            time.sleep(0.02)
    worker.join(10)
    assert len(other) == 1
    return mine, other[0]


@pytest.fixture
def pg_hub(pg_url: str, station_dir: Path, clock: FrozenClock) -> Iterator[bootstrap.Container]:
    """An initialised hub store on a fresh PostgreSQL database, with one station's zone."""
    built = bootstrap.build(load_settings(station_dir, database_url=pg_url), clock=clock)
    built.station.init(name=NAME)
    with built.store.transaction() as uow:
        uow.fleet.add_zone(ZoneRecord("Xã Tân Lập", "xa-tan-lap", ""))
    yield built
    built.close()


def test_two_writers_never_draw_the_same_message_number(pg_hub: bootstrap.Container) -> None:
    def take(uow: UnitOfWork) -> object:
        return uow.fleet.next_seq()

    first, second = _overlapping(pg_hub, take)  # the very first number: the counter row does not exist yet
    assert sorted([first, second]) == [1, 2]  # type: ignore[type-var]
    drawn: list[int] = []

    def many() -> None:
        for _ in range(20):
            drawn.append(pg_hub.fleet.next_seq())

    workers = [threading.Thread(target=many) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert sorted(drawn) == list(range(3, 83))


def test_a_one_time_code_is_used_once_by_two_writers_at_once(pg_hub: bootstrap.Container) -> None:
    now = pg_hub.clock.now()
    with pg_hub.store.transaction() as uow:
        uow.fleet.add_code(CodeRecord("c" * 64, "xa-tan-lap", "quantri", now, now + timedelta(hours=1)))
    names = iter(["tram-a", "tram-b"])

    def use(uow: UnitOfWork) -> object:
        return uow.fleet.use_code("c" * 64, at=now, receiver_slug=next(names))

    assert _overlapping(pg_hub, use) == (True, False)
    with pg_hub.store.transaction() as uow:
        code = uow.fleet.code("c" * 64)
    assert code is not None and code.receiver_slug == "tram-a"


def test_answers_stored_at_once_by_two_writers_are_both_kept(pg_hub: bootstrap.Container) -> None:
    with pg_hub.store.transaction() as uow:
        uow.fleet.add_command(
            command_id="em-1", action="emergency", zones=["xa-tan-lap"], receiver_slug=None, seq=1,
            issued_by="quantri", issued_at=pg_hub.clock.now(),
        )  # fmt: skip
    stations = iter(["xa-tan-lap", "xa-minh-dai"])

    def answer(uow: UnitOfWork) -> object:
        return uow.fleet.add_ack("em-1", next(stations), {"ok": True})

    assert _overlapping(pg_hub, answer) == (True, True)
    assert pg_hub.fleet.command_acks("em-1") == {"xa-tan-lap": {"ok": True}, "xa-minh-dai": {"ok": True}}


def _append(container: bootstrap.Container, title: str) -> None:
    with container.store.transaction() as uow:
        uow.broadcast_log.append(LogEntry(Outcome.PLAYED, programme_title=title), recorded_at=container.clock.now())


def test_a_hub_on_postgres_keys_its_chains_and_a_second_machine_needs_the_same_key(
    pg_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    first_dir, second_dir = tmp_path / "may-1", tmp_path / "may-2"
    first_dir.mkdir()
    second_dir.mkdir()
    first = bootstrap.build(load_settings(first_dir, database_url=pg_url), clock=clock)
    second = bootstrap.build(load_settings(second_dir, database_url=pg_url), clock=clock)
    try:
        first.station.init(name=NAME)
        key = chainkey.load_file(first_dir / chainkey.KEY_FILE)
        assert key is not None  # made at init, in the data folder: a database on a server has no folder of its own
        _append(first, "Bản tin sáng")
        with pytest.raises(StorageError) as missing:  # the second machine was not given the key file
            _append(second, "Bản tin trưa")
        assert str(second_dir / chainkey.KEY_FILE) in missing.value.message
        assert chainkey.fingerprint(key) in missing.value.message
        assert not (second_dir / chainkey.KEY_FILE).exists()  # it did not start a chain of its own
        chainkey.create_file(second_dir / chainkey.KEY_FILE, {})  # another key is refused too
        with pytest.raises(StorageError, match="không phải khóa"):
            _append(second, "Bản tin trưa")
        shutil.copyfile(first_dir / chainkey.KEY_FILE, second_dir / chainkey.KEY_FILE)
        _append(second, "Bản tin trưa")
        reports = {report.chain: report for report in first.audit.verify()}
        assert reports["broadcast_log"].ok and reports["broadcast_log"].rows == 2
        with first.db.engine.connect() as connection:  # keyed: the plain hash of the rows is not what is stored
            stored = connection.execute(text("SELECT row_hash FROM broadcast_log ORDER BY id")).scalars().all()
        assert len(stored) == 2
    finally:
        first.close()
        second.close()


def test_hub_commands_on_a_folder_never_initialised_say_to_run_hub_init(tmp_path: Path) -> None:
    folder = tmp_path / "chua-co"
    for words in (["stations"], ["station", "add", "Xã Tân Lập"], ["send", "package", str(tmp_path)]):
        done = subprocess.run(
            [sys.executable, "-m", "truyenthanh", "hub", "--data-dir", str(folder), *words],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode != 0
        if words[0] != "send":  # click refuses the folder given as FILE first
            assert "«truyenthanh hub init --name TÊN»" in done.stderr, done.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "truyenthanh", "hub", "--data-dir", str(folder), "stations", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert helped.returncode == 0 and "Các đài đã đăng ký" in helped.stdout
    assert not folder.exists()  # asking created nothing
