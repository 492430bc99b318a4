"""The upstream office's service (the hub, issue 19): it feeds a province's stations with signed packages and
emergencies, and keeps their health.

The hub reuses the station's fleet (issue 18) whole: its own data folder is a station's, its
:class:`~truyenthanh.services.fleet.FleetService` runs with the ``hub_*`` settings in place of the ``fleet_*``
ones (:func:`hub_settings`), and each subscribed station is a receiver of it, alone in a zone named after the
station (``hub station add``, ``hub station enroll``). So enrolment codes, broker accounts and ACLs, command
records and acknowledgements are the fleet's; what is the hub's own is here:

- :class:`Hub` (``truyenthanh hub run``): the file server stations fetch packages from and enrol at, and the MQTT
  listener that stores each station's health and acknowledgements, and its broadcast log
  (:class:`~truyenthanh.hub.logs.LogIntake`);
- :class:`~truyenthanh.hub.desk.HubDesk`: sending a package, an emergency or its cancellation, and the stations'
  list (the CLI's commands, each a short MQTT session of its own).

Nothing but the database (PostgreSQL, or SQLite for a small hub) and the broker holds the hub's state: the files
it offers are in the database (table ``hub_file``), so several hub processes on one database and broker serve
the same files, enrol with the same one-time codes and store each report once (every process hears every
report; storing is idempotent). What stays in the hub's folder is configuration, copied to each hub machine:
its settings, signing key, chain key and broker login. Files a hub of an earlier version kept in
``<data_dir>/hub/files`` are imported when it starts, and served from there meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import re
import socket
from pathlib import Path

from truyenthanh.adapters.fleet_broker import MosquittoBrokerFiles
from truyenthanh.adapters.fleet_http import FleetFileServer
from truyenthanh.adapters.mqtt import MqttLink
from truyenthanh.bootstrap import Container
from truyenthanh.config import Settings
from truyenthanh.domain.fleet import receiver_topic
from truyenthanh.domain.upstream import StationHealth
from truyenthanh.errors import FleetError
from truyenthanh.hub.answers import AnswerIntake
from truyenthanh.hub.logs import LogIntake
from truyenthanh.services.unit_of_work import Store

log = logging.getLogger(__name__)

_DIGEST = re.compile(r"[0-9a-f]{64}")


def hub_settings(settings: Settings) -> Settings:
    """The hub's settings with its ``hub_*`` values in the fleet's places, for the fleet service it reuses."""
    return settings.model_copy(
        update={
            "fleet_enabled": False,
            "fleet_station_id": settings.hub_id,
            "fleet_broker_host": settings.hub_broker_host,
            "fleet_broker_port": settings.hub_broker_port,
            "fleet_public_host": settings.hub_public_host,
            "fleet_http_host": settings.hub_http_host,
            "fleet_http_port": settings.hub_http_port,
        }
    )


def files_dir(container: Container) -> Path:
    """Where a hub of an earlier version kept the files it offered, each named by its sha256 (imported into the
    database by :meth:`Hub.start`, served from here until then)."""
    return container.locations.data_dir / "hub" / "files"


class StoredFile:
    """A file held in the hub's database, served part by part (a :class:`~truyenthanh.adapters.fleet_http.FileSource`).

    Args:
        store: the hub's store.
        sha256: the file's digest.
        size: its size in bytes.
    """

    def __init__(self, store: Store, sha256: str, size: int) -> None:
        self._store = store
        self._sha256 = sha256
        self.size = size
        """The file's size in bytes."""

    def read(self, first: int, length: int) -> bytes:
        """``length`` bytes from ``first``, read by the database (one short transaction)."""
        with self._store.transaction() as uow:
            return uow.hub_files.read(self._sha256, first, length)


def stored_file(store: Store, sha256: str) -> StoredFile | None:
    """The hub's file with this digest, or ``None``."""
    with store.transaction() as uow:
        size = uow.hub_files.size(sha256)
    return None if size is None else StoredFile(store, sha256, size)


def import_files(container: Container) -> int:
    """Copy the files an earlier version kept in :func:`files_dir` into the database (those whose bytes match
    their name); how many were new. The folder is left as it was."""
    folder = files_dir(container)
    imported = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.iterdir()):
        if not _DIGEST.fullmatch(path.name) or not path.is_file():
            continue
        try:
            content = path.read_bytes()
        except OSError as exc:
            log.warning("cannot read %s to import it: %s", path, exc)
            continue
        if hashlib.sha256(content).hexdigest() != path.name:
            log.warning("%s does not hold the bytes its name says: not imported", path)
            continue
        with container.store.transaction() as uow:
            imported += uow.hub_files.put(path.name, path.name, content, at=container.clock.now())
    return imported


def broker_ca(container: Container) -> str:
    """The hub broker's CA (PEM).

    Raises:
        FleetError: ``hub broker config`` has not been run.
    """
    ca = MosquittoBrokerFiles(container.locations.data_dir / "broker").ca_pem()
    if not ca:
        raise FleetError("Tuyến trên chưa cấu hình máy chủ tin nhắn: chạy «truyenthanh hub broker config» trước.")
    return ca


def instance_name(settings: Settings) -> str:
    """This hub process's name among those sharing the hub's database and broker (``hub_instance``, else the host
    name), made safe for an MQTT client id."""
    name = settings.hub_instance or socket.gethostname()
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)[:40] or "hub"


def hub_link(container: Container, client: str) -> MqttLink:
    """An MQTT link logged in as the hub (``client`` tells its processes apart at the broker)."""
    settings = container.settings
    username, password = container.fleet.station_login()
    return MqttLink(
        client_id=f"hub-{settings.hub_id}-{client}",
        host=settings.hub_broker_host,
        port=settings.hub_broker_port,
        username=username,
        password=password,
        ca_pem=broker_ca(container),
        clean_start=not client.startswith("run-"),
    )


class Hub:
    """The running hub: file server and MQTT listener. Thread-safe as its parts are (the fleet service is).

    Args:
        container: the hub's services, built from :func:`hub_settings`.
    """

    def __init__(self, container: Container) -> None:
        self.container = container
        settings = container.settings
        self._files = files_dir(container)
        self.server = FleetFileServer(
            settings.hub_http_host,
            settings.hub_http_port,
            lookup=self._file,
            enrol=lambda code, name: container.fleet.enrol(code, name).to_dict(),
            now=container.clock.now,
            share_port=True,
        )
        self.link = hub_link(container, f"run-{instance_name(settings)}")
        self.logs = LogIntake(container, self.link)
        """The stations' broadcast logs coming in (:mod:`truyenthanh.hub.logs`)."""
        self.answers = AnswerIntake(container)
        """The stations' answers coming in, stored in batches off the link's thread (:mod:`truyenthanh.hub.answers`)."""

    def start(self) -> None:
        """Import an earlier version's files, serve files and enrolment, and listen to the stations' reports."""
        imported = import_files(self.container)
        if imported:
            log.info("imported %d files from %s into the database", imported, files_dir(self.container))
        hub = self.container.settings.hub_id
        self.link.subscribe(receiver_topic(hub, "+", "status"), self._on_status)
        self.link.subscribe(receiver_topic(hub, "+", "ack"), self.answers.received)
        self.answers.start()
        self.logs.start()
        self.server.start()
        self.link.start()

    def key_problem(self) -> str | None:
        """Why the hub cannot sign unattended with its key (Vietnamese, with what to do: its key is under a
        passphrase and ``key_passphrase_file`` is not set, or the file is wrong); ``None`` when it can."""
        return self.container.keys.signing_problem()

    def close(self) -> None:
        """Stop listening and serving."""
        self.logs.close()  # first: the batches already received are stored and answered while the link is up
        self.link.close()
        self.answers.close()
        self.server.close()

    def _file(self, sha256: str) -> StoredFile | Path | None:
        found = stored_file(self.container.store, sha256)
        if found is not None:
            return found
        path = self._files / sha256
        return path if path.is_file() else None

    def _on_status(self, topic: str, payload: bytes) -> None:
        station = topic.split("/")[3]
        try:
            health = StationHealth.decode(payload)
        except FleetError as exc:
            log.warning("unreadable health from station %s: %s", station, exc.message)
            return
        now = self.container.clock.now()
        with self.container.store.transaction() as uow:
            data = health.to_dict()
            if not health.online:  # the last will: keep the last figures, mark it offline
                previous = next((r for r in uow.fleet.receivers() if r.slug == station), None)
                if previous is not None and previous.last_status:
                    data = {**previous.last_status, "online": False}
            seen = now if health.online else min(health.at, now)
            uow.fleet.set_status(station, status=data, online=health.online, seen_at=seen)


__all__ = [
    "Hub",
    "StoredFile",
    "broker_ca",
    "files_dir",
    "hub_link",
    "hub_settings",
    "import_files",
    "instance_name",
    "stored_file",
]
