"""The hub's intake of its stations' answers (issue 19), a part :class:`~truyenthanh.hub.Hub` owns.

Each :class:`~truyenthanh.domain.fleet.CommandAck` on ``tt/<hub>/receiver/<station>/ack`` (to a package notice,
an emergency or its cancellation) is read on paho's network thread and queued; the intake's own thread stores
what has gathered in one transaction (:meth:`~truyenthanh.services.fleet.FleetService.record_acks`), so 150
stations answering one emergency cost a handful of transactions, not 150, and the link's thread never waits for
the database.

An answer naming another station than its topic is ignored. An answer lost by a full queue
(:data:`QUEUE_ANSWERS`) or a failed store is logged: the operator sees that station as not having answered.
"""

from __future__ import annotations

import logging
import queue
import threading

from truyenthanh.bootstrap import Container
from truyenthanh.domain.fleet import CommandAck
from truyenthanh.errors import FleetError

log = logging.getLogger(__name__)

QUEUE_ANSWERS = 10_000
"""The most answers waiting to be stored (a few hundred bytes each)."""
BATCH_ANSWERS = 500
"""The most answers stored in one transaction."""


class AnswerIntake:
    """Stores the stations' answers in batches. Thread-safe: :meth:`received` only reads and queues; one worker
    thread stores.

    Args:
        container: the hub's services (its fleet records).
    """

    def __init__(self, container: Container) -> None:
        self._container = container
        self._queue: queue.Queue[CommandAck | None] = queue.Queue(maxsize=QUEUE_ANSWERS)
        self._thread: threading.Thread | None = None
        self._pending = 0
        self._settled = threading.Condition()
        self.dropped = 0
        """Answers lost because the queue was full."""

    def start(self) -> None:
        """Start the worker."""
        self._thread = threading.Thread(target=self._run, name="hub-answers", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Store the answers already received, then stop the worker (at most 10 s)."""
        if self._thread is None:
            return
        try:
            self._queue.put(None, timeout=10)
        except queue.Full:
            log.warning("the hub's answers were not stored within 10 s: the rest are lost")
            return
        self._thread.join(timeout=10)

    def received(self, topic: str, payload: bytes) -> None:
        """The link's handler for ``tt/<hub>/receiver/+/ack``: read the answer and queue it (never blocks)."""
        try:
            ack = CommandAck.decode(payload)
        except FleetError as exc:
            log.warning("unreadable acknowledgement on %s: %s", topic, exc.message)
            return
        if ack.receiver != topic.split("/")[3]:
            log.warning("acknowledgement on %s names another station (%s): ignored", topic, ack.receiver)
            return
        with self._settled:
            self._pending += 1
        try:
            self._queue.put_nowait(ack)
        except queue.Full:
            self._stored(1)
            self.dropped += 1
            log.warning("the hub's answer queue is full: the answer of %s to %s is lost", ack.receiver, ack.command_id)

    def wait_stored(self, timeout: float) -> bool:
        """Wait until every answer queued so far is stored (tests, and closing); ``False`` on timeout."""
        with self._settled:
            return self._settled.wait_for(lambda: self._pending == 0, timeout)

    def _stored(self, count: int) -> None:
        with self._settled:
            self._pending -= count
            if self._pending == 0:
                self._settled.notify_all()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < BATCH_ANSWERS:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            try:
                self._container.fleet.record_acks(batch)
            except Exception:
                log.exception("%s answers from the stations could not be stored", len(batch))
            self._stored(len(batch))


__all__ = ["BATCH_ANSWERS", "QUEUE_ANSWERS", "AnswerIntake"]
