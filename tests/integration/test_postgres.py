"""What only PostgreSQL has of the station database (issue 19: the hub's store): its pool, every migration's
downgrade, an unreachable server, the hash chains' triggers and advisory lock, and the services end to end
through a ``database_url``. What both engines share (migrations, round trips, constraints, messages, the change
counter) runs on SQLite and PostgreSQL alike in ``test_database.py``.

One private server for the session (``postgres``); each test gets a new empty database (``pg_url``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool
from sqlmodel import select

from tests.fakes import FrozenClock
from tests.people import ADMIN, PASSWORD
from truyenthanh import bootstrap
from truyenthanh.adapters.db import chains, database
from truyenthanh.adapters.db.models import (
    AuditEntry,
    BroadcastLog,
    ChainAnchor,
    User,
)
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Role
from truyenthanh.domain.hashchain import GENESIS
from truyenthanh.errors import StorageError
from truyenthanh.services.broadcast_log import LogEntry

HANOI = timezone(timedelta(hours=7))


@pytest.fixture
def db(pg_url: str) -> Iterator[database.Database]:
    """The database of ``pg_url``, closed after the test (so the database can be dropped)."""
    opened = database.Database(database.make_engine(pg_url))
    yield opened
    opened.dispose()


def _raw(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """A plain psycopg connection (autocommit) to the database of ``url``: writes that bypass the program."""
    parts = make_url(url)
    return psycopg.connect(
        host=parts.host, port=parts.port, user=parts.username, dbname=parts.database, autocommit=True
    )


def test_engine_is_postgres_with_a_checked_pool(db: database.Database) -> None:
    assert db.engine.dialect.name == "postgresql"
    assert db.engine.dialect.driver == "psycopg"
    pool = db.engine.pool
    assert isinstance(pool, QueuePool) and pool.size() == database.POOL_SIZE
    assert pool._pre_ping
    assert "truyenthanh@127.0.0.1" in database.where(db.engine)


def test_downgrade_to_empty_leaves_nothing_and_upgrades_again(db: database.Database, pg_url: str) -> None:
    """Every migration's downgrade runs on PostgreSQL and removes what it made, enum types and trigger functions
    included (PostgreSQL keeps those apart from the tables)."""
    from alembic import command

    database.upgrade(db.engine)
    with db.engine.begin() as connection:
        config = database._alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    with _raw(pg_url) as raw:
        tables = raw.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        types = raw.execute("SELECT typname FROM pg_type WHERE typtype = 'e'").fetchall()
        functions = raw.execute("SELECT proname FROM pg_proc WHERE proname LIKE '%_anchor_%'").fetchall()
    assert (tables, types, functions) == ([("alembic_version",)], [], [])
    database.upgrade(db.engine)
    assert database.current_revision(db.engine) == database.head_revision()


def test_a_server_that_cannot_be_reached_is_said_in_vietnamese(postgres: object) -> None:
    unreachable = database.Database(database.make_engine("postgresql+psycopg://truyenthanh@127.0.0.1:1/none"))
    with (
        pytest.raises(StorageError, match="Không kết nối được máy chủ cơ sở dữ liệu") as raised,
        unreachable.session() as session,
    ):
        session.exec(select(User)).all()
    assert "database_url" in raised.value.message and "127.0.0.1:1/none" in raised.value.message
    assert unreachable.change_counter() == unreachable.change_counter()  # no server: the number stands, no error


def _log(title: str) -> BroadcastLog:
    return BroadcastLog(programme_title=title, outcome=Outcome.PLAYED, reason="Đúng giờ", recorded_at=datetime.now(UTC))


def test_the_chains_and_their_triggers_work_as_on_sqlite(db: database.Database, pg_url: str) -> None:
    database.upgrade(db.engine)
    with db.session() as session:
        first = chains.append_broadcast(session, _log("Bản tin sáng"))
        second = chains.append_broadcast(session, _log("Bản tin chiều"))
        chains.append(session, AuditEntry(at=datetime.now(UTC), actor="quantri", action="x", entity="y"))
    assert first.prev_hash == GENESIS and second.prev_hash == first.row_hash
    with db.session() as session:
        report = chains.check(session, BroadcastLog)
        assert (report.ok, report.rows, report.guarded) == (True, 2, True)
        anchor = session.get(ChainAnchor, "broadcast_log")
        assert anchor is not None and (anchor.last_id, anchor.last_hash, anchor.length) == (2, second.row_hash, 2)
        assert chains.check(session, AuditEntry).ok
    with _raw(pg_url) as raw:  # edited outside the program, then the last row deleted
        raw.execute("UPDATE broadcast_log SET reason = 'Sửa lén' WHERE id = 1")
        raw.execute("DELETE FROM broadcast_log WHERE id = 2")
    with db.session() as session:
        problems = chains.check(session, BroadcastLog).problems
    assert [p.row_id for p in problems if p.row_id is not None] == [1]
    assert any(p.row_id is None for p in problems)  # the anchor still points at the deleted row


def _tampered_chain_problems(db: database.Database) -> list[tuple[int | None, str]]:
    """Three rows appended, the second edited and the last deleted behind the program's back: what the check says."""
    database.upgrade(db.engine)
    with db.session() as session:
        for title in ("Bản tin sáng", "Thông báo", "Bản tin chiều"):
            chains.append_broadcast(session, _log(title))
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE broadcast_log SET item_title = 'Sửa lén' WHERE id = 2"))
        connection.execute(text("DELETE FROM broadcast_log WHERE id = 3"))
    with db.session() as session:
        report = chains.check(session, BroadcastLog)
    assert report.rows == 2 and report.guarded
    return [(p.row_id, p.reason) for p in report.problems]


def test_a_tampered_chain_is_reported_as_on_sqlite(db: database.Database, tmp_path: Path) -> None:
    sqlite = database.Database(database.make_engine(database.sqlite_url(tmp_path / "station.db")))
    try:
        on_sqlite = _tampered_chain_problems(sqlite)
    finally:
        sqlite.dispose()
    on_postgres = _tampered_chain_problems(db)
    assert on_postgres == on_sqlite
    assert [row_id for row_id, _ in on_postgres] == [2, None]


def test_concurrent_appenders_keep_one_chain(db: database.Database) -> None:
    """Without SQLite's database-wide write lock, the chain's advisory lock keeps each row linked to the one before."""
    database.upgrade(db.engine)
    errors: list[BaseException] = []

    def append_many(worker: int) -> None:
        try:
            for index in range(15):
                with db.session() as session:
                    chains.append_broadcast(session, _log(f"Tiến trình {worker}.{index}"))
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=append_many, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    with db.session() as session:
        report = chains.check(session, BroadcastLog)
        rows = session.exec(select(BroadcastLog).order_by(BroadcastLog.id)).all()  # type: ignore[arg-type]
    assert (report.ok, report.rows) == (True, 60), report.to_json()
    assert all(b.prev_hash == a.row_hash for a, b in pairwise(rows))


def test_a_station_runs_on_postgres_end_to_end(pg_url: str, station_dir: Path, clock: FrozenClock) -> None:
    """``bootstrap.build`` with a PostgreSQL ``database_url``: init, accounts, a programme and its schedule, the
    broadcast log written through the service, and ``audit verify`` clean."""
    built = bootstrap.build(load_settings(station_dir, database_url=pg_url), clock=clock)
    try:
        assert built.db.engine.dialect.name == "postgresql"
        built.station.init()
        assert database.current_revision(built.db.engine) == database.head_revision()
        built.station.init()  # running it again changes nothing
        built.accounts.add(None, username="quantri", full_name=ADMIN.full_name, role=Role.ADMIN, password=PASSWORD)
        admin = built.accounts.login("quantri", PASSWORD)
        programme = built.programmes.create(admin, "Bản tin sáng", category=Category.LOCAL_AFFAIRS)
        built.programmes.add_item(admin, programme.id, ItemKind.SILENCE, duration_s=600, title="Lặng")
        saved = built.scheduling.add(admin, "Bản tin sáng", rrule="FREQ=DAILY", time_of_day=time(5, 30))
        assert saved.schedule.duration_s == 600
        tomorrow = clock.now() + timedelta(days=1)
        [occurrence] = built.scheduling.occurrences(clock.now(), tomorrow)
        log = built.broadcast_log
        first = log.append(LogEntry(Outcome.PLAYED, "Bản tin sáng", "Lặng", scheduled_start=occurrence.start))
        log.keep(LogEntry(Outcome.MISSED, "Bản tin sáng", reason="Máy tắt", scheduled_start=tomorrow))
        assert log.flush() == 0  # nothing left pending
        rows = log.rows()
        assert [r.outcome for r in rows] == [Outcome.PLAYED, Outcome.MISSED]
        assert rows[0].id == first.id and rows[1].prev_hash == first.row_hash
        assert rows[0].scheduled_start == occurrence.start
        reports = built.audit.verify()
        assert all(report.ok and report.guarded for report in reports), [r.to_json() for r in reports]
        assert {r.chain: r.rows for r in reports}["broadcast_log"] == 2
        assert [e.action for e in built.audit.entries(limit=10)][-1] == "user.add"
        assert not (station_dir / "station.db").exists()  # nothing went to an SQLite file
    finally:
        built.close()
