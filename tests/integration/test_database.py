"""The station database on a real SQLite file: migrations, pragmas, model round trips."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
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
)
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority, Role
from truyenthanh.domain.station import DEFAULT_RULES
from truyenthanh.errors import StorageError


def _db(path: Path) -> database.Database:
    return database.Database(database.make_engine(database.sqlite_url(path)))


def test_upgrade_from_empty_matches_the_models(tmp_path: Path) -> None:
    db = _db(tmp_path / "s.db")
    database.upgrade(db.engine)
    assert database.current_revision(db.engine) == database.head_revision()
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_pragmas_wal_foreign_keys_busy_timeout(tmp_path: Path) -> None:
    db = _db(tmp_path / "s.db")
    database.upgrade(db.engine)
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == database.BUSY_TIMEOUT_MS


def test_upgrade_from_first_migration_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = _db(path)
    database.upgrade(db.engine, "0001")
    with sqlite3.connect(path) as raw:
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
    database.upgrade(db.engine)
    assert database.current_revision(db.engine) == database.head_revision()
    with db.session() as session:
        assert session.exec(select(Station)).one().name == "Đài xã Cũ"
        assert session.exec(select(Programme)).one().title == "Bản tin cũ"
        session.add(User(username="an", full_name="Nguyễn Văn An", role=Role.OPERATOR, password_hash="x"))


def test_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = _db(path)
    database.upgrade(db.engine)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StorageError, match="phiên bản mới hơn"):
        database.upgrade(db.engine)


def test_models_round_trip_with_aware_utc_times(tmp_path: Path) -> None:
    db = _db(tmp_path / "s.db")
    database.upgrade(db.engine)
    hanoi = timezone(timedelta(hours=7))
    start = datetime(2026, 11, 24, 5, 30, tzinfo=hanoi)
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
        session.add(asset)
        programme = Programme(title="Bản tin sáng", priority=Priority.PRIORITY)
        session.add(programme)
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
                programme_id=programme.id,
                start_at=start,
                rrule="FREQ=DAILY",
                exdates=["2026-11-25T22:30:00+00:00"],
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
    fresh = _db(tmp_path / "s.db")
    with fresh.session() as session:
        station = session.exec(select(Station)).one()
        assert DEFAULT_RULES.to_json() == station.rules
        schedule = session.exec(select(Schedule)).one()
        assert schedule.start_at == start
        assert schedule.start_at.tzinfo is not None
        assert schedule.start_at.utcoffset() == timedelta(0)
        assert schedule.exdates == ["2026-11-25T22:30:00+00:00"]
        item = session.exec(select(ProgrammeItem)).one()
        assert (item.kind, item.gain_db, item.fade_out_s) == (ItemKind.JINGLE, -2.5, 1.0)
        assert session.exec(select(Programme)).one().priority is Priority.PRIORITY
        assert session.exec(select(BroadcastLog)).one().outcome is Outcome.PLAYED


def test_naive_datetimes_are_refused(tmp_path: Path) -> None:
    db = _db(tmp_path / "s.db")
    database.upgrade(db.engine)
    with pytest.raises(Exception, match="múi giờ"), db.session() as session:
        session.add(Programme(title="x"))
        session.flush()
        session.add(Schedule(programme_id=1, start_at=datetime(2026, 1, 1)))


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = _db(tmp_path / "s.db")
    database.upgrade(db.engine)
    with pytest.raises(Exception, match="FOREIGN KEY"), db.session() as session:
        session.add(ProgrammeItem(programme_id=42, position=0, kind=ItemKind.SILENCE, duration_s=1.0))
        session.flush()


def test_times_are_stored_in_utc_text(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    db = _db(path)
    database.upgrade(db.engine)
    with db.session() as session:
        session.add(Programme(title="x", created_at=datetime(2026, 1, 1, 7, 0, tzinfo=timezone(timedelta(hours=7)))))
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT created_at FROM programme").fetchone()[0] == "2026-01-01T00:00:00.000000+00:00"
    assert datetime(2026, 1, 1, tzinfo=UTC)


def test_a_station_never_initialised_is_said_in_vietnamese(tmp_path: Path) -> None:
    """SQLite's "no such table" names what is missing and says to run init, in Vietnamese."""
    db = _db(tmp_path / "station.db")
    with pytest.raises(StorageError) as raised, db.session() as session:
        session.exec(select(User)).all()
    assert "chưa được khởi tạo hoặc là của phiên bản cũ (thiếu «user»)" in raised.value.message
    assert "«truyenthanh init»" in raised.value.message and "no such" not in raised.value.message
    gone = _db(tmp_path / "khong-co" / "station.db")
    with (
        pytest.raises(StorageError, match=r"Chưa có đài nào ở .*khong-co: hãy chạy «truyenthanh init»"),
        gone.session() as s,
    ):
        s.exec(select(User)).all()
