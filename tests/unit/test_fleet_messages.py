"""Issue 18: every fleet message survives the wire, :func:`judge` refuses what a receiver must not obey, and
Vietnamese names become ASCII topic slugs."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest

from truyenthanh.adapters.signing import PrivateKey
from truyenthanh.domain.fleet import (
    COMMAND_MAX_AGE,
    Action,
    AsPlayed,
    Command,
    CommandAck,
    Enrolment,
    Envelope,
    FileRef,
    Kind,
    PlayedOutcome,
    ReceiverStatus,
    Refusal,
    Targets,
    ZoneAiring,
    ZoneSchedule,
    judge,
    parse_receiver_topic,
    receiver_topic,
    slug,
    zone_topic,
)
from truyenthanh.errors import FleetError

HANOI = timezone(timedelta(hours=7))
NOW = datetime(2026, 12, 7, 6, 30, 0, 250000, tzinfo=HANOI)
DIGEST = "ab" * 32
FILE = FileRef(sha256=DIGEST, size=123_456, duration_s=61.5, name="Bản tin sáng.ogg", gain_db=-3.5)


def schedule() -> ZoneSchedule:
    """A zone's week with two airings."""
    airings = (
        ZoneAiring("12@2026-12-07T06:00", NOW + timedelta(hours=1), "Bản tin sáng", (FILE,), priority=2),
        ZoneAiring("13@2026-12-07T17:00", NOW + timedelta(hours=10), "Nhạc chiều", (FILE, FILE)),
    )
    return ZoneSchedule("thon-dong", NOW, NOW + timedelta(days=7), airings)


def test_schedule_round_trip_and_files_once() -> None:
    original = schedule()
    assert ZoneSchedule.from_dict(json.loads(json.dumps(original.to_dict()))) == original
    assert original.files() == [FILE]


def test_command_round_trip_with_inline_audio_volume_and_ref() -> None:
    for command in (
        Command("c1", Action.EMERGENCY, items=(FILE,), inline=b"OggS\x00\x01", repeat=3, title="Báo bão"),
        Command("c2", Action.CANCEL, ref="c1"),
        Command("c3", Action.VOLUME, volume=80),
        Command("c4", Action.TEST_TONE),
        Command("c5", Action.STOP),
        Command("c6", Action.RESYNC),
    ):
        assert Command.from_dict(json.loads(json.dumps(command.to_dict()))) == command


def test_command_refuses_unknown_actions_and_bad_volumes() -> None:
    with pytest.raises(FleetError, match="Lệnh không rõ"):
        Command.from_dict({"command_id": "x", "action": "explode"})
    with pytest.raises(FleetError, match="Âm lượng"):
        Command.from_dict({"command_id": "x", "action": "volume", "volume": 101})


def test_receiver_messages_round_trip() -> None:
    full = ReceiverStatus(
        receiver="loa-a",
        zone="thon-dong",
        online=True,
        at=NOW,
        playing="Bản tin sáng",
        volume=70,
        last_sync=NOW - timedelta(minutes=5),
        schedule_seq=41,
        schedule_valid_until=NOW + timedelta(days=7),
        free_disk_bytes=12_000_000_000,
        clock_offset_ms=-3.25,
        version="1.8.0",
        refused="06:29 tin giả mạo",
        missing_files=1,
    )
    offline = ReceiverStatus("loa-a", "thon-dong", online=False, at=NOW)
    for status in (full, offline):
        assert ReceiverStatus.decode(status.encode()) == status
    record = AsPlayed("r-1", "loa-a", "thon-dong", "12@x", "Bản tin", DIGEST, PlayedOutcome.PLAYED, NOW, NOW)
    missed = AsPlayed("r-2", "loa-a", "thon-dong", "command:c1", "", "", PlayedOutcome.MISSED, None, None, "tắt")
    for item in (record, missed):
        assert AsPlayed.decode(item.encode()) == item
    for ack in (CommandAck("c1", "loa-a", NOW, True, NOW), CommandAck("c1", "loa-a", NOW, False, reason="tin cũ")):
        assert CommandAck.decode(ack.encode()) == ack


def test_enrolment_round_trip() -> None:
    enrolment = Enrolment(
        "xa-an-binh", "loa-a", "thon-dong", "tram.local", 8883, "loa-a", "bí-mật", "-----BEGIN...", "AAAA", "http://x"
    )
    assert Enrolment.from_dict(json.loads(json.dumps(enrolment.to_dict()))) == enrolment


def test_messages_that_cannot_be_read_say_which_field() -> None:
    with pytest.raises(FleetError, match="JSON"):
        ReceiverStatus.decode(b"\xff")
    with pytest.raises(FleetError, match="«receiver»"):
        ReceiverStatus.decode(b'{"zone": "a"}')
    with pytest.raises(FleetError, match="«at»"):
        CommandAck.decode(b'{"command_id": "c", "receiver": "r", "at": "2026-12-07T06:00:00"}')
    with pytest.raises(FleetError, match="sha256"):
        FileRef.from_dict({"sha256": "../etc", "size": 1, "duration_s": 1})
    with pytest.raises(FleetError, match="Kết quả"):
        AsPlayed.decode(json.dumps({"outcome": "maybe"}).encode())


# ------------------------------------------------------------------------------------------------ judge

KEY = PrivateKey.generate("đài xã")
STRANGER = PrivateKey.generate("kẻ lạ")


def envelope(seq: int = 10, station: str = "xa-an-binh", issued_at: datetime = NOW) -> Envelope:
    """A command envelope, unsigned."""
    return Envelope(Kind.COMMAND, station, seq, issued_at, Command("c1", Action.TEST_TONE).to_dict())


def verdict(env: Envelope, *, last_seq: int = 9, now: datetime = NOW) -> Refusal | None:
    """What a receiver of ``xa-an-binh`` that trusts :data:`KEY` decides."""
    return judge(
        env, station="xa-an-binh", verify=KEY.public.verify, last_seq=last_seq, now=now, max_age=COMMAND_MAX_AGE
    )


def test_a_signed_fresh_new_message_is_accepted_after_the_wire() -> None:
    sent = envelope().signed(KEY.sign)
    received = Envelope.decode(sent.encode())
    assert received == sent
    assert verdict(received) is None
    assert Command.from_dict(received.body) == Command("c1", Action.TEST_TONE)


def test_judge_refuses_forged_replayed_stale_and_foreign_messages() -> None:
    assert verdict(envelope().signed(STRANGER.sign)) is Refusal.FORGED
    assert verdict(envelope()) is Refusal.FORGED  # unsigned
    tampered = Envelope.decode(envelope().signed(KEY.sign).encode().replace(b"test_tone", b"emergency"))
    assert verdict(tampered) is Refusal.FORGED
    assert verdict(envelope(seq=9).signed(KEY.sign)) is Refusal.REPLAYED
    assert verdict(envelope(seq=3).signed(KEY.sign)) is Refusal.REPLAYED
    old = envelope(issued_at=NOW - COMMAND_MAX_AGE - timedelta(seconds=1)).signed(KEY.sign)
    assert verdict(old) is Refusal.STALE
    assert verdict(envelope(station="xa-khac").signed(KEY.sign)) is Refusal.OTHER_STATION
    schedule_env = Envelope(Kind.SCHEDULE, "xa-an-binh", 11, NOW - timedelta(days=2), schedule().to_dict())
    assert (
        judge(
            schedule_env.signed(KEY.sign),
            station="xa-an-binh",
            verify=KEY.public.verify,
            last_seq=10,
            now=NOW,
            max_age=None,
        )
        is None
    )
    assert all(reason.text for reason in Refusal)


def test_envelopes_of_another_format_or_without_signature_are_refused_when_read() -> None:
    data = json.loads(envelope().signed(KEY.sign).encode())
    with pytest.raises(FleetError, match="Định dạng"):
        Envelope.decode(json.dumps({**data, "format": "khac/9"}).encode())
    del data["signature"]
    with pytest.raises(FleetError, match="«signature»"):
        Envelope.decode(json.dumps(data).encode())


# -------------------------------------------------------------------------------------- slugs and topics


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Thôn Đông 2", "thon-dong-2"),
        ("Xóm Bến Đò", "xom-ben-do"),
        ("Ấp Mỹ Hưng", "ap-my-hung"),
        ("  Khu phố -- Quyết Thắng!  ", "khu-pho-quyet-thang"),
        ("ĐÌNH LÀNG", "dinh-lang"),
        ("???", "x"),
    ],
)
def test_slug_of_vietnamese_names(name: str, expected: str) -> None:
    assert slug(name) == expected
    assert slug(unicodedata.normalize("NFD", name)) == expected


def test_topics() -> None:
    assert zone_topic("xa", "thon-a", "schedule") == "tt/xa/zone/thon-a/schedule"
    topic = receiver_topic("xa", "loa-a", "played")
    assert topic == "tt/xa/receiver/loa-a/played"
    assert parse_receiver_topic(topic) == ("xa", "loa-a", "played")
    assert parse_receiver_topic("tt/xa/zone/thon-a/schedule") is None


def test_targets() -> None:
    zones = ["a", "b", "c"]
    assert Targets().zone_list(zones) == zones
    assert Targets(local=False, zones=("c", "a")).zone_list(zones) == ["a", "c"]
    assert Targets(local=True, zones=()).reaches(Targets(local=True, zones=()), zones)
    assert not Targets(local=False, zones=("a",)).reaches(Targets(local=True, zones=("b",)), zones)
    assert Targets(local=False, zones=("a",)).reaches(Targets(local=False), zones)
