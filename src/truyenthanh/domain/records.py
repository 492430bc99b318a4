"""What the two hash chains (broadcast log, audit trail) cover, and how a whole chain is checked.

Every writer of a chained row and every verifier must agree on the row's *content*: the fields hashed by
:func:`truyenthanh.domain.hashchain.row_hash`. The content is the fields named in :data:`BROADCAST_FIELDS` or
:data:`AUDIT_FIELDS` (never ``id``, ``prev_hash`` or ``row_hash``), with datetimes in UTC and enums as their
stored value. Build it only with :func:`broadcast_content` and :func:`audit_content`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from truyenthanh.domain.hashchain import GENESIS, row_hash

BROADCAST_FIELDS = (
    "schedule_id",
    "programme_id",
    "programme_title",
    "item_title",
    "item_kind",
    "category",
    "language",
    "priority",
    "scheduled_start",
    "actual_start",
    "end",
    "outcome",
    "reason",
    "outages",
    "engine",
    "operator",
    "approver",
    "recorded_at",
)
"""Fields of a broadcast log row covered by its hash. Never reorder or remove one (old rows would break)."""

AUDIT_FIELDS = ("at", "actor", "action", "entity", "entity_id", "before", "after")
"""Fields of an audit entry covered by its hash."""

BROADCAST_CHAIN = "broadcast_log"
"""Name of the broadcast log chain (its table, and its key in the chain anchor)."""
AUDIT_CHAIN = "audit_entry"
"""Name of the audit trail chain (its table, and its key in the chain anchor)."""

EDITED = "nội dung đã bị sửa sau khi ghi"
"""End of the problem reported for a row whose stored hash does not match its content."""

CHAIN_LABELS = {BROADCAST_CHAIN: "Nhật ký phát thanh", AUDIT_CHAIN: "Nhật ký thay đổi"}
"""Vietnamese name of each chain."""


_SCALARS = frozenset({str, int, float, bool, type(None)})
"""Types :func:`plain` returns as they are (exact types: a ``str`` enum is still an enum)."""


def plain(value: Any) -> Any:
    """A JSON-ready copy of ``value``: aware datetimes as UTC ISO text, enums as values, tuples as lists.

    Raises:
        ValueError: a datetime without a time zone (every time in this program carries its zone).
    """
    if type(value) in _SCALARS:
        return value  # most fields: skip the isinstance checks (``audit verify`` calls this millions of times)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"cần thời điểm có múi giờ, nhận được {value!r}")
        if value.tzinfo is not UTC:  # times read back from the database are already in UTC
            value = value.astimezone(UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, Enum):
        return value._value_  # what .value returns, without the property's cost
    if isinstance(value, Mapping):
        return {str(key): item if type(item) in _SCALARS else plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [item if type(item) in _SCALARS else plain(item) for item in value]
    return value


def _content(fields: tuple[str, ...], row: Mapping[str, Any] | object) -> dict[str, Any]:
    values = [row.get(name) for name in fields] if isinstance(row, Mapping) else [getattr(row, n, None) for n in fields]
    # plain() inlined for the common scalar fields: a chain check builds the content of every row
    return {
        name: value if type(value) in _SCALARS else plain(value) for name, value in zip(fields, values, strict=True)
    }


def broadcast_content(row: Mapping[str, Any] | object) -> dict[str, Any]:
    """The hashed content of a broadcast log row (a mapping of its fields, or the row object itself)."""
    content = _content(BROADCAST_FIELDS, row)
    if content["outages"] is None:
        content["outages"] = []
    return content


def audit_content(row: Mapping[str, Any] | object) -> dict[str, Any]:
    """The hashed content of an audit entry (a mapping of its fields, or the row object itself)."""
    return _content(AUDIT_FIELDS, row)


@dataclass(frozen=True)
class ChainAnchor:
    """What the database recorded about a chain's tail when the last row was appended."""

    last_id: int
    last_hash: str
    length: int


@dataclass(frozen=True)
class ChainProblem:
    """One place where a chain does not verify."""

    row_id: int | None
    """The row at which the problem shows (``None``: the end of the chain)."""
    reason: str
    """Vietnamese explanation naming the rows concerned."""


def _span(first: int, last: int) -> str:
    return f"dòng {first}" if first == last else f"các dòng {first} đến {last}"


@dataclass(frozen=True)
class ChainKeying:
    """How a chain's rows are hashed: with the station's secret key from row :attr:`keyed_from` on.

    Rows written before the station had a key keep their plain hashes; the first keyed row covers the last
    plain row's hash, so none of them can be rewritten without the key either.
    """

    key: bytes
    keyed_from: int = 1
    """First row ``id`` hashed with the key."""


def _hash_problem(row_id: int, prev: str, stored: str, content: Mapping[str, Any], keying: ChainKeying | None) -> str:
    """Why a row's stored hash is wrong (empty when it is right)."""
    keyed = keying is not None and row_id >= keying.keyed_from
    if row_hash(prev, content, keying.key if keying is not None and keyed else None) == stored:
        return ""
    if keyed and row_hash(prev, content) == stored:
        return (
            f"dòng {row_id}: mã băm được tính lại mà không có khóa bí mật của đài: dòng này bị sửa hoặc bị "
            "chèn bởi người không có khóa"
        )
    return f"dòng {row_id}: {EDITED}"


def check_chain(
    rows: Iterable[tuple[int, str, str, Mapping[str, Any] | None]],
    anchor: ChainAnchor | None,
    keying: ChainKeying | None = None,
) -> tuple[int, list[ChainProblem]]:
    """Check a whole chain, given in ``id`` order as ``(id, prev_hash, row_hash, content)`` tuples.

    Unlike :func:`truyenthanh.domain.hashchain.verify`, it goes on after a break (re-linking on the stored
    hash) so every edited, inserted or deleted row is reported, and it compares the tail with the
    anchor so rows deleted at the end are found too. With ``keying``, rows from ``keying.keyed_from`` on must
    carry keyed hashes. A row whose content could not be read (``None``; the reader reports it) is only
    checked for its place in the chain.

    Returns:
        The number of rows read, and every problem found in chain order (empty when the chain is intact).
    """
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    previous_id: int | None = None
    last_hash = GENESIS
    count = 0
    for row_id, prev, stored, content in rows:
        count += 1
        gap_start = 1 if previous_id is None else previous_id + 1
        if row_id > gap_start and (previous_id is not None or prev != GENESIS):
            where = "ở đầu chuỗi" if previous_id is None else f"giữa dòng {previous_id} và dòng {row_id}"
            problems.append(ChainProblem(row_id, f"{_span(gap_start, row_id - 1)} {where} đã bị xóa"))
        elif prev != expected_prev:
            before = "đầu chuỗi" if previous_id is None else f"dòng {previous_id}"
            problems.append(
                ChainProblem(
                    row_id,
                    f"dòng {row_id} không nối tiếp {before}: dòng này bị chèn thêm, hoặc {before} đã bị thay thế",
                )
            )
        wrong = "" if content is None else _hash_problem(row_id, prev, stored, content, keying)
        if wrong:
            problems.append(ChainProblem(row_id, wrong))
        expected_prev = stored
        previous_id = row_id
        last_hash = stored
    if anchor is None:
        if count:
            problems.append(ChainProblem(None, "mốc ghi nhận cuối chuỗi đã bị xóa: không kiểm được phần cuối"))
        return count, problems
    last_id = previous_id or 0
    if anchor.last_id > last_id:
        problems.append(ChainProblem(None, f"{_span(last_id + 1, anchor.last_id)} ở cuối chuỗi đã bị xóa"))
    elif anchor.last_id < last_id:
        problems.append(ChainProblem(last_id, f"{_span(anchor.last_id + 1, last_id)} ở cuối chuỗi được chèn thêm"))
    elif anchor.last_hash != last_hash:
        problems.append(ChainProblem(last_id, f"dòng {last_id} (dòng cuối) đã bị thay thế"))
    if anchor.length != count and not problems:
        problems.append(
            ChainProblem(None, f"chuỗi có {count} dòng nhưng đã ghi {anchor.length} dòng: có dòng bị xóa hoặc chèn")
        )
    return count, problems


@dataclass(frozen=True)
class ChainReport:
    """The result of checking one whole chain."""

    chain: str
    """Table name: ``broadcast_log`` or ``audit_entry``."""
    rows: int
    problems: list[ChainProblem] = field(default_factory=list)
    guarded: bool = True
    """Whether the database triggers that keep the chain's anchor are in place."""

    @property
    def label(self) -> str:
        """Vietnamese name of the chain."""
        return CHAIN_LABELS[self.chain]

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems and self.guarded

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "chain": self.chain,
            "label": self.label,
            "rows": self.rows,
            "ok": self.ok,
            "guarded": self.guarded,
            "problems": [{"row_id": p.row_id, "reason": p.reason} for p in self.problems],
        }


@dataclass(frozen=True)
class AuditRecord:
    """One stored audit entry: who changed which record, when, and the record before and after."""

    id: int
    at: datetime
    """When the change was made (aware)."""
    actor: str
    """A username, the named operator in single-operator mode, or ``daemon``."""
    action: str
    """``entity.verb`` (``announcement.approve``)."""
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    """The record before the change; ``None`` for a creation."""
    after: dict[str, Any] | None
    """The record after the change; ``None`` for a deletion."""
