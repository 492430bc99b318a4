"""Approval of announcements and programmes, and the check the daemon makes before anything goes on air.

Every move is authorised (:class:`~truyenthanh.services.accounts.AccountService`) and written to the audit
trail in the same transaction. The daemon calls :meth:`ApprovalService.check_air` before each broadcast and
:meth:`ApprovalService.mark_aired` after it; emergencies go through :meth:`ApprovalService.send_emergency`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.models import Announcement, AuditEntry, Programme, ProgrammeItem
from truyenthanh.adapters.db.passes import SqlAirPassRepository
from truyenthanh.config import Settings
from truyenthanh.domain import approval
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.approval import AirCheck, ContentKind, ItemState
from truyenthanh.domain.enums import Category, ContentStatus, Priority
from truyenthanh.domain.passes import AirPass, PassKind, new_token, token_digest
from truyenthanh.errors import NotFoundError, PermissionDeniedError, WorkflowError
from truyenthanh.services import audit
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.audit import DAEMON_ACTOR
from truyenthanh.services.ports import Clock

EMERGENCY_PERMIT_S = 600
"""How long an emergency authorisation from :meth:`ApprovalService.send_emergency` can be used to cut in."""

_Content = Announcement | Programme


@dataclass(frozen=True)
class ContentView:
    """An announcement or programme as its approval state shows it."""

    kind: ContentKind
    id: int
    title: str
    status: ContentStatus
    priority: Priority
    category: Category
    created_by: str | None
    approved_by: str | None
    approved_at: datetime | None
    rejected_reason: str | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "kind": self.kind.value,
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "status_label": self.status.label,
            "priority": self.priority.value,
            "category": self.category.value,
            "created_by": self.created_by,
            "approved_by": self.approved_by,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "rejected_reason": self.rejected_reason,
        }


def _view(kind: ContentKind, row: _Content) -> ContentView:
    assert row.id is not None
    return ContentView(
        kind=kind,
        id=row.id,
        title=row.title,
        status=row.status,
        priority=row.priority,
        category=row.category,
        created_by=row.created_by,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        rejected_reason=row.rejected_reason,
    )


@dataclass(frozen=True)
class EmergencyPermit:
    """An emergency bulletin authorised to go on air at once, without approval."""

    sender: str
    """Full name of the person who sent it (recorded as its approver in the broadcast log)."""
    announcement_id: int | None
    """The announcement created for a text bulletin (``None`` for a recorded file)."""
    audit_id: int
    """The audit entry that records it (``emergency.send``)."""
    token: str = ""
    """The secret the daemon is given with the bulletin (empty when read back: only its digest is stored)."""
    programme_id: int | None = None
    """The programme it puts on air at emergency priority (play-now), if that is what it authorises."""
    used_at: datetime | None = None
    """When the daemon used it (each permit cuts in once)."""


def _grant(session: Session, granted: AirPass) -> EmergencyPermit:
    """Store an emergency permit under a new token's digest; the permit returned carries the token."""
    assert granted.audit_id is not None
    token = new_token()
    SqlAirPassRepository(session).add(token_digest(token), granted)
    return EmergencyPermit(
        sender=granted.full_name,
        announcement_id=granted.announcement_id,
        audit_id=granted.audit_id,
        token=token,
        programme_id=granted.programme_id,
    )


_MODELS: dict[ContentKind, type[Announcement] | type[Programme]] = {
    ContentKind.ANNOUNCEMENT: Announcement,
    ContentKind.PROGRAMME: Programme,
}


class ApprovalService:
    """The approval workflow of announcements and programmes."""

    def __init__(self, *, settings: Settings, db: Database, clock: Clock, accounts: AccountService) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._accounts = accounts

    # Reading ---------------------------------------------------------------------------------------------

    def get(self, kind: ContentKind, ident: int) -> ContentView:
        """One announcement or programme.

        Raises:
            NotFoundError: no such record.
        """
        with self._db.session() as session:
            return _view(kind, self._load(session, kind, ident))

    def list(self, kind: ContentKind | None = None, status: ContentStatus | None = None) -> list[ContentView]:
        """Announcements then programmes (or one kind), newest first, optionally in one state."""
        views: list[ContentView] = []
        with self._db.session() as session:
            for each in (kind,) if kind else tuple(ContentKind):
                model = _MODELS[each]
                query = select(model).order_by(col(model.id).desc())
                if status is not None:
                    query = query.where(model.status == status)
                views.extend(_view(each, row) for row in session.exec(query).all() if isinstance(row, _Content))
        return views

    def check_air(self, programme_id: int) -> AirCheck:
        """What of a programme may go on air now: the daemon's gate before every broadcast.

        Only an approved (or already aired) programme airs; within it, an announcement item that is not
        approved is skipped. The daemon logs a skipped programme or item as a ``skipped`` broadcast with the
        returned reason, and the TUI shows the same reason to the operator.

        Raises:
            NotFoundError: no such programme.
        """
        with self._db.session() as session:
            programme = self._load(session, ContentKind.PROGRAMME, programme_id)
            rows = session.exec(
                select(ProgrammeItem, Announcement)
                .join(Announcement, col(ProgrammeItem.announcement_id) == col(Announcement.id), isouter=True)
                .where(ProgrammeItem.programme_id == programme_id)
                .order_by(col(ProgrammeItem.position))
            ).all()
            items = [
                ItemState(
                    item_id=item.id or 0,
                    position=item.position,
                    title=item.title or (announcement.title if announcement else ""),
                    announcement_id=item.announcement_id,
                    announcement_status=announcement.status if announcement else None,
                )
                for item, announcement in rows
            ]
            return approval.air_check(programme_id, programme.title, programme.status, programme.approved_by, items)

    # Changing --------------------------------------------------------------------------------------------

    def add_announcement(
        self,
        actor: Actor,
        *,
        title: str,
        text: str,
        category: Category = Category.ADMINISTRATION,
        priority: Priority = Priority.NORMAL,
        submit: bool = False,
    ) -> ContentView:
        """Write a new announcement as a draft (and send it for approval at once with ``submit``).

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            WorkflowError: the title or text is empty.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        title, text = " ".join(title.split()), text.strip()
        if not title or not text:
            raise WorkflowError("Thông báo cần có tiêu đề và nội dung.", title="Dữ liệu không hợp lệ")
        now = self._clock.now()
        with self._db.session() as session:
            row = Announcement(
                title=title,
                text=text,
                category=category,
                priority=priority,
                created_by=actor.username,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            self._record(session, actor.username, "add", ContentKind.ANNOUNCEMENT, row, before=None, now=now)
            if submit:
                self._move(session, actor, ContentKind.ANNOUNCEMENT, row, verb="submit", now=now)
            return _view(ContentKind.ANNOUNCEMENT, row)

    def edit_announcement(
        self,
        actor: Actor,
        ident: int,
        *,
        title: str | None = None,
        text: str | None = None,
        category: Category | None = None,
        priority: Priority | None = None,
    ) -> ContentView:
        """Change an announcement; any change sends it back to draft (it must be approved again).

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: no such announcement.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        now = self._clock.now()
        with self._db.session() as session:
            row = self._load(session, ContentKind.ANNOUNCEMENT, ident)
            assert isinstance(row, Announcement)
            before = audit.snapshot(row)
            if title is not None:
                row.title = " ".join(title.split()) or row.title
            if text is not None and text.strip():
                row.text = text.strip()
            row.category = category or row.category
            row.priority = priority or row.priority
            self._back_to_draft(row)
            row.updated_at = now
            session.add(row)
            self._record(session, actor.username, "edit", ContentKind.ANNOUNCEMENT, row, before=before, now=now)
            return _view(ContentKind.ANNOUNCEMENT, row)

    def submit(self, actor: Actor, kind: ContentKind, ident: int) -> ContentView:
        """Send a draft (or corrected rejected content) for approval.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: no such record.
            WorkflowError: not a draft or rejected.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        return self._change(actor, kind, ident, "submit")

    def approve(self, actor: Actor, kind: ContentKind, ident: int) -> ContentView:
        """Approve content waiting for approval; records the approver's name and the time.

        Raises:
            PermissionDeniedError: ``actor`` may not approve.
            NotFoundError: no such record.
            WorkflowError: not waiting for approval, or ``actor`` wrote or submitted it.
        """
        self._accounts.require(actor, Permission.APPROVE)
        return self._change(actor, kind, ident, "approve")

    def reject(self, actor: Actor, kind: ContentKind, ident: int, reason: str) -> ContentView:
        """Reject content waiting for approval, with a reason the author reads.

        Raises:
            PermissionDeniedError: ``actor`` may not approve.
            NotFoundError: no such record.
            WorkflowError: no reason, or not waiting for approval.
        """
        self._accounts.require(actor, Permission.APPROVE)
        return self._change(actor, kind, ident, "reject", reason=reason)

    def mark_aired(self, kind: ContentKind, ident: int, *, by: str = DAEMON_ACTOR) -> ContentView:
        """Record that approved content went on air (the daemon calls it after a broadcast).

        Raises:
            NotFoundError: no such record.
            WorkflowError: the content was not approved.
        """
        now = self._clock.now()
        with self._db.session() as session:
            row = self._load(session, kind, ident)
            if row.status is ContentStatus.AIRED:
                return _view(kind, row)
            before = audit.snapshot(row)
            row.status = approval.after_aired(kind, ident, row.status)
            session.add(row)
            self._record(session, by, "aired", kind, row, before=before, now=now)
            return _view(kind, row)

    def send_emergency(
        self,
        actor: Actor,
        *,
        title: str | None = None,
        text: str | None = None,
        source: str | None = None,
        programme_id: int | None = None,
    ) -> EmergencyPermit:
        """Authorise an emergency bulletin to go on air at once, without waiting for approval.

        A text bulletin becomes an approved emergency announcement in the sender's name; a recorded file
        (``source``) or a programme put on air now at emergency priority (``programme_id``) is only
        authorised. Either way the audit trail records ``emergency.send``. Without a ``title``, the start of
        the text (or the file's name) is used. The returned permit's :attr:`~EmergencyPermit.token` is valid
        for :data:`EMERGENCY_PERMIT_S` seconds and works once (the daemon records its use).

        Raises:
            PermissionDeniedError: ``actor``'s role may not send emergencies (station setting
                ``emergency_roles``).
            WorkflowError: neither a text nor a file.
        """
        self._accounts.require(actor, Permission.SEND_EMERGENCY)
        if not (text and text.strip()) and not source and programme_id is None:
            raise WorkflowError("Bản tin khẩn cấp cần nội dung hoặc tệp âm thanh.", title="Dữ liệu không hợp lệ")
        if title is None:
            named = Path(source).stem if source else f"Chương trình {programme_id}"
            title = " ".join((text or "").split())[:60] or named
        now = self._clock.now()
        with self._db.session() as session:
            announcement_id = None
            details: dict[str, Any] = {"title": title, "source": source, "role": actor.role.value}
            if programme_id is not None:
                details["programme_id"] = programme_id
            if text and text.strip():
                row = Announcement(
                    title=" ".join(title.split()) or "Bản tin khẩn cấp",
                    text=text.strip(),
                    category=Category.EMERGENCY,
                    priority=Priority.EMERGENCY,
                    status=ContentStatus.APPROVED,
                    created_by=actor.username,
                    approved_by=actor.full_name,
                    approved_at=now,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                announcement_id = row.id
                details = audit.snapshot(row) or {}
            details["sender"] = actor.full_name  # the daemon logs the bulletin in this name
            entry = audit.record(
                session,
                at=now,
                actor=actor.username,
                action="emergency.send",
                entity="announcement" if announcement_id else "emergency",
                entity_id=announcement_id or "",
                after=details,
            )
            assert entry.id is not None
            granted = AirPass(
                kind=PassKind.EMERGENCY,
                username=actor.username,
                full_name=actor.full_name,
                role=actor.role,
                issued_at=now,
                expires_at=now + timedelta(seconds=EMERGENCY_PERMIT_S),
                single_operator=actor.single_operator,
                audit_id=entry.id,
                announcement_id=announcement_id,
                programme_id=programme_id,
            )
            return _grant(session, granted)

    def emergency_permit(self, token: str | None) -> EmergencyPermit:
        """The authorisation :meth:`send_emergency` recorded, as the daemon checks it before cutting in: it
        exists, is not older than :data:`EMERGENCY_PERMIT_S` seconds and was never used (the daemon also
        checks the uses it has journalled but not yet written).

        Raises:
            PermissionDeniedError: no permit, an unknown one, an expired one, or one used already.
        """
        if not token:
            raise PermissionDeniedError(
                "Lệnh phát khẩn cấp cần được cấp phép: gửi qua «truyenthanh emergency» hoặc màn hình Khẩn cấp."
            )
        with self._db.session() as session:
            found = SqlAirPassRepository(session).find(token_digest(str(token)))
        if found is None or found.kind is not PassKind.EMERGENCY or found.audit_id is None:
            raise PermissionDeniedError(
                "Lệnh phát khẩn cấp chưa được cấp phép: gửi qua «truyenthanh emergency» hoặc màn hình Khẩn cấp "
                "(cần đăng nhập bằng tài khoản được phép phát khẩn cấp)."
            )
        if found.used_at is not None:
            raise PermissionDeniedError("Giấy phép phát khẩn cấp này đã được dùng: hãy gửi lại lệnh khẩn cấp.")
        if self._clock.now() >= found.expires_at:
            raise PermissionDeniedError("Giấy phép phát khẩn cấp đã quá 10 phút: hãy gửi lại lệnh khẩn cấp.")
        return EmergencyPermit(
            sender=found.full_name,
            announcement_id=found.announcement_id,
            audit_id=found.audit_id,
            programme_id=found.programme_id,
        )

    def preapprove_package(self, session: Session, row: Programme | Announcement, *, upstream: str) -> bool:
        """Approve a programme (or one of its announcements) imported from a package signed by a trusted
        upstream, if the station allows it.

        Call it inside the import's session, after the signature was verified against a trusted key. Returns
        whether it was approved (setting ``signed_packages_preapproved``); otherwise the row stays as it is.
        """
        if not self._settings.signed_packages_preapproved:
            return False
        kind = ContentKind.PROGRAMME if isinstance(row, Programme) else ContentKind.ANNOUNCEMENT
        now = self._clock.now()
        before = audit.snapshot(row) if row.id is not None else None
        row.status = ContentStatus.APPROVED
        row.approved_by = f"{upstream} (gói có chữ ký tin cậy)"
        row.approved_at = now
        session.add(row)
        session.flush()
        self._record(session, f"upstream:{upstream}", "approve", kind, row, before=before, now=now)
        return True

    def send_new(self, session: Session, actor: Actor, programme: Programme) -> None:
        """Send a programme another service has just created for approval, in that service's session.

        In single-operator mode the operator's own creation is approved at once in their name.
        """
        verb = "approve" if actor.single_operator else "submit"
        self._move(session, actor, ContentKind.PROGRAMME, programme, verb=verb, now=self._clock.now())

    def reset_approval(self, session: Session, actor: Actor, programme: Programme) -> None:
        """Send a changed programme back for approval (call it inside the change's session).

        Other services call this whenever they change a programme's items or settings: approved (or aired)
        content goes back to waiting with its approval cleared, so changed content cannot air on an old
        approval, and ``actor`` counts as the one who sent it (they may not approve their own change). A draft
        or rejected programme stays as it is.
        """
        if programme.status in (ContentStatus.DRAFT, ContentStatus.REJECTED):
            return
        before = audit.snapshot(programme)
        programme.status = ContentStatus.WAITING
        programme.approved_by = None
        programme.approved_at = None
        session.add(programme)
        self._record(
            session, actor.username, "reset", ContentKind.PROGRAMME, programme, before=before, now=self._clock.now()
        )

    # Internals -------------------------------------------------------------------------------------------

    def _change(self, actor: Actor, kind: ContentKind, ident: int, verb: str, *, reason: str = "") -> ContentView:
        now = self._clock.now()
        with self._db.session() as session:
            row = self._load(session, kind, ident)
            self._move(session, actor, kind, row, verb=verb, now=now, reason=reason)
            return _view(kind, row)

    def _move(
        self,
        session: Session,
        actor: Actor,
        kind: ContentKind,
        row: _Content,
        *,
        verb: str,
        now: datetime,
        reason: str = "",
    ) -> None:
        assert row.id is not None
        before = audit.snapshot(row)
        single = actor.single_operator
        if verb == "submit":
            row.status = approval.after_submit(kind, row.id, row.status)
        elif verb == "approve":
            target = approval.after_approve(kind, row.id, row.status, single_operator=single)
            for author in {row.created_by, self._submitter(session, kind, row.id)}:
                approval.check_not_own(kind, row.id, author, actor.username, single_operator=single)
            row.status = target
            row.approved_by = actor.full_name
            row.approved_at = now
            row.rejected_reason = None
        elif verb == "reject":
            row.status = approval.after_reject(kind, row.id, row.status, reason)
            row.rejected_reason = reason.strip()
        session.add(row)
        self._record(session, actor.username, verb, kind, row, before=before, now=now)
        if verb == "approve" and isinstance(row, Programme) and row.package_id is not None:
            self._approve_brought_announcements(session, actor, row, now)

    def _approve_brought_announcements(
        self, session: Session, actor: Actor, programme: Programme, now: datetime
    ) -> None:
        """Approving a programme imported from a package approves the announcements that came in it (written
        upstream and read with it), so none of its items is skipped on air for want of a separate approval."""
        brought = session.exec(
            select(Announcement)
            .join(ProgrammeItem, col(ProgrammeItem.announcement_id) == col(Announcement.id))
            .where(
                ProgrammeItem.programme_id == programme.id,
                Announcement.status == ContentStatus.WAITING,
                Announcement.created_by == programme.created_by,
            )
            .distinct()
        ).all()
        for announcement in brought:
            self._move(session, actor, ContentKind.ANNOUNCEMENT, announcement, verb="approve", now=now)

    @staticmethod
    def _back_to_draft(row: _Content) -> None:
        row.status = ContentStatus.DRAFT
        row.approved_by = None
        row.approved_at = None

    @staticmethod
    def _submitter(session: Session, kind: ContentKind, ident: int) -> str | None:
        # Whoever changed approved content sent it back for approval (``reset``): they count as its submitter.
        return session.exec(
            select(AuditEntry.actor)
            .where(
                col(AuditEntry.action).in_([f"{kind.value}.submit", f"{kind.value}.reset"]),
                AuditEntry.entity == kind.value,
                AuditEntry.entity_id == str(ident),
            )
            .order_by(col(AuditEntry.id).desc())
            .limit(1)
        ).first()

    @staticmethod
    def _record(
        session: Session,
        actor: str,
        verb: str,
        kind: ContentKind,
        row: _Content,
        *,
        before: dict[str, Any] | None,
        now: datetime,
    ) -> None:
        audit.record(
            session,
            at=now,
            actor=actor,
            action=f"{kind.value}.{verb}",
            entity=kind.value,
            entity_id=row.id,
            before=before,
            after=audit.snapshot(row),
        )

    @staticmethod
    def _load(session: Session, kind: ContentKind, ident: int) -> _Content:
        row = session.get(_MODELS[kind], ident)
        if not isinstance(row, _Content):
            raise NotFoundError(f"Không có {kind.label} nào số {ident}.")
        return row


__all__ = ["DAEMON_ACTOR", "ApprovalService", "ContentView", "EmergencyPermit"]
