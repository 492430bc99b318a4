"""The signing key under a passphrase, through :class:`~truyenthanh.services.keys.KeyService` and the real key
files: generating, signing with the passphrase given, from ``TRUYENTHANH_KEY_PASSPHRASE`` or from the file named by
``key_passphrase_file``; changing and removing it without changing the key; wrong passphrases leaving the file as
it was; and what a process that cannot ask anyone is told."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import FrozenClock
from truyenthanh import bootstrap
from truyenthanh.adapters.signing import is_encrypted
from truyenthanh.bootstrap import KEY_PASSPHRASE_ENV
from truyenthanh.config import load_settings
from truyenthanh.errors import PackageError

NAME = "Đài TT-TH huyện Tân Sơn"
SECRET = "mật khẩu của đài huyện"
MESSAGE = "bản tin".encode()


def _key_file(container: bootstrap.Container) -> Path:
    return container.keys.keys_dir / f"{container.keys.own().slug}.pem"


@pytest.fixture
def editor(station_dir: Path, clock: FrozenClock) -> Iterator[bootstrap.Container]:
    """An editor's machine (no station) with one key under :data:`SECRET`."""
    built = bootstrap.build(load_settings(station_dir), clock=clock)
    built.keys.generate(NAME, passphrase=SECRET)
    yield built
    built.close()


def test_a_locked_key_signs_only_with_its_passphrase_and_the_public_half_needs_none(
    editor: bootstrap.Container,
) -> None:
    keys = editor.keys
    assert keys.locked() and keys.needs_passphrase()
    assert is_encrypted(_key_file(editor).read_bytes())
    public = keys.own_public()
    signed = keys.private_key(passphrase=SECRET).sign(MESSAGE)
    assert public.verify(MESSAGE, signed)
    # typed with a decomposing input method (e.g. on a phone keyboard): the same passphrase
    decomposed = unicodedata.normalize("NFD", SECRET)
    assert decomposed != SECRET
    assert public.verify(MESSAGE, keys.private_key(passphrase=decomposed).sign(MESSAGE))
    with pytest.raises(PackageError) as missing:
        keys.private_key()
    assert missing.value.field == "passphrase"
    assert "được bảo vệ bằng mật khẩu" in missing.value.message and "key_passphrase_file" in missing.value.message
    with pytest.raises(PackageError) as wrong:
        keys.private_key(passphrase="sai")
    assert wrong.value.field == "passphrase" and f"Sai mật khẩu của khóa «{NAME}»" in wrong.value.message


def test_changing_and_removing_the_passphrase_keeps_the_key_and_a_wrong_one_changes_nothing(
    editor: bootstrap.Container,
) -> None:
    keys, path = editor.keys, _key_file(editor)
    fingerprint = keys.own().fingerprint
    before = path.read_bytes()
    with pytest.raises(PackageError, match="Sai mật khẩu"):
        keys.set_passphrase(old="sai", new="mới")
    with pytest.raises(PackageError, match="Cần mật khẩu hiện tại"):
        keys.set_passphrase(old=None, new="mới")
    assert path.read_bytes() == before
    keys.set_passphrase(old=SECRET, new="mật khẩu mới")
    assert path.read_bytes() != before and is_encrypted(path.read_bytes())
    with pytest.raises(PackageError, match="Sai mật khẩu"):
        keys.private_key(passphrase=SECRET)
    assert keys.private_key(passphrase="mật khẩu mới").public.fingerprint == fingerprint
    keys.set_passphrase(old="mật khẩu mới", new=None)
    assert not keys.locked() and not is_encrypted(path.read_bytes())
    assert keys.private_key().public.fingerprint == fingerprint
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no partial file left
    keys.set_passphrase(old=None, new="lại có mật khẩu")
    assert keys.locked() and keys.own_public().fingerprint == fingerprint


def test_an_unattended_process_opens_the_key_with_the_configured_file_or_says_what_to_do(
    editor: bootstrap.Container, station_dir: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = editor.keys.signing_problem()
    assert problem is not None and "key_passphrase_file" in problem and "chmod 600" in problem
    secret_file = station_dir / "mat-khau-khoa.txt"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    secret_file.chmod(0o600)
    # a relative path is beside the configuration file
    configured = bootstrap.build(load_settings(station_dir, key_passphrase_file=Path(secret_file.name)), clock=clock)
    assert configured.keys.signing_problem() is None
    assert not configured.keys.needs_passphrase()
    assert configured.keys.own_public().verify(MESSAGE, configured.keys.private_key().sign(MESSAGE))
    secret_file.write_text("sai\n", encoding="utf-8")
    wrong = configured.keys.signing_problem()
    assert wrong is not None and wrong.startswith(f"Sai mật khẩu của khóa «{NAME}»")
    secret_file.unlink()
    gone = configured.keys.signing_problem()
    assert gone == f"Không có tệp mật khẩu khóa {secret_file}."
    monkeypatch.setenv(KEY_PASSPHRASE_ENV, SECRET)
    from_env = bootstrap.build(load_settings(station_dir), clock=clock)
    assert from_env.keys.signing_problem() is None
    from_env.close()
    configured.close()
