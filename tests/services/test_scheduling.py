"""The scheduling service over a real SQLite station, and the hash-chained broadcast log."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.adapters.db import chainkey, chains
from truyenthanh.adapters.db.models import BroadcastLog, Programme, ProgrammeItem, Schedule
from truyenthanh.config import load_settings
from truyenthanh.domain import hashchain
from truyenthanh.domain.enums import ItemKind, Outcome, Priority
from truyenthanh.domain.records import broadcast_content
from truyenthanh.domain.schedule import Misfire, OneOff, Recurring, Resolution, ScheduleRequest
from truyenthanh.errors import NotFoundError, ScheduleError
from truyenthanh.services.broadcast_log import LogEntry
from truyenthanh.services.scheduling import ScheduleConflictError

HN_OFFSET = timedelta(hours=7)


def programme(container: bootstrap.Container, title: str, minutes: float) -> int:
    """A programme of one silence item lasting ``minutes``."""
    with container.db.session() as session:
        row = Programme(title=title)
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add(ProgrammeItem(programme_id=row.id, position=0, kind=ItemKind.SILENCE, duration_s=minutes * 60))
        return row.id


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - HN_OFFSET


def test_add_list_remove(container: bootstrap.Container) -> None:
    morning = programme(container, "Bản tin sáng", 20)
    service = container.scheduling
    saved = service.add(
        ADMIN,
        "Bản tin sáng",
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        time_of_day=time(5, 30),
        misfire=Misfire.parse("join:3"),
    )
    assert saved.schedule.summary == "Thứ Hai đến Thứ Sáu, 05:30"
    assert saved.schedule.programme_id == morning
    assert saved.schedule.duration_s == 1200
    planned = service.occurrences(local(23, 0), local(30, 0))
    assert [p.start for p in planned] == [local(d, 5, 30) for d in (23, 24, 25, 26, 27)]
    with container.db.session() as session:
        stored = session.exec(select(Schedule)).one()
    assert stored.misfire == "join:3" and stored.start_at.tzinfo is UTC
    service.remove(ADMIN, saved.schedule.id)
    assert service.schedules() == []
    with pytest.raises(NotFoundError, match="số 99"):
        service.remove(ADMIN, 99)


def test_conflict_refused_then_resolved(container: bootstrap.Container) -> None:
    programme(container, "Bản tin sáng", 20)
    programme(container, "Thông báo", 10)
    service = container.scheduling
    daily = service.add(ADMIN, "Bản tin sáng", rrule="FREQ=DAILY", time_of_day=time(5, 30))
    before = container.scheduling.fingerprint()
    with pytest.raises(ScheduleConflictError) as refused:
        service.add(ADMIN, "Thông báo", at=local(24, 5, 40))
    assert "trùng với «Bản tin sáng» (05:30–05:50" in refused.value.message
    assert "phát ngay sau mục bị trùng, lúc 05:50" in refused.value.message
    assert container.scheduling.fingerprint() == before  # nothing saved
    after = service.add(ADMIN, "Thông báo", at=local(24, 5, 40), resolve=Resolution.AFTER)
    assert after.schedule.start_at == local(24, 5, 50)
    replaced = service.add(ADMIN, "Thông báo", at=local(25, 5, 35), resolve=Resolution.REPLACE)
    assert replaced.note.startswith("Đã bỏ các lần phát bị trùng của lịch số")
    starts: dict[int | None, list[datetime]] = {
        p.occurrence.schedule_id: [] for p in service.occurrences(local(25, 0), local(26, 0))
    }
    for p in service.occurrences(local(25, 0), local(26, 0)):
        starts[p.occurrence.schedule_id].append(p.start)
    assert daily.schedule.id not in starts  # the 25th airing of the daily schedule was dropped
    assert container.scheduling.fingerprint() != before
    # Dropping that airing changed the daily schedule: audited with its exceptions before and after.
    edited = container.audit.entries(entity="schedule", entity_id=str(daily.schedule.id))[0]
    assert (edited.action, edited.actor, edited.changed) == ("schedule.edit", "quantri", ["exdates"])
    assert edited.before is not None and edited.after is not None
    assert (edited.before["exdates"], edited.after["exdates"]) == ([], ["2026-11-24T22:30:00+00:00"])


def test_quiet_hours_refusal_and_force(container: bootstrap.Container) -> None:
    programme(container, "Nhạc", 5)
    with pytest.raises(ScheduleConflictError, match="giờ yên tĩnh 21:30–05:00"):
        container.scheduling.add(ADMIN, "Nhạc", at=local(24, 4, 30))
    forced = container.scheduling.add(ADMIN, "Nhạc", at=local(24, 4, 30), resolve=Resolution.FORCE)
    assert forced.forced and "giờ yên tĩnh" in forced.forced[0]
    emergency = container.scheduling.add(ADMIN, "Nhạc", at=local(24, 3, 0), priority=Priority.EMERGENCY)
    assert emergency.forced == ()


def test_update_changes_timing_under_the_same_rules(container: bootstrap.Container) -> None:
    programme(container, "Bản tin sáng", 20)
    programme(container, "Thông báo", 10)
    service = container.scheduling
    daily = service.add(ADMIN, "Bản tin sáng", rrule="FREQ=DAILY", time_of_day=time(5, 30))
    notice = service.add(ADMIN, "Thông báo", rrule="FREQ=DAILY", time_of_day=time(6, 0))
    assert notice.schedule.id is not None

    # Not checked against itself: a new priority and misfire policy at the same time are no conflict.
    weekdays = Recurring("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(6, 0))
    edited = service.save(
        ADMIN,
        ScheduleRequest("Thông báo", weekdays, priority=Priority.PRIORITY, misfire=Misfire.parse("skip")),
        schedule_id=notice.schedule.id,
    )
    assert edited.schedule.summary == "Thứ Hai đến Thứ Sáu, 06:00"
    assert edited.schedule.id == notice.schedule.id and len(service.schedules()) == 2
    assert service.get(notice.schedule.id).priority is Priority.PRIORITY
    assert str(service.get(notice.schedule.id).misfire) == "skip"
    [entry] = container.audit.entries(entity="schedule", entity_id=str(notice.schedule.id), limit=1)
    assert entry.action == "schedule.edit" and entry.actor == ADMIN.username
    assert entry.before is not None and entry.after is not None
    assert entry.before["rrule"] == "FREQ=DAILY" and entry.after["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"

    # Moved onto the morning bulletin: refused and nothing changes, then shifted after it.
    before = service.fingerprint()
    daily_0540 = Recurring("FREQ=DAILY", time(5, 40))
    with pytest.raises(ScheduleConflictError, match="trùng với «Bản tin sáng»"):
        service.save(ADMIN, ScheduleRequest("Thông báo", daily_0540), schedule_id=notice.schedule.id)
    assert service.fingerprint() == before
    shifted = service.save(
        ADMIN, ScheduleRequest("Thông báo", daily_0540, resolve=Resolution.AFTER), schedule_id=notice.schedule.id
    )
    assert shifted.note.startswith("Đã dời giờ phát sang")
    assert shifted.schedule.summary == "Hằng ngày, 05:50"

    # Into the quiet hours: refused; forced, it is saved and says so.
    night = OneOff(local(24, 4, 30))
    with pytest.raises(ScheduleConflictError, match="giờ yên tĩnh"):
        service.save(ADMIN, ScheduleRequest("Thông báo", night), schedule_id=notice.schedule.id)
    forced = service.save(
        ADMIN, ScheduleRequest("Thông báo", night, resolve=Resolution.FORCE), schedule_id=notice.schedule.id
    )
    assert forced.forced and forced.schedule.rrule is None
    assert daily.schedule.id is not None and service.get(daily.schedule.id).summary == "Hằng ngày, 05:30"
    with pytest.raises(NotFoundError, match="số 99"):
        service.save(ADMIN, ScheduleRequest("Thông báo", OneOff(local(24, 8))), schedule_id=99)


def test_bad_input_is_explained(container: bootstrap.Container) -> None:
    programme(container, "Nhạc", 5)
    with pytest.raises(ScheduleError, match="đã qua"):
        container.scheduling.add(ADMIN, "Nhạc", at=local(22, 8))
    with pytest.raises(ScheduleError, match="cần giờ phát"):
        container.scheduling.add(ADMIN, "Nhạc", rrule="FREQ=DAILY")
    with pytest.raises(ScheduleError, match="Không có buổi «Buổi trưa»"):
        container.scheduling.add(ADMIN, "Nhạc", at=local(24, 8), session_name="Buổi trưa")
    with pytest.raises(NotFoundError):
        container.scheduling.add(ADMIN, "Không có", at=local(24, 8))


def test_broadcast_log_is_chained(container: bootstrap.Container) -> None:
    log = container.broadcast_log
    first = log.append(LogEntry(Outcome.PLAYED, "Bản tin", "Nhạc hiệu", actual_start=local(23, 5, 30)))
    second = log.append(LogEntry(Outcome.MISSED, "Bản tin", reason="Máy tắt", scheduled_start=local(24, 5, 30)))
    assert first.prev_hash == hashchain.GENESIS
    assert second.prev_hash == first.row_hash
    rows = log.rows()
    assert [r.id for r in rows] == [first.id, second.id]
    key = chainkey.load(container.locations.db_path)  # issue 14: every row's hash also covers the station's key
    assert key is not None
    assert rows[1].row_hash == hashchain.row_hash(rows[1].prev_hash, broadcast_content(rows[1]), key.secret)
    with container.db.session() as session:
        assert chains.check(session, BroadcastLog).ok
    assert log.logged_keys(local(20, 0)) == set()


def _append_many(data_dir: str, count: int) -> None:
    built = bootstrap.build(load_settings(Path(data_dir)))
    for index in range(count):
        built.broadcast_log.append(LogEntry(Outcome.PLAYED, f"Tiến trình {index}"))
    built.close()


def test_two_processes_appending_keep_one_chain(container: bootstrap.Container) -> None:
    folder = str(container.locations.data_dir)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(folder, 25)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert len(container.broadcast_log.rows()) == 50
    with container.db.session() as session:
        assert chains.check(session, BroadcastLog).ok


def test_save_takes_one_request_and_the_unit_of_work_audits_in_the_same_transaction(
    container: bootstrap.Container,
) -> None:
    from truyenthanh.adapters.db.store import SqlStore
    from truyenthanh.domain.schedule import OneOff, ScheduleRequest
    from truyenthanh.services.audit import AuditService

    programme(container, "Bản tin sáng", 20)
    saved = container.scheduling.save(ADMIN, ScheduleRequest("Bản tin sáng", OneOff(local(24, 8))))
    assert saved.schedule.start_at == local(24, 8)
    audit_trail = AuditService(store=container.store)
    assert audit_trail.entries(entity="schedule")[0].action == "schedule.add"
    store = SqlStore(container.db, container.clock)
    spec = container.scheduling.spec(saved.schedule.id)
    with pytest.raises(RuntimeError), store.transaction() as uow:
        change = uow.schedules.remove(saved.schedule.id)
        assert change is not None
        uow.audited(ADMIN.username, "schedule.remove", change)
        raise RuntimeError("rolled back")
    assert container.scheduling.spec(saved.schedule.id) == spec  # the removal and its audit entry rolled back
    assert audit_trail.entries(entity="schedule")[0].action == "schedule.add"
    with pytest.raises(ScheduleError) as unknown_session:
        container.scheduling.save(
            ADMIN, ScheduleRequest("Bản tin sáng", OneOff(local(25, 8)), session_name="Buổi trưa")
        )
    assert unknown_session.value.field == "session"
