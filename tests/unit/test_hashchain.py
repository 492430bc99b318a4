"""Hash chains detect edited, inserted and deleted rows."""

from __future__ import annotations

from typing import Any

from truyenthanh.domain.hashchain import GENESIS, row_hash, verify


def _chain(contents: list[dict[str, Any]]) -> list[tuple[int, str, str, dict[str, Any]]]:
    rows, prev = [], GENESIS
    for index, content in enumerate(contents, start=1):
        current = row_hash(prev, content)
        rows.append((index, prev, current, content))
        prev = current
    return rows


def test_intact_chain_verifies() -> None:
    assert verify(_chain([{"a": 1}, {"a": 2}, {"b": "Ủy ban"}])) is None


def test_edited_row_is_found() -> None:
    rows = _chain([{"a": 1}, {"a": 2}, {"a": 3}])
    rows[1] = (2, rows[1][1], rows[1][2], {"a": 99})
    found = verify(rows)
    assert found is not None and found.row_id == 2 and "bị sửa" in found.reason


def test_deleted_row_is_found() -> None:
    rows = _chain([{"a": 1}, {"a": 2}, {"a": 3}])
    del rows[1]
    found = verify(rows)
    assert found is not None and found.row_id == 3 and "xóa" in found.reason


def test_inserted_row_is_found() -> None:
    rows = _chain([{"a": 1}, {"a": 2}])
    rows.insert(1, (9, rows[0][2], row_hash(rows[0][2], {"x": 1}), {"x": 1}))
    found = verify(rows)
    assert found is not None and found.row_id == 2
