"""The hub's intake of its stations' broadcast logs (issue 19), a part :class:`~truyenthanh.hub.Hub` owns.

Each :class:`~truyenthanh.domain.upstream.LogBatch` on ``tt/<hub>/receiver/<station>/played`` is queued by paho's
network thread and handled on the intake's own thread: a batch naming another station than its topic, or from a
station the hub has not enrolled (or has revoked), is dropped with a log line; otherwise, in one transaction, the
station's head is read (:meth:`~truyenthanh.services.unit_of_work.HubLogRepository.head`, which on PostgreSQL
takes the station's advisory lock), :func:`~truyenthanh.domain.upstream.accept` picks the rows that continue the
chain, and they are stored. The answer is the retained :class:`~truyenthanh.domain.upstream.LogReceipt` on
``tt/<hub>/zone/<station>/log``, naming the last row held and the problem, if any.

Idempotent: a batch received twice, or by two hub processes, stores each row once. Where two writers still
collide (SQLite has no advisory lock: a unique violation, or a busy snapshot), the batch is tried again from the
new head and, failing that, answered with the head as it is.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.bootstrap import Container
from truyenthanh.domain.fleet import receiver_topic, zone_topic
from truyenthanh.domain.upstream import LOG_LEAF, RECEIPT_LEAF, LogBatch, LogReceipt, ShippedRow, accept
from truyenthanh.errors import FleetError, StorageError

log = logging.getLogger(__name__)

ATTEMPTS = 3
"""How many times a batch is tried when another writer got there first."""
QUEUE_BATCHES = 32
"""The most batches waiting for the intake's thread (each up to
:data:`~truyenthanh.domain.upstream.LOG_BATCH_ROWS` rows, a few hundred kB as received): the bound on the
intake's memory whatever the stations send."""
QUEUE_WAIT_S = 10.0
"""How long paho's network thread waits for room in a full queue before the batch is dropped."""
ZONES_MAX_AGE_S = 60.0
"""How long the enrolled stations' map is used before it is read again (it is read at once for a station it
does not know)."""


class LogIntake:
    """Stores the stations' log batches and answers each with a receipt. Thread-safe: :meth:`received`, the link's
    handler, only queues; one worker thread reads, stores and answers.

    The queue is bounded (:data:`QUEUE_BATCHES`): when the store falls behind, paho's network thread waits for
    room (:data:`QUEUE_WAIT_S` at most), which slows what the broker hands this hub, and then drops the batch
    with a log line (meanwhile the link's other messages, health and answers, wait too). The worker therefore never
    waits for the broker to acknowledge a receipt: that acknowledgement is read by the same paho thread. Nothing is
    lost by a drop: the station has no receipt for that batch and sends it again
    when its wait runs out (:data:`~truyenthanh.daemon.log_shipper.RESEND_S`, doubling), from the row the hub's
    receipt names.

    Args:
        container: the hub's services (its store and fleet records).
        link: the hub's MQTT link (started by the owner after :meth:`start`).
        queue_batches: see :data:`QUEUE_BATCHES`.
        queue_wait_s: see :data:`QUEUE_WAIT_S`.
    """

    def __init__(
        self,
        container: Container,
        link: MqttLink,
        *,
        queue_batches: int = QUEUE_BATCHES,
        queue_wait_s: float = QUEUE_WAIT_S,
    ) -> None:
        self._container = container
        self._link = link
        self._hub = container.settings.hub_id
        self._queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue(maxsize=queue_batches)
        self._queue_wait_s = queue_wait_s
        self._thread: threading.Thread | None = None
        self._zones: dict[str, str] = {}
        self._zones_read_at: float | None = None
        self.dropped = 0
        """Batches dropped because the queue stayed full (each one is sent again by its station)."""

    def start(self) -> None:
        """Subscribe to every station's batches and start the worker (before the link starts)."""
        self._link.subscribe(receiver_topic(self._hub, "+", LOG_LEAF), self.received)
        self._thread = threading.Thread(target=self._run, name="hub-log-intake", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Store and answer the batches already received, then stop the worker (at most 10 s; what is left then
        waits for the stations' resend)."""
        if self._thread is None:
            return
        try:
            self._queue.put(None, timeout=10)
        except queue.Full:
            log.warning("the log intake did not drain its queue in 10 s: the stations will resend the rest")
            return
        self._thread.join(timeout=10)

    def received(self, topic: str, payload: bytes) -> None:
        """The link's handler for ``tt/<hub>/receiver/+/played`` (paho's network thread): queue the batch, waiting
        for room at most ``queue_wait_s``, else drop it."""
        try:
            self._queue.put((topic, payload), timeout=self._queue_wait_s)
        except queue.Full:
            self.dropped += 1
            log.warning("log intake full: a batch on %s dropped (its station resends it)", topic)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                answer = self.handle(*item)
                if answer is not None:
                    # Not waiting for the broker's acknowledgement: paho's thread, which reads it, may itself be
                    # waiting for room in this queue (back-pressure); QoS 1 keeps the receipt queued until sent.
                    self._link.publish(answer[0], answer[1].encode(), qos=1, retain=True, timeout=0)
            except Exception:
                log.exception("a log batch on %s could not be handled", item[0])

    def handle(self, topic: str, payload: bytes) -> tuple[str, LogReceipt] | None:
        """Store one batch received on ``topic`` (the worker's step); the receipt to publish (retained) and its
        topic, or ``None`` when the batch was dropped."""
        station = topic.split("/")[3]
        try:
            batch = LogBatch.decode(payload)
        except FleetError as exc:
            log.warning("unreadable log batch from station %s: %s", station, exc.message)
            return None
        if batch.station != station:
            log.warning("log batch on %s names another station (%s): dropped", topic, batch.station)
            return None
        zone = self._zone(station)
        if zone is None:
            log.warning("log batch from %s, which is not an enrolled station: dropped", station)
            return None
        receipt = self._store(batch)
        if receipt.problem:
            log.warning("log batch from %s refused after row %s: %s", station, receipt.last_id, receipt.problem)
        return zone_topic(self._hub, zone, RECEIPT_LEAF), receipt

    def _zone(self, station: str) -> str | None:
        """The enrolled station's zone at the hub (where its receipt goes), or ``None``. The map is kept for
        :data:`ZONES_MAX_AGE_S` and read again at once for a station it does not hold (one enrolled since)."""
        now = time.monotonic()
        stale = self._zones_read_at is None or now - self._zones_read_at > ZONES_MAX_AGE_S
        if stale or station not in self._zones:
            with self._container.store.transaction() as uow:
                found = {r.slug: r.zone_slug for r in uow.fleet.receivers() if r.revoked_at is None}
            self._zones, self._zones_read_at = found, now
        return self._zones.get(station)

    def _store(self, batch: LogBatch) -> LogReceipt:
        """Take the rows that continue the station's chain, in one transaction; the receipt to send. Each row's
        content is read once, before the station's lock is taken."""
        clock = self._container.clock
        readings = read_rows(batch.rows)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self._container.store.transaction() as uow:
                    last_id, last_hash = uow.hub_log.head(batch.station)
                    taken, moments, problem = usable(batch.rows, readings, *accept(last_id, last_hash, batch.rows))
                    if taken:
                        uow.hub_log.add(batch.station, taken, received_at=clock.now(), moments=moments)
                        last_id, last_hash = taken[-1].row_id, taken[-1].row_hash
                return LogReceipt(batch.station, last_id, last_hash, clock.now(), problem)
            except (IntegrityError, StorageError) as exc:
                log.info(
                    "log batch from %s met another writer (attempt %s): %s",
                    batch.station,
                    attempt,
                    getattr(exc, "orig", exc),
                )
        with self._container.store.transaction() as uow:
            last_id, last_hash = uow.hub_log.head(batch.station)
        return LogReceipt(batch.station, last_id, last_hash, clock.now())


Reading = datetime | str
"""A row as the intake read it: its :attr:`~truyenthanh.domain.reports.LogRow.moment`, or why its content is
unreadable (Vietnamese, naming the row and field)."""


def read_rows(rows: Sequence[ShippedRow]) -> list[Reading]:
    """Read each row's content once (before the station's lock is taken): one :data:`Reading` per row, in order."""
    readings: list[Reading] = []
    for row in rows:
        try:
            readings.append(row.log_row().moment)
        except FleetError as exc:
            readings.append(exc.message)
    return readings


def usable(
    rows: Sequence[ShippedRow], readings: Sequence[Reading], taken: Sequence[ShippedRow], problem: str | None
) -> tuple[list[ShippedRow], list[datetime], str | None]:
    """Of ``taken`` (what :func:`accept` took from ``rows``, in their order), the rows up to the first unreadable
    one, their moments, and the problem (that row's first, else ``problem``). ``readings`` are
    :func:`read_rows` of ``rows``."""
    kept: list[ShippedRow] = []
    moments: list[datetime] = []
    wanted = iter(taken)
    next_taken = next(wanted, None)
    for row, reading in zip(rows, readings, strict=True):
        if row is not next_taken:
            continue
        if isinstance(reading, str):
            return kept, moments, reading
        kept.append(row)
        moments.append(reading)
        next_taken = next(wanted, None)
    return kept, moments, problem


def readable(rows: list[ShippedRow], problem: str | None) -> tuple[list[ShippedRow], str | None]:
    """``rows`` up to the first whose content the reports cannot read, and the problem (that row's, first)."""
    kept, _, found = usable(rows, read_rows(rows), rows, problem)
    return kept, found


__all__ = ["QUEUE_BATCHES", "LogIntake", "Reading", "read_rows", "readable", "usable"]
