"""Hash chains detect edited, inserted and deleted rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from enum import Enum, IntEnum, StrEnum
from typing import Any

from truyenthanh.domain import records
from truyenthanh.domain.hashchain import GENESIS, canonical, row_hash, verify


class _Kind(StrEnum):
    RELAY = "relay"


class _Level(IntEnum):
    HIGH = 3


class _Mode(Enum):
    AUTO = "tự động"


_HANOI = timezone(timedelta(hours=7))


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


def test_hashes_stay_those_of_existing_chains() -> None:
    """Pinned values computed by the program before ``audit verify`` was made faster: every kind of value
    (enums of each sort, datetimes in and out of UTC, nested mappings with non-text keys, tuples) must hash as
    it always did, or stations' existing chains would stop verifying."""
    content = records.audit_content(
        {
            "at": datetime(2024, 3, 1, 6, 30, 0, 1, tzinfo=_HANOI),
            "actor": "Nguyễn Văn An",
            "action": "schedule.update",
            "entity": "schedule",
            "entity_id": "7",
            "before": {
                "kind": _Kind.RELAY,
                "level": _Level.HIGH,
                "mode": _Mode.AUTO,
                3: (True, 1.5, None),
                "at": datetime(2024, 1, 1, tzinfo=UTC),
            },
            "after": None,
        }
    )
    assert (
        canonical(content)
        == (
            '{"action":"schedule.update","actor":"Nguyễn Văn An","after":null,"at":"2024-02-29T23:30:00.000001+00:00",'
            '"before":{"3":[true,1.5,null],"at":"2024-01-01T00:00:00.000000+00:00","kind":"relay","level":3,'
            '"mode":"tự động"},"entity":"schedule","entity_id":"7"}'
        ).encode()
    )
    assert row_hash(GENESIS, content) == "3f75c07cae08d62fe95ec54cd42749d7bd8643e81afa2798e7a5fe7dd9c4dab4"
    assert row_hash(GENESIS, content, b"k" * 32) == "4c5af4f5ecac2f5c3833c68bd02b8dfd98f2547081eabcfa07e91a664e1a50bf"
    unconverted: dict[Any, Any] = {
        "kind": _Kind.RELAY,
        "level": _Level.HIGH,
        "mode": _Mode.AUTO,
        3: (True, 1.5, None),
        "at": datetime(2024, 1, 1, tzinfo=_HANOI),
    }
    assert row_hash(GENESIS, unconverted) == "acc126056f6880eb4a9a021465a4a90e4dac810ab9123e2ae63a6381f4e41e4e"
