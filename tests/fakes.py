"""Fakes for the edges of the program, shared by every test package."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FrozenClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, at: datetime | None = None) -> None:
        self._now = at or datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The frozen instant (aware, UTC)."""
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new instant."""
        self._now += timedelta(**delta)
        return self._now

    def set(self, at: datetime) -> None:
        """Jump to an instant (forward or back, as a wall clock can)."""
        self._now = at.astimezone(UTC)
