"""The station's broadcast log on its way up to its hub (issue 19), a part the daemon's :class:`Upstream` owns.

The station keeps nothing about the journey: the hub's retained :class:`~truyenthanh.domain.upstream.LogReceipt`
on ``tt/<hub>/zone/<station>/log`` is the cursor. On every receipt, and when the log's head moves past it (looked
at every :data:`CHECK_S` seconds, one indexed query), the shipper sends the rows after the receipt's ``last_id``
(at most :data:`~truyenthanh.domain.upstream.LOG_BATCH_ROWS`) as one
:class:`~truyenthanh.domain.upstream.LogBatch` on ``tt/<hub>/receiver/<station>/played``, QoS 1, one batch in
flight, sent again when no receipt answers within ``resend_s``. Nothing is sent while the link is down, and a
restarted daemon resumes from the receipt the broker hands it on subscribing. A batch the hub refused (its
receipt carries a ``problem``: a gap, a broken chain) is logged, shown in the station's health, and tried again
only after ``retry_s``, so a broken row does not keep the link busy.

A receipt naming a row the station does not have, or one whose hash differs from the station's row of that id
(its database was made anew, or restored from an older copy, since the hub took those rows), stops the shipping:
the station's own rows after that id would never join the hub's chain. It is logged once and shown as the
shipper's :attr:`~LogShipper.problem` (in the station's health at the hub), in Vietnamese with what to do, until
a receipt or the log's head settles it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.bootstrap import Container
from truyenthanh.domain.fleet import receiver_topic, zone_topic
from truyenthanh.domain.upstream import LOG_BATCH_ROWS, LOG_LEAF, RECEIPT_LEAF, LogBatch, LogReceipt
from truyenthanh.errors import FleetError, TruyenthanhError

log = logging.getLogger(__name__)

CHECK_S = 2.0
"""How often the shipper looks at the log's head and at a batch waiting for its receipt."""
RESEND_S = 30.0
"""How long a batch first waits for the hub's receipt before it is sent again; each time it goes unanswered the
wait doubles, up to :data:`RESEND_MAX_S` (a hub down for hours must not find thousands of copies queued for it
at the broker)."""
RESEND_MAX_S = 600.0
RETRY_S = 60.0
"""How long after a refused batch (a receipt with a problem) the same rows are offered again."""
FIRST_RECEIPT_S = 3.0
"""How long after connecting the shipper waits for the retained receipt before it takes the hub to hold nothing
(a station the hub never heard from has no receipt yet)."""


@dataclass(frozen=True)
class InFlight:
    """The batch sent and not yet answered."""

    first_id: int
    last_id: int
    sent_at: float
    """``time.monotonic()`` when it was sent."""
    wait_s: float
    """How long it waits for its receipt before it is sent again."""


@dataclass
class ShipState:
    """What the shipper knows (guarded by its lock). Instants are ``time.monotonic()`` seconds."""

    receipt: LogReceipt | None = None
    """The hub's last receipt (the cursor)."""
    receipt_fresh: bool = False
    """Whether :attr:`receipt` came on the present connection."""
    connected_at: float | None = None
    """When the link came up; ``None`` while it is down."""
    in_flight: InFlight | None = None
    refused_at: float | None = None
    """When the hub last refused a batch (``None`` once one is taken)."""
    head: int = 0
    """The station's last row id, as of the last look."""


class LogShipper:
    """Ships the station's broadcast log to its hub. Thread-safe: the receipt handler (paho's network thread)
    only records the receipt and wakes the shipper's own thread, which reads the database and publishes.

    Args:
        container: the station's services (its store).
        link: the upstream MQTT link (started by the owner after :meth:`start`).
        hub: the hub's id in topics.
        station: the station's slug at the hub (its receiver name there).
        zone: the station's zone at the hub (named after it), where its receipt is kept.
        resend_s: the first wait for a receipt (see :data:`RESEND_S`).
        retry_s: see :data:`RETRY_S`.
    """

    def __init__(
        self,
        container: Container,
        link: MqttLink,
        *,
        hub: str,
        station: str,
        zone: str,
        resend_s: float = RESEND_S,
        retry_s: float = RETRY_S,
    ) -> None:
        self._container = container
        self._link = link
        self._station = station
        self._batch_topic = receiver_topic(hub, station, LOG_LEAF)
        self._receipt_topic = zone_topic(hub, zone, RECEIPT_LEAF)
        self._resend_s = resend_s
        self._retry_s = retry_s
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = ShipState()
        self._refusal: str | None = None
        self._diverged: str | None = None
        self._checked: tuple[int, str, int] | None = None

    @property
    def problem(self) -> str | None:
        """Why the log is not coming up, in Vietnamese: the station's log behind or apart from what the hub holds
        (see the module's docstring), else the hub's last refusal; ``None`` when neither."""
        return self._diverged or self._refusal

    @property
    def pending(self) -> int | None:
        """Rows the hub does not hold yet, as of the last look at the head (``None`` before any receipt)."""
        with self._lock:
            receipt = self._state.receipt
            return None if receipt is None else max(0, self._state.head - receipt.last_id)

    def start(self) -> None:
        """Subscribe to the receipt and start the shipper's thread (before the link starts)."""
        self._link.subscribe(self._receipt_topic, self._on_receipt)
        self._thread = threading.Thread(target=self._run, name="upstream-log", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the shipper's thread (the owner closes the link)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def connection(self, up: bool) -> None:
        """The link came up or went down (the owner's ``on_connection``); a batch in flight is forgotten on a
        loss, as the receipt read on reconnecting says where to go on."""
        with self._lock:
            self._state.connected_at = time.monotonic() if up else None
            self._state.in_flight = None
            if not up:
                self._state.receipt_fresh = False
        self._wake.set()

    def _on_receipt(self, _topic: str, payload: bytes) -> None:
        try:
            receipt = LogReceipt.decode(payload)
        except FleetError as exc:
            log.warning("unreadable log receipt from the hub: %s", exc.message)
            return
        with self._lock:
            flight = self._state.in_flight
            if flight is not None and receipt.problem is None and receipt.last_id < flight.first_id:
                return  # an older receipt (the retained one again, or a second hub's late answer): keep waiting
            self._state.receipt, self._state.receipt_fresh, self._state.in_flight = receipt, True, None
            if receipt.problem is not None:
                if receipt.problem != self._refusal:
                    log.warning(
                        "the hub refused the broadcast log from row %s: %s", receipt.last_id + 1, receipt.problem
                    )
                self._state.refused_at = time.monotonic()
            else:
                self._state.refused_at = None
            self._refusal = receipt.problem
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(CHECK_S)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._step()
            except TruyenthanhError as exc:
                log.warning("the broadcast log could not be read for the hub: %s", exc.message)
            except Exception:
                log.exception("shipping the broadcast log to the hub failed")

    def _step(self) -> None:
        """Send the next batch if one is due."""
        with self._container.store.transaction() as uow:
            head = uow.broadcast_log.head()[0]
        with self._lock:
            receipt = self._state.receipt
        if receipt is not None and self._apart(receipt, head):
            return
        now = time.monotonic()
        with self._lock:
            self._state.head = head
            cursor = self._cursor(now)
            if cursor is None or cursor >= head:
                return
        with self._container.store.transaction() as uow:
            rows = uow.broadcast_log.after(cursor, LOG_BATCH_ROWS)
        if not rows or not self._link.connected:
            return
        with self._lock:
            if self._cursor(now) != cursor:  # a receipt came meanwhile: the next look goes on from it
                self._wake.set()
                return
            previous = self._state.in_flight
            wait = min(previous.wait_s * 2, RESEND_MAX_S) if previous is not None else self._resend_s
            self._state.in_flight = InFlight(rows[0].row_id, rows[-1].row_id, now, wait)
        self._link.publish(self._batch_topic, LogBatch(self._station, tuple(rows)).encode(), qos=1, timeout=0)
        log.info("sent log rows %s-%s to the hub", rows[0].row_id, rows[-1].row_id)

    def _apart(self, receipt: LogReceipt, head: int) -> bool:
        """Whether the hub holds a row past the station's ``head``, or another row than the station's at the
        receipt's id; keeps :attr:`problem` and logs a change (the shipper's thread only)."""
        key = (receipt.last_id, receipt.last_hash, head)
        if key == self._checked:
            return self._diverged is not None
        found = None
        if receipt.last_id > head:
            found = (
                f"Tuyến trên đã giữ nhật ký phát thanh của đài đến dòng {receipt.last_id}, nhưng nhật ký ở đài chỉ "
                f"có đến dòng {head}"
            )
        elif receipt.last_id > 0:
            with self._container.store.transaction() as uow:
                mine = uow.broadcast_log.after(receipt.last_id - 1, 1)
            if not mine or mine[0].row_id != receipt.last_id or mine[0].row_hash != receipt.last_hash:
                found = f"Dòng {receipt.last_id} của nhật ký phát thanh ở đài khác với dòng tuyến trên đã giữ"
        if found is not None:
            found += (
                ": cơ sở dữ liệu của đài đã được làm lại hoặc khôi phục từ bản sao cũ. Đài ngừng gửi nhật ký lên. "
                "Hãy khôi phục bản sao lưu mới nhất của đài, hoặc báo tuyến trên để đối chiếu nhật ký đã giữ."
            )
            if found != self._diverged:
                log.error("the broadcast log is not sent to the hub: %s", found)
        elif self._diverged is not None:
            log.warning("the broadcast log matches the hub's copy again: shipping resumes")
        self._checked, self._diverged = key, found
        return found is not None

    def _cursor(self, now: float) -> int | None:
        """The last row the hub holds when a batch is due now, else ``None`` (call with the lock held)."""
        if self._state.connected_at is None:
            return None
        flight = self._state.in_flight
        if flight is not None and now - flight.sent_at < flight.wait_s:
            return None
        if self._state.refused_at is not None and now - self._state.refused_at < self._retry_s:
            return None
        if self._state.receipt is None or not self._state.receipt_fresh:
            if now - self._state.connected_at < FIRST_RECEIPT_S:
                return None
            return self._state.receipt.last_id if self._state.receipt is not None else 0
        return self._state.receipt.last_id


__all__ = ["CHECK_S", "RESEND_MAX_S", "RESEND_S", "RETRY_S", "InFlight", "LogShipper", "ShipState"]
