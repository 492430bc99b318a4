"""A signing key can be kept under a passphrase (where file permissions protect nothing, e.g. Windows): saved
encrypted, read back only with the right passphrase, and the errors say which key and what is wrong."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from truyenthanh.adapters.signing import PrivateKey, is_encrypted, read_passphrase_file
from truyenthanh.errors import PackageError

NAME = "Đài TT-TH huyện Tân Sơn"


def test_a_key_saved_with_a_passphrase_is_encrypted_and_signs_the_same(tmp_path: Path) -> None:
    key = PrivateKey.generate(NAME)
    path = tmp_path / "keys" / "tan-son.pem"
    key.save(path, passphrase="mật khẩu dài của đài")
    pem = path.read_bytes()
    assert is_encrypted(pem) and b"BEGIN PRIVATE KEY" not in pem
    loaded = PrivateKey.load(NAME, path, passphrase="mật khẩu dài của đài")
    assert loaded.public == key.public
    assert key.public.verify(b"goi chuong trinh", loaded.sign(b"goi chuong trinh"))


def test_a_protected_key_without_or_with_a_wrong_passphrase_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "tan-son.pem"
    PrivateKey.generate(NAME).save(path, passphrase="đúng")
    with pytest.raises(PackageError, match=f"Khóa «{NAME}» .* được bảo vệ bằng mật khẩu"):
        PrivateKey.load(NAME, path)
    with pytest.raises(PackageError, match=f"Sai mật khẩu của khóa «{NAME}»"):
        PrivateKey.load(NAME, path, passphrase="sai")
    assert is_encrypted(path.read_bytes())  # left as it was


def test_without_a_passphrase_the_key_stays_plain_and_loads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "plain.pem"
    key = PrivateKey.generate(NAME)
    key.save(path, passphrase="")
    assert not is_encrypted(path.read_bytes())
    assert PrivateKey.load(NAME, path).public == key.public
    assert PrivateKey.load(NAME, path, passphrase="ignored for a plain key").public == key.public
    with pytest.raises(PackageError, match="Đã có khóa"):
        key.save(path, passphrase="x")


def test_a_passphrase_file_gives_its_first_line_in_nfc_and_a_bad_one_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mat-khau.txt"
    path.write_bytes("\ufeff".encode() + unicodedata.normalize("NFD", "mật khẩu").encode() + "\r\nthừa\n".encode())
    assert read_passphrase_file(path) == "mật khẩu"  # BOM and Windows line ending gone, composed as typed
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(PackageError, match=f"Tệp mật khẩu khóa {path} trống") as empty:
        read_passphrase_file(path)
    assert empty.value.field == "passphrase_file"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(PackageError, match="không phải văn bản UTF-8"):
        read_passphrase_file(path)
    with pytest.raises(PackageError, match="Không có tệp mật khẩu khóa"):
        read_passphrase_file(tmp_path / "khong-co.txt")


def test_rewrite_replaces_the_key_file_whole_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "khoa.pem"
    key = PrivateKey.generate(NAME)
    key.save(path)
    key.rewrite(path, passphrase="mới")
    assert is_encrypted(path.read_bytes()) and path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["khoa.pem"]
    assert PrivateKey.load(NAME, path, passphrase="mới").public == key.public
