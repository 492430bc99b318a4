"""The station's log shipper against a real mosquitto (issue 19), logged in with a station's account at its hub
(so the broker's ACL lets it read its receipt and write its batches), the hub played by the test: a batch
unanswered is sent again after a wait that doubles; a receipt moves it on at once; an old receipt delivered
again changes nothing; a refusal is kept, shown as the problem, and the rows offered again after the pause."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fleet.mosquitto import Mosquitto, make_accounts
from tests.integration.fleet_rig import wait_for
from truyenthanh import bootstrap
from truyenthanh.adapters.broker import station_username
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.daemon.log_shipper import LogShipper
from truyenthanh.domain.broadcast_log import LogEntry
from truyenthanh.domain.enums import Outcome
from truyenthanh.domain.fleet import receiver_topic, zone_topic
from truyenthanh.domain.upstream import LOG_LEAF, RECEIPT_LEAF, LogBatch, LogReceipt

pytestmark = pytest.mark.slow

HUB, STATION = "tinh-thu", "xa-an-binh"
START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """The hub's broker with its own account and the station's."""
    accounts, passwords = make_accounts([(STATION, STATION)], station=HUB)
    server = Mosquitto(tmp_path / "broker", accounts, passwords, station=HUB)
    try:
        server.start()
        yield server
    finally:
        server.kill()


def _link(broker: Mosquitto, user: str, **extra: object) -> MqttLink:
    return MqttLink(
        client_id=f"{user}-{secrets.token_hex(3)}", host=broker.host, port=broker.port, username=user,
        password=broker.login(user), ca_pem=broker.ca_pem, clean_start=True, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


@dataclass
class Batches:
    """The batches the hub's side saw: (arrival, first row id, last row id)."""

    sent: list[tuple[float, int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def got(self, _topic: str, payload: bytes) -> None:
        """Record one batch."""
        batch = LogBatch.decode(payload)
        assert batch.station == STATION
        with self.lock:
            self.sent.append((time.monotonic(), batch.rows[0].row_id, batch.rows[-1].row_id))

    def spans(self) -> list[tuple[int, int]]:
        """The batches' row spans."""
        with self.lock:
            return [(first, last) for _, first, last in self.sent]


def test_the_shipper_resends_with_a_growing_wait_moves_on_at_a_receipt_and_pauses_after_a_refusal(
    container: bootstrap.Container, broker: Mosquitto
) -> None:
    with container.store.transaction() as uow:
        for n in range(600):
            at = START + timedelta(minutes=n)
            uow.broadcast_log.append(LogEntry(Outcome.PLAYED, programme_title=f"Tin {n}"), recorded_at=at)
    watched = Batches()
    sent, lock, spans = watched.sent, watched.lock, watched.spans
    hub = _link(broker, station_username(HUB))
    hub.subscribe(receiver_topic(HUB, STATION, LOG_LEAF), watched.got)
    hub.start()
    assert hub.wait_connected(10)
    holder: list[LogShipper] = []

    def connection(up: bool) -> None:  # the link is made before the shipper it reports to
        holder[0].connection(up)

    link = _link(broker, STATION, on_connection=connection)
    shipper = LogShipper(container, link, hub=HUB, station=STATION, zone=STATION, resend_s=1.0, retry_s=3.0)
    holder.append(shipper)
    shipper.start()
    link.start()

    def answer(last_id: int, problem: str | None = None) -> None:
        with container.store.transaction() as uow:
            rows = uow.broadcast_log.after(last_id - 1, 1)
        receipt = LogReceipt(STATION, last_id, rows[0].row_hash, datetime.now(UTC), problem)
        assert hub.publish(zone_topic(HUB, STATION, RECEIPT_LEAF), receipt.encode(), retain=True, timeout=5)

    try:
        # no receipt yet (the hub never heard of it): from the start; unanswered, again after 1, 2 and 4 s
        wait_for(lambda: len(spans()) >= 4, "the first batch sent four times", 30)
        with lock:
            times = [at for at, _, _ in sent[:4]]
        assert spans()[:4] == [(1, 500)] * 4
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert gaps[0] >= 0.9 and gaps[1] >= 1.9 and gaps[2] >= 3.9, gaps  # seen at the hub: 0.1 s for the way
        assert shipper.pending is None  # no receipt read yet

        answer(500)
        wait_for(lambda: spans()[-1] == (501, 600), "the next batch at the receipt", 10)
        with lock:
            next_sent = sent[-1][0]
        answer(500)  # the same receipt again (a second hub's late answer): the batch in flight is not resent
        time.sleep(0.5)
        with lock:  # only its own resend timer (1 s) may send it again
            assert all(at - next_sent >= 0.9 for at, _, _ in sent if at > next_sent), sent

        problem = "dòng 501 không nối tiếp dòng 500: chuỗi băm bị đứt"
        refused_at = time.monotonic()
        answer(500, problem)
        wait_for(lambda: shipper.problem == problem, "the refusal kept", 10)
        kept_at = time.monotonic()

        def offered_again() -> list[tuple[float, int, int]]:
            with lock:  # a batch sent before the refusal was read arrives within milliseconds, not 0.5 s
                return [batch for batch in sent if batch[0] > kept_at + 0.5]

        again = wait_for(offered_again, "the rows offered again after the pause", 15)
        assert again[0][0] - refused_at >= 3.0 and again[0][1:] == (501, 600)
        answer(600)
        wait_for(lambda: shipper.problem is None and shipper.pending == 0, "the log all at the hub", 10)
    finally:
        shipper.close()
        link.close()
        hub.close()


def test_a_receipt_past_the_station_s_own_log_stops_the_shipping_and_says_why(
    container: bootstrap.Container, broker: Mosquitto
) -> None:
    def append(count: int) -> None:
        with container.store.transaction() as uow:
            for n in range(count):
                uow.broadcast_log.append(LogEntry(Outcome.PLAYED, programme_title=f"Tin {n}"), recorded_at=START)

    append(10)  # the station's database was restored from a copy holding 10 rows; the hub holds 50
    watched = Batches()
    hub = _link(broker, station_username(HUB))
    hub.subscribe(receiver_topic(HUB, STATION, LOG_LEAF), watched.got)
    hub.start()
    assert hub.wait_connected(10)
    receipt_topic = zone_topic(HUB, STATION, RECEIPT_LEAF)
    held = LogReceipt(STATION, 50, "ab" * 32, datetime.now(UTC))
    assert hub.publish(receipt_topic, held.encode(), retain=True, timeout=5)
    holder: list[LogShipper] = []

    def connection(up: bool) -> None:  # the link is made before the shipper it reports to
        holder[0].connection(up)

    link = _link(broker, STATION, on_connection=connection)
    shipper = LogShipper(container, link, hub=HUB, station=STATION, zone=STATION, resend_s=1.0, retry_s=3.0)
    holder.append(shipper)
    shipper.start()
    link.start()
    try:
        behind = wait_for(lambda: shipper.problem, "the station's log behind the hub's", 15)
        assert behind.startswith("Tuyến trên đã giữ nhật ký phát thanh của đài đến dòng 50")
        assert "chỉ có đến dòng 10" in behind and "khôi phục bản sao lưu mới nhất" in behind
        append(45)  # the log grows past the hub's row 50, but row 50 is not the hub's row 50
        apart = wait_for(
            lambda: shipper.problem if shipper.problem != behind else None, "the station's row 50 apart", 15
        )
        assert apart.startswith("Dòng 50 của nhật ký phát thanh ở đài khác với dòng tuyến trên đã giữ")
        assert watched.spans() == []  # nothing was sent meanwhile
        with container.store.transaction() as uow:
            row_50 = uow.broadcast_log.after(49, 1)[0]
        matching = LogReceipt(STATION, 50, row_50.row_hash, datetime.now(UTC))
        assert hub.publish(receipt_topic, matching.encode(), retain=True, timeout=5)  # the copies agree again
        wait_for(lambda: watched.spans() == [(51, 55)], "shipping resumed after row 50", 15)
        assert shipper.problem is None
    finally:
        shipper.close()
        link.close()
        hub.close()
