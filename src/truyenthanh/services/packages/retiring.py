"""Retiring schedules: ending the schedules (and never-aired programmes) an earlier import brought, keeping
their history.

Schedules are read and written through the unit of work's schedule repository (the one mapping between a
schedule and its row); the programmes an import left without schedules are removed through the programme and
announcement repositories.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from truyenthanh.domain.schedule import ScheduleSpec, expand
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
    _remove_unused_programmes(uow, package_id, scheduled, actor=actor)


def _remove_unused_programmes(uow: UnitOfWork, package_id: str, scheduled: set[int], *, actor: str) -> None:
    """Remove ``package_id``'s programmes that have no schedule (``scheduled``: the programme ids that do) and
    never aired, with their items and the announcements nothing else uses; each removal audited."""
    for programme in uow.programmes.of_package(package_id):
        assert programme.id is not None
        if programme.id in scheduled or uow.programmes.aired(programme.id):
            continue
        rundown = uow.programmes.get(programme.id)
        announcement_ids = sorted(
            {item.announcement_id for item in (rundown.items if rundown else ()) if item.announcement_id is not None}
        )
        change = uow.programmes.remove(programme.id)
        if change is None:
            continue
        uow.audited(actor, "programme.delete", change)
        for announcement_id in announcement_ids:
            if uow.announcements.used(announcement_id):
                continue
            gone = uow.announcements.remove(announcement_id)
            if gone is not None:
                uow.audited(actor, "announcement.delete", gone)
