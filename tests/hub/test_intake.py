"""The hub's intakes on a real SQLite store (issue 19): the log intake's queue is bounded and drops what does not
fit (the station resends it), its map of enrolled stations is read again for a station it does not know, rows are
read once and stored in one bulk insert; the stations' answers are stored in batches off the link's thread; and
``hub stations`` shows how far each station's log has come up."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes import FrozenClock
from tests.integration.test_cli import run
from truyenthanh import bootstrap
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.domain.broadcast_log import LogEntry
from truyenthanh.domain.enums import Category, Outcome
from truyenthanh.domain.fleet import Action, Command, CommandAck, receiver_topic
from truyenthanh.domain.fleet_records import ReceiverRecord, ZoneRecord
from truyenthanh.domain.upstream import LOG_LEAF, LogBatch, LogProgress, ShippedRow, StationHealth
from truyenthanh.hub.answers import AnswerIntake
from truyenthanh.hub.logs import LogIntake, read_rows, usable

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
ADMIN = "admin"


def _log(container: bootstrap.Container, count: int) -> list[ShippedRow]:
    with container.store.transaction() as uow:
        for n in range(count):
            start = START + timedelta(minutes=10 * n)
            entry = LogEntry(
                Outcome.PLAYED,
                programme_title=f"Bản tin số {n + 1}",
                category=Category.LOCAL_AFFAIRS,
                scheduled_start=start,
                actual_start=start,
                end=start + timedelta(minutes=5),
            )
            uow.broadcast_log.append(entry, recorded_at=start + timedelta(minutes=5))
    with container.store.transaction() as uow:
        return uow.broadcast_log.after(0, 10_000)


def _enrol(container: bootstrap.Container, slug: str, name: str) -> None:
    with container.store.transaction() as uow:
        uow.fleet.add_zone(ZoneRecord(name, slug))
        uow.fleet.add_receiver(ReceiverRecord(slug, name, slug, "$7$not-used", START))


def _unstarted_link() -> MqttLink:
    return MqttLink(client_id="test", host="127.0.0.1", port=1, username="u", password="p", ca_pem=None)


def test_a_full_intake_queue_drops_the_batch_after_its_wait(container: bootstrap.Container) -> None:
    intake = LogIntake(container, _unstarted_link(), queue_batches=2, queue_wait_s=0.05)  # no worker: it fills
    topic = receiver_topic(container.settings.hub_id, "xa-tan-lap", LOG_LEAF)
    for _ in range(3):
        intake.received(topic, b"{}")
    assert intake.dropped == 1


def test_a_station_enrolled_after_the_first_batch_is_found_without_waiting(container: bootstrap.Container) -> None:
    rows = _log(container, 4)
    _enrol(container, "xa-tan-lap", "Xã Tân Lập")
    intake, hub = _unstarted_link(), container.settings.hub_id
    logs = LogIntake(container, intake)
    first = logs.handle(receiver_topic(hub, "xa-tan-lap", LOG_LEAF), LogBatch("xa-tan-lap", tuple(rows[:2])).encode())
    assert first is not None and first[1].last_id == 2
    _enrol(container, "xa-an-binh", "Xã An Bình")  # the map read for the first batch does not hold it
    later = logs.handle(receiver_topic(hub, "xa-an-binh", LOG_LEAF), LogBatch("xa-an-binh", tuple(rows)).encode())
    assert later is not None and later[0] == f"tt/{hub}/zone/xa-an-binh/log" and later[1].last_id == 4
    with container.store.transaction() as uow:
        assert uow.hub_log.counts() == {"xa-tan-lap": 2, "xa-an-binh": 4}
        held = uow.hub_log.rows("xa-an-binh", START, START + timedelta(days=1))
    assert [row.moment for row in held] == [START + timedelta(minutes=10 * n) for n in range(4)]


def test_rows_read_once_keep_accept_s_order_and_stop_at_an_unreadable_taken_row(
    container: bootstrap.Container,
) -> None:
    rows = _log(container, 4)
    broken = ShippedRow(3, rows[2].prev_hash, rows[2].row_hash, {**rows[2].content, "outcome": "không có"})
    batch = [rows[0], rows[1], broken, rows[3]]
    readings = read_rows(batch)
    assert isinstance(readings[2], str) and readings[2].startswith("Dòng 3 của nhật ký không đọc được")
    kept, moments, problem = usable(batch, readings, batch[1:], None)  # row 1 held already
    assert (kept, problem) == ([rows[1]], readings[2])
    assert moments == [START + timedelta(minutes=10)]
    held_broken = usable(batch, readings, [rows[3]], "thiếu dòng")  # the broken row is held: not its problem
    assert held_broken == ([rows[3]], [START + timedelta(minutes=30)], "thiếu dòng")
    with container.store.transaction() as uow, pytest.raises(ValueError, match="1 moments for 2 rows"):
        uow.hub_log.add("xa-tan-lap", rows[:2], received_at=START, moments=[START])


def test_answers_are_stored_in_batches_off_the_link_s_thread(
    container: bootstrap.Container, clock: FrozenClock
) -> None:
    slugs = [f"xa-{n}" for n in range(120)]
    for slug in slugs:
        _enrol(container, slug, slug)
    container.fleet.record_command(ADMIN, Command(command_id="em-1", action=Action.TEST_TONE), slugs, None, 1)
    answers = AnswerIntake(container)
    hub = container.settings.hub_id
    sent = clock.now()
    for slug in slugs:  # queued before the worker starts: it takes them in one batch
        ack = CommandAck("em-1", slug, sent, True, heard_at=sent + timedelta(milliseconds=400))
        answers.received(receiver_topic(hub, slug, "ack"), ack.encode())
    answers.received(receiver_topic(hub, "xa-0", "ack"), CommandAck("em-1", "xa-1", sent, False).encode())
    answers.received(receiver_topic(hub, "xa-0", "ack"), b"{not json")
    answers.start()
    try:
        assert answers.wait_stored(10)
    finally:
        answers.close()
    stored = container.fleet.command_acks("em-1")
    assert sorted(stored) == sorted(slugs)
    assert all(answer["ok"] is True for answer in stored.values())  # the one under another name was ignored
    assert stored["xa-7"]["heard_at"] == (sent + timedelta(milliseconds=400)).isoformat(timespec="milliseconds")
    assert answers.dropped == 0


def test_hub_stations_shows_each_station_s_log_progress(container: bootstrap.Container, clock: FrozenClock) -> None:
    progress = {
        "xa-tan-lap": LogProgress(0, None),
        "xa-an-binh": LogProgress(1200, "dòng 501 không nối tiếp dòng 500: chuỗi băm bị đứt"),
        "xa-muong-lat": None,
    }
    for slug, name in (("xa-tan-lap", "Xã Tân Lập"), ("xa-an-binh", "Xã An Bình"), ("xa-muong-lat", "Xã Mường Lát")):
        _enrol(container, slug, name)
        health = StationHealth(slug, slug, True, clock.now(), log=progress[slug])
        with container.store.transaction() as uow:
            uow.fleet.set_status(slug, status=health.to_dict(), online=True, seen_at=clock.now())
    data_dir = container.locations.data_dir
    listed = run("hub", "stations", "--json", data_dir=data_dir)
    assert listed.returncode == 0, listed.stderr
    by_slug = {s["slug"]: s for s in json.loads(listed.stdout)}
    assert by_slug["xa-tan-lap"]["log"] == {"pending": 0, "problem": None}
    assert by_slug["xa-an-binh"]["log"] == progress["xa-an-binh"].to_dict()  # type: ignore[union-attr]
    assert by_slug["xa-muong-lat"]["log"] is None
    text = run("hub", "stations", data_dir=data_dir)
    assert text.returncode == 0, text.stderr
    blocks = {name: text.stdout.split(name)[1].split("trực tuyến")[0] for name in ("Tân Lập", "An Bình", "Mường Lát")}
    assert "nhật ký phát thanh: tuyến trên đã nhận đủ" in blocks["Tân Lập"]
    assert "nhật ký phát thanh: còn 1.200 dòng chưa gửi lên" in blocks["An Bình"]
    assert "▲ nhật ký: dòng 501 không nối tiếp dòng 500: chuỗi băm bị đứt" in blocks["An Bình"]
    assert "nhật ký phát thanh: chưa rõ (đài chưa báo)" in blocks["Mường Lát"]
