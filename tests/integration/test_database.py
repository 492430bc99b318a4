"""The station database on both of its engines: a real SQLite file and a real PostgreSQL server (issue 19: the
hub's store). Migrations, model round trips, constraints, messages and the change counter run through the same
assertions on each (``backend`` is parametrised); what only one engine has (SQLite's pragmas and its missing
folder; PostgreSQL's pool, its downgrades and the services end to end) is in this file's last part and in
``test_postgres.py``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from truyenthanh.adapters.db import database
from truyenthanh.adapters.db.models import (
    AudioAsset,
    BroadcastLog,
    Programme,
    ProgrammeItem,
    Schedule,
    Station,
    User,
    Zone,
)
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority, Role
from truyenthanh.domain.station import DEFAULT_RULES
from truyenthanh.errors import StorageError

HANOI = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Backend:
    """One engine under test: its URL, the program's :class:`~database.Database` on it, and a way in that
    bypasses the program."""

    url: str
    db: database.Database

    @property
    def name(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.db.engine.dialect.name

    def raw(self, *statements: str) -> None:
        """Run statements on a plain driver connection (sqlite3 or psycopg), committed: a write from outside."""
        if self.name == "sqlite":
            with sqlite3.connect(str(self.db.engine.url.database)) as connection:
                for statement in statements:
                    connection.execute(statement)
            return
        parts = make_url(self.url)
        with psycopg.connect(
            host=parts.host, port=parts.port, user=parts.username, dbname=parts.database, autocommit=True
        ) as connection:
            for statement in statements:
                connection.execute(statement)

    def another(self) -> database.Database:
        """A second program's view of the same database (as another process would open it)."""
        return database.Database(database.make_engine(self.url))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """An empty database on SQLite (a file) and on PostgreSQL (a new database on the session's server)."""
    url = database.sqlite_url(tmp_path / "station.db")
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    opened = database.Database(database.make_engine(url))
    yield Backend(url, opened)
    opened.dispose()  # so the PostgreSQL database can be dropped


# --- the same on both engines --------------------------------------------------------------------------------


def test_upgrade_from_empty_matches_the_models(backend: Backend) -> None:
    db = backend.db
    assert database.current_revision(db.engine) is None
    database.upgrade(db.engine)
    assert database.current_revision(db.engine) == database.head_revision()
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    database.upgrade(db.engine)  # again: nothing to do, nothing fails
    assert database.current_revision(db.engine) == database.head_revision()


def test_upgrade_from_first_migration_keeps_rows(backend: Backend) -> None:
    db = backend.db
    database.upgrade(db.engine, "0001")
    backend.raw(
        "INSERT INTO station (name, commune, province, upstream, timezone, reading_variant, rules, created_at)"
        " VALUES ('Đài xã Cũ', 'Cũ', 'Hà Tĩnh', '', 'Asia/Ho_Chi_Minh', 'NORTH', '{}',"
        " '2025-01-01T00:00:00.000000+00:00')",
        "INSERT INTO programme (title, category, priority, language, status, created_at)"
        " VALUES ('Bản tin cũ', 'LOCAL_AFFAIRS', 'NORMAL', 'vi', 'APPROVED', '2025-01-01T00:00:00.000000+00:00')",
    )
    assert database.current_revision(db.engine) == "0001"
    database.upgrade(db.engine, "0002")
    backend.raw("INSERT INTO zone (name, hamlet, enabled) VALUES ('Thôn Đông', 'Đông', true)")
    database.upgrade(db.engine)
    assert database.current_revision(db.engine) == database.head_revision()
    with db.session() as session:
        assert session.exec(select(Station)).one().name == "Đài xã Cũ"
        assert session.exec(select(Programme)).one().title == "Bản tin cũ"
        assert session.exec(select(Zone)).one().slug == "thon-dong"  # 0009 filled the new column
        session.add(User(username="an", full_name="Nguyễn Văn An", role=Role.OPERATOR, password_hash="x"))


def test_database_from_a_newer_program_is_refused(backend: Backend) -> None:
    database.upgrade(backend.db.engine)
    backend.raw("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StorageError, match="phiên bản mới hơn") as refused:
        database.upgrade(backend.db.engine)
    assert database.where(backend.db.engine) in refused.value.message  # says which database


def test_models_round_trip_with_aware_utc_times_json_and_enums(backend: Backend) -> None:
    db = backend.db
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
        session.add(
            BroadcastLog(
                programme_id=programme.id,
                scheduled_start=start,
                actual_start=start,
                outcome=Outcome.PLAYED,
                reason="Đúng giờ",
            )
        )
    fresh = backend.another()
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
            assert session.exec(select(BroadcastLog)).one().outcome is Outcome.PLAYED
            # stored as the same UTC text on both engines
            stored = session.connection().execute(text("SELECT start_at FROM schedule")).scalar_one()
            assert stored == "2026-11-23T22:30:00.000000+00:00"
    finally:
        fresh.dispose()


def test_times_are_stored_in_utc_text(backend: Backend) -> None:
    db = backend.db
    database.upgrade(db.engine)
    with db.session() as session:
        session.add(Programme(title="x", created_at=datetime(2026, 1, 1, 7, 0, tzinfo=HANOI)))
    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT created_at FROM programme")).scalar_one()
    assert stored == "2026-01-01T00:00:00.000000+00:00"
    with db.session() as session:
        assert session.exec(select(Programme)).one().created_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_naive_datetimes_are_refused(backend: Backend) -> None:
    db = backend.db
    database.upgrade(db.engine)
    with pytest.raises(Exception, match="múi giờ"), db.session() as session:
        session.add(Programme(title="x"))
        session.flush()
        session.add(Schedule(programme_id=1, start_at=datetime(2026, 1, 1)))
    with db.session() as session:
        assert session.exec(select(Programme)).all() == []  # the whole transaction was rolled back


def test_foreign_keys_and_unique_constraints_are_enforced(backend: Backend) -> None:
    db = backend.db
    database.upgrade(db.engine)
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"), db.session() as session:
        session.add(ProgrammeItem(programme_id=42, position=0, kind=ItemKind.SILENCE, duration_s=1.0))
        session.flush()
    with db.session() as session:
        session.add(User(username="an", full_name="Nguyễn Văn An", role=Role.OPERATOR, password_hash="x"))
    duplicate = (
        r"ix_user_username|UNIQUE constraint failed: user\.username"  # PostgreSQL: the index; SQLite: the column
    )
    with pytest.raises(IntegrityError, match=duplicate), db.session() as session:
        session.add(User(username="an", full_name="Trần An", role=Role.EDITOR, password_hash="y"))
    with db.session() as session:
        assert [u.full_name for u in session.exec(select(User))] == ["Nguyễn Văn An"]


def test_a_database_never_initialised_is_said_in_vietnamese(backend: Backend) -> None:
    with pytest.raises(StorageError) as raised, backend.db.session() as session:
        session.exec(select(User)).all()
    assert "chưa được khởi tạo hoặc là của phiên bản cũ (thiếu «user»)" in raised.value.message
    assert "«truyenthanh init»" in raised.value.message and "no such" not in raised.value.message


def _settled(db: database.Database) -> int:
    """The change counter once two reads in a row agree (PostgreSQL's own housekeeping may move it meanwhile)."""
    last = db.change_counter()
    for _ in range(50):
        now = db.change_counter()
        if now == last:
            return now
        last = now
    raise AssertionError("the change counter moves on every read")


def test_change_counter_moves_only_when_someone_commits(backend: Backend) -> None:
    db = backend.db
    database.upgrade(db.engine)
    other = backend.another()
    try:
        before = _settled(db)
        with db.session() as session:  # reading commits nothing
            session.exec(select(Programme)).all()
        assert db.change_counter() in {before, _settled(db)}
        before = _settled(db)
        with other.session() as session:
            session.add(Programme(title="Bản tin trưa"))
        assert db.change_counter() != before
        before = _settled(db)
        backend.raw("UPDATE programme SET title = 'Bản tin chiều'")  # a program that is not ours
        assert db.change_counter() != before
    finally:
        other.dispose()


def test_change_counter_moves_with_this_process_s_own_commits(backend: Backend) -> None:
    """A commit by this very program, from any thread, moves its own counter (the daemon's timer polls it
    and must see a package the daemon imported itself); a rolled-back write does not."""
    db = backend.db
    database.upgrade(db.engine)
    before = _settled(db)
    with db.session() as session:
        session.add(Programme(title="Bản tin sáng"))
    assert db.change_counter() != before
    before = _settled(db)
    worker = threading.Thread(target=lambda: _rename(db, "Bản tin tối"))
    worker.start()
    worker.join()
    assert db.change_counter() != before
    before = _settled(db)
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(Programme(title="Không lưu"))
        session.flush()
        raise RuntimeError("bỏ")
    assert db.change_counter() in {before, _settled(db)}
    with db.session() as session:
        assert [p.title for p in session.exec(select(Programme))] == ["Bản tin tối"]


def _rename(db: database.Database, title: str) -> None:
    with db.session() as session:
        programme = session.exec(select(Programme)).one()
        programme.title = title
        session.add(programme)


def test_statements_that_write_are_told_from_reads() -> None:
    writes = ["INSERT INTO x VALUES (1)", "  update x set a = 1", "DELETE FROM x", "CREATE TABLE y (a int)"]
    reads = ["SELECT 1", "PRAGMA data_version", "SAVEPOINT sa_1", "RELEASE SAVEPOINT sa_1", "SHOW server_version"]
    assert [database.is_write(s) for s in writes] == [True] * 4
    assert [database.is_write(s) for s in reads] == [False] * 5


# --- SQLite only -----------------------------------------------------------------------------------------------


def _sqlite(path: Path) -> database.Database:
    return database.Database(database.make_engine(database.sqlite_url(path)))


def test_pragmas_wal_foreign_keys_busy_timeout(tmp_path: Path) -> None:
    db = _sqlite(tmp_path / "s.db")
    database.upgrade(db.engine)
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == database.BUSY_TIMEOUT_MS


def test_a_station_folder_that_does_not_exist_is_said_in_vietnamese(tmp_path: Path) -> None:
    gone = _sqlite(tmp_path / "khong-co" / "station.db")
    with (
        pytest.raises(StorageError, match=r"Chưa có đài nào ở .*khong-co: hãy chạy «truyenthanh init»"),
        gone.session() as s,
    ):
        s.exec(select(User)).all()
