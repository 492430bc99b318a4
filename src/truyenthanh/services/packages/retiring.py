"""Retiring schedules: ending the schedules (and never-aired programmes) an earlier import brought, keeping
their history."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from truyenthanh.adapters.db.models import (
    Announcement,
    BroadcastLog,
    Programme,
    ProgrammeItem,
    Schedule,
)
from truyenthanh.domain.schedule import CalendarRule, ScheduleSpec, expand
from truyenthanh.services import audit


def retire_schedule(session: Session, row: Schedule, now: datetime, zone: ZoneInfo, *, actor: str) -> None:
    """End one schedule at ``now``: delete it if it never aired, else cap its validity at ``now`` (history stays).

    The change is audited as ``schedule.retire`` for ``actor`` (a username).
    """
    before = audit.snapshot(row)
    spec = ScheduleSpec(
        id=row.id,
        programme_id=row.programme_id,
        title="",
        duration_s=0.0,
        start_at=row.start_at,
        rrule=row.rrule,
        exdates=tuple(datetime.fromisoformat(x) for x in row.exdates),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        calendar=CalendarRule.from_json(row.calendar),
    )
    earliest = min(row.start_at, row.valid_from or row.start_at) - timedelta(seconds=1)
    if earliest < now and expand(spec, earliest, now, zone):
        if row.valid_to is not None and row.valid_to <= now:
            return
        row.valid_to = now
        session.add(row)
        after = audit.snapshot(row)
    else:
        session.delete(row)
        after = None
    audit.record(
        session,
        at=now,
        actor=actor,
        action="schedule.retire",
        entity="schedule",
        entity_id=row.id,
        before=before,
        after=after,
    )


def retire_schedules(session: Session, package_id: str, now: datetime, zone: ZoneInfo, *, actor: str) -> None:
    """End the schedules that came from ``package_id`` (an earlier version of a package, or an earlier import
    of the same calendar events) at ``now``: drop those that never aired, cap the others at ``now`` so their
    history stays; then remove that package's programmes that never aired and have no schedule left. Every
    change is audited for ``actor`` (a username)."""
    for row in list(session.exec(select(Schedule).where(Schedule.package_id == package_id))):
        retire_schedule(session, row, now, zone, actor=actor)
    session.flush()
    old_programmes = list(session.exec(select(Programme).where(Programme.package_id == package_id)))
    for programme in old_programmes:
        has_schedule = session.exec(select(Schedule.id).where(Schedule.programme_id == programme.id)).first()
        has_history = session.exec(select(BroadcastLog.id).where(BroadcastLog.programme_id == programme.id)).first()
        if has_schedule is not None or has_history is not None:
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
