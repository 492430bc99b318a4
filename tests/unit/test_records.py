"""The content each hash chain covers, and whole-chain checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from truyenthanh.domain.enums import Outcome, Priority
from truyenthanh.domain.hashchain import GENESIS, row_hash
from truyenthanh.domain.records import (
    BROADCAST_FIELDS,
    ChainAnchor,
    audit_content,
    broadcast_content,
    check_chain,
)


def test_broadcast_content_is_the_same_in_any_zone_and_ignores_other_fields() -> None:
    at = datetime(2026, 11, 23, 5, 30, tzinfo=timezone(timedelta(hours=7)))
    local = broadcast_content({"actual_start": at, "outcome": Outcome.PLAYED, "id": 9, "row_hash": "x"})
    utc = broadcast_content({"actual_start": at.astimezone(UTC), "outcome": "played"})
    assert local == utc
    assert set(local) == set(BROADCAST_FIELDS)
    assert local["actual_start"] == "2026-11-22T22:30:00.000000+00:00"
    assert local["outages"] == []


def test_audit_content_reads_objects_and_nested_values() -> None:
    entry = SimpleNamespace(
        at=datetime(2026, 1, 1, tzinfo=UTC),
        actor="duyet",
        action="announcement.approve",
        entity="announcement",
        entity_id="4",
        before={"status": "waiting"},
        after={"priority": Priority.EMERGENCY, "items": (1, 2)},
    )
    assert audit_content(entry) == {
        "at": "2026-01-01T00:00:00.000000+00:00",
        "actor": "duyet",
        "action": "announcement.approve",
        "entity": "announcement",
        "entity_id": "4",
        "before": {"status": "waiting"},
        "after": {"priority": "emergency", "items": [1, 2]},
    }


def _chain(count: int) -> list[tuple[int, str, str, dict[str, int]]]:
    rows, prev = [], GENESIS
    for row_id in range(1, count + 1):
        content = {"n": row_id}
        current = row_hash(prev, content)
        rows.append((row_id, prev, current, content))
        prev = current
    return rows


def test_every_problem_is_reported_not_only_the_first() -> None:
    rows = _chain(8)
    anchor = ChainAnchor(last_id=8, last_hash=rows[-1][2], length=8)
    assert check_chain(rows, anchor) == (8, [])
    rows[1] = (2, rows[1][1], rows[1][2], {"n": 20})
    del rows[4]
    del rows[-1]
    count, problems = check_chain(rows, anchor)
    assert count == 6
    assert [(p.row_id, p.reason) for p in problems] == [
        (2, "dòng 2: nội dung đã bị sửa sau khi ghi"),
        (6, "dòng 5 giữa dòng 4 và dòng 6 đã bị xóa"),
        (None, "dòng 8 ở cuối chuỗi đã bị xóa"),
    ]


def test_empty_chain_without_anchor_is_intact() -> None:
    assert check_chain([], None) == (0, [])


def test_a_chain_report_is_ok_only_when_intact_and_guarded() -> None:
    from truyenthanh.domain.records import ChainProblem, ChainReport

    intact = ChainReport(chain="audit_entry", rows=3)
    assert intact.ok and intact.label == "Nhật ký thay đổi"
    assert not ChainReport(chain="broadcast_log", rows=3, guarded=False).ok
    broken = ChainReport(chain="broadcast_log", rows=3, problems=[ChainProblem(2, "dòng 2: nội dung đã bị sửa")])
    assert broken.to_json() == {
        "chain": "broadcast_log",
        "label": "Nhật ký phát thanh",
        "rows": 3,
        "ok": False,
        "guarded": True,
        "problems": [{"row_id": 2, "reason": "dòng 2: nội dung đã bị sửa"}],
    }
