"""Small interfaces the services depend on; real adapters and test fakes both implement them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Source of the current time. Thread-safe."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...
