"""Retiring schedules: ending the schedules (and never-aired programmes) an earlier import brought, keeping
their history.

Schedules are read and written through the unit of work's schedule repository (the one mapping between a
schedule and its row). Removing the programmes an import left without schedules still goes through the unit of
work's session until programmes have their repository.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from truyenthanh.adapters.db.models import Announcement, BroadcastLog, Programme, ProgrammeItem
from truyenthanh.domain.schedule import ScheduleSpec, expand
from truyenthanh.services import audit
from truyenthanh.services.unit_of_work import UnitOfWork


def retire_schedule(uow: UnitOfWork, spec: ScheduleSpec, now: datetime, zone: ZoneInfo, *, actor: str) -> None:
    """End one saved schedule at ``now`` (aware): delete it if it never aired, else cap its validity at ``now``
    (its history stays); a schedule already over by ``now`` is left as it is.

    The change is audited as ``schedule.retire`` for ``actor`` (a username).
    """
    assert spec.id is not None, "only a saved schedule can be retired"
    earliest = min(spec.start_at, spec.valid_from or spec.start_at) - timedelta(seconds=1)
    if earliest < now and expand(spec, earliest, now, zone):
        if spec.valid_to is not None and spec.valid_to <= now:
            return
        change = uow.schedules.put(spec.id, replace(spec, valid_to=now))
    else:
        change = uow.schedules.remove(spec.id)
    if change is not None:
        uow.audited(actor, "schedule.retire", change)


def retire_schedules(uow: UnitOfWork, package_id: str, now: datetime, zone: ZoneInfo, *, actor: str) -> None:
    """End the schedules that came from ``package_id`` (an earlier version of a package, or an earlier import
    of the same calendar events) at ``now``: drop those that never aired, cap the others at ``now`` so their
    history stays; then remove that package's programmes that never aired and have no schedule left. Every
    change is audited for ``actor`` (a username), in ``uow``'s transaction."""
    origins = uow.schedules.origins()
    for spec in uow.schedules.specs():
        if spec.id is not None and origins.get(spec.id) == package_id:
            retire_schedule(uow, spec, now, zone, actor=actor)
    scheduled = {spec.programme_id for spec in uow.schedules.specs()}
    _remove_unused_programmes(uow, package_id, scheduled, now, actor=actor)


def _remove_unused_programmes(
    uow: UnitOfWork, package_id: str, scheduled: set[int], now: datetime, *, actor: str
) -> None:
    """Remove ``package_id``'s programmes that have no schedule (``scheduled``: the programme ids that do) and
    never aired, with their items and the announcements nothing else uses; each removal audited."""
    session = uow.session
    old_programmes = list(session.exec(select(Programme).where(Programme.package_id == package_id)))
    for programme in old_programmes:
        has_history = session.exec(select(BroadcastLog.id).where(BroadcastLog.programme_id == programme.id)).first()
        if programme.id in scheduled or has_history is not None:
            continue
        items = list(session.exec(select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id)))
        announcement_ids = {i.announcement_id for i in items if i.announcement_id is not None}
        audit.record(
            session,
            at=now,
            actor=actor,
            action="programme.delete",
            entity="programme",
            entity_id=programme.id,
            before=audit.programme_snapshot(session, programme),
        )
        for item in items:
            session.delete(item)
        session.flush()
        session.delete(programme)
        session.flush()
        for announcement_id in announcement_ids:
            used = session.exec(
                select(ProgrammeItem.id).where(ProgrammeItem.announcement_id == announcement_id)
            ).first()
            announcement = session.get(Announcement, announcement_id)
            if used is None and announcement is not None:
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="announcement.delete",
                    entity="announcement",
                    entity_id=announcement_id,
                    before=audit.snapshot(announcement),
                )
                session.delete(announcement)
    session.flush()
