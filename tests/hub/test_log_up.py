"""Issue 19: a station's broadcast log on its way up to the hub. Real processes: a private mosquitto, ``hub run``
and one station daemon; the test watches the batches and the hub's receipts from a client of its own.

The tests run in order on one station whose log only grows: 1,200 rows in three batches; a batch sent again; the
hub stopped while rows wait; the station stopped while rows wait; a row whose ``prev_hash`` was edited."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from tests.hub.rig import HUB_ID, Commune, HubRig, _settings_from, hub_rig
from tests.integration.fleet_rig import wait_for
from tests.pulse import PulseServer
from truyenthanh import bootstrap
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.config import load_settings
from truyenthanh.domain.broadcast_log import LogEntry
from truyenthanh.domain.enums import Category, Outcome
from truyenthanh.domain.fleet import receiver_topic, zone_topic
from truyenthanh.domain.upstream import LOG_LEAF, RECEIPT_LEAF, LogBatch, LogProgress, LogReceipt
from truyenthanh.hub import broker_ca
from truyenthanh.hub.desk import HubDesk

pytestmark = pytest.mark.slow

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
"""The first logged airing; each next row is ten minutes later."""


@dataclass
class Watch:
    """What passed on the station's log topics: batches up (first and last row id, payload) and receipts down."""

    batches: list[tuple[int, int, bytes]] = field(default_factory=list)
    receipts: list[LogReceipt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_batch(self, _topic: str, payload: bytes) -> None:
        """Record a batch the station sent."""
        batch = LogBatch.decode(payload)
        with self.lock:
            self.batches.append((batch.rows[0].row_id, batch.rows[-1].row_id, payload))

    def on_receipt(self, _topic: str, payload: bytes) -> None:
        """Record a receipt the hub sent."""
        with self.lock:
            self.receipts.append(LogReceipt.decode(payload))

    def spans(self, since: int = 0) -> list[tuple[int, int]]:
        """The batches' row spans, from the ``since``-th on."""
        with self.lock:
            return [(first, last) for first, last, _ in self.batches[since:]]


@dataclass
class Station:
    """The rig, its one station, the watcher and a link logged in as the hub (to play a misbehaving sender)."""

    rig: HubRig
    commune: Commune
    watch: Watch
    link: MqttLink

    def append(self, count: int) -> None:
        """Log ``count`` more airings at the station (straight into its database, as its daemon would)."""
        built = bootstrap.build(load_settings(self.commune.folder, **_settings_from(self.commune.env)))
        try:
            with built.store.transaction() as uow:
                first = uow.broadcast_log.head()[0]
                for n in range(first, first + count):
                    start = START + timedelta(minutes=10 * n)
                    entry = LogEntry(
                        Outcome.PLAYED,
                        programme_title=f"Bản tin số {n + 1}",
                        item_title="Tin xã",
                        category=Category.LOCAL_AFFAIRS,
                        scheduled_start=start,
                        actual_start=start,
                        end=start + timedelta(minutes=5),
                    )
                    uow.broadcast_log.append(entry, recorded_at=start + timedelta(minutes=5))
        finally:
            built.close()

    def held(self) -> list[int]:
        """The row ids the hub holds of the station, in order."""
        with self.rig.container() as hub, hub.store.transaction() as uow:
            rows = uow.hub_log.rows(self.commune.slug, START - timedelta(days=1), START + timedelta(days=365))
        return [row.id for row in rows]

    def wait_held(self, count: int) -> list[int]:
        """Wait until the hub holds ``count`` rows of the station; their ids."""
        wait_for(lambda: len(self.held()) >= count, f"{count} rows at the hub", 40, every=0.5)
        return self.held()

    def station_ids(self) -> list[int]:
        """The row ids in the station's own log."""
        built = bootstrap.build(load_settings(self.commune.folder, **_settings_from(self.commune.env)))
        try:
            with built.store.transaction() as uow:
                return [row.id for row in uow.broadcast_log.rows()]
        finally:
            built.close()

    def log_health(self) -> LogProgress | None:
        """How far the log has come, from the station's last health report as the hub keeps it."""
        with self.rig.container() as hub:
            found = next(v for v in HubDesk(hub).stations() if v.slug == self.commune.slug)
        return found.health.log if found.health is not None else None

    def stop_daemon(self) -> None:
        """Stop the station's daemon (SIGTERM) and wait for it."""
        assert self.commune.daemon is not None
        self.commune.daemon.terminate()
        assert self.commune.daemon.wait(timeout=20) == 0, self.commune.log()


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory, pulse: PulseServer) -> Iterator[Station]:
    """The hub with «Xã Tân Lập» enrolled (its daemon not started yet) and a watcher on its log topics."""
    rig = hub_rig(tmp_path_factory.mktemp("logup"), pulse)
    try:
        commune = rig.add_commune("Xã Tân Lập")
        watch = Watch()
        with rig.container() as hub:
            username, password = hub.fleet.station_login()
            link = MqttLink(
                client_id=f"watch-{secrets.token_hex(3)}", host="127.0.0.1", port=hub.settings.hub_broker_port,
                username=username, password=password, ca_pem=broker_ca(hub), clean_start=True,
            )  # fmt: skip
        link.subscribe(receiver_topic(HUB_ID, commune.slug, LOG_LEAF), watch.on_batch)
        zone = json.loads((commune.folder / "upstream" / "enrolment.json").read_text())["zone"]
        link.subscribe(zone_topic(HUB_ID, zone, RECEIPT_LEAF), watch.on_receipt)
        link.start()
        assert link.wait_connected(10)
        try:
            yield Station(rig, commune, watch, link)
        finally:
            link.close()
    finally:
        rig.close()


def test_1200_rows_arrive_once_and_in_order_in_three_batches(station: Station) -> None:
    import time

    t0 = time.monotonic()
    station.append(1200)
    print("append", time.monotonic() - t0)
    station.rig.start_daemon(station.commune)
    print("daemon", time.monotonic() - t0)
    held = station.wait_held(1200)
    print("held", time.monotonic() - t0)
    assert held == station.station_ids() == list(range(1, 1201)), station.rig.logs()
    assert station.watch.spans() == [(1, 500), (501, 1000), (1001, 1200)]

    caught_up = LogProgress(pending=0, problem=None)
    wait_for(lambda: station.log_health() == caught_up, "the station's health to say its log is all at the hub", 20)


def test_a_batch_sent_twice_stores_nothing_new_and_a_stranger_s_batch_is_dropped(station: Station) -> None:
    watch, slug = station.watch, station.commune.slug
    seen = len(watch.receipts)
    first_batch = watch.batches[0][2]
    assert station.link.publish(receiver_topic(HUB_ID, slug, LOG_LEAF), first_batch, timeout=5)
    wait_for(lambda: len(watch.receipts) > seen, "the hub's answer to the batch sent again", 20)
    assert watch.receipts[-1].last_id == 1200 and watch.receipts[-1].problem is None
    assert station.link.publish(receiver_topic(HUB_ID, "xa-la", LOG_LEAF), first_batch, timeout=5)
    wait_for(lambda: "names another station" in station.rig.logs(), "the hub to drop the stranger's batch", 20)
    assert station.held() == list(range(1, 1201))


def test_a_restarted_hub_and_a_station_back_online_resume_without_doubling(station: Station) -> None:
    rig, watch = station.rig, station.watch
    assert rig.process is not None
    rig.process.terminate()
    assert rig.process.wait(timeout=20) == 0
    station.append(700)  # the daemon sends 1201-1700 while the hub is away; the broker keeps it for the hub
    wait_for(lambda: watch.spans()[-1] == (1201, 1700), "the batch sent while the hub is away", 20)
    rig.start_hub()
    assert station.wait_held(1900) == list(range(1, 1901)), rig.logs()

    station.stop_daemon()
    station.append(300)
    sent = len(watch.batches)
    rig.start_daemon(station.commune)
    assert station.wait_held(2200) == station.station_ids() == list(range(1, 2201)), rig.logs()
    assert watch.spans(sent)[0] == (1901, 2200)  # resumed from the retained receipt, not from the start


def test_a_broken_chain_is_refused_from_that_row_and_the_rows_before_it_are_kept(station: Station) -> None:
    # The running daemon ships a row within seconds of its commit, so the edit is made in the same transaction:
    # a trigger rewrites row 2205's prev_hash once the station has hashed it (its row_hash stays the station's).
    database = station.commune.folder / "station.db"
    with sqlite3.connect(database) as db:
        db.execute(
            "CREATE TRIGGER tamper AFTER UPDATE OF row_hash ON broadcast_log WHEN NEW.id = 2205 BEGIN "
            f"UPDATE broadcast_log SET prev_hash = '{'e' * 64}' WHERE id = 2205; END"
        )
    try:
        station.append(10)
    finally:
        with sqlite3.connect(database) as db:
            db.execute("DROP TRIGGER tamper")
    problem = "dòng 2205 không nối tiếp dòng 2204: chuỗi băm bị đứt"
    wait_for(lambda: station.watch.receipts[-1].problem == problem, "the hub to refuse the broken row", 20)
    assert station.watch.receipts[-1].last_id == 2204
    assert station.held() == list(range(1, 2205))
    shown = LogProgress(pending=6, problem=problem)
    wait_for(lambda: station.log_health() == shown, "the refusal in the station's health at the hub", 20)
