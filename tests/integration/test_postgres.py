"""The station database on a real PostgreSQL server (issue 19: the hub's store): migrations, model round trips,
the hash chains and ``audit verify``, and the services end to end through a ``database_url``.

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
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import QueuePool
from sqlmodel import SQLModel, select

from tests.fakes import FrozenClock
from tests.people import ADMIN, PASSWORD
from truyenthanh import bootstrap
from truyenthanh.adapters.db import chains, database
from truyenthanh.adapters.db.models import (
    AudioAsset,
    AuditEntry,
    BroadcastLog,
    ChainAnchor,
    Programme,
    ProgrammeItem,
    Schedule,
    Station,
    User,
    Zone,
)
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority, Role
from truyenthanh.domain.hashchain import GENESIS
from truyenthanh.domain.station import DEFAULT_RULES
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


def test_upgrade_from_empty_matches_the_models(db: database.Database) -> None:
    assert database.current_revision(db.engine) is None
    database.upgrade(db.engine)
    assert database.current_revision(db.engine) == database.head_revision()
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    database.upgrade(db.engine)  # again: nothing to do, nothing fails
    assert database.current_revision(db.engine) == database.head_revision()


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


def test_upgrade_from_first_migration_keeps_rows(db: database.Database, pg_url: str) -> None:
    database.upgrade(db.engine, "0001")
    with _raw(pg_url) as raw:
        raw.execute(
            "INSERT INTO station (name, commune, province, upstream, timezone, reading_variant, rules, created_at)"
            " VALUES ('Đài xã Cũ', 'Cũ', 'Hà Tĩnh', '', 'Asia/Ho_Chi_Minh', 'NORTH', '{}',"
            " '2025-01-01T00:00:00.000000+00:00')"
        )
        raw.execute(
            "INSERT INTO programme (title, category, priority, language, status, created_at)"
            " VALUES ('Bản tin cũ', 'LOCAL_AFFAIRS', 'NORMAL', 'vi', 'APPROVED', '2025-01-01T00:00:00.000000+00:00')"
        )
    assert database.current_revision(db.engine) == "0001"
    database.upgrade(db.engine, "0002")
    with _raw(pg_url) as raw:
        raw.execute("INSERT INTO zone (name, hamlet, enabled) VALUES ('Thôn Đông', 'Đông', true)")
    database.upgrade(db.engine)
    assert database.current_revision(db.engine) == database.head_revision()
    with db.session() as session:
        assert session.exec(select(Station)).one().name == "Đài xã Cũ"
        assert session.exec(select(Programme)).one().title == "Bản tin cũ"
        assert session.exec(select(Zone)).one().slug == "thon-dong"  # 0009 filled the new column
        session.add(User(username="an", full_name="Nguyễn Văn An", role=Role.OPERATOR, password_hash="x"))


def test_database_from_a_newer_program_is_refused(db: database.Database, pg_url: str) -> None:
    database.upgrade(db.engine)
    with _raw(pg_url) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StorageError, match="phiên bản mới hơn") as refused:
        database.upgrade(db.engine)
    assert "postgresql+psycopg://truyenthanh@127.0.0.1" in refused.value.message


def test_models_round_trip_with_aware_utc_times_json_and_enums(db: database.Database) -> None:
    database.upgrade(db.engine)
    start = datetime(2026, 11, 24, 5, 30, tzinfo=HANOI)
    with db.session() as session:
        session.add(Station(name="Đài xã A", commune="A", province="B", rules=DEFAULT_RULES.to_json()))
        asset = AudioAsset(
            path="a.wav",
            sha256="0" * 64,
            duration_s=1.5,
            format="wav",
            channels=1,
            sample_rate=48000,
            title="Nhạc hiệu",
            category=Category.MUSIC,
        )
        programme = Programme(title="Bản tin sáng", priority=Priority.PRIORITY)
        session.add_all([asset, programme])
        session.flush()
        assert programme.id and asset.id
        session.add(
            ProgrammeItem(
                programme_id=programme.id,
                position=0,
                kind=ItemKind.JINGLE,
                asset_id=asset.id,
                gain_db=-2.5,
                fade_out_s=1.0,
            )
        )
        session.add(
            Schedule(
                programme_id=programme.id, start_at=start, rrule="FREQ=DAILY", exdates=["2026-11-25T22:30:00+00:00"]
            )
        )
    fresh = database.Database(database.make_engine(db.engine.url.render_as_string(hide_password=False)))
    try:
        with fresh.session() as session:
            assert session.exec(select(Station)).one().rules == DEFAULT_RULES.to_json()
            schedule = session.exec(select(Schedule)).one()
            assert schedule.start_at == start
            assert schedule.start_at.utcoffset() == timedelta(0)
            assert schedule.exdates == ["2026-11-25T22:30:00+00:00"]
            item = session.exec(select(ProgrammeItem)).one()
            assert (item.kind, item.gain_db, item.fade_out_s) == (ItemKind.JINGLE, -2.5, 1.0)
            assert session.exec(select(Programme)).one().priority is Priority.PRIORITY
            # stored as the same UTC text as on SQLite
            stored = session.connection().execute(text("SELECT start_at FROM schedule")).scalar_one()
            assert stored == "2026-11-23T22:30:00.000000+00:00"
    finally:
        fresh.dispose()


def test_naive_datetimes_are_refused(db: database.Database) -> None:
    database.upgrade(db.engine)
    with pytest.raises(Exception, match="múi giờ"), db.session() as session:
        session.add(Programme(title="x"))
        session.flush()
        session.add(Schedule(programme_id=1, start_at=datetime(2026, 1, 1)))
    with db.session() as session:
        assert session.exec(select(Programme)).all() == []  # the whole transaction was rolled back


def test_foreign_keys_and_unique_constraints_are_enforced(db: database.Database) -> None:
    database.upgrade(db.engine)
    with pytest.raises(IntegrityError, match="foreign key"), db.session() as session:
        session.add(ProgrammeItem(programme_id=42, position=0, kind=ItemKind.SILENCE, duration_s=1.0))
        session.flush()
    with db.session() as session:
        session.add(User(username="an", full_name="Nguyễn Văn An", role=Role.OPERATOR, password_hash="x"))
    with pytest.raises(IntegrityError, match="ix_user_username"), db.session() as session:
        session.add(User(username="an", full_name="Trần An", role=Role.EDITOR, password_hash="y"))
    with db.session() as session:
        assert [u.full_name for u in session.exec(select(User))] == ["Nguyễn Văn An"]


def test_a_database_never_initialised_is_said_in_vietnamese(db: database.Database) -> None:
    with pytest.raises(StorageError) as raised, db.session() as session:
        session.exec(select(User)).all()
    assert "chưa được khởi tạo hoặc là của phiên bản cũ (thiếu «user»)" in raised.value.message
    assert "«truyenthanh init»" in raised.value.message


def test_a_server_that_cannot_be_reached_is_said_in_vietnamese(postgres: object) -> None:
    unreachable = database.Database(database.make_engine("postgresql+psycopg://truyenthanh@127.0.0.1:1/none"))
    with (
        pytest.raises(StorageError, match="Không kết nối được máy chủ cơ sở dữ liệu") as raised,
        unreachable.session() as session,
    ):
        session.exec(select(User)).all()
    assert "database_url" in raised.value.message and "127.0.0.1:1/none" in raised.value.message


def _settled(db: database.Database) -> int:
    """The change counter once two reads in a row agree (the server's own housekeeping may move it meanwhile)."""
    last = db.change_counter()
    for _ in range(50):
        now = db.change_counter()
        if now == last:
            return now
        last = now
    raise AssertionError("the change counter moves on every read")


def test_change_counter_moves_only_when_someone_commits(db: database.Database) -> None:
    database.upgrade(db.engine)
    other = database.Database(database.make_engine(db.engine.url.render_as_string(hide_password=False)))
    try:
        before = _settled(db)
        with db.session() as session:  # reading commits nothing
            session.exec(select(Programme)).all()
        assert db.change_counter() in {before, _settled(db)}
        before = _settled(db)
        with other.session() as session:
            session.add(Programme(title="Bản tin trưa"))
        assert db.change_counter() != before
    finally:
        other.dispose()
    unreachable = database.Database(database.make_engine("postgresql+psycopg://truyenthanh@127.0.0.1:1/none"))
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
