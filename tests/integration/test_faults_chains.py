"""Issue 14, point 6 (and 9's file modes): keyed chains, rows that cannot be read back, a closed station folder.

The attacker here can write the SQLite file and knows the program (``row_hash``), but not the station's key.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.fakes import FrozenClock
from truyenthanh import bootstrap
from truyenthanh.adapters.db import chainkey, chains
from truyenthanh.adapters.db.models import BroadcastLog
from truyenthanh.domain.broadcast_log import LogEntry
from truyenthanh.domain.enums import Outcome
from truyenthanh.domain.hashchain import row_hash
from truyenthanh.domain.records import broadcast_content


def _fill(container: bootstrap.Container, clock: FrozenClock, rows: int = 5) -> None:
    for index in range(rows):
        at = clock.now() + timedelta(days=index)
        container.broadcast_log.append(
            LogEntry(Outcome.PLAYED, "Bản tin sáng", f"Thông báo số {index + 1}", scheduled_start=at, actual_start=at)
        )


def _rewrite_with_recomputed_hashes(db_path: Path, first: int) -> None:
    """Edit row ``first`` and recompute its hash and every later one with the program's own (keyless) row_hash;
    the anchor trigger follows by itself."""
    with sqlite3.connect(db_path) as raw:
        raw.row_factory = sqlite3.Row
        raw.execute("UPDATE broadcast_log SET item_title = 'Thông báo đã sửa' WHERE id = ?", (first,))
        rows = raw.execute("SELECT * FROM broadcast_log WHERE id >= ? ORDER BY id", (first,)).fetchall()
        prev = raw.execute("SELECT row_hash FROM broadcast_log WHERE id = ?", (first - 1,)).fetchone()[0]
        for row in rows:
            content = broadcast_content({**dict(row), "outages": json.loads(row["outages"])})
            for name in ("scheduled_start", "actual_start", "end", "recorded_at"):
                content[name] = row[name]
            for name, enum_value in (("priority", "normal"), ("outcome", "played")):
                content[name] = enum_value
            current = row_hash(prev, content)
            raw.execute("UPDATE broadcast_log SET prev_hash = ?, row_hash = ? WHERE id = ?", (prev, current, row["id"]))
            prev = current


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=120)


def test_init_makes_a_private_key_and_closes_the_station_to_other_users(container: bootstrap.Container) -> None:
    locations = container.locations
    key = chainkey.load(locations.db_path)
    assert key is not None and len(key.secret) == 32 and key.keyed_from == {"broadcast_log": 1, "audit_entry": 1}
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(locations.data_dir.stat().st_mode) == 0o750
    assert stat.S_IMODE(locations.db_path.stat().st_mode) == 0o640


def test_a_rewrite_with_recomputed_hashes_is_found(container: bootstrap.Container, clock: FrozenClock) -> None:
    _fill(container, clock)
    _rewrite_with_recomputed_hashes(container.locations.db_path, 3)
    with sqlite3.connect(container.locations.db_path) as raw:
        assert raw.execute("SELECT item_title FROM broadcast_log WHERE id = 3").fetchone()[0] == "Thông báo đã sửa"
    report = container.audit.verify()[1]
    assert not report.ok
    assert [p.row_id for p in report.problems] == [3, 4, 5]
    assert report.problems[0].reason.startswith("dòng 3: mã băm được tính lại mà không có khóa bí mật của đài")


def test_an_old_station_gets_a_key_on_first_use_and_its_old_rows_are_covered(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    _fill(container, clock, rows=3)
    key_file = chainkey.key_path(container.locations.db_path)
    key_file.unlink()  # a station from before issue 14: plain hashes, no key
    with sqlite3.connect(container.locations.db_path) as raw:  # its rows re-hashed as that version wrote them
        raw.row_factory = sqlite3.Row
        prev = "0" * 64
        for row in raw.execute("SELECT * FROM broadcast_log ORDER BY id").fetchall():
            content = broadcast_content({**dict(row), "outages": []})
            for name in ("scheduled_start", "actual_start", "end", "recorded_at"):
                content[name] = row[name]
            content.update(priority="normal", outcome="played")
            current = row_hash(prev, content)
            raw.execute("UPDATE broadcast_log SET prev_hash = ?, row_hash = ? WHERE id = ?", (prev, current, row["id"]))
            prev = current
    assert [r.ok for r in container.audit.verify()] == [True, True]
    _fill(container, clock, rows=2)  # first use: a key, the chains keyed from their next rows, an audit entry
    key = chainkey.load(container.locations.db_path)
    assert key is not None and key.keyed_from["broadcast_log"] == 4
    [entry] = container.audit.entries(entity="chain")
    assert entry.action == chains.KEY_ACTION and entry.label.startswith("Tạo khóa bí mật")
    assert entry.after is not None and entry.after["keyed_from"]["broadcast_log"] == 4
    assert [r.ok for r in container.audit.verify()] == [True, True]
    _rewrite_with_recomputed_hashes(container.locations.db_path, 2)  # an old row: the first keyed row covers it
    problems = container.audit.verify()[1].problems
    assert problems and problems[0].row_id == 4 and "không có khóa bí mật" in problems[0].reason


def test_an_unknown_enum_value_is_a_named_problem_in_verify_and_log(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    _fill(container, clock)
    with sqlite3.connect(container.locations.db_path) as raw:
        raw.execute("UPDATE broadcast_log SET outcome = 'HACKED' WHERE id = 4")
    reports = container.audit.verify()
    assert [p.reason for p in reports[1].problems] == [
        "dòng 4: trường outcome có giá trị «HACKED» mà chương trình không bao giờ ghi: dữ liệu đã bị sửa ngoài "
        "chương trình"
    ]
    data_dir = container.locations.data_dir
    verify = _cli(data_dir, "audit", "verify")
    assert verify.returncode == 2, verify.stderr
    assert "Traceback" not in verify.stderr and "dòng 4: trường outcome" in verify.stdout
    log = _cli(data_dir, "log")
    assert log.returncode == 2 and "Traceback" not in log.stderr
    assert "dòng 4: trường outcome có giá trị «HACKED»" in log.stderr and "audit verify" in log.stderr


def test_stored_times_are_checked_as_the_moment_they_name(container: bootstrap.Container, clock: FrozenClock) -> None:
    """``audit verify`` reads times in the form the program writes as text, others as a moment: the same moment
    written another way still verifies, another moment is an edit, and text that is no time is named."""
    _fill(container, clock)
    with sqlite3.connect(container.locations.db_path) as raw:
        stored = raw.execute("SELECT recorded_at FROM broadcast_log WHERE id = 2").fetchone()[0]
        same = datetime.fromisoformat(stored).astimezone(timezone(timedelta(hours=7))).isoformat()
        raw.execute("UPDATE broadcast_log SET recorded_at = ? WHERE id = 2", (same,))
    assert container.audit.verify()[1].problems == []
    with sqlite3.connect(container.locations.db_path) as raw:
        later = (datetime.fromisoformat(stored) + timedelta(seconds=1)).isoformat(timespec="microseconds")
        raw.execute("UPDATE broadcast_log SET recorded_at = ? WHERE id = 3", (later,))
        raw.execute("UPDATE broadcast_log SET actual_start = '2024-13-01T00:00:00.000000+00:00' WHERE id = 4")
    reasons = [p.reason for p in container.audit.verify()[1].problems]
    assert reasons == [
        "dòng 3: nội dung đã bị sửa sau khi ghi",
        "dòng 4: không đọc được (month must be in 1..12): dữ liệu đã bị sửa ngoài chương trình",
    ]


def test_the_head_fingerprint_changes_with_the_history(container: bootstrap.Container, clock: FrozenClock) -> None:
    _fill(container, clock)
    with container.db.session() as session:
        head, printed = chains.head_fingerprint(session, BroadcastLog)
    assert head == 5 and len(printed) == 19 and printed.count("-") == 3
    _rewrite_with_recomputed_hashes(container.locations.db_path, 2)
    with container.db.session() as session:
        assert chains.head_fingerprint(session, BroadcastLog) != (head, printed)


def test_a_printed_logbook_anchors_the_history_up_to_its_row(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    """Issue 14, point 6: each weekly logbook prints the chain's head (keyed); ``audit verify --against`` finds a
    history rewritten afterwards even with every hash recomputed, and one cut short."""
    _fill(container, clock)
    week = clock.now().astimezone(container.settings.zone).strftime("%G-W%V")
    printed = container.reports.weekly(week, output=container.locations.data_dir / "so.docx")
    check = _cli(container.locations.data_dir, "audit", "verify", "--against", str(printed))
    assert check.returncode == 0, check.stderr
    assert "vẫn nguyên như lúc in" in check.stdout
    _fill(container, clock, rows=2)  # rows written after printing do not disturb the anchor
    assert _cli(container.locations.data_dir, "audit", "verify", "--against", str(printed)).returncode == 0
    _rewrite_with_recomputed_hashes(container.locations.db_path, 2)
    check = _cli(container.locations.data_dir, "audit", "verify", "--against", str(printed))
    assert check.returncode == 2
    assert "dòng 5" in check.stderr and "đã bị sửa sau khi in sổ" in check.stderr
    with sqlite3.connect(container.locations.db_path) as raw:
        raw.execute("DELETE FROM broadcast_log WHERE id >= 5")
    check = _cli(container.locations.data_dir, "audit", "verify", "--against", str(printed))
    assert check.returncode == 2 and "không còn dòng 5" in check.stderr


def test_a_document_without_an_anchor_is_said_so(container: bootstrap.Container, tmp_path: Path) -> None:
    blank = tmp_path / "khac.docx"
    import docx

    docx.Document().save(str(blank))
    check = _cli(container.locations.data_dir, "audit", "verify", "--against", str(blank))
    assert check.returncode == 2 and "Không thấy dấu xác thực nhật ký" in check.stderr
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"not a zip")
    check = _cli(container.locations.data_dir, "audit", "verify", "--against", str(broken))
    assert check.returncode != 0 and "như một tài liệu Word" in check.stderr and "Traceback" not in check.stderr
