"""The fleet service's broker port over Mosquitto's files in ``<data_dir>/broker/`` (see
:class:`truyenthanh.services.fleet.BrokerPort` for the contract; :mod:`truyenthanh.adapters.broker` writes the
configuration itself).

Besides Mosquitto's own files, the folder holds two of ours, both mode 0600:

- ``station.json``: the station daemon's broker login (``username``, ``password``, ``password_hash``), made
  once with a random password;
- ``listener.json``: the listener ``broker config`` last wrote (``port``, ``bind``, ``hostnames``), so that an
  enrolment rewrites the configuration the same way.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from truyenthanh.adapters.broker import (
    hash_password,
    receiver_account,
    reload_broker,
    station_account,
    station_username,
    write_broker_config,
)
from truyenthanh.adapters.files import write_atomic
from truyenthanh.errors import FleetError

STATION_FILE = "station.json"
LISTENER_FILE = "listener.json"


class ReceiverAccount(Protocol):
    """A receiver's account as the service hands it (its ``BrokerReceiver``, met structurally)."""

    @property
    def username(self) -> str:
        """The receiver's slug."""
        ...

    @property
    def zone(self) -> str:
        """Its zone's slug."""
        ...

    @property
    def password_hash(self) -> str:
        """Its password's ``$7$`` hash."""
        ...


class Listener(Protocol):
    """Where the broker listens (the service's ``BrokerListener``, met structurally)."""

    @property
    def port(self) -> int:
        """TLS port."""
        ...

    @property
    def bind(self) -> str:
        """Address bound."""
        ...

    @property
    def hostnames(self) -> tuple[str, ...]:
        """Names and addresses the server certificate carries."""
        ...


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Write a JSON file whole, readable by the station's account only (from its first byte)."""
    try:
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), mode=0o600)
    except OSError as exc:
        raise FleetError(f"Không ghi được {path}: {exc.strerror or exc}.", field="broker") from exc


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise FleetError(f"Không đọc được {path}: {exc}. Hãy chạy lại «truyenthanh broker config».") from exc
    if not isinstance(data, dict):
        raise FleetError(f"Tệp {path} hỏng. Hãy xoá nó rồi chạy lại «truyenthanh broker config».")
    return data


class MosquittoBrokerFiles:
    """Mosquitto's configuration, accounts and TLS files of one station (a :class:`BrokerPort`). Not thread-safe."""

    def __init__(self, folder: Path) -> None:
        """Args:
        folder: ``<data_dir>/broker``.
        """
        self.folder = folder
        """Where the broker's files are."""

    def hash_password(self, password: str) -> str:
        """A password in Mosquitto 2's ``$7$`` form."""
        return hash_password(password)

    def station_login(self, station_id: str) -> tuple[str, str, str]:
        """The station's broker username, password and hash, from ``station.json`` (made if missing, or if it
        was made for another station id)."""
        path = self.folder / STATION_FILE
        data = _read(path)
        username = station_username(station_id)
        fields = ("username", "password", "password_hash")
        if data is None or data.get("username") != username or not all(isinstance(data.get(f), str) for f in fields):
            password = secrets.token_urlsafe(24)
            data = {"username": username, "password": password, "password_hash": hash_password(password)}
            _write_private(path, data)
        return str(data["username"]), str(data["password"]), str(data["password_hash"])

    def ca_pem(self) -> str:
        """The broker's CA certificate (PEM); empty before ``broker config``."""
        try:
            return (self.folder / "ca.pem").read_text(encoding="ascii")
        except FileNotFoundError:
            return ""
        except (OSError, ValueError) as exc:
            raise FleetError(f"Không đọc được chứng chỉ gốc {self.folder / 'ca.pem'}: {exc}.") from exc

    def configure(
        self, station_id: str, station_hash: str, receivers: Sequence[ReceiverAccount], listener: Listener
    ) -> Path:
        """Write the whole configuration with ``listener`` (``port``, ``bind``, ``hostnames``) and remember it."""
        written = self._write(
            station_id, station_hash, receivers, port=listener.port, bind=listener.bind, hostnames=listener.hostnames
        )
        data = {"port": listener.port, "bind": listener.bind, "hostnames": list(listener.hostnames)}
        _write_private(self.folder / LISTENER_FILE, data)
        reload_broker(self.folder)
        return written

    def apply(self, station_id: str, station_hash: str, receivers: Sequence[ReceiverAccount]) -> bool:
        """Rewrite the accounts with the remembered listener and reload a running broker."""
        data = _read(self.folder / LISTENER_FILE)
        if data is None:
            raise FleetError("Đài chưa cấu hình máy chủ tin nhắn: chạy «truyenthanh broker config» trước.")
        try:
            port, bind, hostnames = int(data["port"]), str(data["bind"]), [str(h) for h in data["hostnames"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise FleetError(f"Tệp {self.folder / LISTENER_FILE} hỏng: chạy lại «truyenthanh broker config».") from exc
        self._write(station_id, station_hash, receivers, port=port, bind=bind, hostnames=hostnames)
        return reload_broker(self.folder)

    def _write(
        self,
        station_id: str,
        station_hash: str,
        receivers: Sequence[ReceiverAccount],
        *,
        port: int,
        bind: str,
        hostnames: Sequence[str],
    ) -> Path:
        accounts = [station_account(station_id, station_hash)]
        accounts += [receiver_account(station_id, r.username, r.zone, r.password_hash) for r in receivers]
        return write_broker_config(self.folder, port=port, bind=bind, hostnames=hostnames, accounts=accounts)


__all__ = ["LISTENER_FILE", "STATION_FILE", "MosquittoBrokerFiles"]
