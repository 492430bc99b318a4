"""The station's loudspeaker clusters in the SQLite database (see
:class:`truyenthanh.services.unit_of_work.FleetRepository` for the contract): zones, receivers, enrolment codes,
as-played records, commands, the message counter and the schedules' targets. Writes flush, never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from truyenthanh.adapters.db.models import (
    EnrolmentCode,
    FleetCommand,
    FleetSequence,
    Receiver,
    Schedule,
    Zone,
    ZonePlay,
)
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.fleet import AsPlayed
from truyenthanh.domain.fleet_records import (
    CodeRecord,
    CommandRecord,
    ReceiverRecord,
    ScheduleTargets,
    ZoneRecord,
)


def _zone(row: Zone) -> ZoneRecord:
    return ZoneRecord(name=row.name, slug=row.slug, hamlet=row.hamlet, enabled=row.enabled)


def _receiver(row: Receiver) -> ReceiverRecord:
    return ReceiverRecord(
        slug=row.slug,
        name=row.name,
        zone_slug=row.zone_slug,
        password_hash=row.password_hash,
        enrolled_at=row.enrolled_at,
        online=row.online,
        last_seen=row.last_seen,
        last_status=dict(row.last_status) if row.last_status is not None else None,
        revoked_at=row.revoked_at,
    )


class SqlFleetRepository:
    """Fleet records inside one session (see :class:`truyenthanh.services.unit_of_work.FleetRepository`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- zones -----------------------------------------------------------------------------------------------

    def zones(self) -> list[ZoneRecord]:
        """Every zone, by name."""
        return [_zone(row) for row in self._session.exec(select(Zone).order_by(col(Zone.name)))]

    def add_zone(self, zone: ZoneRecord) -> RecordChange:
        """Store a new zone (the caller has checked its name and slug are free)."""
        row = Zone(name=zone.name, slug=zone.slug, hamlet=zone.hamlet, enabled=zone.enabled)
        self._session.add(row)
        self._session.flush()
        return RecordChange(entity="zone", entity_id=row.id, before=None, after=zone.to_json())

    # --- enrolment codes and receivers --------------------------------------------------------------------------

    def add_code(self, code: CodeRecord) -> RecordChange:
        """Store a new one-time code (only its digest)."""
        row = EnrolmentCode(
            code_hash=code.code_hash,
            zone_slug=code.zone_slug,
            issued_by=code.issued_by,
            issued_at=code.issued_at,
            expires_at=code.expires_at,
        )
        self._session.add(row)
        self._session.flush()
        after = {"zone": code.zone_slug, "expires_at": code.expires_at.isoformat()}
        return RecordChange(entity="enrolment_code", entity_id=row.id, before=None, after=after)

    def code(self, code_hash: str) -> CodeRecord | None:
        """The code with this digest, or ``None``."""
        row = self._session.exec(select(EnrolmentCode).where(EnrolmentCode.code_hash == code_hash)).first()
        if row is None:
            return None
        return CodeRecord(
            code_hash=row.code_hash,
            zone_slug=row.zone_slug,
            issued_by=row.issued_by,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            used_at=row.used_at,
            receiver_slug=row.receiver_slug,
        )

    def use_code(self, code_hash: str, *, at: datetime, receiver_slug: str) -> bool:
        """Mark an unused code used by ``receiver_slug``; ``False`` if there is none or it was used already."""
        row = self._session.exec(select(EnrolmentCode).where(EnrolmentCode.code_hash == code_hash)).first()
        if row is None or row.used_at is not None:
            return False
        row.used_at, row.receiver_slug = at, receiver_slug
        self._session.add(row)
        self._session.flush()
        return True

    def receivers(self) -> list[ReceiverRecord]:
        """Every receiver (revoked ones included), by zone then name."""
        query = select(Receiver).order_by(col(Receiver.zone_slug), col(Receiver.name))
        return [_receiver(row) for row in self._session.exec(query)]

    def add_receiver(self, receiver: ReceiverRecord) -> RecordChange:
        """Store a newly enrolled receiver (the caller has checked its slug is free)."""
        row = Receiver(
            slug=receiver.slug,
            name=receiver.name,
            zone_slug=receiver.zone_slug,
            password_hash=receiver.password_hash,
            enrolled_at=receiver.enrolled_at,
        )
        self._session.add(row)
        self._session.flush()
        return RecordChange(entity="receiver", entity_id=row.id, before=None, after=receiver.to_json())

    def set_status(self, slug: str, *, status: dict[str, Any], online: bool, seen_at: datetime) -> bool:
        """Keep a receiver's last status; ``False`` if no receiver has this slug."""
        row = self._session.exec(select(Receiver).where(Receiver.slug == slug)).first()
        if row is None:
            return False
        row.last_status, row.online = status, online
        if row.last_seen is None or seen_at > row.last_seen:
            row.last_seen = seen_at
        self._session.add(row)
        self._session.flush()
        return True

    # --- as played, commands, the counter -------------------------------------------------------------------

    def add_play(self, record: AsPlayed, *, schedule_id: int | None, received_at: datetime) -> bool:
        """Store an as-played record once; ``False`` (nothing changed) if its ``record_id`` is stored."""
        known = select(ZonePlay.id).where(ZonePlay.record_id == record.record_id)
        if self._session.exec(known).first() is not None:
            return False
        row = ZonePlay(
            record_id=record.record_id,
            receiver_slug=record.receiver,
            zone_slug=record.zone,
            airing_id=record.airing_id,
            schedule_id=schedule_id,
            title=record.title,
            sha256=record.sha256,
            outcome=record.outcome.value,
            started_at=record.started_at,
            ended_at=record.ended_at,
            reason=record.reason,
            received_at=received_at,
        )
        # Another process may store the same record between the check and the insert: the unique constraint
        # decides, inside a savepoint so the caller's transaction survives.
        try:
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            return False
        return True

    def add_command(
        self,
        *,
        command_id: str,
        action: str,
        zones: list[str],
        receiver_slug: str | None,
        seq: int,
        issued_by: str,
        issued_at: datetime,
    ) -> None:
        """Record a command sent to zones (or to one receiver)."""
        self._session.add(
            FleetCommand(
                command_id=command_id,
                action=action,
                zones=zones,
                receiver_slug=receiver_slug,
                seq=seq,
                issued_by=issued_by,
                issued_at=issued_at,
            )
        )
        self._session.flush()

    def add_ack(self, command_id: str, receiver_slug: str, ack: dict[str, Any]) -> bool:
        """Keep a receiver's answer to a command; ``False`` if no such command was recorded."""
        row = self._session.exec(select(FleetCommand).where(FleetCommand.command_id == command_id)).first()
        if row is None:
            return False
        row.acks = {**row.acks, receiver_slug: ack}
        self._session.add(row)
        self._session.flush()
        return True

    def command_acks(self, command_id: str) -> dict[str, Any] | None:
        """The answers to a command by receiver slug; ``None`` if no such command was recorded."""
        row = self._session.exec(select(FleetCommand).where(FleetCommand.command_id == command_id)).first()
        return dict(row.acks) if row is not None else None

    def commands(self, action: str, start: datetime, end: datetime) -> list[CommandRecord]:
        """The commands of ``action`` issued in ``[start, end)``, in issuing order, with their answers."""
        found = self._session.exec(
            select(FleetCommand)
            .where(
                FleetCommand.action == action,
                col(FleetCommand.issued_at) >= start,
                col(FleetCommand.issued_at) < end,
            )
            .order_by(col(FleetCommand.issued_at), col(FleetCommand.id))
        ).all()
        return [
            CommandRecord(
                command_id=row.command_id,
                action=row.action,
                zones=tuple(row.zones),
                receiver_slug=row.receiver_slug,
                issued_by=row.issued_by,
                issued_at=row.issued_at,
                acks=dict(row.acks),
            )
            for row in found
        ]

    def next_seq(self) -> int:
        """Take the next message number. The counter is raised by one ``UPDATE`` first, which takes SQLite's
        write lock before the value is read: two processes never get the same number."""
        raised = self._session.connection().execute(text("UPDATE fleet_sequence SET seq = seq + 1 WHERE id = 1"))
        if raised.rowcount == 0:
            self._session.add(FleetSequence(id=1, seq=1))
            self._session.flush()
            return 1
        return int(self._session.connection().execute(text("SELECT seq FROM fleet_sequence WHERE id = 1")).scalar_one())

    # --- the schedules' targets -----------------------------------------------------------------------------

    def targets(self) -> dict[int, ScheduleTargets]:
        """Every schedule's targets, by schedule id (read from the columns, whatever the domain model says)."""
        query = select(Schedule.id, Schedule.target_local, Schedule.target_zones)
        found: dict[int, ScheduleTargets] = {}
        for schedule_id, local, zones in self._session.exec(query):
            if schedule_id is not None:
                found[schedule_id] = ScheduleTargets(
                    local=bool(local), zones=None if zones is None else tuple(str(z) for z in zones)
                )
        return found


__all__ = ["SqlFleetRepository"]
