"""Issue 19, "one machine is not the limit": two ``hub run`` processes on one PostgreSQL database and one broker,
every part a real process (a private PostgreSQL, a private mosquitto, two hub processes sharing the file server's
port, two station daemons on their own null sinks). One hub process is killed (-9) and the stations are still
served by the other: enrolment, a package (its file served from the database), an emergency; health, answers and
broadcast-log rows are stored once although both processes hear every report."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.fleet.mosquitto import Mosquitto
from tests.hub.rig import HUB_ID, HUB_NAME, Commune, HubRig
from tests.hub.test_hub import _programme_file
from tests.integration.fleet_rig import wait_for
from tests.integration.test_cli import write_role_settings
from tests.pulse import PulseServer
from tests.streams import free_port

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class TwoHubs(HubRig):
    """A :class:`HubRig` whose hub keeps its data in PostgreSQL and runs as two processes, ``may-a`` and ``may-b``
    (``hub_instance``), on one database, one broker and one shared file-server port."""

    processes: dict[str, subprocess.Popen[str]]

    def start_instance(self, instance: str) -> None:
        """``truyenthanh hub run`` as ``instance``, waited for until it is connected to the broker."""
        path = self.folder / f"hub-{instance}.log"
        log = open(path, "a", encoding="utf-8")  # noqa: SIM115
        self._logs.append(log)
        start = path.stat().st_size
        self.processes[instance] = subprocess.Popen(
            [sys.executable, "-m", "truyenthanh", "hub", "--data-dir", str(self.folder), "run"],
            env={**self.env, "TRUYENTHANH_HUB_INSTANCE": instance}, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        process = self.processes[instance]

        def ready() -> bool:
            assert process.poll() is None, path.read_text(errors="replace")
            return "MQTT connected" in path.read_text(errors="replace")[start:]

        wait_for(ready, f"hub process {instance}", 30)

    def kill(self, instance: str) -> None:
        """Kill ``instance`` with SIGKILL (no goodbye, no cleanup)."""
        process = self.processes[instance]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def logs(self) -> str:
        """Every process's log, for an assertion's message."""
        parts = [
            f"--- hub {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.folder.glob("hub-*.log"))
        ]
        return "\n".join(parts + [f"--- {c.slug}\n{c.log()[-3000:]}" for c in self.communes.values()])

    def close(self) -> None:
        """Stop the hub processes too."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
                process.wait(20)
        super().close()


def two_hubs(root: Path, pulse: PulseServer, database_url: str) -> TwoHubs:
    """The hub in ``root/hub`` with its database at ``database_url``: init, broker configured and started, both
    hub processes running."""
    broker_port, http_port = free_port(), free_port()
    env = {k: v for k, v in pulse.env.items() if not k.startswith("TRUYENTHANH_")}
    env.update(
        TRUYENTHANH_OUTPUT="device", TRUYENTHANH_TTS_ENGINE="espeak", TRUYENTHANH_SINGLE_OPERATOR="true",
        TRUYENTHANH_SINGLE_OPERATOR_NAME="Lê Thị Hoa", TRUYENTHANH_HUB_ID=HUB_ID,
        TRUYENTHANH_HUB_BROKER_HOST="127.0.0.1", TRUYENTHANH_HUB_BROKER_PORT=str(broker_port),
        TRUYENTHANH_HUB_PUBLIC_HOST="127.0.0.1", TRUYENTHANH_HUB_HTTP_HOST="127.0.0.1",
        TRUYENTHANH_HUB_HTTP_PORT=str(http_port), TRUYENTHANH_UPSTREAM_STATUS_S="2",
    )  # fmt: skip
    rig = TwoHubs(root, env, pulse)
    rig.processes = {}
    write_role_settings(rig.folder, env)
    with (rig.folder / "truyenthanh.toml").open("a", encoding="utf-8") as config:  # the hub's only: not the stations'
        config.write(f"database_url = {json.dumps(database_url)}\n")
    rig.run("hub", "init", "--name", HUB_NAME)
    rig.run("hub", "broker", "config", "--port", str(broker_port), "--bind", "127.0.0.1", "--host", "127.0.0.1")
    rig.broker = Mosquitto.existing(rig.folder / "broker", station=HUB_ID)
    rig.broker.start()
    rig.start_instance("may-a")
    rig.start_instance("may-b")
    return rig


@pytest.fixture
def rig(tmp_path: Path, pulse: PulseServer, pg_url: str) -> Iterator[TwoHubs]:
    """Two hub processes on ``pg_url``; no stations yet."""
    built = two_hubs(tmp_path, pulse, pg_url)
    try:
        yield built
    finally:
        built.close()


def _answers(rig: TwoHubs, ident: str, count: int) -> dict[str, Any]:
    def got() -> dict[str, Any] | None:
        found: dict[str, Any] = json.loads(rig.run("hub", "answers", ident))
        return found if len(found) >= count else None

    result: dict[str, Any] = wait_for(got, f"{count} answers to {ident}\n{rig.logs()}", 40, every=0.5)
    return result


def _enrol(rig: TwoHubs, code: str, name: str) -> tuple[int, dict[str, Any]]:
    port = rig.env["TRUYENTHANH_HUB_HTTP_PORT"]
    body = json.dumps({"code": code, "name": name}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/enrol", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_two_hub_processes_serve_the_stations_when_one_is_killed(rig: TwoHubs, tmp_path: Path) -> None:
    first = rig.add_commune("Xã Tân Lập", TRUYENTHANH_SIGNED_PACKAGES_PREAPPROVED="true")  # through either process
    rig.start_daemon(first)
    rig.kill("may-a")
    second = rig.add_commune("Xã Minh Đài")  # enrolled through may-b: may-a is dead
    rig.start_daemon(second)
    wait_for(lambda: all(s["online"] for s in rig.stations().values()), "both stations online", 30, every=0.5)

    package = tmp_path / "tin-tinh.ttpkg"
    airs_at = (datetime.now(ZONE) + timedelta(hours=2)).replace(second=0, microsecond=0)
    rig.run("package", "build", str(_programme_file(tmp_path, airs_at)), "-o", str(package))
    rig.run("package", "sign", str(package))
    sent = rig.run("hub", "send", "package", str(package))
    ident = sent.split("(mã ")[1].rstrip(").\n")
    answers = _answers(rig, ident, 2)  # both fetched the package from may-b, which serves it from the database
    assert answers[first.slug]["reason"].startswith("applied:"), rig.logs()
    assert answers[second.slug]["reason"].startswith("waiting:"), rig.logs()

    sent = rig.run("hub", "emergency", "Bão số 9 sắp đổ bộ, mọi người vào nơi an toàn.")
    emergency = sent.split("(mã ")[1].rstrip(").\n")
    heard = _answers(rig, emergency, 2)
    assert all(a["ok"] and a["heard_at"] for a in heard.values()), heard
    rig.run("hub", "emergency", "cancel")

    rig.start_instance("may-a")  # back, with the reports queued for it at the broker while it was away
    rig.kill("may-b")
    issued = json.loads(rig.run("hub", "station", "enroll", "Xã Tân Lập", "--json"))
    status, enrolment = _enrol(rig, issued["code"], "Máy thử")  # through may-a: may-b is dead
    assert status == 200 and enrolment["station"] == HUB_ID, enrolment
    status, refused = _enrol(rig, issued["code"], "Máy thử lần hai")
    assert status == 403 and refused["field"] == "code"

    with rig.container() as hub:

        def logs_held() -> bool:
            with hub.store.transaction() as uow:
                held = uow.hub_log.counts()
            return all(held.get(c.slug, 0) >= len(_log_ids(c)) > 0 for c in (first, second))

        wait_for(logs_held, f"both stations' logs at the hub\n{rig.logs()}", 40, every=0.5)
        with hub.db.engine.connect() as connection:
            rows = connection.execute(text("SELECT station_slug, row_id FROM hub_log")).all()
            receivers = connection.execute(text("SELECT slug FROM receiver ORDER BY slug")).scalars().all()
            files = connection.execute(text("SELECT count(*) FROM hub_file")).scalar()
    for commune in (first, second):  # each row once, none lost
        held = sorted(row_id for slug, row_id in rows if slug == commune.slug)
        assert held == _log_ids(commune), rig.logs()
    assert sorted(receivers) == sorted([first.slug, second.slug, enrolment["receiver"]])
    assert files == 1
    assert not (rig.folder / "hub" / "files").exists()  # nothing kept on this machine's disk
    stations = rig.stations()
    assert stations[first.slug]["online"] and stations[second.slug]["online"]
    assert rig.broker is not None
    broker_log = rig.broker.log_text()
    assert "as hub-tinh-thu-run-may-a " in broker_log and "as hub-tinh-thu-run-may-b " in broker_log
    assert "already connected" not in broker_log  # two client ids: neither process pushed the other off


def _log_ids(commune: Commune) -> list[int]:
    """The row ids of the station's own broadcast log (its SQLite file, read only)."""
    with sqlite3.connect(f"file:{commune.folder / 'station.db'}?mode=ro", uri=True) as connection:
        return [row_id for (row_id,) in connection.execute("SELECT id FROM broadcast_log ORDER BY id")]
