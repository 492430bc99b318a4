"""The audit trail in the database: appending hash-chained entries inside a session, reading them back, and
JSON-ready snapshots of rows for an entry's ``before`` and ``after``.

Services write audit entries through their unit of work (``uow.audited(...)``), which calls
:class:`SqlAuditTrail`; the module-level :func:`record` is the same write for code holding a session itself
(the broadcast-log tests and tools).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from truyenthanh.adapters.db import chains
from truyenthanh.adapters.db.models import AuditEntry, Programme, ProgrammeItem
from truyenthanh.domain import records
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.records import AuditRecord, ChainReport

SECRET_FIELDS = frozenset({"password_hash"})
"""Fields never copied into the audit trail."""


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    """A JSON-ready copy of a table row for ``before``/``after`` (secrets left out)."""
    if row is None:
        return None
    data = {key: value for key, value in row.model_dump().items() if key not in SECRET_FIELDS}
    result = records.plain(data)
    assert isinstance(result, dict)
    return result


def changed(session: Session, entity: str, entity_id: int | str, row: SQLModel, **values: Any) -> RecordChange:
    """Set ``values`` on a stored ``row``, flush (never commit), and return the change to audit: the row's
    snapshots before and after."""
    before = snapshot(row)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return RecordChange(entity, entity_id, before, snapshot(row))


def programme_snapshot(session: Session, programme: Programme) -> dict[str, Any] | None:
    """:func:`snapshot` of a programme with its items in order (``items``): what a rundown edit changes."""
    data = snapshot(programme)
    if data is None or programme.id is None:
        return data
    items = session.exec(
        select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id).order_by(col(ProgrammeItem.position))
    ).all()
    data["items"] = [snapshot(item) for item in items]
    return data


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int | None = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one change to the audit trail inside ``session``.

    Args:
        session: the session making the change; the entry commits with it.
        at: when the change was made (aware; from the service's clock).
        actor: who made it: a username, or the named operator in single-operator mode.
        action: what was done, ``entity.verb`` (``announcement.approve``); see ``services.audit.ACTION_LABELS``.
        entity: the kind of record changed (``announcement``, ``programme``, ``user``...).
        entity_id: its identifier.
        before: the record before the change (``None`` for a creation); use :func:`snapshot`.
        after: the record after the change (``None`` for a deletion).
    """
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id="" if entity_id is None else str(entity_id),
        before=records.plain(before) if before is not None else None,
        after=records.plain(after) if after is not None else None,
    )
    return chains.append(session, entry)


def _audit_record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        id=row.id or 0,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
    )


class SqlAuditTrail:
    """The audit trail inside one session (see :class:`truyenthanh.services.unit_of_work.AuditTrail`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        entity: str,
        entity_id: str | int | None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """Append one entry at the end of the chain, in this session."""
        row = record(
            self._session,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
        return _audit_record(row)

    def entries(self, *, entity: str | None = None, entity_id: str | None = None, limit: int = 50) -> list[AuditRecord]:
        """The newest entries first, optionally only those about one record."""
        query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
        if entity:
            query = query.where(AuditEntry.entity == entity)
        if entity_id:
            query = query.where(AuditEntry.entity_id == entity_id)
        return [_audit_record(row) for row in self._session.exec(query).all()]

    def check(self) -> ChainReport:
        """Check the whole audit chain against its hashes and its anchor."""
        return chains.check(self._session, AuditEntry)


__all__ = ["SECRET_FIELDS", "SqlAuditTrail", "changed", "programme_snapshot", "record", "snapshot"]
