"""The approval workflow: draft -> waiting -> approved -> aired, or rejected with a reason.

Pure rules; :mod:`truyenthanh.services.approvals` stores the states and records every move in the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from truyenthanh.domain.enums import ContentStatus, LabelledEnum
from truyenthanh.errors import WorkflowError


class ContentKind(LabelledEnum):
    """What goes through approval."""

    ANNOUNCEMENT = "announcement", "thông báo"
    PROGRAMME = "programme", "chương trình"


AIRABLE = frozenset({ContentStatus.APPROVED, ContentStatus.AIRED})
"""States in which content may go on air (a recurring programme stays airable after its first airing)."""


def _refuse(kind: ContentKind, ident: int, current: ContentStatus, wanted: str) -> WorkflowError:
    return WorkflowError(f"{kind.label.capitalize()} số {ident} đang ở trạng thái «{current.label}»: {wanted}.")


def after_submit(kind: ContentKind, ident: int, current: ContentStatus) -> ContentStatus:
    """The state after sending for approval (from draft, or after a rejection once corrected).

    Raises:
        WorkflowError: not a draft or rejected content.
    """
    if current in (ContentStatus.DRAFT, ContentStatus.REJECTED):
        return ContentStatus.WAITING
    raise _refuse(kind, ident, current, "chỉ gửi duyệt được bản nháp hoặc nội dung bị từ chối")


def after_approve(kind: ContentKind, ident: int, current: ContentStatus, *, single_operator: bool) -> ContentStatus:
    """The state after approval: from waiting (or straight from draft in single-operator mode).

    Raises:
        WorkflowError: the content is not waiting for approval.
    """
    if current is ContentStatus.WAITING or (single_operator and current is ContentStatus.DRAFT):
        return ContentStatus.APPROVED
    raise _refuse(kind, ident, current, "chỉ duyệt được nội dung đang chờ duyệt (hãy gửi duyệt trước)")


def after_reject(kind: ContentKind, ident: int, current: ContentStatus, reason: str) -> ContentStatus:
    """The state after a rejection, which must give a reason.

    Raises:
        WorkflowError: no reason (``field="reason"``), or the content is not waiting for approval.
    """
    if not reason.strip():
        raise WorkflowError("Từ chối phải ghi rõ lý do.", field="reason")
    if current is ContentStatus.WAITING:
        return ContentStatus.REJECTED
    raise _refuse(kind, ident, current, "chỉ từ chối được nội dung đang chờ duyệt")


def after_aired(kind: ContentKind, ident: int, current: ContentStatus) -> ContentStatus:
    """The state after content went on air.

    Raises:
        WorkflowError: the content was not approved.
    """
    if current in AIRABLE:
        return ContentStatus.AIRED
    raise _refuse(kind, ident, current, "nội dung chưa được duyệt thì không được phát")


def check_not_own(kind: ContentKind, ident: int, author: str | None, approver: str, *, single_operator: bool) -> None:
    """Refuse approving one's own content (two people are needed unless the station runs single-operator).

    Raises:
        WorkflowError: ``approver`` wrote or sent the content for approval.
    """
    if not single_operator and author and author == approver:
        raise WorkflowError(
            f"Không được tự duyệt {kind.label} số {ident} do chính mình soạn hoặc gửi duyệt: cần một người duyệt khác."
        )


@dataclass(frozen=True)
class BlockedItem:
    """An item of a programme that must not go on air, and why."""

    item_id: int
    position: int
    title: str
    reason: str
    """Vietnamese, for the broadcast log and the operator."""


@dataclass(frozen=True)
class AirCheck:
    """Whether a programme may go on air now, decided from its approval state and its announcements'.

    The daemon skips the whole programme when :attr:`airable` is false and each of :attr:`blocked_items`
    otherwise, logging :attr:`reason` or the item's reason as a ``skipped`` broadcast.
    """

    programme_id: int
    airable: bool
    reason: str
    """Empty when airable; else the Vietnamese reason to log and show."""
    approver: str | None
    """Who approved the programme (for the broadcast log)."""
    blocked_items: tuple[BlockedItem, ...] = field(default_factory=tuple)
    items: tuple[ItemState, ...] = field(default_factory=tuple)
    """Every item of the programme in playing order (positions and announcements)."""


@dataclass(frozen=True)
class ItemState:
    """What the air check needs to know of one programme item."""

    item_id: int
    position: int
    title: str
    announcement_id: int | None = None
    announcement_status: ContentStatus | None = None


def air_check(
    programme_id: int,
    title: str,
    status: ContentStatus,
    approver: str | None,
    items: Sequence[ItemState],
) -> AirCheck:
    """Decide what of a programme may air: only approved content does."""
    if status not in AIRABLE:
        return AirCheck(
            programme_id=programme_id,
            airable=False,
            reason=f"Chương trình «{title}» chưa được duyệt (trạng thái: {status.label}) nên không được phát.",
            approver=approver,
            items=tuple(items),
        )
    blocked = tuple(
        BlockedItem(
            item_id=item.item_id,
            position=item.position,
            title=item.title,
            reason=(
                f"Thông báo «{item.title}» (số {item.announcement_id}) chưa được duyệt "
                f"(trạng thái: {item.announcement_status.label}) nên bị bỏ qua."
            ),
        )
        for item in items
        if item.announcement_status is not None and item.announcement_status not in AIRABLE
    )
    return AirCheck(
        programme_id=programme_id,
        airable=True,
        reason="",
        approver=approver,
        blocked_items=blocked,
        items=tuple(items),
    )
