"""The "Chờ duyệt" queue as the approver reads it: who sent what, when, and what changed since the last approval.

Plain data built from the approval service's views and the audit trail; no Textual here, so the backend builds
it in a worker and tests read it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from truyenthanh.services.approvals import ContentView
    from truyenthanh.services.audit import AuditLine

FIELD_LABELS = {
    "title": "tiêu đề",
    "text": "nội dung",
    "category": "lĩnh vực",
    "priority": "ưu tiên",
    "items": "các mục",
    "language": "ngôn ngữ",
}
"""Vietnamese names of the content fields an edit can change (bookkeeping fields such as the status are left out)."""


@dataclass(frozen=True)
class PendingContent:
    """One announcement or programme waiting for approval."""

    view: ContentView
    submitted_by: str
    """Username of whoever sent it for approval (or changed it after approval), else its author."""
    submitted_at: datetime | None
    """When it was sent (station zone); ``None`` when the audit trail does not say."""
    changes: str
    """What changed since the last approval, in Vietnamese (``Chưa duyệt lần nào.`` for new content)."""

    @property
    def key(self) -> str:
        """A row key unique across both kinds: ``announcement:3``."""
        return f"{self.view.kind.value}:{self.view.id}"


def pending_content(view: ContentView, history: Sequence[AuditLine], zone: ZoneInfo) -> PendingContent:
    """Describe ``view`` from its audit ``history`` (newest entry first, as the audit service lists it)."""
    kind = view.kind.value
    sent = next((h for h in history if h.action in (f"{kind}.submit", f"{kind}.reset")), None)
    since: list[AuditLine] = []
    approved: AuditLine | None = None
    for line in history:
        if line.action == f"{kind}.approve":
            approved = line
            break
        since.append(line)
    submitted_at = sent.at.astimezone(zone) if sent is not None else None
    return PendingContent(
        view=view,
        submitted_by=sent.actor if sent is not None else (view.created_by or ""),
        submitted_at=submitted_at,
        changes=describe_changes(approved, list(reversed(since)), zone),
    )


def describe_changes(approved: AuditLine | None, since: Sequence[AuditLine], zone: ZoneInfo) -> str:
    """What the entries ``since`` (oldest first) changed after the ``approved`` entry, in one Vietnamese line."""
    if approved is None:
        return "Chưa duyệt lần nào."
    edits: list[str] = []
    for line in since:
        fields = [FIELD_LABELS[name] for name in line.changed if name in FIELD_LABELS]
        if not fields:
            continue
        if "items" in line.changed and line.before is not None and line.after is not None:
            counts = (len(line.before.get("items") or []), len(line.after.get("items") or []))
            if counts[0] != counts[1]:
                fields[fields.index("các mục")] = f"các mục ({counts[0]} → {counts[1]})"
        edits.append(f"{line.actor} sửa {', '.join(fields)} lúc {line.at.astimezone(zone):%H:%M %d/%m}")
    when = f"{approved.at.astimezone(zone):%H:%M %d/%m/%Y}"
    if not edits:
        return f"Đã duyệt lúc {when} ({approved.actor}); nội dung không đổi từ đó."
    return f"Sau lần duyệt lúc {when} ({approved.actor}): " + "; ".join(edits) + "."


def oldest_first(queue: Sequence[PendingContent]) -> list[PendingContent]:
    """The queue in the order the approver works through it: the longest waiting first."""
    return sorted(queue, key=lambda p: (p.submitted_at is None, p.submitted_at or datetime.min, p.view.id))
