"""Hash chains for append-only records (broadcast log, audit trail).

Each row stores ``prev_hash`` (the previous row's ``row_hash``, or ``GENESIS`` for the first) and
``row_hash = sha256(prev_hash + canonical JSON of the row's content)``, or, on a station with a secret chain key,
``HMAC-SHA256(key, prev_hash + canonical JSON)``: without the key nobody can recompute a row's hash after editing
it. Editing, inserting or deleting any row breaks the chain at that row, which :func:`verify` reports.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

GENESIS = "0" * 64
"""``prev_hash`` of the first row of a chain."""


_SCALARS = frozenset({str, int, float, bool, type(None)})
"""Types :func:`_plain` returns as they are (exact types: a ``str`` enum is still an enum)."""


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value  # most values: skip the isinstance checks (a chain check hashes every row)
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, Enum):
        return value._value_  # what .value returns, without the property's cost
    if isinstance(value, Mapping):
        return {str(k): v if type(v) in _SCALARS else _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    return value


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""What ``json.dumps`` with these options builds on every call (stateless; made once, as ``json`` does for its
default options)."""


def canonical(content: Mapping[str, Any]) -> bytes:
    """Deterministic JSON bytes of a row's content (sorted keys, UTF-8, no spaces)."""
    return _ENCODER.encode(_plain(content)).encode("utf-8")


def row_hash(prev_hash: str, content: Mapping[str, Any], key: bytes | None = None) -> str:
    """The hash of one row given the previous row's hash and this row's content; with ``key`` (the station's
    secret chain key) a keyed hash (HMAC-SHA256) that only a holder of the key can compute."""
    message = prev_hash.encode("ascii") + canonical(content)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.digest(key, message, "sha256").hex()  # one-shot (OpenSSL): same value as hmac.new(...).hexdigest()


def fingerprint(head_hash: str, key: bytes | None = None) -> str:
    """A short fingerprint of a chain's head for paper (``XXXX-XXXX-XXXX-XXXX``, 64 bits, upper-case hex).

    Printed on a weekly logbook it anchors the chain: a history rewritten afterwards ends at another head. With
    the station's chain key the fingerprint cannot be forged from the database alone.
    """
    digest = hmac.new(key or b"", b"head:" + head_hash.encode("ascii"), hashlib.sha256).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


_ANCHOR = re.compile(r"dòng (\d+), ([0-9A-F]{4}(?:-[0-9A-F]{4}){3})")


def anchor_text(last_id: int, printed: str) -> str:
    """How a logbook prints the broadcast log's anchor: the chain's last row and its fingerprint
    (``dòng 1234, ABCD-EF01-2345-6789``)."""
    return f"dòng {last_id}, {printed}"


def parse_anchor(text: str) -> tuple[int, str] | None:
    """The anchor printed in ``text`` (see :func:`anchor_text`), or ``None`` if it holds none."""
    found = _ANCHOR.search(text)
    return (int(found.group(1)), found.group(2)) if found else None


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops being valid."""

    row_id: Any
    """Identifier of the first row that does not verify."""
    reason: str
    """Vietnamese explanation (edited row, inserted or deleted row)."""


def verify(rows: Iterable[tuple[Any, str, str, Mapping[str, Any]]], key: bytes | None = None) -> ChainBreak | None:
    """Check a chain given in order as ``(row_id, prev_hash, row_hash, content)`` tuples (hashed with ``key``).

    Returns:
        ``None`` if every row verifies, else the first break.
    """
    expected_prev = GENESIS
    for row_id, prev, stored, content in rows:
        if prev != expected_prev:
            return ChainBreak(row_id, f"dòng {row_id}: không nối tiếp dòng trước (có dòng bị xóa hoặc chèn thêm)")
        if row_hash(prev, content, key) != stored:
            return ChainBreak(row_id, f"dòng {row_id}: nội dung đã bị sửa sau khi ghi")
        expected_prev = stored
    return None
