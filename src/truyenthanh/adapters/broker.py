"""The station's Mosquitto broker (issue 18): its configuration, accounts, ACLs and TLS files.

``truyenthanh broker config`` writes, in ``<data_dir>/broker/``:

- ``mosquitto.conf``: one TLS listener, no anonymous clients, persistence in the folder, ``pid_file``;
- ``passwd``: one line per account, ``username:$7$...`` (mosquitto 2.0's PBKDF2-SHA512 hashes,
  :func:`hash_password`);
- ``acl``: one ``user`` block per account: a receiver reads only its own zone's topics and inbox and writes only
  its own status, as-played records and acknowledgements; the station reads and writes everything under
  ``tt/<station>/``;
- ``ca.pem``/``ca.key``: a self-signed certificate authority, made once and kept (receivers were given it at
  enrolment); ``server.pem``/``server.key``: the broker's certificate for the station's host names, signed by it.

Every file is written to a temporary name first and renamed into place, so a failure leaves the previous
configuration whole. Mosquitto re-reads ``passwd`` and ``acl`` on SIGHUP (:func:`reload_broker`).
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import ipaddress
import logging
import os
import secrets
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from truyenthanh.domain.fleet import TOPIC_ROOT
from truyenthanh.errors import FleetError

log = logging.getLogger(__name__)

PBKDF2_ITERATIONS = 101
"""What ``mosquitto_passwd`` of mosquitto 2.0 uses."""
SALT_BYTES = 12
CA_DAYS = 20 * 365
SERVER_DAYS = 10 * 365


def hash_password(password: str) -> str:
    """The value of a ``passwd`` line for ``password``: ``$7$101$<base64 salt>$<base64 PBKDF2-HMAC-SHA512>``,
    exactly as ``mosquitto_passwd`` of mosquitto 2.0 writes it."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, PBKDF2_ITERATIONS)
    return f"$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


@dataclass(frozen=True)
class BrokerAccount:
    """One broker login: its username, its ``passwd`` hash, and the topic filters it may read and write."""

    username: str
    password_hash: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]


def station_username(station_id: str) -> str:
    """The station's own broker username (a receiver's is its slug, which never contains a dot)."""
    return f"station.{station_id}"


def station_account(station_id: str, password_hash: str) -> BrokerAccount:
    """The station daemon's account: reads and writes every topic under ``tt/<station>/``."""
    everything = f"{TOPIC_ROOT}/{station_id}/#"
    return BrokerAccount(station_username(station_id), password_hash, (everything,), (everything,))


def receiver_account(station_id: str, receiver: str, zone: str, password_hash: str) -> BrokerAccount:
    """A receiver's account (username = its slug): reads its zone's topics and its own inbox; writes its own
    status, as-played records and acknowledgements."""
    own = f"{TOPIC_ROOT}/{station_id}/receiver/{receiver}"
    return BrokerAccount(
        username=receiver,
        password_hash=password_hash,
        reads=(f"{TOPIC_ROOT}/{station_id}/zone/{zone}/#", f"{own}/inbox"),
        writes=(f"{own}/status", f"{own}/played", f"{own}/ack"),
    )


def _check_account(account: BrokerAccount) -> None:
    name = account.username
    if not name or any(ch in name for ch in ":\n\r \t#+"):
        raise FleetError(f"Tên đăng nhập máy chủ MQTT không hợp lệ: {name!r}.", field="username")
    if not account.password_hash.startswith("$7$"):
        raise FleetError(f"Mật khẩu của {name!r} chưa được băm theo kiểu $7$ của mosquitto.", field="password")
    for topic in (*account.reads, *account.writes):
        if not topic or "\n" in topic:
            raise FleetError(f"Chủ đề MQTT không hợp lệ trong quyền của {name!r}: {topic!r}.", field="topic")


def passwd_text(accounts: Sequence[BrokerAccount]) -> str:
    """The ``passwd`` file for ``accounts``."""
    return "".join(f"{a.username}:{a.password_hash}\n" for a in accounts)


def acl_text(accounts: Sequence[BrokerAccount]) -> str:
    """The ``acl`` file: one ``user`` block per account (``readwrite`` for a filter both read and written)."""
    blocks = []
    for account in accounts:
        lines = [f"user {account.username}"]
        for topic in account.reads:
            lines.append(f"topic {'readwrite' if topic in account.writes else 'read'} {topic}")
        lines.extend(f"topic write {topic}" for topic in account.writes if topic not in account.reads)
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def config_text(folder: Path, *, port: int, bind: str) -> str:
    """``mosquitto.conf`` for a broker whose files are in ``folder``."""
    folder = folder.resolve()
    try:
        # mosquitto started as root would become "mosquitto", who cannot read these 0600 files
        user = [f"user {getpass.getuser()}"]
    except (OSError, KeyError):
        user = []
    return "\n".join(
        [
            "# Written by `truyenthanh broker config`; changes here are overwritten.",
            *user,
            "per_listener_settings false",
            "allow_anonymous false",
            f"password_file {folder / 'passwd'}",
            f"acl_file {folder / 'acl'}",
            "persistence true",
            f"persistence_location {folder}{os.sep}",
            # Seconds between saves of sessions and queued messages (and at a clean stop); a broker killed
            # outright loses at most this much of what it queued for offline clients.
            "autosave_interval 10",
            "persistent_client_expiration 30d",
            f"pid_file {folder / 'mosquitto.pid'}",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "max_queued_messages 100000",
            f"listener {port} {bind}",
            f"cafile {folder / 'ca.pem'}",
            f"certfile {folder / 'server.pem'}",
            f"keyfile {folder / 'server.key'}",
            "require_certificate false",
            "",
        ]
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_or_make_ca(folder: Path) -> tuple[bytes, bytes, x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_pem, ca_key_pem = folder / "ca.pem", folder / "ca.key"
    if ca_pem.exists() and ca_key_pem.exists():
        try:
            cert = x509.load_pem_x509_certificate(ca_pem.read_bytes())
            key = serialization.load_pem_private_key(ca_key_pem.read_bytes(), password=None)
        except (ValueError, OSError) as exc:
            raise FleetError(f"Không đọc được chứng chỉ gốc của máy chủ MQTT trong {folder}: {exc}.") from exc
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise FleetError(f"Khoá của chứng chỉ gốc trong {ca_key_pem} không phải khoá EC.")
        return ca_pem.read_bytes(), ca_key_pem.read_bytes(), cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "truyenthanh broker CA")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), _pem_key(key), cert, key


def _server_cert(
    hostnames: Sequence[str], ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> tuple[bytes, bytes]:
    names: list[x509.GeneralName] = []
    for host in hostnames:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), _pem_key(key)


def write_broker_config(
    folder: Path, *, port: int, bind: str, hostnames: Sequence[str], accounts: Sequence[BrokerAccount]
) -> Path:
    """Write the broker's configuration, accounts, ACLs and TLS files in ``folder``; return ``mosquitto.conf``.

    ``hostnames`` are the names and addresses receivers use to reach the broker (addresses become IP entries of
    the certificate). An existing certificate authority is kept; the server certificate is made anew. Every
    file is written whole or not at all (the previous set stays if anything fails).

    Raises:
        FleetError: a bad username, hash or topic; no host name; a folder that cannot be written.
    """
    if not hostnames:
        raise FleetError("Cần ít nhất một tên máy hoặc địa chỉ cho chứng chỉ của máy chủ MQTT.", field="hostnames")
    names = [a.username for a in accounts]
    if len(set(names)) != len(names):
        raise FleetError("Có tên đăng nhập máy chủ MQTT bị trùng.", field="username")
    for account in accounts:
        _check_account(account)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ca_pem, ca_key, ca, key = _load_or_make_ca(folder)
        server_pem, server_key = _server_cert(hostnames, ca, key)
        files = {
            "ca.pem": ca_pem,
            "ca.key": ca_key,
            "server.pem": server_pem,
            "server.key": server_key,
            "passwd": passwd_text(accounts).encode(),
            "acl": acl_text(accounts).encode(),
            "mosquitto.conf": config_text(folder, port=port, bind=bind).encode(),
        }
        _write_all(folder, files)
    except OSError as exc:
        raise FleetError(f"Không ghi được cấu hình máy chủ MQTT vào {folder}: {exc}.", field="broker") from exc
    return folder / "mosquitto.conf"


def _write_all(folder: Path, files: dict[str, bytes]) -> None:
    temporary: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            tmp = folder / f".{name}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.append((tmp, folder / name))
    except OSError:
        for tmp, _final in temporary:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, final in temporary:
        os.replace(tmp, final)


def broker_pid(folder: Path) -> int | None:
    """The pid in ``folder/mosquitto.pid`` if that process is alive, else ``None``."""
    try:
        pid = int((folder / "mosquitto.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def reload_broker(folder: Path) -> bool:
    """Make a running broker re-read its passwd and acl files (SIGHUP); ``False`` if none runs, or on a
    platform without SIGHUP (it then reads them when next started)."""
    hangup = getattr(signal, "SIGHUP", None)
    pid = broker_pid(folder)
    if hangup is None or pid is None:
        return False
    try:
        os.kill(pid, hangup)
    except OSError as exc:
        log.warning("could not signal mosquitto (pid %s): %s", pid, exc)
        return False
    return True


__all__ = [
    "BrokerAccount",
    "acl_text",
    "broker_pid",
    "config_text",
    "hash_password",
    "passwd_text",
    "receiver_account",
    "reload_broker",
    "station_account",
    "station_username",
    "write_broker_config",
]
