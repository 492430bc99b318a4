"""The audit trail and the broadcast log are hash-chained: tampering with the SQLite file is found."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from truyenthanh import bootstrap
from truyenthanh.adapters.clock import SystemClock
from truyenthanh.adapters.db import audit as db_audit
from truyenthanh.adapters.db import chains, database
from truyenthanh.adapters.db.models import BroadcastLog
from truyenthanh.adapters.db.store import SqlStore
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.domain.hashchain import GENESIS, row_hash
from truyenthanh.domain.records import audit_content
from truyenthanh.services import audit

START = datetime(2026, 11, 2, 22, 30, tzinfo=UTC)


def _fill(container: bootstrap.Container, rows: int = 6) -> None:
    with container.db.session() as session:
        for index in range(rows):
            at = START + timedelta(days=index)
            chains.append_broadcast(
                session,
                BroadcastLog(
                    programme_id=1,
                    programme_title="Bản tin sáng",
                    item_title=f"Thông báo số {index + 1}",
                    item_kind=ItemKind.RELAY if index % 2 else ItemKind.ANNOUNCEMENT,
                    category=Category.ADMINISTRATION,
                    priority=Priority.NORMAL,
                    scheduled_start=at,
                    actual_start=at + timedelta(milliseconds=3),
                    end=at + timedelta(minutes=5),
                    outcome=Outcome.PLAYED,
                    outages=[{"start": at.isoformat(), "end": at.isoformat(), "cause": "mất tín hiệu"}]
                    if index % 2
                    else [],
                    operator="vanhanh",
                    approver="Nguyễn Thị Duyệt",
                    recorded_at=at + timedelta(minutes=5),
                ),
            )
            db_audit.record(
                session,
                at=at,
                actor="bientap",
                action="announcement.edit",
                entity="announcement",
                entity_id=index + 1,
                before={"title": "cũ", "at": at},
                after={"title": f"mới {index}", "priority": Priority.EMERGENCY},
            )


def _problems(container: bootstrap.Container) -> dict[str, list[str]]:
    return {report.chain: [p.reason for p in report.problems] for report in container.audit.verify()}


def _db(container: bootstrap.Container) -> sqlite3.Connection:
    return sqlite3.connect(container.locations.db_path)


def test_intact_chains_verify(container: bootstrap.Container) -> None:
    _fill(container)
    reports = container.audit.verify()
    assert [(r.chain, r.rows, r.ok) for r in reports] == [("audit_entry", 6, True), ("broadcast_log", 6, True)]


@pytest.mark.parametrize("table", ["broadcast_log", "audit_entry"])
def test_edited_row_is_found(container: bootstrap.Container, table: str) -> None:
    _fill(container)
    column = "item_title" if table == "broadcast_log" else "actor"
    with _db(container) as raw:
        raw.execute(f"UPDATE {table} SET {column} = 'đã sửa' WHERE id = 3")
    assert _problems(container)[table] == ["dòng 3: nội dung đã bị sửa sau khi ghi"]


@pytest.mark.parametrize("table", ["broadcast_log", "audit_entry"])
def test_deleted_middle_row_is_found(container: bootstrap.Container, table: str) -> None:
    _fill(container)
    with _db(container) as raw:
        raw.execute(f"DELETE FROM {table} WHERE id IN (3, 4)")
    assert _problems(container)[table] == ["các dòng 3 đến 4 giữa dòng 2 và dòng 5 đã bị xóa"]


@pytest.mark.parametrize("table", ["broadcast_log", "audit_entry"])
def test_deleted_first_and_last_rows_are_found(container: bootstrap.Container, table: str) -> None:
    _fill(container)
    with _db(container) as raw:
        raw.execute(f"DELETE FROM {table} WHERE id IN (1, 6)")
    assert _problems(container)[table] == [
        "dòng 1 ở đầu chuỗi đã bị xóa",
        "dòng 6 ở cuối chuỗi đã bị xóa",
    ]


def test_inserted_row_is_found(container: bootstrap.Container) -> None:
    _fill(container)
    with _db(container) as raw:
        prev = raw.execute("SELECT row_hash FROM broadcast_log WHERE id = 6").fetchone()[0]
        raw.execute(
            "INSERT INTO broadcast_log (programme_title, item_title, language, priority, outcome, reason, outages,"
            " recorded_at, prev_hash, row_hash) VALUES ('Chèn', 'giả', 'vi', 'NORMAL', 'PLAYED', '', '[]',"
            " '2026-11-20T00:00:00.000000+00:00', ?, ?)",
            (prev, "f" * 64),
        )
    assert _problems(container)["broadcast_log"] == ["dòng 7: nội dung đã bị sửa sau khi ghi"]


def test_row_replaced_with_recomputed_hash_breaks_the_next_link(container: bootstrap.Container) -> None:
    _fill(container)
    with _db(container) as raw:
        raw.execute("UPDATE audit_entry SET row_hash = ? WHERE id = 2", ("a" * 64,))
    assert _problems(container)["audit_entry"] == [
        "dòng 2: nội dung đã bị sửa sau khi ghi",
        "dòng 3 không nối tiếp dòng 2: dòng này bị chèn thêm, hoặc dòng 2 đã bị thay thế",
    ]


def test_removed_anchor_or_trigger_is_reported(container: bootstrap.Container) -> None:
    _fill(container)
    with _db(container) as raw:
        raw.execute("DELETE FROM chain_anchor WHERE chain = 'audit_entry'")
        raw.execute("DROP TRIGGER broadcast_log_anchor_insert")
    reports = {r.chain: r for r in container.audit.verify()}
    assert [p.reason for p in reports["audit_entry"].problems] == [
        "mốc ghi nhận cuối chuỗi đã bị xóa: không kiểm được phần cuối"
    ]
    assert reports["broadcast_log"].problems == [] and not reports["broadcast_log"].guarded


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_audit_verify_command_says_where_and_exits_non_zero(container: bootstrap.Container) -> None:
    _fill(container)
    data_dir = container.locations.data_dir
    intact = _cli(data_dir, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.splitlines() == [
        "Nhật ký thay đổi: 6 dòng, nguyên vẹn.",
        "Nhật ký phát thanh: 6 dòng, nguyên vẹn.",
    ]
    with _db(container) as raw:
        raw.execute("UPDATE broadcast_log SET outcome = 'MISSED' WHERE id = 5")
    broken = _cli(data_dir, "audit", "verify", "--json")
    assert broken.returncode == 2
    assert "bị can thiệp" in broken.stderr
    by_chain = {r["chain"]: r for r in json.loads(broken.stdout)}
    assert by_chain["audit_entry"]["ok"] is True
    assert by_chain["broadcast_log"]["problems"] == [{"row_id": 5, "reason": "dòng 5: nội dung đã bị sửa sau khi ghi"}]


_WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.adapters.db import audit

container = bootstrap.build(load_settings(Path(sys.argv[1])))
for n in range(int(sys.argv[3])):
    with container.db.session() as session:
        audit.record(session, at=datetime.now(UTC), actor=sys.argv[2], action="test.write", entity="x", entity_id=n)
container.close()
"""


@pytest.mark.slow
def test_processes_appending_at_once_keep_one_chain(container: bootstrap.Container) -> None:
    data_dir = str(container.locations.data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, data_dir, f"p{i}", "150"], env=env, stderr=subprocess.PIPE)
        for i in range(3)
    ]
    for writer in writers:
        _out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    report = container.audit.verify()[0]
    assert (report.rows, report.problems, report.ok) == (450, [], True)
    with _db(container) as raw:
        actors = raw.execute("SELECT actor, COUNT(*) FROM audit_entry GROUP BY actor").fetchall()
    assert sorted(actors) == [("p0", 150), ("p1", 150), ("p2", 150)]


def test_upgrade_anchors_chains_written_before_the_triggers(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = database.Database(database.make_engine(database.sqlite_url(path)))
    database.upgrade(db.engine, "0002")
    prev = GENESIS
    with sqlite3.connect(path) as raw:
        for n in range(1, 4):
            row = {"at": START + timedelta(hours=n), "actor": "cu", "action": "a", "entity": "e", "entity_id": str(n)}
            current = row_hash(prev, audit_content(row))
            raw.execute(
                "INSERT INTO audit_entry (at, actor, action, entity, entity_id, prev_hash, row_hash)"
                " VALUES (?, 'cu', 'a', 'e', ?, ?, ?)",
                ((START + timedelta(hours=n)).isoformat(timespec="microseconds"), str(n), prev, current),
            )
            prev = current
    database.upgrade(db.engine)
    service = audit.AuditService(store=SqlStore(db, SystemClock()))
    assert [(r.chain, r.rows, r.ok) for r in service.verify()] == [("audit_entry", 3, True), ("broadcast_log", 0, True)]
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM audit_entry WHERE id = 3")
    assert [p.reason for p in service.verify()[0].problems] == ["dòng 3 ở cuối chuỗi đã bị xóa"]
    db.dispose()
