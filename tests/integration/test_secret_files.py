"""Secrets written whole-or-nothing are readable by their owner only from their first byte: the temporary file of
:func:`truyenthanh.adapters.files.write_atomic` is created with the mode asked for, and every writer of a secret
asks for 0600. Real files; the umask is opened wide (0) so only the mode given can keep others out."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from truyenthanh.adapters import files
from truyenthanh.adapters.fleet_broker import STATION_FILE, MosquittoBrokerFiles
from truyenthanh.adapters.signing import PrivateKey
from truyenthanh.adapters.web import AccessPasswordFile, self_signed_certificate


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Umask 0 for the test: a file created without an explicit mode would be readable (and writable) by all."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def partial_modes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every file flushed through ``os.fsync`` while a test runs, with its mode at that moment (the data is in it
    but it is not yet renamed into place). The real fsync still runs: this only looks."""
    seen: list[tuple[str, int]] = []
    real_fsync = os.fsync

    def looking_fsync(descriptor: int) -> None:
        info = os.fstat(descriptor)
        if stat.S_ISREG(info.st_mode):
            seen.append((os.readlink(f"/proc/self/fd/{descriptor}"), stat.S_IMODE(info.st_mode)))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", looking_fsync)
    return seen


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_a_secret_is_owner_only_while_written_and_after(tmp_path: Path, partial_modes: list[tuple[str, int]]) -> None:
    target = tmp_path / "bí-mật" / "token"
    files.write_atomic(target, b"s3cret", mode=0o600)
    assert target.read_bytes() == b"s3cret"
    assert _mode(target) == 0o600
    [(partial, mode)] = partial_modes
    assert Path(partial).name.startswith(".token.") and partial.endswith(".part") and mode == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["token"]


def test_without_a_mode_the_umask_decides_as_before(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        files.write_atomic(tmp_path / "plain.txt", b"x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "plain.txt") == 0o644


@pytest.mark.usefixtures("open_umask")
def test_a_left_over_partial_file_is_not_reused(tmp_path: Path) -> None:
    target = tmp_path / "access-password"
    stale = tmp_path / ".access-password.part"
    stale.write_bytes(b"old")
    stale.chmod(0o666)
    files.write_atomic(target, b"new", mode=0o600)
    assert _mode(target) == 0o600 and target.read_bytes() == b"new"
    assert stale.read_bytes() == b"old"  # another writer's file, not ours to reuse or remove


@pytest.mark.usefixtures("open_umask")
def test_a_failed_write_leaves_the_old_secret_and_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "token"
    files.write_atomic(target, b"old", mode=0o600)
    with pytest.raises(TypeError):
        files.write_atomic(target, "not bytes", mode=0o600)  # type: ignore[arg-type]
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["token"]


@pytest.mark.usefixtures("open_umask")
def test_every_writer_of_a_secret_asks_for_0600(tmp_path: Path, partial_modes: list[tuple[str, int]]) -> None:
    key_file = tmp_path / "keys" / "xa-tan-lap.pem"
    PrivateKey.generate("Xã Tân Lập").save(key_file, passphrase="mật khẩu dài")
    AccessPasswordFile(tmp_path / "web" / "access-password").write("scrypt$placeholder-hash")
    self_signed_certificate(tmp_path / "web" / "cert.pem", tmp_path / "web" / "key.pem", ["192.168.1.20"])
    MosquittoBrokerFiles(tmp_path / "broker").station_login("xa-tan-lap")  # makes the station's MQTT password
    secrets = [key_file, tmp_path / "web" / "access-password", tmp_path / "web" / "key.pem"]
    secrets.append(tmp_path / "broker" / STATION_FILE)
    assert {path.name: _mode(path) for path in secrets} == {path.name: 0o600 for path in secrets}
    by_name = {Path(partial).name.split(".")[1]: mode for partial, mode in partial_modes}
    assert by_name == {"xa-tan-lap": 0o600, "access-password": 0o600, "key": 0o600, "cert": 0o666, "station": 0o600}
