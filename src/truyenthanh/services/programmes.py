"""Building programmes: the ordered items of a rundown, their total length and the session's limit."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from truyenthanh.config import Settings
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.content import AnnouncementRef, AssetRecord, ItemRecord, ProgrammeRecord, Rundown
from truyenthanh.domain.enums import Category, ContentStatus, ItemKind, Priority
from truyenthanh.errors import NotFoundError, ProgrammeError
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store, UnitOfWork

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
    after, in the same transaction; changing an approved programme sends it back for approval (audited as
    ``programme.reset``, as :meth:`ApprovalService.reset_approval` does), so changed content never airs on an
    old approval.
    """

    def __init__(self, *, settings: Settings, store: Store, clock: Clock, accounts: AccountService) -> None:
        """Args:
        settings: the station's settings (its time zone places a programme's first airing in a session).
        store: where programmes, assets and announcements are kept.
        clock: the time of new programmes.
        accounts: who may change content.
        """
        self._settings = settings
        self._store = store
        self._clock = clock
        self._accounts = accounts

    def _edit(self, actor: Actor, programme_id: int, edit: Callable[[UnitOfWork, Rundown], Rundown]) -> ProgrammeDetail:
        """Change one programme in one transaction: checks the right first; records the change (if any) with
        the programme and items before and after, and sends approved content back for approval."""
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        with self._store.transaction() as uow:
            changed = edit(uow, _rundown(uow, programme_id))
            change = uow.programmes.put(changed)
            assert change is not None, "the programme was read in this transaction"
            if change.after != change.before:
                uow.audited(actor.username, "programme.edit", change)
                _send_back(uow, actor, changed.programme)
            return _detail(uow, programme_id, self._settings)

    def list(self, *, search: str | None = None) -> list[ProgrammeSummary]:
        """Programmes, newest first, with their item count and total length; ``search`` matches the title."""
        with self._store.transaction() as uow:
            rundowns = uow.programmes.all()
            announcements = uow.announcements.many(
                item.announcement_id for r in rundowns for item in r.items if item.announcement_id is not None
            )
            wanted_assets = {item.asset_id for r in rundowns for item in r.items if item.asset_id is not None}
            wanted_assets |= {a.asset_id for a in announcements.values() if a.asset_id is not None}
            assets = uow.assets.many(wanted_assets)
        wanted = (search or "").casefold().strip()
        return [
            _summary(rundown, assets, announcements)
            for rundown in rundowns
            if wanted in rundown.programme.title.casefold()
        ]

    def choices(self) -> ItemChoices:
        """Audio assets and announcements that items can refer to, by title."""
        with self._store.transaction() as uow:
            assets = uow.assets.by_title()
            announcements = uow.announcements.all()
        rendered = {a.id: a.duration_s for a in assets}
        return ItemChoices(
            assets=tuple(Choice(a.id, a.title, a.duration_s) for a in assets if a.id is not None),
            announcements=tuple(Choice(a.id, a.title, rendered.get(a.asset_id)) for a in announcements),
        )

    def get(self, programme_id: int) -> ProgrammeDetail:
        """One programme with its items.

        Raises:
            NotFoundError: no programme has that id.
        """
        with self._store.transaction() as uow:
            return _detail(uow, programme_id, self._settings)

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
        record = ProgrammeRecord(
            title=_clean_title(title),
            category=category,
            priority=priority,
            created_by=actor.username,
            created_at=self._clock.now(),
        )
        with self._store.transaction() as uow:
            change = uow.programmes.add(record)
            uow.audited(actor.username, "programme.add", change)
            assert isinstance(change.entity_id, int)
            return _detail(uow, change.entity_id, self._settings)

    def duplicate(self, actor: Actor, programme_id: int, title: str) -> ProgrammeDetail:
        """A new draft programme called ``title`` written by ``actor``, with the category, priority and items
        (with their gain and fades) of another, made in one transaction and audited as an add: a failure
        part-way leaves no copy.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: no programme has that id.
            ProgrammeError: the title is empty or too long.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        cleaned = _clean_title(title)
        with self._store.transaction() as uow:
            source = _rundown(uow, programme_id)
            record = ProgrammeRecord(
                title=cleaned,
                category=source.programme.category,
                priority=source.programme.priority,
                created_by=actor.username,
                created_at=self._clock.now(),
            )
            change = uow.programmes.add(record, [replace(item, id=None) for item in source.items])
            uow.audited(actor.username, "programme.add", change)
            assert isinstance(change.entity_id, int)
            return _detail(uow, change.entity_id, self._settings)

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

        def edit(_: UnitOfWork, rundown: Rundown) -> Rundown:
            old = rundown.programme
            values = replace(
                old, title=cleaned or old.title, category=category or old.category, priority=priority or old.priority
            )
            return replace(rundown, programme=values)

        return self._edit(actor, programme_id, edit)

    def delete(self, actor: Actor, programme_id: int) -> ProgrammeSummary:
        """Delete a programme that no schedule uses, with its items (the broadcast log keeps its history).

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: no programme has that id.
            ProgrammeError: schedules still air it (the message names them); nothing is changed.
        """
        self._accounts.require(actor, Permission.EDIT_CONTENT)
        with self._store.transaction() as uow:
            detail = _detail(uow, programme_id, self._settings)
            schedules = [ident for ident, _ in uow.programmes.schedules(programme_id)]
            if schedules:
                raise ProgrammeError(
                    f"Không xóa được chương trình số {programme_id} «{detail.title}» vì còn lịch phát số "
                    f"{', '.join(map(str, schedules))}: hãy xóa các lịch đó trước."
                )
            change = uow.programmes.remove(programme_id)
            assert change is not None, "the programme was read in this transaction"
            uow.audited(actor.username, "programme.delete", change)
        return ProgrammeSummary(
            id=detail.id,
            title=detail.title,
            category=detail.category,
            priority=detail.priority,
            status=detail.status,
            items=len(detail.items),
            total_s=detail.total_s,
        )

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

        def edit(uow: UnitOfWork, rundown: Rundown) -> Rundown:
            item = _new_item(
                uow,
                kind,
                title=title.strip(),
                asset_id=asset_id,
                announcement_id=announcement_id,
                relay_url=relay_url,
                duration_s=duration_s,
            )
            return replace(rundown, items=(*rundown.items, item))

        return self._edit(actor, programme_id, edit)

    def move_item(self, actor: Actor, programme_id: int, position: int, offset: int) -> ProgrammeDetail:
        """Move the item at ``position`` up (negative ``offset``) or down; stops at either end.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: the programme or the item does not exist.
        """

        def edit(_: UnitOfWork, rundown: Rundown) -> Rundown:
            order = list(rundown.items)
            _check_position(rundown, position)
            target = max(0, min(len(order) - 1, position + offset))
            order.insert(target, order.pop(position))
            return replace(rundown, items=tuple(order))

        return self._edit(actor, programme_id, edit)

    def remove_item(self, actor: Actor, programme_id: int, position: int) -> ProgrammeDetail:
        """Remove the item at ``position``; the ones after it move up.

        Raises:
            PermissionDeniedError: ``actor`` may not edit content.
            NotFoundError: the programme or the item does not exist.
        """

        def edit(_: UnitOfWork, rundown: Rundown) -> Rundown:
            _check_position(rundown, position)
            return replace(rundown, items=tuple(i for index, i in enumerate(rundown.items) if index != position))

        return self._edit(actor, programme_id, edit)


def _rundown(uow: UnitOfWork, programme_id: int) -> Rundown:
    rundown = uow.programmes.get(programme_id)
    if rundown is None:
        raise NotFoundError(f"Không có chương trình số {programme_id}.")
    return rundown


def _check_position(rundown: Rundown, position: int) -> None:
    if not 0 <= position < len(rundown.items):
        raise NotFoundError(f"Chương trình số {rundown.id} không có mục thứ {position + 1}.")


def _send_back(uow: UnitOfWork, actor: Actor, programme: ProgrammeRecord) -> None:
    """Send a changed programme back for approval: approved (or aired) content goes back to waiting with its
    approval cleared, and ``actor`` counts as the one who sent it; a draft or rejected programme stays."""
    if programme.status in (ContentStatus.DRAFT, ContentStatus.REJECTED) or programme.id is None:
        return
    change = uow.programmes.set_status(
        programme.id,
        ContentStatus.WAITING,
        approved_by=None,
        approved_at=None,
        rejected_reason=programme.rejected_reason,
    )
    if change is not None:
        uow.audited(actor.username, "programme.reset", change)


def _new_item(
    uow: UnitOfWork,
    kind: ItemKind,
    *,
    title: str,
    asset_id: int | None,
    announcement_id: int | None,
    relay_url: str | None,
    duration_s: float | None,
) -> ItemRecord:
    """A new item of ``kind``, checked: what the kind needs is there and what it names exists."""
    if kind in (ItemKind.AUDIO, ItemKind.JINGLE):
        if asset_id is None:
            raise ProgrammeError(f"Mục «{kind.label}» cần chọn một tệp âm thanh trong thư viện.")
        asset = uow.assets.get(asset_id)
        if asset is None:
            raise NotFoundError(f"Không có tệp âm thanh số {asset_id} trong thư viện.")
        return ItemRecord(kind=kind, title=title or asset.title, asset_id=asset_id)
    if kind is ItemKind.ANNOUNCEMENT:
        if announcement_id is None:
            raise ProgrammeError("Mục «Thông báo» cần chọn một thông báo.")
        announcement = uow.announcements.get(announcement_id)
        if announcement is None:
            raise NotFoundError(f"Không có thông báo số {announcement_id}.")
        return ItemRecord(kind=kind, title=title or announcement.title, announcement_id=announcement_id)
    if duration_s is None or duration_s <= 0:
        raise ProgrammeError(f"Mục «{kind.label}» cần độ dài lớn hơn 0 giây.")
    if kind is ItemKind.RELAY:
        if not relay_url or not relay_url.strip().startswith(("http://", "https://")):
            raise ProgrammeError(
                f"Địa chỉ tiếp sóng «{relay_url or ''}» không hợp lệ; cần bắt đầu bằng http:// hoặc https://."
            )
        return ItemRecord(kind=kind, title=title or kind.label, relay_url=relay_url.strip(), duration_s=duration_s)
    return ItemRecord(kind=kind, title=title or kind.label, duration_s=duration_s)


def _length(kind: ItemKind, own: float | None, asset: AssetRecord | None) -> float:
    if kind in (ItemKind.SILENCE, ItemKind.RELAY):
        return own or 0.0
    return asset.duration_s if asset is not None else 0.0


def _item_length(item: ItemRecord, assets: dict[int, AssetRecord], announcement: AnnouncementRef | None) -> float:
    """An item's length in seconds as aired: an announcement lasts as long as its rendering (0 if not rendered)."""
    if item.kind is ItemKind.ANNOUNCEMENT:
        rendered = assets.get(announcement.asset_id) if announcement and announcement.asset_id is not None else None
        return rendered.duration_s if rendered else 0.0
    return _length(item.kind, item.duration_s, assets.get(item.asset_id or -1))


def _summary(
    rundown: Rundown, assets: dict[int, AssetRecord], announcements: dict[int, AnnouncementRef]
) -> ProgrammeSummary:
    # The same lengths as the detail's (_item_info), so the list and the detail agree.
    total = sum(_item_length(i, assets, announcements.get(i.announcement_id or -1)) for i in rundown.items)
    programme = rundown.programme
    return ProgrammeSummary(
        id=rundown.id,
        title=programme.title,
        category=programme.category,
        priority=programme.priority,
        status=programme.status,
        items=len(rundown.items),
        total_s=total,
    )


def _item_info(item: ItemRecord, assets: dict[int, AssetRecord], announcement: AnnouncementRef | None) -> ItemInfo:
    length = _item_length(item, assets, announcement)
    assert item.id is not None
    return ItemInfo(
        id=item.id,
        position=item.position,
        kind=item.kind,
        title=item.title,
        duration_s=length,
        asset_id=item.asset_id,
        announcement_id=item.announcement_id,
        relay_url=item.relay_url,
    )


def _detail(uow: UnitOfWork, programme_id: int, settings: Settings) -> ProgrammeDetail:
    rundown = _rundown(uow, programme_id)
    announcements = uow.announcements.many(i.announcement_id for i in rundown.items if i.announcement_id is not None)
    wanted = {i.asset_id for i in rundown.items if i.asset_id is not None}
    wanted |= {a.asset_id for a in announcements.values() if a.asset_id is not None}
    assets = uow.assets.many(wanted)
    items = tuple(_item_info(i, assets, announcements.get(i.announcement_id or -1)) for i in rundown.items)
    session_name, limit = _session_limit(uow, programme_id, settings)
    programme = rundown.programme
    return ProgrammeDetail(
        id=rundown.id,
        title=programme.title,
        category=programme.category,
        priority=programme.priority,
        status=programme.status,
        items=items,
        session_name=session_name,
        limit_s=limit,
    )


def _session_limit(uow: UnitOfWork, programme_id: int, settings: Settings) -> tuple[str | None, float | None]:
    """The session the programme's first schedule starts in, and its maximum airtime in seconds."""
    airings = uow.programmes.schedules(programme_id)
    if not airings or uow.station.identity() is None:
        return None, None
    rule = uow.station.rules().session_at(airings[0][1].astimezone(settings.zone))
    if rule is None:
        return None, None
    return rule.name, timedelta(minutes=rule.max_minutes).total_seconds()


__all__ = ["Choice", "ItemChoices", "ItemInfo", "ProgrammeDetail", "ProgrammeService", "ProgrammeSummary"]
