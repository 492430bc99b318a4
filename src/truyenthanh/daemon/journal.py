"""The daemon's journal: the state file (what to recover after a crash), the airings already dealt with, the
broadcast log and the events published to clients.

Broadcast-log rows are never lost: each is appended to the log journal in the station folder (fsync'd) and
then written to the database by a writer thread of its own; rows the database refuses (locked by another
process, a full disk) are retried every :data:`RETRY_S` seconds, in order, while the daemon keeps airing, and
``status`` counts them (:attr:`Journal.log_pending`). See
:class:`~truyenthanh.services.broadcast_log.BroadcastLogService`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from truyenthanh.adapters.runtime import StateFile
from truyenthanh.bootstrap import Container
from truyenthanh.daemon.ledger import Ledger
from truyenthanh.daemon.records import ItemRecord, parse_instant
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ItemKind, Outcome
from truyenthanh.domain.schedule import Misfire, MisfireKind, Planned, describe_moment
from truyenthanh.errors import TruyenthanhError
from truyenthanh.protocol import DaemonEvent, encode
from truyenthanh.services.broadcast_log import LogEntry

logger = logging.getLogger(__name__)

RETRY_S = 2.0
"""How often rows the database refused are tried again."""

HANDLED_DAYS = 3
"""How long an airing dealt with is remembered (and how far back the broadcast log is read at start)."""

EmergencySnapshot = Callable[[], tuple[dict[str, Any] | None, int]]
"""The running emergency as the state file keeps it, and the last emergency number."""


class Journal:
    """What the daemon writes down: the state file, the airings dealt with, the broadcast log, the events.

    Args:
        container: the station's services (the broadcast log, approvals).
        ledger: the items handed to the engine (saved in the state file while they sound).
        state: the state file.
        send: hands an encoded event to the control channel's subscribers.
    """

    def __init__(
        self, container: Container, ledger: Ledger, state: StateFile, send: Callable[[dict[str, Any]], None]
    ) -> None:
        self._container = container
        self._clock = container.clock
        self._ledger = ledger
        self._state = state
        self.send = send
        """Where encoded events go (the control channel's subscribers)."""
        self._handled: dict[str, str] = {}
        """When each airing dealt with was due, by occurrence key."""
        self._logged_keys: set[str] | None = None
        """Airings of the last days the broadcast log knows (read once, on the first question)."""
        self.emergency_snapshot: EmergencySnapshot = lambda: (None, 0)
        """Set by the daemon: the emergency part's state to save."""
        self.last_alive: datetime | None = None
        """When the previous run was last alive (from the state file; ``None`` after a first start)."""
        self._writer: threading.Thread | None = None
        self._wanted = threading.Event()
        self._closing = threading.Event()

    # ------------------------------------------------------------------------------------ the log journal

    def open_log(self) -> int:
        """Take up the rows a previous run journalled and never wrote (they are written first, in order);
        returns how many are waiting. A database that cannot be read is reported, not raised: they wait."""
        try:
            waiting = self._container.broadcast_log.recover()
        except TruyenthanhError as exc:
            logger.error("cannot read which journalled log rows were written: %s", exc.message)
            return 0
        if waiting:
            logger.warning("%s journalled broadcast-log rows from the previous run are still to write", waiting)
            self._write()
        return waiting

    def start_writer(self) -> None:
        """Write journalled rows to the database from a thread of their own (the timer and the engine's
        listener never wait for the database)."""
        self._writer = threading.Thread(target=self._write_loop, name="daemon-log-writer", daemon=True)
        self._writer.start()
        self._wanted.set()

    def close_log(self, timeout: float = 5.0) -> int:
        """Stop the writer and try once more to write what waits; returns how many rows are still waiting
        (they stay in the journal for the next start)."""
        self._closing.set()
        self._wanted.set()
        if self._writer is not None:
            self._writer.join(timeout)
            self._writer = None
        return self._container.broadcast_log.flush()

    def _write_loop(self) -> None:
        log = self._container.broadcast_log
        while not self._closing.is_set():
            self._wanted.wait(RETRY_S)
            self._wanted.clear()
            if self._closing.is_set():
                return
            if log.pending:
                log.flush()

    def _write(self) -> None:
        """Have the kept rows written: by the writer thread, or here when there is none (tests; once the
        database has refused, only :meth:`retry` tries again, so nothing waits on its lock row after row)."""
        log = self._container.broadcast_log
        if self._writer is not None:
            self._wanted.set()
        elif not log.problem:
            log.flush()

    def retry(self) -> int:
        """Try now to write what waits (the writer thread does it every :data:`RETRY_S` seconds); returns how
        many rows still wait."""
        return self._container.broadcast_log.flush()

    @property
    def log_pending(self) -> int:
        """Broadcast-log rows (and permit uses) journalled but not yet in the database."""
        return self._container.broadcast_log.pending

    def use_permit(self, token_hash: str) -> None:
        """Record the use of an emergency permit: journalled (fsync'd) before the emergency plays, then written
        to the database in order with the log rows."""
        self._container.broadcast_log.keep_permit_use(token_hash)
        self._write()

    def permit_pending(self, token_hash: str) -> bool:
        """Whether a permit's use is journalled but not yet in the database (used, all the same)."""
        return token_hash in self._container.broadcast_log.pending_permit_uses()

    # ------------------------------------------------------------------------------------------ state file

    def load(self) -> dict[str, Any]:
        """Read what the previous run left (empty after a first start) and remember its airings dealt with."""
        previous = self._state.read()
        self.last_alive = parse_instant(previous.get("alive_at")) if previous else None
        horizon = (self._clock.now() - timedelta(days=HANDLED_DAYS)).isoformat()
        handled = dict(previous.get("handled", {}))
        with self._ledger.lock:
            self._handled = {key: at for key, at in handled.items() if at >= horizon}
        return previous

    def save(self, *, clean: bool = False) -> None:
        """Write the state file (``clean``: the daemon stops on purpose, nothing to recover)."""
        emergency, seq = self.emergency_snapshot()
        with self._ledger.lock:
            data = {
                "pid": os.getpid(),
                "alive_at": self._clock.now().isoformat(),
                "clean": clean,
                "handled": dict(self._handled),
                "playing": {key: record.to_json() for key, record in self._ledger.playing.items()},
                "emergency": emergency,
                "emergency_seq": seq,
            }
        try:
            self._state.write(data)
        except OSError as exc:
            logger.error("cannot write the state file: %s", exc)

    def is_handled(self, key: str) -> bool:
        """Whether an airing was dealt with, by this run, an earlier one, or (after a lost state file) the log."""
        with self._ledger.lock:
            if key in self._handled:
                return True
        schedule_id = key.partition("@")[0]
        if not schedule_id.isdigit():
            return False
        if self._logged_keys is None:
            since = self._clock.now() - timedelta(days=HANDLED_DAYS)
            self._logged_keys = {
                f"{sid}@{at.astimezone(UTC).isoformat(timespec='seconds')}"
                for sid, at in self._container.broadcast_log.logged_keys(since)
            }
        return key in self._logged_keys

    def mark_handled(self, planned: Planned) -> None:
        """An airing has been dealt with (played, or logged as missed): never again."""
        with self._ledger.lock:
            self._handled[planned.occurrence.key] = planned.occurrence.start.isoformat()

    # ------------------------------------------------------------------------------------------- recovery

    def recover(self, previous: dict[str, Any], now: datetime) -> None:
        """Log every item that was sounding when the previous run died without a clean stop."""
        alive_at = parse_instant(previous.get("alive_at")) or now
        zone = self._container.settings.zone
        for data in previous.get("playing", {}).values():
            record = ItemRecord.from_json(data)
            played = (alive_at - record.actual_start).total_seconds() if record.actual_start else 0.0
            self.log(
                record,
                Outcome.PARTIAL,
                end=alive_at,
                reason=f"Dịch vụ phát bị dừng đột ngột (mất điện, treo máy hoặc bị tắt cưỡng bức) sau khoảng "
                f"{max(0.0, played):.0f} giây; lần cuối còn chạy lúc {describe_moment(alive_at, zone)}.",
            )

    @staticmethod
    def to_rejoin(previous: dict[str, Any], now: datetime) -> list[ItemRecord]:
        """The scheduled airings the previous run was playing when it died that may carry on now (one record
        per airing: its misfire policy allows a join and its planned end is still ahead)."""
        seen: set[str] = set()
        rejoin: list[ItemRecord] = []
        for data in previous.get("playing", {}).values():
            record = ItemRecord.from_json(data)
            if record.airing in seen or record.schedule_id is None or record.programme_id is None:
                continue
            seen.add(record.airing)
            misfire = Misfire.parse(record.misfire)
            if misfire.kind is MisfireKind.SKIP or record.planned_end is None or record.planned_end <= now:
                continue
            if record.scheduled_start is not None:
                rejoin.append(record)
        return rejoin

    # ------------------------------------------------------------------------------------ log and events

    def log(
        self,
        record: ItemRecord,
        outcome: Outcome,
        *,
        end: datetime | None = None,
        reason: str = "",
        whole: bool = False,
    ) -> None:
        """Keep one broadcast-log row (``whole``: for the airing as a whole, not one of its items): journalled
        now, written to the database at once or, if it refuses, as soon as it can."""
        self._container.broadcast_log.keep(
            LogEntry(
                outcome=outcome,
                programme_title=record.programme_title,
                item_title="" if whole else record.item_title,
                item_kind=None if whole else record.item_kind,
                schedule_id=record.schedule_id,
                programme_id=record.programme_id,
                category=record.category,
                language=record.language,
                priority=record.priority,
                scheduled_start=record.scheduled_start,
                actual_start=record.actual_start,
                end=end,
                reason=reason,
                engine=record.engine,
                operator=record.operator,
                approver=record.approver,
            )
        )
        self._write()

    def log_airing(self, planned: Planned, outcome: Outcome, reason: str) -> None:
        """Log a whole airing that did not go on air (missed), with its programme's category and language."""
        occurrence = planned.occurrence
        record = ItemRecord(
            airing=occurrence.key,
            programme_title=occurrence.title,
            item_title="",
            item_kind=ItemKind.AUDIO,
            priority=occurrence.priority,
            schedule_id=occurrence.schedule_id,
            programme_id=occurrence.programme_id,
            scheduled_start=planned.start,
        )
        with contextlib.suppress(TruyenthanhError):
            programme = self._container.scheduling.find_programme(occurrence.programme_id)
            record.category = programme.category
            record.language = programme.language
        self.log(record, outcome, reason=reason, whole=True)

    def mark_aired(self, record: ItemRecord) -> None:
        """Approved content that went on air moves to «đã phát» (the programme once its last item has played)."""
        done = [(ContentKind.ANNOUNCEMENT, record.announcement_id)]
        if record.last and record.programme_id is not None:
            done.append((ContentKind.PROGRAMME, record.programme_id))
        for kind, ident in done:
            if ident is None:
                continue
            try:
                self._container.approvals.mark_aired(kind, ident)
            except TruyenthanhError as exc:
                logger.warning("cannot mark %s %s as aired: %s", kind.value, ident, exc.message)

    def publish(self, event: DaemonEvent) -> None:
        """Send an event to every client (the one place the daemon encodes them)."""
        self.send(encode(event, sent_at=self._clock.now()))


__all__ = ["HANDLED_DAYS", "EmergencySnapshot", "Journal"]
