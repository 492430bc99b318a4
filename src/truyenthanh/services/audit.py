"""The audit trail: who changed what, when, with the record before and after; hash-chained.

Every change to station data writes its audit entry in the same transaction as the change: through the unit of
work (``uow.audited(...)``, see :mod:`truyenthanh.services.unit_of_work`), so the change and its entry commit
together or not at all. :class:`AuditService` reads the trail and checks both chains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from truyenthanh.domain.hashchain import parse_anchor
from truyenthanh.domain.records import AuditRecord, ChainProblem, ChainReport
from truyenthanh.services.unit_of_work import Store

DAEMON_ACTOR = "daemon"
"""Audit actor of changes the playout daemon makes on its own (content marked as aired, speech rendered)."""


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
    "station.days_off": "Nhập ngày nghỉ từ gói",
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
    "station.profile": "Sửa thông tin của đài (tên, xã, tỉnh)",
    "station.config": "Sửa cài đặt của đài (báo cáo, âm thanh)",
    "schedule.import_ics": "Nhập lịch từ tệp iCalendar",
    "key.trust": "Tin cậy khóa ký của tuyến trên",
    "key.untrust": "Bỏ tin cậy khóa ký",
    "chain.key": "Tạo khóa bí mật cho chuỗi nhật ký; các dòng cũ được neo lại",
    "settings.roles": "Đổi quy định ai được làm gì trong tệp cấu hình (một người vận hành, quyền phát khẩn cấp)",
    "serve.password": "Đặt mật khẩu truy cập đài qua trình duyệt",
    "serve.access": "Trình duyệt vào được giao diện đài",
    "serve.access_failed": "Trình duyệt nhập sai mật khẩu truy cập đài",
    "serve.access_limited": "Tạm chặn một địa chỉ vì nhập sai mật khẩu truy cập nhiều lần",
    "zone.add": "Thêm khu vực loa (cụm loa)",
    "zone.enrol_code": "Cấp mã ghép một lần cho cụm loa",
    "receiver.enrol": "Ghép cụm loa mới vào đài",
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

    def __init__(self, *, store: Store, unwritten: Callable[[], int] = lambda: 0) -> None:
        self._store = store
        self._unwritten = unwritten
        """How many rows the daemon's log journal holds that the database does not."""

    def verify(self) -> list[ChainReport]:
        """Check both chains (audit trail first, then broadcast log); never changes anything. Broadcast-log rows
        still waiting in the daemon's journal file count as a problem of the broadcast log: the database is not
        the whole record until they are written."""
        with self._store.transaction() as uow:
            reports = [uow.audit.check(), uow.broadcast_log.check()]
        waiting = self._unwritten()
        if waiting:
            reports[1].problems.append(
                ChainProblem(
                    None,
                    f"{waiting} dòng nhật ký phát thanh còn chờ trong tệp nhật ký tạm của dịch vụ phát, chưa ghi vào "
                    "cơ sở dữ liệu (cơ sở dữ liệu bị khóa, đĩa đầy, hoặc dịch vụ phát đã dừng trước khi ghi xong): "
                    "hãy chạy «truyenthanh daemon» để ghi nốt.",
                )
            )
        return reports

    def check_anchor(self, printed: str) -> str | None:
        """Compare the anchor a printed logbook carries (``dòng N, XXXX-…``) with the broadcast log as it is
        now, up to that row; ``None`` when they agree, else what is wrong (Vietnamese)."""
        anchor = parse_anchor(printed)
        if anchor is None:
            return "Không thấy dấu xác thực nhật ký («dòng N, XXXX-XXXX-XXXX-XXXX») trong tài liệu."
        last_id, fingerprint = anchor
        with self._store.transaction() as uow:
            head, now = uow.broadcast_log.head(up_to=last_id)
        if head != last_id:
            return f"Nhật ký phát thanh không còn dòng {last_id} mà sổ in đã neo: lịch sử đã bị xóa bớt."
        if now != fingerprint:
            return (
                f"Dấu xác thực của dòng {last_id} nay là {now}, khác {fingerprint} trên sổ in: lịch sử đến dòng đó "
                "đã bị sửa sau khi in sổ."
            )
        return None

    def entries(self, *, entity: str | None = None, entity_id: str | None = None, limit: int = 50) -> list[AuditLine]:
        """The newest entries first, optionally only those about one record."""
        with self._store.transaction() as uow:
            found = uow.audit.entries(entity=entity, entity_id=entity_id, limit=limit)
        return [_line(entry) for entry in found]


def _line(entry: AuditRecord) -> AuditLine:
    return AuditLine(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        label=ACTION_LABELS.get(entry.action, entry.action),
        entity=entry.entity,
        entity_id=entry.entity_id,
        before=entry.before,
        after=entry.after,
    )


__all__ = [
    "ACTION_LABELS",
    "DAEMON_ACTOR",
    "AuditLine",
    "AuditService",
]
