"""The station's fleet service on a real SQLite station: zones, one-time enrolment with the broker's files (and a
real mosquitto accepting the new login), zone schedules by target, files served, receivers' reports."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from tests.fakes import FrozenClock
from tests.fleet.mosquitto import Mosquitto
from tests.streams import free_port
from truyenthanh.adapters.db.models import (
    Announcement,
    AudioAsset,
    AuditEntry,
    EnrolmentCode,
    Programme,
    ProgrammeItem,
    Receiver,
    Schedule,
    Zone,
    ZonePlay,
)
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.bootstrap import Container
from truyenthanh.domain.enums import ContentStatus, ItemKind
from truyenthanh.domain.fleet import (
    Action,
    AsPlayed,
    Command,
    CommandAck,
    PlayedOutcome,
    ReceiverStatus,
)
from truyenthanh.errors import FleetError
from truyenthanh.services.fleet import CODE_ALPHABET, normalise_code

ADMIN = "quantri"


def _configured(container: Container, port: int | None = None) -> None:
    """The station's signing key and its broker's files, as ``keys generate`` and ``broker config`` make them."""
    container.keys.generate("Đài xã Tân Lập")
    container.fleet.configure_broker(port=port or free_port(), bind="127.0.0.1", hostnames=["localhost", "127.0.0.1"])


def _zones(container: Container) -> None:
    container.fleet.add_zone(ADMIN, "Thôn Đông", hamlet="Đông")
    container.fleet.add_zone(ADMIN, "Thôn Tây")


# --- zones ----------------------------------------------------------------------------------------------


def test_zones_get_unique_slugs_and_are_audited(container: Container) -> None:
    first = container.fleet.add_zone(ADMIN, "  Thôn  Đông 2 ", hamlet="Đông")
    second = container.fleet.add_zone(ADMIN, "Thôn Đông-2")
    assert (first.name, first.slug, first.hamlet) == ("Thôn Đông 2", "thon-dong-2", "Đông")
    assert second.slug == "thon-dong-2-2"
    assert [(z.name, z.receivers) for z in container.fleet.zones()] == [("Thôn Đông 2", 0), ("Thôn Đông-2", 0)]
    with container.db.session() as session:
        actions = [e.action for e in session.exec(select(AuditEntry)) if e.entity == "zone"]
    assert actions == ["zone.add", "zone.add"]


def test_a_duplicate_or_empty_zone_name_is_refused_naming_the_field(container: Container) -> None:
    container.fleet.add_zone(ADMIN, "Thôn Đông")
    with pytest.raises(FleetError, match="Đã có cụm loa tên «thôn đông»") as taken:
        container.fleet.add_zone(ADMIN, "thôn đông")
    assert taken.value.field == "name"
    with pytest.raises(FleetError) as empty:
        container.fleet.add_zone(ADMIN, "   ")
    assert empty.value.field == "name"
    assert len(container.fleet.zones()) == 1


# --- enrolment ---------------------------------------------------------------------------------------


def test_a_code_is_readable_and_only_its_digest_is_kept(container: Container, clock: FrozenClock) -> None:
    _zones(container)
    issued = container.fleet.issue_code(ADMIN, "Thôn Đông")
    assert len(issued.code) == 12 and issued.code[4] == issued.code[9] == "-"
    assert set(normalise_code(issued.code)) <= set(CODE_ALPHABET)
    assert issued.zone == "thon-dong"
    assert issued.expires_at == clock.now() + timedelta(minutes=60)
    with container.db.session() as session:
        rows = list(session.exec(select(EnrolmentCode)))
    assert len(rows) == 1 and normalise_code(issued.code) not in rows[0].code_hash
    with pytest.raises(FleetError, match="Không có cụm loa «Thôn Bắc»") as unknown:
        container.fleet.issue_code(ADMIN, "Thôn Bắc")
    assert unknown.value.field == "zone"


def test_enrolment_works_once_and_writes_the_broker_accounts(container: Container) -> None:
    _configured(container)
    _zones(container)
    issued = container.fleet.issue_code(ADMIN, "thon-tay")
    enrolment = container.fleet.enrol(issued.code.lower().replace("-", " "), "Loa thôn Tây")
    assert (enrolment.receiver, enrolment.zone, enrolment.username) == ("loa-thon-tay", "thon-tay", "loa-thon-tay")
    assert enrolment.station == container.settings.fleet_station_id
    assert enrolment.broker_ca_pem == (container.locations.data_dir / "broker" / "ca.pem").read_text()
    assert enrolment.files_url == f"http://127.0.0.1:{container.settings.fleet_http_port}"
    passwd = (container.locations.data_dir / "broker" / "passwd").read_text()
    assert "loa-thon-tay:$7$" in passwd and "station.station:$7$" in passwd
    assert "thon-tay" in (container.locations.data_dir / "broker" / "acl").read_text()
    with container.db.session() as session:
        stored = session.exec(select(Receiver)).one()
    assert enrolment.password not in stored.password_hash
    with pytest.raises(FleetError, match="đã được dùng") as again:
        container.fleet.enrol(issued.code, "Loa khác")
    assert again.value.field == "code"
    assert [r.slug for r in container.fleet.receivers()] == ["loa-thon-tay"]
    assert [z.receivers for z in container.fleet.zones()] == [1, 0]


def test_an_expired_or_unknown_code_is_refused(container: Container, clock: FrozenClock) -> None:
    _configured(container)
    _zones(container)
    issued = container.fleet.issue_code(ADMIN, "Thôn Đông")
    clock.advance(minutes=61)
    with pytest.raises(FleetError, match="đã hết hạn"):
        container.fleet.enrol(issued.code, "Loa Đông")
    with pytest.raises(FleetError, match="không đúng") as unknown:
        container.fleet.enrol("ABCD-EFGH-JK", "Loa Đông")
    assert unknown.value.field == "code"
    assert container.fleet.receivers() == []


def test_broker_files_that_cannot_be_written_leave_the_code_unused(container: Container) -> None:
    _configured(container)
    _zones(container)
    issued = container.fleet.issue_code(ADMIN, "Thôn Đông")
    blocker = container.locations.data_dir / "broker" / ".acl.tmp"
    blocker.mkdir()  # the ACL file cannot be written (even by root)
    with pytest.raises(FleetError, match="Không ghi được cấu hình máy chủ MQTT"):
        container.fleet.enrol(issued.code, "Loa Đông")
    assert container.fleet.receivers() == []
    assert "loa-dong" not in (container.locations.data_dir / "broker" / "passwd").read_text()
    blocker.rmdir()
    assert container.fleet.enrol(issued.code, "Loa Đông").receiver == "loa-dong"


def test_enrolment_before_broker_config_is_refused(container: Container) -> None:
    container.keys.generate("Đài xã Tân Lập")
    _zones(container)
    issued = container.fleet.issue_code(ADMIN, "Thôn Đông")
    with pytest.raises(FleetError, match="broker config"):
        container.fleet.enrol(issued.code, "Loa Đông")


def test_a_running_mosquitto_accepts_a_login_enrolled_after_it_started(container: Container) -> None:
    _configured(container, free_port())
    _zones(container)
    server = Mosquitto.existing(container.locations.data_dir / "broker", station=container.settings.fleet_station_id)
    links: list[MqttLink] = []

    def link(username: str, password: str) -> MqttLink:
        made = MqttLink(
            client_id=f"t-{username}-{len(links)}",
            host=server.host,
            port=server.port,
            username=username,
            password=password,
            ca_pem=server.ca_pem,
            clean_start=True,
        )
        links.append(made)
        made.start()
        return made

    server.start()
    try:
        # Enrolled while the broker runs: the accounts are rewritten and the broker told to reload them.
        enrolment = container.fleet.enrol(container.fleet.issue_code(ADMIN, "Thôn Đông").code, "Loa Đông")
        assert link(enrolment.username, enrolment.password).wait_connected(10), server.log_text()
        assert link(*container.fleet.station_login()).wait_connected(10), server.log_text()
        assert not link(enrolment.username, "sai-mat-khau").wait_connected(1.5)
    finally:
        for made in links:
            made.close()
        server.kill()


# --- zone schedules ------------------------------------------------------------------------------------


def _programme(container: Container, *, announcement_rendered: bool) -> tuple[int, str]:
    """An approved programme: a file in the library, an announcement (rendered or not), a relay; its file's
    sha256."""
    media = container.locations.media_dir / "library"
    media.mkdir(parents=True, exist_ok=True)
    (media / "ban-tin.mp3").write_bytes(b"\xff\xfb" * 500)
    with container.db.session() as session:
        asset = AudioAsset(
            path="library/ban-tin.mp3",
            sha256="ab" * 32,
            duration_s=30.0,
            format="mp3",
            channels=1,
            sample_rate=44100,
            title="Bản tin xã",
            loudness_lufs=-20.0,
            true_peak_dbtp=-6.0,
        )
        session.add(asset)
        session.flush()
        notice = Announcement(
            title="Thông báo tiêm chủng",
            text="...",
            status=ContentStatus.APPROVED,
            asset_id=asset.id if announcement_rendered else None,
        )
        programme = Programme(title="Buổi sáng", status=ContentStatus.APPROVED, approved_by=ADMIN)
        session.add_all([notice, programme])
        session.flush()
        assert programme.id is not None
        session.add_all(
            [
                ProgrammeItem(programme_id=programme.id, position=0, kind=ItemKind.AUDIO, asset_id=asset.id),
                ProgrammeItem(
                    programme_id=programme.id, position=1, kind=ItemKind.ANNOUNCEMENT, announcement_id=notice.id
                ),
                ProgrammeItem(
                    programme_id=programme.id,
                    position=2,
                    kind=ItemKind.RELAY,
                    relay_url="http://127.0.0.1:1/vov",
                    duration_s=60.0,
                ),
            ]
        )
        return programme.id, asset.sha256


def _schedule(container: Container, programme_id: int, start: datetime, *, local: bool, zones: list[str] | None) -> int:
    with container.db.session() as session:
        row = Schedule(programme_id=programme_id, start_at=start, target_local=local, target_zones=zones)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def test_zone_schedules_follow_the_targets(container: Container, clock: FrozenClock) -> None:
    _zones(container)
    programme_id, sha = _programme(container, announcement_rendered=True)
    now = clock.now()
    everywhere = _schedule(container, programme_id, now + timedelta(hours=2), local=True, zones=None)
    east_only = _schedule(container, programme_id, now + timedelta(hours=4), local=False, zones=["thon-dong"])
    _schedule(container, programme_id, now + timedelta(hours=6), local=True, zones=[])
    _schedule(container, programme_id, now + timedelta(days=8), local=True, zones=None)  # beyond the week

    east = container.fleet.zone_schedule("thon-dong", now)
    west = container.fleet.zone_schedule("Thôn Tây", now)
    start = (now + timedelta(hours=2)).isoformat(timespec="seconds")
    assert [a.airing_id for a in east.airings] == [
        f"{everywhere}@{start}",
        f"{east_only}@{(now + timedelta(hours=4)).isoformat(timespec='seconds')}",
    ]
    assert [a.airing_id for a in west.airings] == [f"{everywhere}@{start}"]
    assert west.valid_until == now + timedelta(days=7) and west.zone == "thon-tay"
    airing = east.airings[0]
    assert airing.start == now + timedelta(hours=2) and airing.title == "Buổi sáng"
    # The file and the announcement's rendering (here the same bytes); the relay cannot travel.
    assert [(i.sha256, i.size, i.duration_s) for i in airing.items] == [(sha, 1000, 30.0)] * 2
    assert airing.items[0].gain_db == pytest.approx(4.0)
    assert container.fleet.file_path(sha) == container.locations.media_dir / "library" / "ban-tin.mp3"
    assert container.fleet.file_path("cd" * 32) is None


def test_a_zone_switched_off_gets_an_empty_schedule(container: Container, clock: FrozenClock) -> None:
    _zones(container)
    programme_id, _ = _programme(container, announcement_rendered=True)
    _schedule(container, programme_id, clock.now() + timedelta(hours=1), local=True, zones=None)
    with container.db.session() as session:
        east = session.exec(select(Zone).where(Zone.slug == "thon-dong")).one()
        east.enabled = False
        session.add(east)
    assert container.fleet.zone_schedule("thon-dong", clock.now()).airings == ()
    assert len(container.fleet.zone_schedule("thon-tay", clock.now()).airings) == 1


def test_unrendered_announcements_are_counted_for_a_retry(container: Container, clock: FrozenClock) -> None:
    _zones(container)
    programme_id, sha = _programme(container, announcement_rendered=False)
    _schedule(container, programme_id, clock.now() + timedelta(hours=1), local=True, zones=None)
    plan = container.fleet.zone_plan("thon-dong", clock.now())
    assert [[i.sha256 for i in a.items] for a in plan.schedule.airings] == [[sha]]
    assert plan.missing == 1 and len(plan.unrendered) == 1


def test_a_fresh_service_serves_files_of_current_schedules_only(container: Container, clock: FrozenClock) -> None:
    _zones(container)
    programme_id, sha = _programme(container, announcement_rendered=True)
    assert container.fleet.file_path(sha) is None  # nothing scheduled names it yet
    _schedule(container, programme_id, clock.now() + timedelta(hours=1), local=False, zones=["thon-tay"])
    assert container.fleet.file_path(sha) is not None


# --- what receivers report -------------------------------------------------------------------------------


def _enrolled(container: Container) -> None:
    _configured(container)
    _zones(container)
    for zone, name in (("thon-dong", "Loa Đông"), ("thon-tay", "Loa Tây")):
        container.fleet.enrol(container.fleet.issue_code(ADMIN, zone).code, name)


def test_played_records_are_stored_once(container: Container, clock: FrozenClock) -> None:
    now = clock.now()
    record = AsPlayed(
        record_id="loa-dong:1",
        receiver="loa-dong",
        zone="thon-dong",
        airing_id=f"12@{now.isoformat(timespec='seconds')}",
        title="Buổi sáng",
        sha256="ab" * 32,
        outcome=PlayedOutcome.PLAYED,
        started_at=now,
        ended_at=now + timedelta(seconds=30),
    )
    assert container.fleet.record_played(record)
    assert not container.fleet.record_played(record)
    command = AsPlayed(
        "loa-dong:2", "loa-dong", "thon-dong", "command:c1", "Khẩn", "", PlayedOutcome.FAILED, None, None
    )
    assert container.fleet.record_played(command)
    with container.db.session() as session:
        rows = list(session.exec(select(ZonePlay).order_by(ZonePlay.record_id)))
    assert [(r.record_id, r.schedule_id, r.outcome) for r in rows] == [
        ("loa-dong:1", 12, "played"),
        ("loa-dong:2", None, "failed"),
    ]


def test_receivers_show_lights_from_their_status(container: Container, clock: FrozenClock) -> None:
    _enrolled(container)
    assert {r.slug: r.light for r in container.fleet.receivers()} == {"loa-dong": "offline", "loa-tay": "offline"}
    now = clock.now()
    fresh = ReceiverStatus(
        "loa-dong", "thon-dong", True, now, volume=80, last_sync=now, schedule_valid_until=now + timedelta(days=7)
    )
    container.fleet.record_status(fresh)
    old = ReceiverStatus("loa-tay", "thon-tay", True, now, last_sync=now - timedelta(hours=25))
    container.fleet.record_status(old)
    views = {r.slug: r for r in container.fleet.receivers()}
    assert (views["loa-dong"].light, views["loa-dong"].last_seen) == ("ok", now)
    assert views["loa-dong"].status is not None and views["loa-dong"].status.volume == 80
    assert (views["loa-tay"].light, views["loa-tay"].stale) == ("stale", True)
    container.fleet.record_status(ReceiverStatus("loa-dong", "thon-dong", True, now, last_sync=now, refused="giả mạo"))
    assert {r.slug: r.light for r in container.fleet.receivers()}["loa-dong"] == "refusing"
    clock.advance(minutes=5)
    container.fleet.record_status(ReceiverStatus("loa-dong", "thon-dong", False, now))  # its last will
    gone = {r.slug: r for r in container.fleet.receivers()}["loa-dong"]
    assert (gone.light, gone.online, gone.last_seen) == ("offline", False, now)
    assert gone.status is not None and gone.status.last_sync == now  # the last figures are kept


def test_commands_and_acks_are_recorded_and_numbers_grow(container: Container, clock: FrozenClock) -> None:
    _enrolled(container)
    first, second = container.fleet.next_seq(), container.fleet.next_seq()
    assert second == first + 1
    command = Command(command_id="c1", action=Action.TEST_TONE)
    container.fleet.record_command(ADMIN, command, ["thon-dong"], None, second)
    heard = clock.now() + timedelta(milliseconds=300)
    container.fleet.record_ack(CommandAck("c1", "loa-dong", clock.now(), True, heard_at=heard))
    container.fleet.record_ack(CommandAck("unknown", "loa-dong", clock.now(), True))
    acks = container.fleet.command_acks("c1")
    assert list(acks) == ["loa-dong"] and acks["loa-dong"]["ok"] is True


def test_station_login_is_kept_private_and_stable(container: Container) -> None:
    first = container.fleet.station_login()
    assert first == container.fleet.station_login()
    assert first[0] == f"station.{container.settings.fleet_station_id}"
    station_file = container.locations.data_dir / "broker" / "station.json"
    assert station_file.stat().st_mode & 0o777 == 0o600


def test_the_period_report_counts_airings_per_zone(container: Container, clock: FrozenClock) -> None:
    _zones(container)
    now = clock.now()

    def played(record_id: str, receiver: str, zone: str, airing: str, outcome: PlayedOutcome) -> None:
        started = now if outcome is PlayedOutcome.PLAYED else None
        record = AsPlayed(record_id, receiver, zone, airing, "Buổi sáng", "", outcome, started, None)
        assert container.fleet.record_played(record)

    played("1", "loa-dong", "thon-dong", "5@a", PlayedOutcome.PLAYED)
    played("2", "loa-dong", "thon-dong", "5@a", PlayedOutcome.FAILED)  # one item of a played airing failed
    played("3", "loa-dong", "thon-dong", "5@b", PlayedOutcome.MISSED)
    played("4", "loa-tay", "thon-tay", "5@a", PlayedOutcome.PLAYED)
    report = container.reports.build(container.reports.half(2026, 2))
    table = next(t for t in report.tables if t.key == "cum_loa")
    assert table.rows == [("Thôn Tây", 1, 0), ("Thôn Đông", 1, 1)]
    assert table.total == ("Tổng cộng", 2, 1)
    assert all(t.key != "cum_loa" for t in container.reports.build(container.reports.half(2026, 1)).tables)
