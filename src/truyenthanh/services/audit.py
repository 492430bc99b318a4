"""The audit trail: who changed what, when, with the record before and after; hash-chained.

Every service that changes station data calls :func:`record` in the same session as the change, so the
change and its audit entry commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.models import AuditEntry, BroadcastLog, Programme, ProgrammeItem
from truyenthanh.domain import records
from truyenthanh.services import chains

DAEMON_ACTOR = "daemon"
"""Audit actor of changes the playout daemon makes on its own (content marked as aired, speech rendered)."""

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
        action: what was done, ``entity.verb`` (``announcement.approve``); see :data:`ACTION_LABELS`.
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


ACTION_LABELS = {
    "user.add": "Thêm tài khoản",
    "user.passwd": "Đổi mật khẩu",
    "user.disable": "Khóa tài khoản",
    "user.enable": "Mở khóa tài khoản",
    "user.login": "Đăng nhập đúng sau lần sai",
    "user.login_failed": "Đăng nhập sai mật khẩu",
    "user.lock": "Tạm khóa tài khoản vì sai mật khẩu nhiều lần",
    "user.login_refused": "Từ chối đăng nhập khi tài khoản đang tạm khóa",
    "announcement.add": "Soạn thông báo",
    "announcement.edit": "Sửa thông báo",
    "announcement.submit": "Gửi duyệt thông báo",
    "announcement.approve": "Duyệt thông báo",
    "announcement.reject": "Từ chối thông báo",
    "announcement.aired": "Đã phát thông báo",
    "programme.submit": "Gửi duyệt chương trình",
    "programme.approve": "Duyệt chương trình",
    "programme.reject": "Từ chối chương trình",
    "programme.aired": "Đã phát chương trình",
    "programme.reset": "Chương trình cần duyệt lại",
    "emergency.send": "Phát khẩn cấp không qua duyệt",
    "package.import": "Nhập gói chương trình",
    "programme.import": "Nhập chương trình từ gói",
    "announcement.import": "Nhập thông báo từ gói",
    "schedule.import": "Nhập lịch phát từ gói",
    "programme.add": "Tạo chương trình",
    "programme.edit": "Sửa chương trình",
    "programme.delete": "Xóa chương trình",
    "asset.import": "Nhập tệp âm thanh",
    "asset.edit": "Sửa thông tin tệp âm thanh",
    "asset.delete": "Xóa tệp âm thanh",
    "schedule.add": "Thêm lịch phát",
    "schedule.edit": "Sửa lịch phát",
    "schedule.remove": "Xóa lịch phát",
    "schedule.retire": "Kết thúc lịch phát được thay thế",
    "announcement.delete": "Xóa thông báo",
    "announcement.render": "Đọc thông báo thành âm thanh",
    "station.rules": "Sửa quy định phát của đài",
    "schedule.import_ics": "Nhập lịch từ tệp iCalendar",
    "key.trust": "Tin cậy khóa ký của tuyến trên",
    "key.untrust": "Bỏ tin cậy khóa ký",
}
"""Vietnamese names of the actions this program records; other areas may record their own."""


@dataclass(frozen=True)
class AuditLine:
    """One audit entry as shown to a person."""

    id: int
    at: datetime
    actor: str
    action: str
    label: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def changed(self) -> list[str]:
        """Fields whose value differs between before and after (empty for a creation or a deletion)."""
        if self.before is None or self.after is None:
            return []
        return sorted(k for k in self.before.keys() | self.after.keys() if self.before.get(k) != self.after.get(k))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "label": self.label,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "before": self.before,
            "after": self.after,
            "changed": self.changed,
        }


class AuditService:
    """Reads and verifies the audit trail and the broadcast log."""

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def verify(self) -> list[chains.ChainReport]:
        """Check both chains (audit trail first, then broadcast log); never changes anything."""
        with self._db.session() as session:
            return [chains.check(session, AuditEntry), chains.check(session, BroadcastLog)]

    def entries(self, *, entity: str | None = None, entity_id: str | None = None, limit: int = 50) -> list[AuditLine]:
        """The newest entries first, optionally only those about one record."""
        query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
        if entity:
            query = query.where(AuditEntry.entity == entity)
        if entity_id:
            query = query.where(AuditEntry.entity_id == entity_id)
        with self._db.session() as session:
            rows = session.exec(query).all()
        return [
            AuditLine(
                id=row.id or 0,
                at=row.at,
                actor=row.actor,
                action=row.action,
                label=ACTION_LABELS.get(row.action, row.action),
                entity=row.entity,
                entity_id=row.entity_id,
                before=row.before,
                after=row.after,
            )
            for row in rows
        ]


__all__ = ["ACTION_LABELS", "DAEMON_ACTOR", "AuditLine", "AuditService", "programme_snapshot", "record", "snapshot"]
