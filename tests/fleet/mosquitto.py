"""A private, real mosquitto for fleet tests: its configuration written by ``adapters/broker.py`` on a free
loopback port, started, stopped, killed and restarted on the same port with the same persistence."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from tests.streams import free_port
from truyenthanh.adapters.broker import (
    BrokerAccount,
    hash_password,
    receiver_account,
    reload_broker,
    station_account,
    station_username,
    write_broker_config,
)

STATION = "xa-test"
"""The station id the fixture's accounts use."""

HOSTNAMES = ("localhost", "127.0.0.1")

MISSING = (
    "Chưa cài mosquitto: hãy chạy scripts/setup.sh. "
    "(mosquitto is not installed: run scripts/setup.sh, which installs it.)"
)


def make_accounts(
    receivers: Sequence[tuple[str, str]], station: str = STATION
) -> tuple[list[BrokerAccount], dict[str, str]]:
    """The station's account and one per ``(receiver, zone)``, with random passwords; also username → password."""
    passwords = {station_username(station): secrets.token_urlsafe(12)}
    accounts = [station_account(station, hash_password(passwords[station_username(station)]))]
    for receiver, zone in receivers:
        passwords[receiver] = secrets.token_urlsafe(12)
        accounts.append(receiver_account(station, receiver, zone, hash_password(passwords[receiver])))
    return accounts, passwords


class PortTakenError(RuntimeError):
    """The port chosen for a new broker was taken before mosquitto could bind it."""


class Mosquitto:
    """One real mosquitto process on ``host:port`` (TLS), its files in ``folder``."""

    host = "127.0.0.1"

    def __init__(
        self, folder: Path, accounts: Sequence[BrokerAccount], passwords: dict[str, str], station: str = STATION
    ) -> None:
        """Write the configuration (no process yet: see :meth:`start`)."""
        if shutil.which("mosquitto") is None:
            raise RuntimeError(MISSING)
        self.folder = folder
        self.station = station
        self.port = free_port()
        self._passwords = dict(passwords)
        self._accounts: list[BrokerAccount] | None = list(accounts)
        """Kept until the first start succeeds: a port another process took meanwhile is replaced then."""
        self.config = write_broker_config(
            folder, port=self.port, bind=self.host, hostnames=HOSTNAMES, accounts=accounts
        )
        self.ca_pem = (folder / "ca.pem").read_text()
        self._process: subprocess.Popen[bytes] | None = None
        self._log = folder / "mosquitto.log"

    @classmethod
    def existing(cls, folder: Path, passwords: dict[str, str] | None = None, station: str = STATION) -> Mosquitto:
        """A broker over a folder some other code configured (``truyenthanh broker config``): its port is read
        from ``mosquitto.conf``; :meth:`login` knows only ``passwords``. Not started."""
        self = cls.__new__(cls)
        self.folder = folder
        self.station = station
        self.config = folder / "mosquitto.conf"
        listener = next(line.split() for line in self.config.read_text().splitlines() if line.startswith("listener "))
        self.port = int(listener[1])
        self._passwords = dict(passwords or {})
        self._accounts = None
        self.ca_pem = (folder / "ca.pem").read_text()
        self._process = None
        self._log = folder / "mosquitto.log"
        return self

    def login(self, username: str) -> str:
        """The password of ``username``."""
        return self._passwords[username]

    @property
    def station_user(self) -> str:
        """The station's broker username."""
        return station_username(self.station)

    def set_accounts(self, accounts: Sequence[BrokerAccount], passwords: dict[str, str]) -> None:
        """Rewrite the configuration with other accounts (call :meth:`reload` to apply it to a running broker)."""
        self._passwords = dict(passwords)
        if self._accounts is not None:
            self._accounts = list(accounts)
        write_broker_config(self.folder, port=self.port, bind=self.host, hostnames=HOSTNAMES, accounts=accounts)

    def set_passwords(self, passwords: dict[str, str]) -> None:
        """The passwords :meth:`login` answers, after the accounts were written by another call."""
        self._passwords = dict(passwords)

    def start(self, timeout: float = 10.0, *, wait_tls: bool = True) -> None:
        """Start mosquitto (same port, same persistence) and wait until it accepts TLS connections (or, with
        ``wait_tls`` false, TCP ones: for a certificate the fixture's own check would refuse)."""
        if self.running:
            return
        for _ in range(3):
            try:
                self._start(timeout, wait_tls=wait_tls)
            except PortTakenError:
                # Between free_port() and mosquitto's bind, another test worker took the port: take a new one.
                assert self._accounts is not None
                self.port = free_port()
                write_broker_config(
                    self.folder, port=self.port, bind=self.host, hostnames=HOSTNAMES, accounts=self._accounts
                )
                continue
            self._accounts = None
            return
        raise RuntimeError(f"mosquitto found no free port in 3 tries: {self._log.read_text()}")

    def _start(self, timeout: float, *, wait_tls: bool) -> None:
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                ["mosquitto", "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        context = ssl.create_default_context(cadata=self.ca_pem)
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                if self._accounts is not None and "Address already in use" in self._log.read_text():
                    raise PortTakenError(self.port)
                raise RuntimeError(f"mosquitto exited ({self._process.returncode}): {self._log.read_text()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as raw:
                    if wait_tls:
                        context.wrap_socket(raw, server_hostname=self.host).close()
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"mosquitto did not accept TLS on {self.port} in {timeout} s: {self._log.read_text()}")

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The process id while running."""
        return self._process.pid if self._process is not None and self.running else None

    def stop(self) -> None:
        """SIGTERM: mosquitto saves its persistence and exits."""
        if self._process is not None and self.running:
            self._process.terminate()
            self._process.wait(timeout=10)
        self._process = None

    def kill(self) -> None:
        """SIGKILL: no goodbye, no save."""
        if self._process is not None and self.running:
            os.kill(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)
        self._process = None

    def reload(self) -> bool:
        """SIGHUP through :func:`reload_broker` (re-reads passwd and acl)."""
        return reload_broker(self.folder)

    def log_text(self) -> str:
        """What mosquitto wrote so far."""
        return self._log.read_text(errors="replace") if self._log.exists() else ""
