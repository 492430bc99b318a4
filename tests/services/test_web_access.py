"""The station access password of ``truyenthanh serve``: stored hashed (0600), checked, limited per address,
audited; and the command refusing to listen on the network without one. Real SQLite file, frozen clock."""

from __future__ import annotations

import os
import ssl
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes import FrozenClock
from tests.people import ADMIN, PASSWORD
from truyenthanh import bootstrap
from truyenthanh.adapters.web import AccessPasswordFile, is_loopback, self_signed_certificate, tls_context
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role
from truyenthanh.errors import PermissionDeniedError, WorkflowError
from truyenthanh.services.web_access import WebAccessService

ACCESS = "cổng-vào-đài-xã"


@pytest.fixture
def access(container: bootstrap.Container, station_dir: Path) -> WebAccessService:
    """The service over the station's real database, its password file in ``web/``."""
    container.accounts.add(None, username=ADMIN.username, full_name=ADMIN.full_name, role=ADMIN.role, password=PASSWORD)
    return WebAccessService(
        settings=container.settings,
        store=container.store,
        clock=container.clock,
        secret=AccessPasswordFile(station_dir / "web" / "access-password"),
        accounts=container.accounts,
    )


def _actions(container: bootstrap.Container) -> list[tuple[str, str, str]]:
    return [(line.actor, line.action, line.entity_id) for line in reversed(container.audit.entries(limit=50))]


def test_the_password_is_kept_hashed_for_the_owner_only_and_audited(
    access: WebAccessService, container: bootstrap.Container, station_dir: Path
) -> None:
    assert not access.has_password()
    access.set_password(ADMIN, ACCESS)
    stored = station_dir / "web" / "access-password"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert ACCESS not in stored.read_text(encoding="ascii") and stored.read_text().startswith("scrypt$")
    assert access.has_password()
    assert access.check("192.168.1.20", ACCESS) is None
    assert _actions(container)[-2:] == [
        (ADMIN.username, "serve.password", "serve"),
        ("web", "serve.access", "192.168.1.20"),
    ]


def test_only_an_admin_sets_it_and_it_must_be_long_enough(access: WebAccessService, station_dir: Path) -> None:
    operator = Actor(username="vanhanh", full_name="Trần Thị Vận", role=Role.OPERATOR)
    with pytest.raises(PermissionDeniedError):
        access.set_password(operator, ACCESS)
    with pytest.raises(WorkflowError, match="ít nhất 8 ký tự") as short:
        access.set_password(ADMIN, "ngắn")
    assert short.value.field == "password"
    assert not (station_dir / "web" / "access-password").exists()


def test_wrong_passwords_are_limited_per_address_and_audited(
    access: WebAccessService, container: bootstrap.Container, clock: FrozenClock
) -> None:
    access.set_password(ADMIN, ACCESS)
    for _ in range(4):
        assert access.check("10.0.0.9", "đoán-bừa-mãi") == "Sai mật khẩu truy cập đài."
        clock.advance(seconds=10)
    held = access.check("10.0.0.9", "đoán-bừa-mãi")
    assert held is not None and "đã nhập sai mật khẩu 5 lần" in held
    # Held back even with the right password; another address is not.
    assert access.check("10.0.0.9", ACCESS) == held
    assert access.check("10.0.0.10", ACCESS) is None
    # Once the oldest failure is more than 5 minutes old, one more try is allowed.
    clock.advance(minutes=4, seconds=21)
    assert access.check("10.0.0.9", ACCESS) is None
    actions = [action for actor, action, where in _actions(container) if where == "10.0.0.9"]
    assert actions == ["serve.access_failed"] * 5 + ["serve.access_limited", "serve.access"]


def test_a_self_signed_certificate_serves_tls(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    self_signed_certificate(cert, key, ["192.168.1.20", "dai.tanlap.local"])
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert isinstance(tls_context(cert, key), ssl.SSLContext)
    from cryptography import x509

    names = x509.load_pem_x509_certificate(cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert "dai.tanlap.local" in names.value.get_values_for_type(x509.DNSName)


def test_loopback_addresses() -> None:
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "192.168.1.20", "::", "dai.tanlap.local"))


def test_serving_on_the_network_needs_the_access_password(container: bootstrap.Container, station_dir: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRUYENTHANH_")}
    result = subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station_dir), "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Lỗi cấu hình (--host): Mở giao diện ra mạng (0.0.0.0) cần mật khẩu truy cập")
    assert not (station_dir / "web").exists()
