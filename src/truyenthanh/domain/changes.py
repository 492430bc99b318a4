"""A change to one stored record, as the audit trail keeps it: what it was before and after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordChange:
    """One record created, changed or deleted, with JSON-ready copies of it before and after.

    Repositories return these from their writes; the unit of work's ``audited`` turns them into audit entries
    in the same transaction.
    """

    entity: str
    """The kind of record (``schedule``, ``station``, ``programme``...)."""
    entity_id: int | str | None
    """Its identifier (``None`` only before a creation is flushed)."""
    before: dict[str, Any] | None
    """The record before the change; ``None`` for a creation."""
    after: dict[str, Any] | None
    """The record after the change; ``None`` for a deletion."""


__all__ = ["RecordChange"]
