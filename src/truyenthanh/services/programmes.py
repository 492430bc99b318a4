"""Building programmes: the ordered items of a rundown, their total length and the session's limit."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.models import Announcement, AudioAsset, Programme, ProgrammeItem, Schedule, Station
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.enums import Category, ContentStatus, ItemKind, Priority
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import NotFoundError, ProgrammeError
from truyenthanh.services import audit
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.approvals import ApprovalService
from truyenthanh.services.ports import Clock

MAX_TITLE = 300


@dataclass(frozen=True)
class ItemInfo:
    """One item of a programme as the operator sees it."""

    id: int
    position: int
    kind: ItemKind
    title: str
    duration_s: float
    """Length in seconds: the asset's for audio, the item's own for silence and relay."""
    asset_id: int | None
    announcement_id: int | None
    relay_url: str | None


@dataclass(frozen=True)
class ProgrammeSummary:
    """A programme in a list."""

    id: int
    title: str
    category: Category
    priority: Priority
    status: ContentStatus
    items: int
    total_s: float


@dataclass(frozen=True)
class ProgrammeDetail:
    """A programme with its items in order and the limit of the session it airs in."""

    id: int
    title: str
    category: Category
    priority: Priority
    status: ContentStatus
    items: tuple[ItemInfo, ...]
    session_name: str | None
    """The station session its first schedule falls in, if any."""
    limit_s: float | None
    """The session's maximum airtime in seconds, if it airs in a session."""

    @property
    def total_s(self) -> float:
        """Total length of the items, in seconds."""
        return sum(item.duration_s for item in self.items)

    @property
    def over_limit(self) -> bool:
        """Whether the items run longer than the session allows."""
        return self.limit_s is not None and self.total_s > self.limit_s


def _clean_title(title: str) -> str:
    cleaned = unicodedata.normalize("NFC", title).strip()
    if not cleaned:
        raise ProgrammeError("Tên chương trình không được để trống.")
    if len(cleaned) > MAX_TITLE:
        raise ProgrammeError(f"Tên chương trình quá dài ({len(cleaned)} ký tự, tối đa {MAX_TITLE}).")
    return cleaned


@dataclass(frozen=True)
class Choice:
    """Something an item can play: an asset or an announcement, by id and title."""

    id: int
    title: str
    duration_s: float | None


@dataclass(frozen=True)
class ItemChoices:
    """What the operator can pick from when adding an item."""

    assets: tuple[Choice, ...]
    announcements: tuple[Choice, ...]


class ProgrammeService:
    """Creates programmes and edits their items; every change is one transaction.

    Every change is authorised (``edit_content``) and audited with the programme and its items before and
    after, in the same transaction; changing an approved programme sends it back for approval
    (:meth:`ApprovalService.reset_approval`), so changed content never airs on an old approval.
    """

    def __init__(self, *, db: Database, clock: Clock, accounts: AccountService, approvals: ApprovalService) -> None:
        self._db = db
        self._clock = clock
        self._accounts = accounts
        self._approvals = approvals

    @contextmanager
    def _editing(self, actor: Actor, programme_id: int) -> Iterator[tuple[Session, Programme]]:
        """A session changing one programme: checks the right first; on success records the change (if any)
        with the programme and items before and after, and sends approved content back for approval."""
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        with self._db.session() as session:
            programme = _programme(session, programme_id)
            before = audit.programme_snapshot(session, programme)
            yield session, programme
            session.flush()
            after = audit.programme_snapshot(session, programme)
            if after == before:
                return
            audit.record(
                session,
                at=self._clock.now(),
                actor=actor.username,
                action="programme.edit",
                entity="programme",
                entity_id=programme_id,
                before=before,
                after=after,
            )
            self._approvals.reset_approval(session, actor, programme)

    def list(self, *, search: str | None = None) -> list[ProgrammeSummary]:
        """Programmes, newest first, with their item count and total length; ``search`` matches the title."""
        with self._db.session() as session:
            query = select(Programme).order_by(col(Programme.id).desc())
            programmes = session.exec(query).all()
            totals = _totals(session)
        wanted = (search or "").casefold().strip()
        return [
            ProgrammeSummary(
                id=p.id,
                title=p.title,
                category=p.category,
                priority=p.priority,
                status=p.status,
                items=totals.get(p.id, (0, 0.0))[0],
                total_s=totals.get(p.id, (0, 0.0))[1],
            )
            for p in programmes
            if p.id is not None and wanted in p.title.casefold()
        ]

    def choices(self) -> ItemChoices:
        """Audio assets and announcements that items can refer to, by title."""
        with self._db.session() as session:
            assets = session.exec(select(AudioAsset).order_by(col(AudioAsset.title))).all()
            announcements = session.exec(select(Announcement).order_by(col(Announcement.id).desc())).all()
            rendered = {a.id: a.duration_s for a in assets}
            return ItemChoices(
                assets=tuple(Choice(a.id, a.title, a.duration_s) for a in assets if a.id is not None),
                announcements=tuple(
                    Choice(a.id, a.title, rendered.get(a.asset_id)) for a in announcements if a.id is not None
                ),
            )

    def get(self, programme_id: int) -> ProgrammeDetail:
        """One programme with its items.

        Raises:
            NotFoundError: no programme has that id.
        """
        with self._db.session() as session:
            return _detail(session, programme_id)

    def create(
        self,
        actor: Actor,
        title: str,
        *,
        category: Category = Category.LOCAL_AFFAIRS,
        priority: Priority = Priority.NORMAL,
    ) -> ProgrammeDetail:
        """A new, empty draft programme written by ``actor``.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            ProgrammeError: the title is empty or too long.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        cleaned = _clean_title(title)
        now = self._clock.now()
        with self._db.session() as session:
            programme = Programme(
                title=cleaned, category=category, priority=priority, created_by=actor.username, created_at=now
            )
            session.add(programme)
            session.flush()
            assert programme.id is not None
            audit.record(
                session,
                at=now,
                actor=actor.username,
                action="programme.add",
                entity="programme",
                entity_id=programme.id,
                after=audit.programme_snapshot(session, programme),
            )
            return _detail(session, programme.id)

    def update(
        self,
        actor: Actor,
        programme_id: int,
        *,
        title: str | None = None,
        category: Category | None = None,
        priority: Priority | None = None,
    ) -> ProgrammeDetail:
        """Change a programme's title, category or priority (``None`` leaves a field as it is).

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: no programme has that id.
            ProgrammeError: the new title is empty or too long.
        """
        cleaned = _clean_title(title) if title is not None else None
        with self._editing(actor, programme_id) as (session, programme):
            programme.title = cleaned or programme.title
            programme.category = category or programme.category
            programme.priority = priority or programme.priority
            session.add(programme)
        return self.get(programme_id)

    def delete(self, actor: Actor, programme_id: int) -> ProgrammeSummary:
        """Delete a programme that no schedule uses, with its items (the broadcast log keeps its history).

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: no programme has that id.
            ProgrammeError: schedules still air it (the message names them); nothing is changed.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        with self._db.session() as session:
            programme = _programme(session, programme_id)
            schedules = session.exec(select(Schedule.id).where(Schedule.programme_id == programme_id)).all()
            if schedules:
                raise ProgrammeError(
                    f"Không xóa được chương trình số {programme_id} «{programme.title}» vì còn lịch phát số "
                    f"{', '.join(map(str, schedules))}: hãy xóa các lịch đó trước."
                )
            before = audit.programme_snapshot(session, programme)
            detail = _detail(session, programme_id)
            summary = ProgrammeSummary(
                id=detail.id,
                title=detail.title,
                category=detail.category,
                priority=detail.priority,
                status=detail.status,
                items=len(detail.items),
                total_s=detail.total_s,
            )
            for item in _items(session, programme_id):
                session.delete(item)
            session.flush()
            session.delete(programme)
            audit.record(
                session,
                at=self._clock.now(),
                actor=actor.username,
                action="programme.delete",
                entity="programme",
                entity_id=programme_id,
                before=before,
            )
        return summary

    def add_item(
        self,
        actor: Actor,
        programme_id: int,
        kind: ItemKind,
        *,
        asset_id: int | None = None,
        announcement_id: int | None = None,
        relay_url: str | None = None,
        duration_s: float | None = None,
        title: str = "",
    ) -> ProgrammeDetail:
        """Append an item at the end.

        Audio and jingle items need ``asset_id``; announcements need ``announcement_id``; silence needs
        ``duration_s``; relay needs ``relay_url`` and ``duration_s``.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: the programme, asset or announcement does not exist.
            ProgrammeError: what the item kind needs is missing or wrong.
        """
        with self._editing(actor, programme_id) as (session, _):
            item_title = title.strip()
            if kind in (ItemKind.AUDIO, ItemKind.JINGLE):
                if asset_id is None:
                    raise ProgrammeError(f"Mục «{kind.label}» cần chọn một tệp âm thanh trong thư viện.")
                asset = session.get(AudioAsset, asset_id)
                if asset is None:
                    raise NotFoundError(f"Không có tệp âm thanh số {asset_id} trong thư viện.")
                item_title = item_title or asset.title
            elif kind is ItemKind.ANNOUNCEMENT:
                if announcement_id is None:
                    raise ProgrammeError("Mục «Thông báo» cần chọn một thông báo.")
                announcement = session.get(Announcement, announcement_id)
                if announcement is None:
                    raise NotFoundError(f"Không có thông báo số {announcement_id}.")
                item_title = item_title or announcement.title
            else:
                if duration_s is None or duration_s <= 0:
                    raise ProgrammeError(f"Mục «{kind.label}» cần độ dài lớn hơn 0 giây.")
                if kind is ItemKind.RELAY:
                    if not relay_url or not relay_url.strip().startswith(("http://", "https://")):
                        raise ProgrammeError(
                            f"Địa chỉ tiếp sóng «{relay_url or ''}» không hợp lệ; cần bắt đầu bằng http:// hoặc https://."
                        )
                    relay_url = relay_url.strip()
                item_title = item_title or kind.label
            position = session.exec(
                select(func.count()).select_from(ProgrammeItem).where(ProgrammeItem.programme_id == programme_id)
            ).one()
            session.add(
                ProgrammeItem(
                    programme_id=programme_id,
                    position=int(position),
                    kind=kind,
                    title=item_title,
                    asset_id=asset_id if kind in (ItemKind.AUDIO, ItemKind.JINGLE) else None,
                    announcement_id=announcement_id if kind is ItemKind.ANNOUNCEMENT else None,
                    relay_url=relay_url if kind is ItemKind.RELAY else None,
                    duration_s=duration_s if kind in (ItemKind.SILENCE, ItemKind.RELAY) else None,
                )
            )
        return self.get(programme_id)

    def move_item(self, actor: Actor, programme_id: int, position: int, offset: int) -> ProgrammeDetail:
        """Move the item at ``position`` up (negative ``offset``) or down; stops at either end.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: the programme or the item does not exist.
        """
        with self._editing(actor, programme_id) as (session, _):
            items = _items(session, programme_id)
            if not 0 <= position < len(items):
                raise NotFoundError(f"Chương trình số {programme_id} không có mục thứ {position + 1}.")
            target = max(0, min(len(items) - 1, position + offset))
            order = list(items)
            order.insert(target, order.pop(position))
            _renumber(session, order)
        return self.get(programme_id)

    def remove_item(self, actor: Actor, programme_id: int, position: int) -> ProgrammeDetail:
        """Remove the item at ``position``; the ones after it move up.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: the programme or the item does not exist.
        """
        with self._editing(actor, programme_id) as (session, _):
            items = _items(session, programme_id)
            if not 0 <= position < len(items):
                raise NotFoundError(f"Chương trình số {programme_id} không có mục thứ {position + 1}.")
            session.delete(items[position])
            session.flush()
            _renumber(session, [item for index, item in enumerate(items) if index != position])
        return self.get(programme_id)


def _programme(session: Session, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFoundError(f"Không có chương trình số {programme_id}.")
    return programme


def _items(session: Session, programme_id: int) -> list[ProgrammeItem]:
    _programme(session, programme_id)
    return list(
        session.exec(
            select(ProgrammeItem)
            .where(ProgrammeItem.programme_id == programme_id)
            .order_by(col(ProgrammeItem.position))
        ).all()
    )


def _renumber(session: Session, order: list[ProgrammeItem]) -> None:
    # Positions are unique per programme: park every item on a negative position first, then number them.
    for index, item in enumerate(order):
        item.position = -1 - index
        session.add(item)
    session.flush()
    for index, item in enumerate(order):
        item.position = index
        session.add(item)
    session.flush()


def _totals(session: Session) -> dict[int, tuple[int, float]]:
    rows = session.exec(
        select(ProgrammeItem.programme_id, ProgrammeItem.kind, ProgrammeItem.duration_s, AudioAsset.duration_s).join(
            AudioAsset, col(AudioAsset.id) == col(ProgrammeItem.asset_id), isouter=True
        )
    ).all()
    totals: dict[int, tuple[int, float]] = {}
    for programme_id, kind, own, asset in rows:
        count, seconds = totals.get(programme_id, (0, 0.0))
        totals[programme_id] = (count + 1, seconds + _length(ItemKind(kind), own, asset))
    return totals


def _length(kind: ItemKind, own: float | None, asset_s: float | None) -> float:
    if kind in (ItemKind.SILENCE, ItemKind.RELAY):
        return own or 0.0
    return asset_s or 0.0


def _detail(session: Session, programme_id: int) -> ProgrammeDetail:
    programme = _programme(session, programme_id)
    rows = session.exec(
        select(ProgrammeItem, AudioAsset, Announcement)
        .join(AudioAsset, col(AudioAsset.id) == col(ProgrammeItem.asset_id), isouter=True)
        .join(Announcement, col(Announcement.id) == col(ProgrammeItem.announcement_id), isouter=True)
        .where(ProgrammeItem.programme_id == programme_id)
        .order_by(col(ProgrammeItem.position))
    ).all()
    items = []
    for item, asset, announcement in rows:
        assert item.id is not None
        length = _length(item.kind, item.duration_s, asset.duration_s if asset else None)
        if item.kind is ItemKind.ANNOUNCEMENT and announcement is not None and announcement.asset_id is not None:
            rendered = session.get(AudioAsset, announcement.asset_id)
            length = rendered.duration_s if rendered else 0.0
        items.append(
            ItemInfo(
                id=item.id,
                position=item.position,
                kind=item.kind,
                title=item.title,
                duration_s=length,
                asset_id=item.asset_id,
                announcement_id=item.announcement_id,
                relay_url=item.relay_url,
            )
        )
    session_name, limit = _session_limit(session, programme_id)
    assert programme.id is not None
    return ProgrammeDetail(
        id=programme.id,
        title=programme.title,
        category=programme.category,
        priority=programme.priority,
        status=programme.status,
        items=tuple(items),
        session_name=session_name,
        limit_s=limit,
    )


def _session_limit(session: Session, programme_id: int) -> tuple[str | None, float | None]:
    station = session.exec(select(Station)).first()
    schedule = session.exec(
        select(Schedule).where(Schedule.programme_id == programme_id).order_by(col(Schedule.id))
    ).first()
    if station is None or schedule is None:
        return None, None

    local = schedule.start_at.astimezone(ZoneInfo(station.timezone))
    rule = StationRules.from_json(station.rules).session_at(local)
    if rule is None:
        return None, None
    return rule.name, timedelta(minutes=rule.max_minutes).total_seconds()


__all__ = ["Choice", "ItemChoices", "ItemInfo", "ProgrammeDetail", "ProgrammeService", "ProgrammeSummary"]
