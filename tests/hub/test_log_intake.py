"""The hub's intake of station logs on a real store (issue 19): two hub processes taking the same batches at once
store each row once, on SQLite and on PostgreSQL; batches from strangers are dropped; unreadable rows are refused
from where they start. Also the station's counting of misses and the health report's log progress."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fakes import FrozenClock
from truyenthanh import bootstrap
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.bootstrap import Container
from truyenthanh.config import load_settings
from truyenthanh.domain.broadcast_log import LogEntry
from truyenthanh.domain.enums import Category, Outcome
from truyenthanh.domain.fleet import receiver_topic
from truyenthanh.domain.fleet_records import ReceiverRecord, ZoneRecord
from truyenthanh.domain.upstream import LOG_LEAF, LogBatch, LogProgress, LogReceipt, ShippedRow, StationHealth
from truyenthanh.hub.logs import LogIntake, readable

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
SLUG = "xa-tan-lap"


def _log(container: bootstrap.Container, count: int, *, missed_every: int = 0) -> None:
    with container.store.transaction() as uow:
        for n in range(count):
            start = START + timedelta(minutes=10 * n)
            missed = missed_every and n % missed_every == 0
            entry = LogEntry(
                Outcome.MISSED if missed else Outcome.PLAYED,
                programme_title=f"Bản tin số {n + 1}",
                category=Category.LOCAL_AFFAIRS,
                scheduled_start=start,
                actual_start=None if missed else start,
                end=None if missed else start + timedelta(minutes=5),
            )
            uow.broadcast_log.append(entry, recorded_at=start + timedelta(minutes=5))


def _enrolled(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        uow.fleet.add_zone(ZoneRecord("Xã Tân Lập", SLUG))
        uow.fleet.add_receiver(ReceiverRecord(SLUG, "Xã Tân Lập", SLUG, "$7$not-used", START))


def _intake(container: bootstrap.Container) -> LogIntake:
    """An intake whose link is never started (the test reads the receipts :meth:`LogIntake.handle` returns)."""
    link = MqttLink(client_id="test", host="127.0.0.1", port=1, username="u", password="p", ca_pem=None)
    return LogIntake(container, link)


def _batches(container: bootstrap.Container, size: int) -> list[bytes]:
    with container.store.transaction() as uow:
        rows = uow.broadcast_log.after(0, 10_000)
    return [LogBatch(SLUG, tuple(rows[i : i + size])).encode() for i in range(0, len(rows), size)]


@pytest.fixture(params=["sqlite", "postgresql"])
def hubs(
    request: pytest.FixtureRequest, station_dir: Path, clock: FrozenClock
) -> Iterator[tuple[Container, Container]]:
    """Two hub processes' services on one store: the station folder's SQLite file, or a fresh PostgreSQL
    database."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    settings = load_settings(station_dir, database_url=url) if url else load_settings(station_dir)
    first = bootstrap.build(settings, clock=clock)
    first.station.init()
    second = bootstrap.build(settings, clock=clock)
    try:
        yield first, second
    finally:
        second.close()
        first.close()


def test_two_hubs_taking_the_same_batches_at_once_store_each_row_once(hubs: tuple[Container, Container]) -> None:
    container, other = hubs
    _log(container, 900)
    _enrolled(container)
    batches = _batches(container, 300)
    topic = receiver_topic(container.settings.hub_id, SLUG, LOG_LEAF)
    answers: dict[int, list[LogReceipt]] = {0: [], 1: []}
    start = threading.Barrier(2)

    def hub(index: int, built: bootstrap.Container) -> None:
        intake = _intake(built)
        start.wait()
        for payload in batches:
            answer = intake.handle(topic, payload)
            assert answer is not None
            answers[index].append(answer[1])

    threads = [threading.Thread(target=hub, args=(n, c)) for n, c in enumerate((container, other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [len(found) for found in answers.values()] == [3, 3]
    assert all(receipt.problem is None for found in answers.values() for receipt in found)
    assert answers[0][-1].last_id == answers[1][-1].last_id == 900
    with container.store.transaction() as uow:
        assert uow.hub_log.counts() == {SLUG: 900}
        held = uow.hub_log.rows(SLUG, START, START + timedelta(days=30))
    assert [row.id for row in held] == list(range(1, 901))


def test_a_batch_from_a_stranger_or_under_another_name_is_dropped(container: bootstrap.Container) -> None:
    _log(container, 3)
    _enrolled(container)
    payload = _batches(container, 10)[0]
    intake, hub = _intake(container), container.settings.hub_id
    assert intake.handle(receiver_topic(hub, "xa-la", LOG_LEAF), payload) is None
    assert intake.handle(receiver_topic(hub, SLUG, LOG_LEAF), b"{not json") is None
    stranger = LogBatch.decode(payload)
    renamed = LogBatch("xa-la", stranger.rows).encode()
    assert intake.handle(receiver_topic(hub, "xa-la", LOG_LEAF), renamed) is None
    with container.store.transaction() as uow:
        assert uow.hub_log.counts() == {}
    answer = intake.handle(receiver_topic(hub, SLUG, LOG_LEAF), payload)
    assert answer is not None
    assert answer[0] == f"tt/{hub}/zone/{SLUG}/log"
    assert (answer[1].last_id, answer[1].problem) == (3, None)


def test_an_unreadable_row_is_refused_from_that_row(container: bootstrap.Container) -> None:
    _log(container, 3)
    with container.store.transaction() as uow:
        rows = uow.broadcast_log.after(0, 10)
    broken = ShippedRow(2, rows[1].prev_hash, rows[1].row_hash, {**rows[1].content, "outcome": "không có"})
    taken, problem = readable([rows[0], broken, rows[2]], None)
    assert taken == [rows[0]]
    assert problem is not None and problem.startswith("Dòng 2 của nhật ký không đọc được")


def test_misses_since_counts_only_the_misses_from_that_instant(container: bootstrap.Container) -> None:
    _log(container, 30, missed_every=3)  # misses at rows 1, 4, ..., 28: ten of them, recorded 5 min after start
    with container.store.transaction() as uow:
        assert uow.broadcast_log.misses_since(START) == 10
        assert uow.broadcast_log.misses_since(START + timedelta(minutes=10 * 15)) == 5
        assert uow.broadcast_log.misses_since(START + timedelta(days=1)) == 0


def test_a_health_report_carries_the_log_progress_and_an_older_one_still_reads() -> None:
    health = StationHealth(SLUG, SLUG, True, START, log=LogProgress(pending=6, problem="dòng 5 không nối tiếp"))
    assert StationHealth.decode(health.encode()) == health
    older = {k: v for k, v in health.to_dict().items() if k != "log"}
    assert StationHealth.from_dict(older).log is None
    assert LogProgress.from_dict({"pending": True, "problem": 3}) == LogProgress(None, None)
