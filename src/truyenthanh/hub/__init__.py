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

Nothing but PostgreSQL (later; SQLite today) and the broker holds the hub's state, apart from the package files
in ``<data_dir>/hub/files`` that the file server serves.
"""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)


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
    """Where the hub keeps the files it offered (packages, recorded bulletins), each named by its sha256."""
    return container.locations.data_dir / "hub" / "files"


def broker_ca(container: Container) -> str:
    """The hub broker's CA (PEM).

    Raises:
        FleetError: ``hub broker config`` has not been run.
    """
    ca = MosquittoBrokerFiles(container.locations.data_dir / "broker").ca_pem()
    if not ca:
        raise FleetError("Tuyến trên chưa cấu hình máy chủ tin nhắn: chạy «truyenthanh hub broker config» trước.")
    return ca


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
        clean_start=client != "run",
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
        )
        self.link = hub_link(container, "run")
        self.logs = LogIntake(container, self.link)
        """The stations' broadcast logs coming in (:mod:`truyenthanh.hub.logs`)."""
        self.answers = AnswerIntake(container)
        """The stations' answers coming in, stored in batches off the link's thread (:mod:`truyenthanh.hub.answers`)."""

    def start(self) -> None:
        """Serve files and enrolment, and listen to the stations' reports."""
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

    def _file(self, sha256: str) -> Path | None:
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


__all__ = ["Hub", "broker_ca", "files_dir", "hub_link", "hub_settings"]
