"""Issue 18, the transport: the broker's accounts and ACLs as a real mosquitto enforces them, :class:`MqttLink`
(last will, retained messages, persistent sessions, reconnection) and the station's file server."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from tests.fleet.mosquitto import HOSTNAMES, STATION, Mosquitto, make_accounts
from truyenthanh.adapters.broker import acl_text, hash_password, receiver_account, write_broker_config
from truyenthanh.adapters.fleet_http import FleetFileServer, parse_range
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.domain.fleet import receiver_topic, zone_topic
from truyenthanh.errors import FleetError

WAIT = 10.0
"""Seconds a test waits for something that normally takes milliseconds."""


class Inbox:
    """Messages a handler received, with a way to wait for one."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self._arrived = threading.Condition()

    def __call__(self, topic: str, payload: bytes) -> None:
        with self._arrived:
            self.messages.append((topic, payload))
            self._arrived.notify_all()

    def wait_for(self, topic: str, payload: bytes | None = None, timeout: float = WAIT) -> bool:
        """Whether ``topic`` (with ``payload`` if given) arrives within ``timeout`` seconds."""

        def seen() -> bool:
            return any(t == topic and (payload is None or p == payload) for t, p in self.messages)

        with self._arrived:
            return self._arrived.wait_for(seen, timeout)

    def topics(self) -> set[str]:
        """Every topic received so far."""
        with self._arrived:
            return {t for t, _p in self.messages}


@pytest.fixture
def links(broker: Mosquitto) -> Iterator[Callable[..., MqttLink]]:
    """Make started links to the broker (``make(username, **kwargs)``); all closed at teardown."""
    made: list[MqttLink] = []

    def make(username: str, *, client_id: str | None = None, start: bool = True, **kwargs: Any) -> MqttLink:
        link = MqttLink(
            client_id=client_id or username,
            host="localhost",
            port=broker.port,
            username=username,
            password=kwargs.pop("password", None) or broker.login(username),
            ca_pem=broker.ca_pem,
            **kwargs,
        )
        made.append(link)
        if start:
            link.start()
            assert link.wait_connected(WAIT), broker.log_text()
        return link

    yield make
    for link in made:
        link.close()


def until_heard(publisher: MqttLink, topic: str, inbox: Inbox, label: str = "probe") -> None:
    """Publish probes to ``topic`` until ``inbox`` hears one: the subscriber's subscription is in force."""
    deadline = time.monotonic() + WAIT
    for n in range(10_000):
        payload = f"{label}-{n}".encode()
        publisher.publish(topic, payload, timeout=WAIT)
        if inbox.wait_for(topic, payload, timeout=0.2):
            return
        assert time.monotonic() < deadline, f"no subscription to {topic} in force after {WAIT} s"


def connect_code(broker: Mosquitto, username: str, password: str) -> int:
    """The CONNACK return code mosquitto gives ``username``/``password`` (0 accepted; 4 bad login; 5 refused)."""
    codes: list[int] = []
    done = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="probe", protocol=MQTTProtocolVersion.MQTTv311)
    client.username_pw_set(username, password)
    client.tls_set(ca_certs=str(broker.folder / "ca.pem"))

    def on_connect(_c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        codes.append(reason.value)
        done.set()

    client.on_connect = on_connect
    client.connect("localhost", broker.port)
    client.loop_start()
    try:
        assert done.wait(WAIT)
    finally:
        client.disconnect()
        client.loop_stop()
    return codes[0]


def test_mosquitto_accepts_our_password_hashes_and_refuses_wrong_or_unknown_logins(broker: Mosquitto) -> None:
    assert connect_code(broker, "loa-a", broker.login("loa-a")) == 0
    assert connect_code(broker, broker.station_user, broker.login(broker.station_user)) == 0
    assert connect_code(broker, "loa-a", "sai-mat-khau") != 0
    assert connect_code(broker, "loa-a", broker.login("loa-b")) != 0
    assert connect_code(broker, "ke-la", "bat-ky") != 0


def test_hash_password_matches_mosquitto_passwd_format() -> None:
    line = hash_password("mật khẩu")
    _, seven, iterations, salt, digest = line.split("$")
    assert (seven, iterations) == ("7", "101")
    raw_salt = base64.b64decode(salt)
    assert len(raw_salt) == 12
    expected = hashlib.pbkdf2_hmac("sha512", "mật khẩu".encode(), raw_salt, 101)
    assert base64.b64decode(digest) == expected
    assert hash_password("mật khẩu") != line  # a fresh salt every time


def test_acl_lets_a_receiver_read_only_its_zone_and_write_only_its_own_topics(
    broker: Mosquitto, links: Callable[..., MqttLink]
) -> None:
    station = links(broker.station_user)
    heard_by_station = Inbox()
    station.subscribe(f"tt/{STATION}/#", heard_by_station)
    own_a, other_b = zone_topic(STATION, "thon-a", "schedule"), zone_topic(STATION, "thon-b", "schedule")
    assert station.publish(other_b, b"lich-b", retain=True, timeout=WAIT)
    assert station.publish(own_a, b"lich-a", retain=True, timeout=WAIT)
    assert station.publish(receiver_topic(STATION, "loa-b", "inbox"), b"cho-b", retain=True, timeout=WAIT)

    receiver = links("loa-a")
    heard_by_a = Inbox()
    receiver.subscribe(other_b, heard_by_a)
    receiver.subscribe(receiver_topic(STATION, "loa-b", "inbox"), heard_by_a)
    receiver.subscribe(own_a, heard_by_a)
    assert heard_by_a.wait_for(own_a, b"lich-a")

    forged = [
        zone_topic(STATION, "thon-a", "command"),
        receiver_topic(STATION, "loa-b", "status"),
        receiver_topic(STATION, "loa-a", "inbox"),
        f"tt/{STATION}/khac",
    ]
    for topic in forged:
        receiver.publish(topic, b"gia-mao", timeout=WAIT)
    marker = receiver_topic(STATION, "loa-a", "status")
    assert receiver.publish(marker, b"online", timeout=WAIT)
    assert heard_by_station.wait_for(marker, b"online")
    time.sleep(0.3)  # anything the broker let through would have arrived before the marker, or just after it
    assert not (heard_by_station.topics() & set(forged)), heard_by_station.messages
    assert heard_by_a.topics() == {own_a}


def test_a_failed_write_leaves_the_previous_configuration_whole(tmp_path: Path) -> None:
    folder = tmp_path / "broker"
    accounts, _passwords = make_accounts([("loa-a", "thon-a")])
    write_broker_config(folder, port=1883, bind="127.0.0.1", hostnames=HOSTNAMES, accounts=accounts)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (folder / ".acl.tmp").mkdir()  # the ACL cannot be written
    more, _p = make_accounts([("loa-a", "thon-a"), ("loa-b", "thon-b")])
    with pytest.raises(FleetError, match="Không ghi được cấu hình máy chủ MQTT"):
        write_broker_config(folder, port=1884, bind="127.0.0.1", hostnames=HOSTNAMES, accounts=more)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == before
    assert oct((folder / "passwd").stat().st_mode & 0o777) == "0o600"


def test_bad_accounts_are_refused_naming_the_field(tmp_path: Path) -> None:
    good = receiver_account("xa", "loa-a", "thon-a", hash_password("x"))
    cases = [
        ([good, good], "username"),
        ([receiver_account("xa", "loa a", "thon-a", hash_password("x"))], "username"),
        ([receiver_account("xa", "loa-a", "thon-a", "plain")], "password"),
    ]
    for accounts, field in cases:
        with pytest.raises(FleetError) as caught:
            write_broker_config(tmp_path, port=1, bind="127.0.0.1", hostnames=HOSTNAMES, accounts=accounts)
        assert caught.value.field == field
    with pytest.raises(FleetError) as caught:
        write_broker_config(tmp_path, port=1, bind="127.0.0.1", hostnames=[], accounts=[good])
    assert caught.value.field == "hostnames"
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_configured_folder_can_be_run_again(broker: Mosquitto) -> None:
    broker.stop()
    again = Mosquitto.existing(broker.folder, {"loa-a": broker.login("loa-a")})
    assert again.port == broker.port
    again.start()
    try:
        assert connect_code(again, "loa-a", again.login("loa-a")) == 0
    finally:
        again.kill()


def test_acl_file_has_one_user_block_per_account() -> None:
    account = receiver_account("xa", "loa-a", "thon-a", hash_password("x"))
    text = acl_text([account])
    assert text.splitlines() == [
        "user loa-a",
        "topic read tt/xa/zone/thon-a/#",
        "topic read tt/xa/receiver/loa-a/inbox",
        "topic write tt/xa/receiver/loa-a/status",
        "topic write tt/xa/receiver/loa-a/played",
        "topic write tt/xa/receiver/loa-a/ack",
    ]


WILL_CHILD = textwrap.dedent(
    """
    import sys, time
    from truyenthanh.adapters.mqtt import MqttLink
    port, password, ca, topic = sys.argv[1], sys.argv[2], open(sys.argv[3]).read(), sys.argv[4]
    link = MqttLink(client_id="loa-a", host="localhost", port=int(port), username="loa-a", password=password,
                    ca_pem=ca, will=(topic, b"offline", True))
    link.start()
    assert link.wait_connected(10)
    assert link.publish(topic, b"online", retain=True, timeout=10)
    print("up", flush=True)
    time.sleep(60)
    """
)


def test_the_last_will_is_published_when_a_receiver_dies(broker: Mosquitto, links: Callable[..., MqttLink]) -> None:
    status = receiver_topic(STATION, "loa-a", "status")
    station = links(broker.station_user)
    inbox = Inbox()
    station.subscribe(status, inbox)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WILL_CHILD,
            str(broker.port),
            broker.login("loa-a"),
            str(broker.folder / "ca.pem"),
            status,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "up"
        assert inbox.wait_for(status, b"online")
        os.kill(child.pid, signal.SIGKILL)
        assert inbox.wait_for(status, b"offline")
    finally:
        child.kill()
        child.wait()
    late = Inbox()
    links(broker.station_user, client_id="station-2").subscribe(status, late)
    assert late.wait_for(status, b"offline")  # retained: a station that starts later sees it too


def test_a_retained_schedule_reaches_a_receiver_that_subscribes_later(
    broker: Mosquitto, links: Callable[..., MqttLink]
) -> None:
    topic = zone_topic(STATION, "thon-a", "schedule")
    assert links(broker.station_user).publish(topic, b"lich-tuan", retain=True, timeout=WAIT)
    inbox = Inbox()
    links("loa-c").subscribe(topic, inbox)
    assert inbox.wait_for(topic, b"lich-tuan")


def test_qos1_messages_wait_at_the_broker_for_an_offline_persistent_session(
    broker: Mosquitto, links: Callable[..., MqttLink]
) -> None:
    played = receiver_topic(STATION, "loa-a", "played")
    first = links(broker.station_user, client_id="station")
    heard_before = Inbox()
    first.subscribe(played, heard_before)
    until_heard(first, played, heard_before)
    first.close()
    receiver = links("loa-a")
    for n in range(3):
        assert receiver.publish(played, f"ban-ghi-{n}".encode(), timeout=WAIT)
    inbox = Inbox()
    again = links(broker.station_user, client_id="station", start=False)
    again.subscribe(played, inbox)
    again.start()
    for n in range(3):
        assert inbox.wait_for(played, f"ban-ghi-{n}".encode())
    assert len(inbox.messages) == 3


def test_a_link_reconnects_and_resubscribes_after_the_broker_is_killed(
    broker: Mosquitto, links: Callable[..., MqttLink]
) -> None:
    changes: list[bool] = []
    inbox = Inbox()
    receiver = links("loa-a", on_connection=changes.append, clean_start=True)
    command = zone_topic(STATION, "thon-a", "command")
    receiver.subscribe(command, inbox)
    station = links(broker.station_user)
    until_heard(station, command, inbox, "truoc")

    broker.kill()
    deadline = time.monotonic() + WAIT
    while receiver.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not receiver.connected
    assert not station.publish(command, b"khi-mat", retain=True, timeout=0.2)  # queued in the station
    broker.start()
    assert receiver.wait_connected(15) and station.wait_connected(15)
    assert inbox.wait_for(command, b"khi-mat", timeout=15)  # resent by the station, retained for the receiver
    until_heard(station, command, inbox, "sau")
    assert changes[:3] == [True, False, True]


def test_an_error_in_a_handler_does_not_stop_the_link(broker: Mosquitto, links: Callable[..., MqttLink]) -> None:
    topic, other = zone_topic(STATION, "thon-a", "command"), zone_topic(STATION, "thon-a", "schedule")
    receiver = links("loa-a")
    calls: list[bytes] = []

    def broken(_topic: str, payload: bytes) -> None:
        calls.append(payload)
        raise RuntimeError("hỏng")

    receiver.subscribe(topic, broken)
    inbox = Inbox()
    receiver.subscribe(other, inbox)
    station = links(broker.station_user)
    until_heard(station, other, inbox)  # both subscriptions are in force (made in order on one connection)
    assert station.publish(topic, b"x", timeout=WAIT)
    assert station.publish(other, b"y", timeout=WAIT)
    assert inbox.wait_for(other, b"y")
    assert calls == [b"x"]
    assert receiver.connected


def refused_with(broker: Mosquitto, host: str, ca_pem: str) -> bool:
    """Whether a link to ``host`` trusting ``ca_pem`` stays unconnected."""
    link = MqttLink(
        client_id="loa-a", host=host, port=broker.port, username="loa-a", password=broker.login("loa-a"), ca_pem=ca_pem
    )
    link.start()
    try:
        return not link.wait_connected(1.5)
    finally:
        link.close()


def test_the_broker_certificate_must_come_from_the_given_authority(broker: Mosquitto) -> None:
    stranger = Mosquitto(broker.folder.parent / "khac", *make_accounts([]))  # another authority, never started
    assert refused_with(broker, "localhost", stranger.ca_pem)


def test_the_broker_certificate_must_name_the_host_and_the_authority_is_kept(broker: Mosquitto) -> None:
    accounts, passwords = make_accounts([("loa-a", "thon-a")])
    broker.stop()
    write_broker_config(
        broker.folder, port=broker.port, bind=broker.host, hostnames=["tram.example"], accounts=accounts
    )
    broker.set_passwords(passwords)
    assert (broker.folder / "ca.pem").read_text() == broker.ca_pem  # receivers' copies stay valid
    broker.start(wait_tls=False)
    assert refused_with(broker, "127.0.0.1", broker.ca_pem)
    write_broker_config(broker.folder, port=broker.port, bind=broker.host, hostnames=HOSTNAMES, accounts=accounts)
    broker.stop()
    broker.start()
    assert not refused_with(broker, "127.0.0.1", broker.ca_pem)


def test_reload_applies_a_new_account_without_a_restart(broker: Mosquitto) -> None:
    accounts, passwords = make_accounts([("loa-a", "thon-a"), ("loa-moi", "thon-b")])
    broker.set_accounts(accounts, passwords)
    assert broker.reload()
    deadline = time.monotonic() + WAIT
    while connect_code(broker, "loa-moi", passwords["loa-moi"]) != 0:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert connect_code(broker, "loa-b", "whatever") != 0


# ------------------------------------------------------------------------------------------ file server


@pytest.fixture
def files(tmp_path: Path) -> Iterator[tuple[FleetFileServer, bytes, str]]:
    """A file server over one 200 KB file; yields the server, the file's bytes and its sha256."""
    data = os.urandom(200_000)
    digest = hashlib.sha256(data).hexdigest()
    path = tmp_path / "ban-tin.ogg"
    path.write_bytes(data)

    def enrol(code: str, name: str) -> dict[str, Any]:
        if code != "123456":
            raise FleetError("Mã đăng ký sai hoặc đã hết hạn.", field="code")
        return {"receiver": name, "ok": True}

    server = FleetFileServer(
        "127.0.0.1",
        0,
        lookup=lambda sha: path if sha == digest else None,
        enrol=enrol,
        now=lambda: datetime(2026, 12, 7, 6, 0, 0, 123000, tzinfo=UTC),
    )
    server.start()
    yield server, data, digest
    server.close()


def request(
    server: FleetFileServer, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request: status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_files_are_served_whole_and_by_range(files: tuple[FleetFileServer, bytes, str]) -> None:
    server, data, digest = files
    status, headers, body = request(server, "GET", f"/files/{digest}")
    assert (status, body, headers["ETag"]) == (200, data, f'"{digest}"')
    status, headers, body = request(server, "GET", f"/files/{digest}", {"Range": "bytes=70000-"})
    assert (status, body, headers["Content-Range"]) == (206, data[70000:], f"bytes 70000-199999/{len(data)}")
    status, _h, body = request(server, "GET", f"/files/{digest}", {"Range": "bytes=10-19"})
    assert (status, body) == (206, data[10:20])
    status, _h, body = request(server, "GET", f"/files/{digest}", {"Range": "bytes=-5"})
    assert (status, body) == (206, data[-5:])
    resumed = data[:70000] + request(server, "GET", f"/files/{digest}", {"Range": "bytes=70000-"})[2]
    assert hashlib.sha256(resumed).hexdigest() == digest


def test_unsatisfiable_ranges_unknown_files_and_path_tricks(files: tuple[FleetFileServer, bytes, str]) -> None:
    server, data, digest = files
    status, headers, _b = request(server, "GET", f"/files/{digest}", {"Range": f"bytes={len(data)}-"})
    assert (status, headers["Content-Range"]) == (416, f"bytes */{len(data)}")
    assert request(server, "GET", f"/files/{'0' * 64}")[0] == 404
    assert request(server, "GET", "/files/../../etc/passwd")[0] == 404
    assert request(server, "GET", f"/files/{digest.upper()}")[0] == 404
    assert request(server, "GET", "/khac")[0] == 404


def test_head_gives_size_and_etag_without_a_body(files: tuple[FleetFileServer, bytes, str]) -> None:
    server, data, digest = files
    status, headers, body = request(server, "HEAD", f"/files/{digest}")
    assert (status, headers["Content-Length"], headers["ETag"], body) == (200, str(len(data)), f'"{digest}"', b"")


def test_time_gives_the_station_clock(files: tuple[FleetFileServer, bytes, str]) -> None:
    status, _h, body = request(files[0], "GET", "/time")
    assert (status, json.loads(body)) == (200, {"now": "2026-12-07T06:00:00.123+00:00"})


def test_enrol_answers_or_refuses_in_vietnamese(files: tuple[FleetFileServer, bytes, str]) -> None:
    server = files[0]
    ok = json.dumps({"code": "123456", "name": "Loa Thôn Đông"}).encode()
    status, _h, body = request(server, "POST", "/enrol", {"Content-Type": "application/json"}, ok)
    assert (status, json.loads(body)) == (200, {"receiver": "Loa Thôn Đông", "ok": True})
    wrong = json.dumps({"code": "000000", "name": "x"}).encode()
    status, _h, body = request(server, "POST", "/enrol", {"Content-Type": "application/json"}, wrong)
    assert (status, json.loads(body)["error"]) == (403, "Mã đăng ký sai hoặc đã hết hạn.")
    assert request(server, "POST", "/enrol", {}, b"not json")[0] == 400
    assert request(server, "POST", "/enrol", {}, b"{" + b" " * 5000 + b"}")[0] == 400


def test_parse_range() -> None:
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=5-100", 10) == (5, 9)
    assert parse_range("bytes=-100", 10) == (0, 9)
    for bad in ("bytes=10-", "bytes=5-4", "bytes=-0", "bytes=-", "items=0-1", "bytes=0-1,3-4"):
        with pytest.raises(ValueError):
            parse_range(bad, 10)


def test_a_handler_may_publish_and_close_ends_a_wait(broker: Mosquitto, links: Callable[..., MqttLink]) -> None:
    command, ack = zone_topic(STATION, "thon-a", "command"), receiver_topic(STATION, "loa-a", "ack")
    receiver = links("loa-a")
    answers: list[bool] = []
    receiver.subscribe(command, lambda _t, payload: answers.append(receiver.publish(ack, b"da-nhan-" + payload)))
    station = links(broker.station_user)
    acks = Inbox()
    station.subscribe(ack, acks)
    deadline = time.monotonic() + WAIT
    n = 0
    while not acks.messages:  # the first commands may beat the receiver's subscription
        assert time.monotonic() < deadline
        station.publish(command, str(n).encode(), timeout=WAIT)
        n += 1
        time.sleep(0.1)
    assert answers and not any(answers)  # on the network thread: queued, never waited for (no deadlock)
    assert receiver.connected

    broker.kill()
    while receiver.connected:
        assert time.monotonic() < deadline + WAIT
        time.sleep(0.05)
    results: list[bool] = []
    waiter = threading.Thread(target=lambda: results.append(receiver.publish(ack, b"cho", timeout=None)))
    waiter.start()
    time.sleep(0.3)
    assert waiter.is_alive()  # waiting for an acknowledgement that cannot come
    receiver.close()
    waiter.join(timeout=WAIT)
    assert results == [False]
