"""Column types: timezone-aware UTC datetimes stored as ISO text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores an aware datetime as ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` and returns it aware, in UTC.

    SQLite has no datetime type; ISO text in UTC sorts and compares correctly as a string.
    Naive datetimes are refused: every time in this program carries its zone.
    """

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"cần thời điểm có múi giờ, nhận được {value!r}")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value).astimezone(UTC)
