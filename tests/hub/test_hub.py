"""Issue 19, first slice: a hub feeds its stations. Real processes throughout: a private mosquitto configured by
``hub broker config``, ``hub run``, and two station daemons enrolled with ``upstream enrol``, each on its own
null sink; one station pre-approves signed packages, the other leaves them for its approver."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.audio import tone
from tests.hub.rig import HUB_ID, Commune, HubRig, hub_rig
from tests.integration.fleet_rig import heard_at, wait_for
from tests.pulse import PulseServer, Recorder
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.adapters.signing import PrivateKey
from truyenthanh.domain.fleet import Action, Command, Envelope, Kind, zone_topic
from truyenthanh.domain.upstream import PackageNotice
from truyenthanh.hub import broker_ca
from truyenthanh.hub.desk import HubDesk

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
AIRS_AT = (datetime.now(ZONE) + timedelta(hours=2)).replace(second=0, microsecond=0)
"""When the hub's package airs: within the daemon's horizon, after every test here has run."""


def _programme_file(folder: Path, at: datetime) -> Path:
    """A programme file as the province's editor writes it: one programme, one airing at ``at``."""
    path = folder / "tin-tinh.toml"
    path.write_text(
        f"""format_version = 1

[package]
id = "tinh-thu/tin-tinh"
version = 1
title = "Tin của tỉnh"
author = "Phòng Thông tin cơ sở"
upstream = "Sở Văn hoá, Thể thao và Du lịch tỉnh Thử"
created = {(at - timedelta(hours=3)).isoformat()}
valid_from = {at.date().isoformat()}
valid_to = {(at.date() + timedelta(days=2)).isoformat()}

[[programme]]
key = "tin-tinh"
title = "Tin của tỉnh"
category = "local_affairs"

[[programme.item]]
jingle = "alert"

[[programme.schedule]]
at = {at.replace(tzinfo=None).isoformat()}
""",
        encoding="utf-8",
    )
    return path


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory, pulse: PulseServer) -> Iterator[HubRig]:
    """The hub with three stations running: «Xã Tân Lập» (no pre-approval), «Xã Minh Đài» (pre-approval) and
    «Xã Đồng Tâm» (no upstream emergency)."""
    built = hub_rig(tmp_path_factory.mktemp("hub"), pulse)
    try:
        built.add_commune("Xã Tân Lập")
        built.add_commune("Xã Minh Đài", TRUYENTHANH_SIGNED_PACKAGES_PREAPPROVED="true")
        built.add_commune("Xã Đồng Tâm", TRUYENTHANH_UPSTREAM_EMERGENCY_ALLOWED="false")
        for commune in built.communes.values():
            built.start_daemon(commune)
        wait_for(lambda: all(s["online"] for s in built.stations().values()), "both stations online", 30)
        yield built
    finally:
        built.close()


def _communes(rig: HubRig) -> tuple[Commune, Commune, Commune]:
    first, second, third = rig.communes.values()
    return first, second, third


def _answers(rig: HubRig, ident: str, count: int) -> dict[str, Any]:
    def got() -> dict[str, Any] | None:
        found: dict[str, Any] = json.loads(rig.run("hub", "answers", ident))
        return found if len(found) >= count else None

    result: dict[str, Any] = wait_for(got, f"{count} answers to {ident}", 60, every=0.5)
    return result


def test_hub_stations_shows_both_online_with_their_health(rig: HubRig) -> None:
    stations = rig.stations()
    assert set(stations) == {c.slug for c in rig.communes.values()}
    for slug, station in stations.items():
        assert station["online"] is True, rig.logs()
        health = station["health"]
        assert health["receiver"] == slug
        assert health["device_ok"] is True
        assert health["misses_24h"] == 0
        assert health["free_disk_bytes"] > 0
    listed = rig.run("hub", "stations")
    assert listed.count("● trực tuyến") == 3
    assert "Xã Tân Lập" in listed and "Xã Minh Đài" in listed


def test_a_package_reaches_both_waits_for_approval_on_one_and_is_applied_on_the_other(
    rig: HubRig, tmp_path: Path
) -> None:
    package = tmp_path / "tin-tinh.ttpkg"
    rig.run("package", "build", str(_programme_file(tmp_path, AIRS_AT)), "-o", str(package))
    rig.run("package", "sign", str(package))
    sent = rig.run("hub", "send", "package", str(package))
    ident = sent.split("(mã ")[1].rstrip(").\n")
    waiting, preapproved, _ = _communes(rig)
    answers = _answers(rig, ident, 3)
    assert answers[waiting.slug]["ok"] is True, rig.logs()
    assert answers[waiting.slug]["reason"].startswith("waiting:")
    assert answers[preapproved.slug]["ok"] is True
    assert answers[preapproved.slug]["reason"].startswith("applied:")
    for commune, status in ((waiting, "waiting"), (preapproved, "approved")):
        listed = json.loads(rig.run("programme", "list", "--json", env=commune.env, data_dir=commune.folder))
        assert [p["status"] for p in listed] == [status], commune.log()

    def next_airing() -> dict[str, Any] | None:
        health: dict[str, Any] = rig.stations()[preapproved.slug]["health"]
        return health if health["next_airing"] else None

    health = wait_for(next_airing, "the pre-approved station's next airing at the hub", 20, every=0.5)
    assert health["next_title"] == "Tin của tỉnh"
    assert datetime.fromisoformat(health["next_airing"]) == AIRS_AT
    assert "phát kế tiếp: không có" not in rig.run("hub", "stations").split("Xã Minh Đài")[1].split("\n")[1]


@pytest.mark.realtime
def test_an_emergency_from_the_hub_is_heard_on_the_station_sink_within_2_s_and_cancels(rig: HubRig) -> None:
    commune, other, refusing = _communes(rig)
    with rig.container() as hub, Recorder(rig.pulse, sink=commune.sink).record() as got:
        desk = HubDesk(hub)
        sent_at = time.time()
        text = "Bão số 9 sắp đổ bộ, mọi người vào nơi an toàn."
        sent = desk.send_emergency("hub-test", text, [commune.slug, refusing.slug])
        answered = wait_for(lambda: desk.answers(sent.command_id).get(commune.slug), "the station's answer", 10)
        time.sleep(1.0)
        cancel = desk.cancel_emergency("hub-test", [commune.slug])
        wait_for(lambda: desk.answers(cancel.command_id).get(commune.slug), "the cancel's answer", 10)
        refused = wait_for(lambda: desk.answers(sent.command_id).get(refusing.slug), "the refusal", 10)
        assert desk.answers(sent.command_id).keys() == {commune.slug, refusing.slug}  # --to left the other alone
    assert answered["ok"] is True, rig.logs()
    assert answered["heard_at"] is not None
    heard = heard_at(got[0])
    assert heard is not None, rig.logs()
    assert heard - sent_at < 2.0
    assert other.slug not in sent.stations
    assert refused["ok"] is False
    assert "upstream_emergency_allowed" in refused["reason"]
    rows = json.loads(rig.run("log", "--json", env=commune.env, data_dir=commune.folder))
    emergency = [r for r in rows if r.get("priority") == "emergency"]
    assert emergency, rows
    assert {r["operator"] for r in emergency} == {f"Tuyến trên «{HUB_ID}»"}
    assert json.loads(rig.run("log", "--json", env=refusing.env, data_dir=refusing.folder)) == []


@pytest.mark.realtime
def test_a_recorded_bulletin_from_the_hub_is_fetched_and_heard_within_2_s(rig: HubRig, tmp_path: Path) -> None:
    commune, *_ = _communes(rig)
    bulletin = tone(tmp_path / "ban-tin-tinh.wav", 660, 3.0)
    with rig.container() as hub, Recorder(rig.pulse, sink=commune.sink).record() as got:
        desk = HubDesk(hub)
        sent_at = time.time()
        sent = desk.send_emergency("hub-test", None, [commune.slug], audio=bulletin)
        answered = wait_for(lambda: desk.answers(sent.command_id).get(commune.slug), "the station's answer", 10)
        time.sleep(1.0)
        cancel = desk.cancel_emergency("hub-test", [commune.slug])
        wait_for(lambda: desk.answers(cancel.command_id).get(commune.slug), "the cancel's answer", 10)
    assert answered["ok"] is True, rig.logs()
    heard = heard_at(got[0])
    assert heard is not None, rig.logs()
    assert heard - sent_at < 2.0
    fetched = list((commune.folder / "upstream" / "files").glob("*.wav"))
    assert [p.read_bytes() for p in fetched] == [bulletin.read_bytes()]


def test_a_forged_package_notice_and_emergency_are_refused_by_both(rig: HubRig) -> None:
    forger = PrivateKey.generate("Kẻ giả mạo")
    with rig.container() as hub:
        username, password = hub.fleet.station_login()
        link = MqttLink(
            client_id=f"forger-{secrets.token_hex(3)}", host="127.0.0.1", port=hub.settings.hub_broker_port,
            username=username, password=password, ca_pem=broker_ca(hub), clean_start=True,
        )  # fmt: skip
        seq = hub.fleet.next_seq() + 100
    now = datetime.now(UTC)
    notice = PackageNotice("pkg-forged", "ab" * 32, 10, "gia.ttpkg")
    command = Command("em-forged", Action.EMERGENCY, title="Giả")
    forged = [
        Envelope(Kind.PACKAGE, HUB_ID, seq, now, notice.to_dict()).signed(forger.sign),
        Envelope(Kind.COMMAND, HUB_ID, seq + 1, now, {**command.to_dict(), "text": "Tin giả"}).signed(forger.sign),
    ]
    link.start()
    try:
        assert link.wait_connected(10)
        for commune in rig.communes.values():
            for envelope in forged:
                assert link.publish(zone_topic(HUB_ID, commune.slug, "command"), envelope.encode(), timeout=5)
    finally:
        link.close()

    def refused() -> bool:
        return all("tin giả mạo" in (s["health"] or {}).get("refused", "") for s in rig.stations().values())

    wait_for(refused, "both stations to report the forgery", 20, every=0.5)
    for commune in rig.communes.values():
        assert "em-forged" not in commune.log()
        assert "từ chối tin của tuyến trên" in commune.log()


def test_a_stopped_station_shows_offline_at_the_hub_with_its_last_figures(rig: HubRig) -> None:
    *_, leaving = _communes(rig)
    assert rig.stations()[leaving.slug]["online"] is True
    assert leaving.daemon is not None
    leaving.daemon.terminate()
    assert leaving.daemon.wait(timeout=20) == 0
    wait_for(lambda: not rig.stations()[leaving.slug]["online"], "the station offline", 20, every=0.5)
    after = rig.stations()[leaving.slug]
    assert after["health"]["online"] is False
    assert after["health"]["free_disk_bytes"] > 0  # the last figures kept (the goodbye itself carries none)
    assert after["last_seen"] is not None
    assert "○ mất kết nối  Xã Đồng Tâm" in rig.run("hub", "stations")
    assert all(s["online"] for slug, s in rig.stations().items() if slug != leaving.slug)
