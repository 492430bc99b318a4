"""Approval of announcements and programmes, and the check the daemon makes before anything goes on air.

Every move is authorised (:class:`~truyenthanh.services.accounts.AccountService`) and written to the audit
trail in the same unit of work (:mod:`truyenthanh.services.unit_of_work`). The daemon calls
:meth:`ApprovalService.check_air` before each broadcast and :meth:`ApprovalService.mark_aired` after it;
emergencies go through :meth:`ApprovalService.send_emergency`. Other services move content inside their own
unit of work with :func:`send_new` (content just made) and :meth:`ApprovalService.preapprove_package` (content
brought in a package signed by a trusted upstream).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from truyenthanh.config import Settings
from truyenthanh.domain import approval
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.approval import AirCheck, ContentKind, ItemState
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.content import AnnouncementRecord, ProgrammeRecord
from truyenthanh.domain.enums import Category, ContentStatus, Priority
from truyenthanh.domain.passes import AirPass, PassKind, new_token, token_digest
from truyenthanh.errors import NotFoundError, PermissionDeniedError, WorkflowError
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.audit import DAEMON_ACTOR
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import AnnouncementRepository, ProgrammeRepository, Store, UnitOfWork

EMERGENCY_PERMIT_S = 600
"""How long an emergency authorisation from :meth:`ApprovalService.send_emergency` can be used to cut in."""

_Content = AnnouncementRecord | ProgrammeRecord

_HISTORY_LIMIT = 10_000
"""How many of one record's newest audit entries are searched for its submitter: far more than any announcement
or programme gathers (each edit, submission and approval adds one)."""


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


def _view(kind: ContentKind, record: _Content) -> ContentView:
    assert record.id is not None
    return ContentView(
        kind=kind,
        id=record.id,
        title=record.title,
        status=record.status,
        priority=record.priority,
        category=record.category,
        created_by=record.created_by,
        approved_by=record.approved_by,
        approved_at=record.approved_at,
        rejected_reason=record.rejected_reason,
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


def _grant(uow: UnitOfWork, granted: AirPass) -> EmergencyPermit:
    """Store an emergency permit under a new token's digest; the permit returned carries the token."""
    assert granted.audit_id is not None
    token = new_token()
    uow.air_passes.add(token_digest(token), granted)
    return EmergencyPermit(
        sender=granted.full_name,
        announcement_id=granted.announcement_id,
        audit_id=granted.audit_id,
        token=token,
        programme_id=granted.programme_id,
    )


class ApprovalService:
    """The approval workflow of announcements and programmes."""

    def __init__(self, *, settings: Settings, store: Store, clock: Clock, accounts: AccountService) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._accounts = accounts

    # Reading ---------------------------------------------------------------------------------------------

    def get(self, kind: ContentKind, ident: int) -> ContentView:
        """One announcement or programme.

        Raises:
            NotFoundError: no such record.
        """
        with self._store.transaction() as uow:
            return _view(kind, _load(uow, kind, ident))

    def list(self, kind: ContentKind | None = None, status: ContentStatus | None = None) -> list[ContentView]:
        """Announcements then programmes (or one kind), newest first, optionally in one state."""
        views: list[ContentView] = []
        with self._store.transaction() as uow:
            if kind in (None, ContentKind.ANNOUNCEMENT):
                views.extend(_view(ContentKind.ANNOUNCEMENT, each) for each in uow.announcements.records(status))
            if kind in (None, ContentKind.PROGRAMME):
                programmes = (rundown.programme for rundown in uow.programmes.all())
                views.extend(_view(ContentKind.PROGRAMME, each) for each in programmes if status in (None, each.status))
        return views

    def check_air(self, programme_id: int) -> AirCheck:
        """What of a programme may go on air now: the daemon's gate before every broadcast.

        Only an approved (or already aired) programme airs; within it, an announcement item that is not
        approved is skipped. The daemon logs a skipped programme or item as a ``skipped`` broadcast with the
        returned reason, and the TUI shows the same reason to the operator.

        Raises:
            NotFoundError: no such programme.
        """
        with self._store.transaction() as uow:
            rundown = uow.programmes.get(programme_id)
            if rundown is None:
                raise NotFoundError(f"Không có {ContentKind.PROGRAMME.label} nào số {programme_id}.")
            read = uow.announcements.many(i.announcement_id for i in rundown.items if i.announcement_id is not None)
        items = []
        for item in rundown.items:
            announcement = read.get(item.announcement_id) if item.announcement_id is not None else None
            items.append(
                ItemState(
                    item_id=item.id or 0,
                    position=item.position,
                    title=item.title or (announcement.title if announcement else ""),
                    announcement_id=item.announcement_id,
                    announcement_status=announcement.status if announcement else None,
                )
            )
        programme = rundown.programme
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
        record = AnnouncementRecord(
            title=title,
            text=text,
            category=category,
            priority=priority,
            created_by=actor.username,
            created_at=now,
            updated_at=now,
        )
        with self._store.transaction() as uow:
            change = uow.announcements.add(record)
            uow.audited(actor.username, "announcement.add", change)
            assert isinstance(change.entity_id, int)
            added: _Content = replace(record, id=change.entity_id)
            if submit:
                added = _move(uow, actor, ContentKind.ANNOUNCEMENT, added, verb="submit", now=now)
            return _view(ContentKind.ANNOUNCEMENT, added)

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
        with self._store.transaction() as uow:
            record = _announcement(uow, ident)
            edited = replace(
                record,
                title=(" ".join(title.split()) or record.title) if title is not None else record.title,
                text=text.strip() if text is not None and text.strip() else record.text,
                category=category or record.category,
                priority=priority or record.priority,
                status=ContentStatus.DRAFT,
                approved_by=None,
                approved_at=None,
                updated_at=now,
            )
            change = uow.announcements.put(edited)
            assert change is not None, "read in this unit of work"
            uow.audited(actor.username, "announcement.edit", change)
            return _view(ContentKind.ANNOUNCEMENT, edited)

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
        with self._store.transaction() as uow:
            record = _load(uow, kind, ident)
            if record.status is ContentStatus.AIRED:
                return _view(kind, record)
            aired = replace(record, status=approval.after_aired(kind, ident, record.status))
            uow.audited(by, f"{kind.value}.aired", _set_status(uow, kind, aired))
            return _view(kind, aired)

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
        with self._store.transaction() as uow:
            announcement_id: int | None = None
            details: dict[str, Any] = {"title": title, "source": source, "role": actor.role.value}
            if programme_id is not None:
                details["programme_id"] = programme_id
            if text and text.strip():
                change = uow.announcements.add(
                    AnnouncementRecord(
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
                )
                assert isinstance(change.entity_id, int)
                announcement_id = change.entity_id
                details = dict(change.after or {})
            details["sender"] = actor.full_name  # the daemon logs the bulletin in this name
            entity = "announcement" if announcement_id else "emergency"
            entry = uow.note(actor.username, "emergency.send", entity, str(announcement_id or ""), details)
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
            return _grant(uow, granted)

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
        with self._store.transaction() as uow:
            found = uow.air_passes.find(token_digest(str(token)))
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

    def preapprove_package(self, uow: UnitOfWork, kind: ContentKind, ident: int, *, upstream: str) -> bool:
        """Approve a programme (or one of its announcements) imported from a package signed by a trusted
        upstream, if the station allows it.

        Call it inside the import's unit of work, after the signature was verified against a trusted key and the
        record was stored. Returns whether it was approved (setting ``signed_packages_preapproved``); otherwise
        the record stays as it is. The audit entry (``programme.approve`` / ``announcement.approve``) names
        ``upstream:<upstream>`` as its actor.

        Raises:
            NotFoundError: no such record in ``uow``.
        """
        if not self._settings.signed_packages_preapproved:
            return False
        record = _load(uow, kind, ident)
        approved = replace(
            record,
            status=ContentStatus.APPROVED,
            approved_by=f"{upstream} (gói có chữ ký tin cậy)",
            approved_at=self._clock.now(),
        )
        uow.audited(f"upstream:{upstream}", f"{kind.value}.approve", _set_status(uow, kind, approved))
        return True

    def reset_approval(self, uow: UnitOfWork, actor: Actor, programme_id: int) -> None:
        """Send a changed programme back for approval, inside the change's unit of work.

        Approved (or aired) content goes back to waiting with its approval cleared, so changed content cannot
        air on an old approval, and ``actor`` counts as the one who sent it (they may not approve their own
        change). A draft or rejected programme stays as it is.

        Raises:
            NotFoundError: no such programme in ``uow``.
        """
        record = _load(uow, ContentKind.PROGRAMME, programme_id)
        if record.status in (ContentStatus.DRAFT, ContentStatus.REJECTED):
            return
        waiting = replace(record, status=ContentStatus.WAITING, approved_by=None, approved_at=None)
        uow.audited(actor.username, "programme.reset", _set_status(uow, ContentKind.PROGRAMME, waiting))

    # Internals -------------------------------------------------------------------------------------------

    def _change(self, actor: Actor, kind: ContentKind, ident: int, verb: str, *, reason: str = "") -> ContentView:
        now = self._clock.now()
        with self._store.transaction() as uow:
            moved = _move(uow, actor, kind, _load(uow, kind, ident), verb=verb, now=now, reason=reason)
            return _view(kind, moved)


def send_new(uow: UnitOfWork, actor: Actor, programme_id: int, *, now: datetime) -> None:
    """Send a draft programme another service has just made for ``actor`` for approval, in that service's unit of
    work (audited as ``programme.submit``). In single-operator mode the operator's own creation is approved at
    once in their name (``programme.approve``, approved at ``now``).

    Raises:
        NotFoundError: no such programme in ``uow``.
    """
    verb = "approve" if actor.single_operator else "submit"
    _move(uow, actor, ContentKind.PROGRAMME, _load(uow, ContentKind.PROGRAMME, programme_id), verb=verb, now=now)


def _move(
    uow: UnitOfWork, actor: Actor, kind: ContentKind, record: _Content, *, verb: str, now: datetime, reason: str = ""
) -> _Content:
    """Move content one step (``submit``, ``approve`` or ``reject``) and audit it as ``<kind>.<verb>``; returns
    the content as moved. Approving a programme brought in a package approves the announcements that came in it
    (written upstream and read with it), so none of its items is skipped on air for want of its own approval."""
    ident = record.id
    assert ident is not None
    single = actor.single_operator
    moved: _Content = record
    if verb == "submit":
        moved = replace(record, status=approval.after_submit(kind, ident, record.status))
    elif verb == "approve":
        target = approval.after_approve(kind, ident, record.status, single_operator=single)
        for author in {record.created_by, _submitter(uow, kind, ident)}:
            approval.check_not_own(kind, ident, author, actor.username, single_operator=single)
        moved = replace(record, status=target, approved_by=actor.full_name, approved_at=now, rejected_reason=None)
    elif verb == "reject":
        moved = replace(
            record, status=approval.after_reject(kind, ident, record.status, reason), rejected_reason=reason.strip()
        )
    uow.audited(actor.username, f"{kind.value}.{verb}", _set_status(uow, kind, moved))
    if verb == "approve" and isinstance(record, ProgrammeRecord) and record.package_id is not None:
        for brought in uow.announcements.waiting_in(ident, created_by=record.created_by):
            _move(uow, actor, ContentKind.ANNOUNCEMENT, _announcement(uow, brought), verb="approve", now=now)
    return moved


def _set_status(uow: UnitOfWork, kind: ContentKind, record: _Content) -> RecordChange:
    """Store ``record``'s approval state (read in ``uow``); the change to audit."""
    assert record.id is not None
    repository: ProgrammeRepository | AnnouncementRepository = (
        uow.programmes if kind is ContentKind.PROGRAMME else uow.announcements
    )
    change = repository.set_status(
        record.id,
        record.status,
        approved_by=record.approved_by,
        approved_at=record.approved_at,
        rejected_reason=record.rejected_reason,
    )
    assert change is not None, "read in this unit of work"
    return change


def _submitter(uow: UnitOfWork, kind: ContentKind, ident: int) -> str | None:
    # Whoever changed approved content sent it back for approval (``reset``): they count as its submitter.
    sent = {f"{kind.value}.submit", f"{kind.value}.reset"}
    history = uow.audit.entries(entity=kind.value, entity_id=str(ident), limit=_HISTORY_LIMIT)
    return next((entry.actor for entry in history if entry.action in sent), None)


def _load(uow: UnitOfWork, kind: ContentKind, ident: int) -> _Content:
    if kind is ContentKind.ANNOUNCEMENT:
        return _announcement(uow, ident)
    rundown = uow.programmes.get(ident)
    if rundown is None:
        raise NotFoundError(f"Không có {kind.label} nào số {ident}.")
    return rundown.programme


def _announcement(uow: UnitOfWork, ident: int) -> AnnouncementRecord:
    record = uow.announcements.record(ident)
    if record is None:
        raise NotFoundError(f"Không có {ContentKind.ANNOUNCEMENT.label} nào số {ident}.")
    return record


__all__ = ["DAEMON_ACTOR", "ApprovalService", "ContentView", "EmergencyPermit", "send_new"]
